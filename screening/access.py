"""Who may see and do what in a project: one helper used by every view and endpoint."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection, models
from django.http import Http404
from django.utils import timezone

from .models import Membership, Project, Role


def columns(model: type[models.Model], alias: str) -> str:
    """The SELECT list of a model's columns under `alias`, for `Model.objects.raw`."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(f.column)}" for f in model._meta.concrete_fields)


def as_aware(value: object) -> object:
    """A datetime read outside the model's own columns, made aware: SQLite gives it naive (UTC)."""
    if isinstance(value, dt.datetime) and timezone.is_naive(value):
        return timezone.make_aware(value, dt.UTC)
    return value


# Every page and endpoint asks this first, so it is one query written out: the ORM's
# select_related builds the same join in Python at every request, a large share of a screening
# request's time (benchmarks/RESULTS.md). `raw` still converts the project's columns as the ORM
# would; the membership's few columns come alongside.
_MEMBERSHIP_SQL = (
    f"SELECT {columns(Project, 'p')}, m.id AS membership_id, m.role AS membership_role, "  # noqa: S608 - names from the models
    "m.created_at AS membership_created_at "
    f"FROM {Membership._meta.db_table} m JOIN {Project._meta.db_table} p ON p.id = m.project_id "
    "WHERE p.slug = %s AND m.user_id = %s"
)


def get_project_for_user(
    user: AbstractBaseUser | AnonymousUser, slug: str, *, min_role: str = Role.REVIEWER
) -> tuple[Project, Membership]:
    """The project and the user's membership; 404 for outsiders, 403 for a role that may not.

    Outsiders get 404, not 403, so that a project's existence is not disclosed.
    """
    if not user.is_authenticated:
        raise Http404("No such project")
    project = next(iter(Project.objects.raw(_MEMBERSHIP_SQL, [slug, user.pk])), None)
    if project is None:
        raise Http404("No such project")
    membership = Membership.from_db(
        connection.alias,
        ["id", "project_id", "user_id", "role", "created_at"],
        [
            project.membership_id,
            project.pk,
            user.pk,
            project.membership_role,
            as_aware(project.membership_created_at),
        ],
    )
    membership.project = project
    if not membership.allows(min_role):
        raise PermissionDenied(
            f"This needs the {Role(min_role).label.lower()} role in {membership.project.name}; "
            f"you are a {membership.get_role_display().lower()}."
        )
    return membership.project, membership
