"""A project's members: everyone in it can see who else is; owners add, change and remove."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from heard_web.core.access import OWNER, VIEWER, project_required
from heard_web.projects import services
from heard_web.projects.forms import AddMemberForm, RoleForm
from heard_web.projects.models import Project


def _page(
    request: HttpRequest,
    project: Project,
    form: AddMemberForm | None,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    members = project.memberships.select_related("user").order_by("user__username")
    return render(
        request,
        "projects/member/index.html",
        {
            "members": members,
            "form": form,
            "error": error,
            "roles": RoleForm.base_fields["role"].choices,
        },  # type: ignore[attr-defined]
        status=status,
    )


@project_required(VIEWER)
def index(request: HttpRequest, project: Project) -> HttpResponse:
    form = AddMemberForm() if request.membership.allows(OWNER) else None  # type: ignore[attr-defined]
    return _page(request, project, form)


@project_required(OWNER)
@require_http_methods(["POST"])
def create(request: HttpRequest, project: Project) -> HttpResponse:
    form = AddMemberForm(request.POST)
    if form.is_valid():
        try:
            membership = services.add_member(
                project,
                username_or_email=form.cleaned_data["username_or_email"],
                role=form.cleaned_data["role"],
                by=request.user,
                request=request,
            )
        except services.MembershipError as exc:
            form.add_error("username_or_email", str(exc))
        else:
            messages.success(
                request,
                f"{membership.user.get_username()} added as {membership.get_role_display().lower()}.",
            )
            return redirect("projects:members", project_slug=project.slug)
    return _page(request, project, form, status=400)


@project_required(OWNER)
@require_POST
def update(request: HttpRequest, project: Project, member_id: int) -> HttpResponse:
    membership = get_object_or_404(project.memberships, pk=member_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _page(request, project, AddMemberForm(), status=400, error="Choose a role.")
    try:
        services.change_role(
            membership, form.cleaned_data["role"], by=request.user, request=request
        )
    except services.MembershipError as exc:
        return _page(request, project, AddMemberForm(), status=400, error=str(exc))
    messages.success(
        request, f"{membership.user.get_username()} is now {membership.get_role_display().lower()}."
    )
    return redirect("projects:members", project_slug=project.slug)


@project_required(OWNER)
@require_POST
def delete(request: HttpRequest, project: Project, member_id: int) -> HttpResponse:
    membership = get_object_or_404(project.memberships, pk=member_id)
    try:
        services.remove_member(membership, by=request.user, request=request)
    except services.MembershipError as exc:
        return _page(request, project, AddMemberForm(), status=400, error=str(exc))
    messages.success(request, f"{membership.user.get_username()} removed from the project.")
    return redirect("projects:members", project_slug=project.slug)
