from __future__ import annotations

from typing import Any

from django import forms

from heard_web.accounts.models import Organisation, Role
from heard_web.accounts.services import organisations_for
from heard_web.projects.models import Project


class ProjectForm(forms.Form):
    name = forms.CharField(
        label="Project name",
        max_length=200,
        help_text="For example, Adoption journeys 2026",
        error_messages={"required": "Enter a name for the project"},
    )
    description = forms.CharField(
        label="What is it about? (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label="Organisation",
        empty_label="A new organisation",
    )
    new_organisation = forms.CharField(
        label="Name of the new organisation",
        required=False,
        max_length=200,
        help_text="Leave empty to use your own name",
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = organisations_for(user)
        self.fields["organisation"].queryset = organisations
        if not organisations.exists():
            del self.fields["organisation"]


class ProjectSettingsForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = [
            "name",
            "description",
            "pseudonyms",
            "known_names",
            "keep_original_text",
            "retention_days",
        ]
        labels = {
            "name": "Project name",
            "description": "What is it about?",
            "pseudonyms": "Number the names that are removed?",
            "known_names": "Names to always remove",
            "keep_original_text": "Keep the original text of each story",
            "retention_days": "Erase stories after this many days (optional)",
        }
        widgets = {
            "pseudonyms": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 3}),
            "known_names": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {"name": {"required": "Enter a name for the project"}}


class AddMemberForm(forms.Form):
    username_or_email = forms.CharField(
        label="Username or e-mail address",
        max_length=254,
        error_messages={"required": "Enter the username or e-mail address of the person to add"},
    )
    role = forms.ChoiceField(
        choices=Role.choices,
        initial=Role.VIEWER,
        widget=forms.RadioSelect,
        label="Role",
        help_text="Viewers read; analysts also import and analyse; owners also manage members "
        "and settings.",
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices, label="Role")
