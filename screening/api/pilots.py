"""Pilot rounds (an extension of ../shared/API.md): a random sample screened first, to calibrate."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from ..access import get_project_for_user
from ..errors import NotFound
from ..models import Pilot, Role
from ..services import pilots
from ._params import rounded

router = Router(tags=["screening"])


class PilotIn(Schema):
    size: int


def pilot_out(pilot: Pilot | None, *, sees_all: bool) -> dict[str, Any] | None:
    """A pilot round and how far it is; its agreement to leads and admins only."""
    if pilot is None:
        return None
    report = pilots.pilot_report(pilot)
    found = report["agreement"]
    return {
        "id": pilot.pk,
        "size": pilot.size,
        "open": pilot.closed_at is None,
        "started_at": pilot.started_at.isoformat(),
        "started_by": pilot.started_by.get_username() if pilot.started_by_id else "",
        "closed_at": pilot.closed_at.isoformat() if pilot.closed_at else None,
        # How many have their two votes would tell a reviewer whether the other one voted yet.
        "screened": report["screened"] if sees_all else None,
        "agreement": {
            "references": found.references,
            "percent_agreement": rounded(found.percent_agreement, 2),
            "cohen_kappa": rounded(found.cohen_kappa, 4),
            "maybe_counts_as": "include",
        }
        if sees_all
        else None,
        "votes_per_reviewer": report["per_reviewer"] if sees_all else None,
    }


@router.post("/projects/{slug}/pilot", response={201: dict[str, Any]}, tags=["screening"])
def pilot_create(request: HttpRequest, slug: str, payload: PilotIn) -> Status[dict[str, Any]]:
    """Draw a random sample of unscreened references as a pilot round (leads and admins)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    pilot = pilots.pilot_start(project=project, size=payload.size, user=request.user)
    return Status(201, pilot_out(pilot, sees_all=True))


@router.get("/projects/{slug}/pilot", tags=["screening"])
def pilot_detail(request: HttpRequest, slug: str) -> dict[str, Any]:
    """The latest pilot round: open or not, how far, and (to leads) its agreement."""
    project, membership = get_project_for_user(request.user, slug)
    found = pilot_out(pilots.latest_pilot(project), sees_all=membership.leads)
    if found is None:
        raise NotFound("This project has had no pilot round.")
    return found


@router.post("/projects/{slug}/pilot/close", tags=["screening"])
def pilot_end(request: HttpRequest, slug: str) -> dict[str, Any]:
    """Close the open pilot round: screening goes on over every reference."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    return pilot_out(pilots.pilot_close(project=project, user=request.user), sees_all=True)
