"""A person's own API tokens: list, create (shown once), revoke."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from heard_web.accounts import services


class TokenForm(forms.Form):
    name = forms.CharField(
        label="What is the token for?",
        max_length=100,
        help_text="For example, the dashboard script. Only you can see this name.",
        error_messages={"required": "Enter what the token is for"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_token = ""
    if request.method == "POST" and form.is_valid():
        _, new_token = services.issue_token(request.user, form.cleaned_data["name"], request)
        form = TokenForm()
    return render(
        request,
        "accounts/token/index.html",
        {
            "form": form,
            "new_token": new_token,
            "tokens": request.user.api_tokens.filter(revoked_at__isnull=True),  # type: ignore[union-attr]
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(request.user.api_tokens, pk=token_id, revoked_at__isnull=True)  # type: ignore[union-attr]
    services.revoke_token(token, request)
    messages.success(request, f"The token ‘{token.name}’ no longer works.")
    return redirect("tokens")
