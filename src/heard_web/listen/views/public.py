"""The public pages of a project's story form: no sign-in, no JavaScript needed.

The form (GET shows it, POST stores the story and shows the reference), the privacy notice
and the withdrawal page. Rate limited per client; a story is acknowledged only once it is
committed (``services.submit`` returns after the commit).
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from heard_web.listen import services
from heard_web.listen.forms import TellForm, WithdrawForm
from heard_web.listen.models import StoryForm
from heard_web.projects.models import Project


def _form_or_404(project_slug: str) -> StoryForm:
    project = get_object_or_404(Project, slug=project_slug)
    try:
        return project.story_form
    except StoryForm.DoesNotExist:
        raise Http404("This project has no story form.") from None


def _max_body(config: StoryForm) -> int:
    # Every answer at its longest in 4-byte characters, URL-encoded (up to 3x), plus the rest.
    return len(config.question_list()) * settings.HEARD_FORM_MAX_CHARS * 4 * 3 + 64 * 1024


def _page(request: HttpRequest, template: str, config: StoryForm, status: int = 200, **ctx):
    return render(
        request,
        template,
        {"config": config, "form_project": config.project, **ctx},
        status=status,
    )


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def show(request: HttpRequest, project_slug: str) -> HttpResponse:
    """The form; on POST, the story is stored and the confirmation page shows its reference."""
    config = _form_or_404(project_slug)
    if not config.is_open:
        return _page(request, "listen/form/closed.html", config)
    if request.method == "POST":
        if int(request.META.get("CONTENT_LENGTH") or 0) > _max_body(config):
            return _page(request, "listen/form/too_large.html", config, status=413)
        if not services.allow(request, "form", settings.FORM_RATE_LIMIT):
            return _page(request, "listen/form/too_many.html", config, status=429)
        form = TellForm(config, request.POST)
        if form.honeypot_filled:
            return _page(request, "listen/form/spam.html", config, status=400)
        if form.is_valid():
            done = services.submit(
                config.project,
                services.Answers(
                    answers=form.answers(),
                    submission=form.cleaned_data["submission"],
                    consent_quote=form.cleaned_data["consent_quote"],
                    consent_contact=bool(form.cleaned_data.get("consent_contact")),
                    contact_name=form.cleaned_data.get("contact_name") or "",
                    contact=(form.cleaned_data.get("contact") or "").strip(),
                    attributes=form.attributes(),
                ),
            )
            return _page(request, "listen/form/done.html", config, reference=done.reference)
        return _page(request, "listen/form/show.html", config, form=form, status=400)
    return _page(request, "listen/form/show.html", config, form=TellForm(config))


@require_http_methods(["GET"])
def privacy(request: HttpRequest, project_slug: str) -> HttpResponse:
    """What happens to a story sent through the form, in plain English."""
    config = _form_or_404(project_slug)
    return _page(request, "listen/form/privacy.html", config)


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, project_slug: str) -> HttpResponse:
    """Take a story back with its reference; it is erased (stories.erasure)."""
    config = _form_or_404(project_slug)
    if request.method == "POST":
        if not services.allow(request, "withdraw", settings.WITHDRAW_RATE_LIMIT):
            return _page(request, "listen/form/too_many.html", config, status=429)
        form = WithdrawForm(request.POST)
        if form.is_valid():
            if services.withdraw(config.project, form.cleaned_data["reference"], request):
                return _page(request, "listen/form/withdrawn.html", config)
            form.add_error(
                "reference",
                "No story has this reference. Check it against your confirmation page: "
                "12 letters and numbers, like K7MX-3QPA-9TZE.",
            )
        return _page(request, "listen/form/withdraw.html", config, form=form, status=400)
    return _page(request, "listen/form/withdraw.html", config, form=WithdrawForm())
