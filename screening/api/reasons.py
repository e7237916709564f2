"""The project's reasons to exclude at full text: list, add, rename, retire, restore, move."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from ..access import get_project_for_user
from ..models import ExclusionReason, Role
from ..selectors.references import exclusion_reasons
from ..services.reasons import exclusion_reason_add, exclusion_reason_change

router = Router(tags=["screening"])


class ReasonIn(Schema):
    name: str


class ReasonOut(Schema):
    id: int
    name: str
    proposed: bool


@router.post("/projects/{slug}/exclusion-reasons", response={201: ReasonOut})
def reason_create(request: HttpRequest, slug: str, payload: ReasonIn) -> Status[Any]:
    """Add a full-text exclusion reason to the project's list (leads and admins)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    return Status(201, exclusion_reason_add(project=project, name=payload.name, user=request.user))


class ReasonListed(Schema):
    id: int
    name: str
    position: int | None  # place in the lead's list (retired included); None while proposed
    key: int | None  # the Screen page's key, 1-9; None when retired, proposed or after 9th
    retired: bool
    proposed: bool
    votes: int | None = None  # votes naming it: leads and admins only (blinding)


class ReasonChange(Schema):
    name: str | None = None
    retired: bool | None = None
    position: int | None = None


def _reason_listed(reason: Any) -> dict[str, Any]:
    return {
        "id": reason.pk,
        "name": reason.name,
        "position": reason.place,
        "key": reason.key,
        "retired": reason.retired,
        "proposed": reason.proposed,
        "votes": getattr(reason, "votes_count", None),
    }


@router.get("/projects/{slug}/exclusion-reasons", response=list[ReasonListed])
def reason_list(request: HttpRequest, slug: str) -> Any:
    """The project's exclusion reasons in the lead's order with their keys, then those
    reviewers proposed; leads and admins also see how many votes name each."""
    project, membership = get_project_for_user(request.user, slug)
    reasons = exclusion_reasons(
        project, votes=membership.leads, viewer=None if membership.leads else request.user
    )
    return [_reason_listed(r) for r in reasons]


@router.patch("/projects/{slug}/exclusion-reasons/{reason_id}", response=ReasonListed)
def reason_change(request: HttpRequest, slug: str, reason_id: int, payload: ReasonChange) -> Any:
    """Rename, retire or restore, and move a reason (leads and admins; each change audited)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    exclusion_reason_change(
        reason=ExclusionReason(pk=reason_id, project_id=project.pk),
        user=request.user,
        name=payload.name,
        retired=payload.retired,
        position=payload.position,
    )
    reasons = exclusion_reasons(project, votes=True)
    return _reason_listed(next(r for r in reasons if r.pk == reason_id))
