"""Who may see and do what in a project: one helper used by every view and endpoint."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Membership, Project, Role


def get_project_for_user(
    user: AbstractBaseUser | AnonymousUser, slug: str, *, min_role: str = Role.REVIEWER
) -> tuple[Project, Membership]:
    """The project and the user's membership; 404 for outsiders, 403 for a role that may not.

    Outsiders get 404, not 403, so that a project's existence is not disclosed.
    """
    if not user.is_authenticated:
        raise Http404("No such project")
    membership = (
        Membership.objects.select_related("project").filter(project__slug=slug, user=user).first()
    )
    if membership is None:
        raise Http404("No such project")
    if not membership.allows(min_role):
        raise PermissionDenied(
            f"This needs the {Role(min_role).label.lower()} role in {membership.project.name}; "
            f"you are a {membership.get_role_display().lower()}."
        )
    return membership.project, membership
