"""Who may see and change a project: the one place that decides (pages and API alike).

Roles: a viewer reads; an analyst also imports, analyses and edits themes; an owner also
manages members and settings. For anyone who is not a member, a project does not exist
(404, never 403, so its existence does not leak); anonymous people are sent to log in.

In a view::

    @project_required("analyst")
    def create(request, project):          # request.project, request.membership are set too
        ...

    path("<slug:project_slug>/imports/new/", views.new, name="new")

In the API: ``resolve_project(request.auth, slug, "viewer")`` (see heard_web.api).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from heard_web.accounts.models import ROLE_RANK, Membership, Role
from heard_web.projects.models import Project

V = TypeVar("V", bound=Callable[..., HttpResponse])

VIEWER = Role.VIEWER.value
ANALYST = Role.ANALYST.value
OWNER = Role.OWNER.value


class ProjectNotFound(Http404):
    """No such project for this user: it does not exist, or they are not a member."""


class RoleTooLow(PermissionDenied):
    """A member whose role does not allow this (a viewer trying to change something)."""

    def __init__(self, role: str, needed: str) -> None:
        super().__init__(
            f"Your role in this project is {role}; this needs {needed}. "
            "Ask an owner of the project to change your role."
        )
        self.role = role
        self.needed = needed


def projects_for(user: Any) -> QuerySet[Project]:
    """The projects this user is a member of (empty for anonymous users)."""
    if not getattr(user, "is_authenticated", False):
        return Project.objects.none()
    return Project.objects.filter(memberships__user=user)


def resolve_project(user: Any, project_slug: str, role: str = VIEWER) -> tuple[Project, Membership]:
    """The project and the user's membership, or ProjectNotFound / RoleTooLow."""
    if role not in ROLE_RANK:
        raise ValueError(f"Unknown role {role!r}; use one of {', '.join(ROLE_RANK)}.")
    if not getattr(user, "is_authenticated", False):
        raise ProjectNotFound("No such project.")
    membership = (
        Membership.objects.select_related("project", "project__organisation")
        .filter(user=user, project__slug=project_slug)
        .first()
    )
    if membership is None:
        raise ProjectNotFound("No such project.")
    if not membership.allows(role):
        raise RoleTooLow(membership.role, role)
    return membership.project, membership


def project_required(role: str = VIEWER) -> Callable[[V], V]:
    """Decorate a view taking ``project_slug``: it gets ``project`` instead, checked for ``role``."""
    if role not in ROLE_RANK:
        raise ValueError(f"Unknown role {role!r}; use one of {', '.join(ROLE_RANK)}.")

    def decorate(view: V) -> V:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, project_slug: str, **kwargs: Any) -> Any:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            project, membership = resolve_project(request.user, project_slug, role)
            request.project = project  # type: ignore[attr-defined]
            request.membership = membership  # type: ignore[attr-defined]
            return view(request, *args, project=project, **kwargs)

        wrapper.required_role = role  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
