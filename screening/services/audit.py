"""Writing the audit trail: one row per change that matters, in the same transaction as the change."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import models

from ..models import AuditEvent, Project


def audit_record(
    *,
    actor: AbstractBaseUser | None,
    verb: str,
    project: Project | None = None,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record who did what to which object, with the values before and after."""
    event = _event(actor, verb, project, obj, before, after)
    event.save()
    return event


def audit_each(
    *,
    actor: AbstractBaseUser | None,
    verb: str,
    project: Project | None,
    changes: Iterable[tuple[models.Model, dict[str, Any], dict[str, Any]]],
) -> None:
    """`audit_record` for one change to each of many objects, (object, before, after), in one
    insert: the same rows as one call per object."""
    AuditEvent.objects.bulk_create(
        (_event(actor, verb, project, obj, before, after) for obj, before, after in changes),
        batch_size=1000,  # a dedup run audits tens of thousands of merges: bounded statements
    )


def _event(
    actor: AbstractBaseUser | None,
    verb: str,
    project: Project | None,
    obj: models.Model | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> AuditEvent:
    return AuditEvent(
        actor=actor if actor is not None and actor.is_authenticated else None,
        project=project,
        verb=verb,
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        before=before or {},
        after=after or {},
    )
