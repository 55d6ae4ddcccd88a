"""Signing in and out, changing and resetting a password (Django's views, heard's templates).

The URL names are Django's own (login, logout, password_change...), so Django's views and
the admin find them.
"""

from django.contrib.auth import views as auth
from django.urls import path, reverse_lazy

from heard_web.accounts import views
from heard_web.accounts.forms import SignInForm

T = "accounts/"

urlpatterns = [
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.revoke_token, name="token_revoke"),
    path(
        "sign-in/",
        auth.LoginView.as_view(
            template_name=T + "session/new.html",
            authentication_form=SignInForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("sign-out/", auth.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        auth.PasswordChangeView.as_view(template_name=T + "password/change.html"),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth.PasswordChangeDoneView.as_view(template_name=T + "password/change_done.html"),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        auth.PasswordResetView.as_view(
            template_name=T + "password/reset.html",
            email_template_name=T + "password/reset_email.txt",
            subject_template_name=T + "password/reset_subject.txt",
            success_url=reverse_lazy("password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth.PasswordResetDoneView.as_view(template_name=T + "password/reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth.PasswordResetConfirmView.as_view(template_name=T + "password/reset_confirm.html"),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth.PasswordResetCompleteView.as_view(template_name=T + "password/reset_complete.html"),
        name="password_reset_complete",
    ),
]
