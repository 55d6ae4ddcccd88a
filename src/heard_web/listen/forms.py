"""The story form people fill in (built from the project's StoryForm) and its settings form."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.conf import settings

from heard_web.listen.models import StoryForm

ATTRIBUTES = [
    ("role", "I am a…"),
    ("area", "Where do you live?"),
    ("age", "How old are you?"),
]
#: Attribute names stored on the story (the segments the story list and analysis use).
ATTRIBUTE_KEYS = {"role": "role", "area": "area", "age": "age band"}
HONEYPOT = "website"


class TellForm(forms.Form):
    """One person's story: answers, optional choices, consent, contact details."""

    submission = forms.CharField(widget=forms.HiddenInput, max_length=64)
    consent_analysis = forms.BooleanField(
        label="You can use my story to understand what people say and improve things",
        error_messages={
            "required": "Tick the box to say we can use your story. We cannot store it without it."
        },
    )
    consent_quote = forms.BooleanField(
        required=False,
        label="You can quote my words in reports, without my name",
    )

    def __init__(self, config: StoryForm, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.config = config
        limit = settings.HEARD_FORM_MAX_CHARS
        self.answer_names: list[str] = []
        for n, question in enumerate(config.question_list()):
            name = f"answer_{n}"
            self.answer_names.append(name)
            self.fields[name] = forms.CharField(
                label=question,
                required=n == 0,
                max_length=limit,
                strip=True,
                widget=forms.Textarea(attrs={"rows": 8 if n == 0 else 4}),
                help_text=(
                    "Please do not include names, addresses or phone numbers: "
                    "we remove any we find."
                    if n == 0
                    else "Optional."
                ),
                error_messages={
                    "required": "Write your story, then send it.",
                    "max_length": (
                        f"Your answer is longer than {limit:,} characters. Shorten it, or send "
                        "the rest in a second story."
                    ),
                },
            )
        for kind, label in ATTRIBUTES:
            choices = config.choices(kind)
            if choices:
                self.fields[kind] = forms.ChoiceField(
                    label=label,
                    required=False,
                    choices=[("", "Prefer not to say"), *[(c, c) for c in choices]],
                    widget=forms.RadioSelect,
                    help_text="Optional.",
                )
        if config.ask_contact:
            self.fields["consent_contact"] = forms.BooleanField(
                required=False, label="You can contact me about my story"
            )
            self.fields["contact_name"] = forms.CharField(
                required=False, max_length=200, label="Your name (optional)"
            )
            self.fields["contact"] = forms.CharField(
                required=False,
                max_length=254,
                label="Your e-mail address or phone number",
                help_text="Only if you ticked the box above. Kept apart from your story.",
            )
        # Left empty by people (it is hidden); automated spam fills it in.
        self.fields[HONEYPOT] = forms.CharField(required=False, label="Leave this empty")
        if not self.is_bound:
            self.initial["submission"] = secrets.token_urlsafe(24)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("consent_contact") and not (data.get("contact") or "").strip():
            self.add_error(
                "contact",
                "Enter an e-mail address or phone number, or untick "
                '"You can contact me about my story".',
            )
        return data

    @property
    def honeypot_filled(self) -> bool:
        return bool((self.data.get(HONEYPOT) or "").strip())

    def answers(self) -> list[str]:
        return [self.cleaned_data.get(name) or "" for name in self.answer_names]

    def attributes(self) -> dict[str, str]:
        return {
            ATTRIBUTE_KEYS[kind]: self.cleaned_data[kind]
            for kind, _ in ATTRIBUTES
            if self.cleaned_data.get(kind)
        }

    def question_fields(self) -> list[Any]:
        return [self[name] for name in self.answer_names]

    def choice_fields(self) -> list[Any]:
        return [self[kind] for kind, _ in ATTRIBUTES if kind in self.fields]


class WithdrawForm(forms.Form):
    reference = forms.CharField(
        label="Your reference",
        max_length=40,
        help_text="It looks like K7MX-3QPA-9TZE: 12 letters and numbers, from your confirmation page.",
        error_messages={"required": "Enter the reference from your confirmation page."},
    )


class StoryFormSettings(forms.ModelForm):
    class Meta:
        model = StoryForm
        fields = [
            "is_open",
            "title",
            "introduction",
            "questions",
            "role_choices",
            "area_choices",
            "age_choices",
            "ask_contact",
            "privacy_contact",
        ]
        labels = {
            "is_open": "The form is open: people can send their stories",
            "questions": "Questions",
            "role_choices": 'Choices for "I am a…"',
            "area_choices": "Areas",
            "age_choices": "Age bands",
            "ask_contact": "Offer to contact people back",
            "privacy_contact": "Who people can contact about their data",
        }
        widgets = {
            "introduction": forms.Textarea(attrs={"rows": 3}),
            "questions": forms.Textarea(attrs={"rows": 3}),
            "role_choices": forms.Textarea(attrs={"rows": 4}),
            "area_choices": forms.Textarea(attrs={"rows": 4}),
            "age_choices": forms.Textarea(attrs={"rows": 4}),
            "privacy_contact": forms.Textarea(attrs={"rows": 2}),
        }

    def clean_questions(self) -> str:
        value: str = self.cleaned_data["questions"]
        if not [line for line in value.splitlines() if line.strip()]:
            raise forms.ValidationError("Write at least one question, one per line.")
        if len([line for line in value.splitlines() if line.strip()]) > 5:
            raise forms.ValidationError("Ask at most 5 questions: a short form gets more stories.")
        return value
