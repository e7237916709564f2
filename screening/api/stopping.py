"""The stopping aid (an extension of ../shared/API.md), for leads and admins: the figures of a
stage, a random sample of the unscreened, the lead's stop with its reason, and its reversal."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from ..access import get_project_for_user
from ..models import Project, Role, ScreeningStop
from ..selectors import stopping as reads
from ..services import stopping
from ..vocabulary import Stage

router = Router(tags=["screening"])

TA = Stage.TITLE_ABSTRACT.value


class SampleIn(Schema):
    stage: str = TA
    # None: the proposed size (the smallest sample that can show the target with no include).
    size: int | None = None


class StopIn(Schema):
    stage: str = TA
    reason: str = ""


class KneeOut(Schema):
    at: int
    found_at_knee: int
    slope_ratio: float
    threshold: float
    reached: bool


class EvidenceOut(Schema):
    screened_includes: int
    sample_size: int
    sample_includes: int
    remaining: int
    target: float
    level: float
    recall: float
    recall_lower: float
    includes_left_estimate: float
    includes_left_upper: int
    p_value: float
    stop_supported: bool
    in_words: str
    summary: str


class SampleOut(Schema):
    id: int
    number: int
    drawn_at: str
    drawn_by: str
    open: bool
    size: int
    # Settled: two votes that agree or a lead's resolution.
    screened: int
    includes: int
    remaining: int
    screened_includes: int
    level: float
    can_still_support: bool
    evidence: EvidenceOut | None


class StopOut(Schema):
    id: int
    stage: str
    method: str
    reason: str
    decided_at: str
    decided_by: str
    references: int
    evidence: dict[str, Any]
    in_force: bool
    reversed_at: str | None
    reversal_reason: str


class StoppingOut(Schema):
    stage: str
    order: str
    references: int
    screened: int
    includes: int
    unscreened: int
    in_progress: int
    since_last_include: int
    quiet_needed: int
    sample_proposed: bool
    knee: KneeOut | None
    proposed_sample_size: int
    next_sample_level: float
    sample: SampleOut | None
    stop: StopOut | None
    # References under the stop in force, still without a vote.
    stopped: int


def _evidence_out(progress: reads.SampleProgress) -> dict[str, Any] | None:
    found = progress.evidence
    if found is None:
        return None
    return {
        "screened_includes": found.screened_includes,
        "sample_size": found.sample_size,
        "sample_includes": found.sample_includes,
        "remaining": found.remaining_total,
        "target": found.target,
        "level": found.alpha,
        "recall": round(found.recall, 4),
        "recall_lower": round(found.recall_lower, 4),
        "includes_left_estimate": round(found.includes_left_estimate, 2),
        "includes_left_upper": found.includes_left_upper,
        "p_value": found.p_value,
        "stop_supported": found.stop_supported,
        "in_words": reads.evidence_in_words(found),
        "summary": found.summary,
    }


def sample_out(progress: reads.SampleProgress) -> dict[str, Any]:
    sample = progress.sample
    return {
        "id": sample.pk,
        "number": sample.number,
        "drawn_at": sample.drawn_at.isoformat(),
        "drawn_by": sample.drawn_by.get_username() if sample.drawn_by_id else "",
        "open": sample.closed_at is None,
        "size": progress.size,
        "screened": progress.settled,
        "includes": progress.includes,
        "remaining": sample.remaining,
        "screened_includes": sample.screened_includes,
        "level": round(progress.level, 6),
        "can_still_support": progress.can_still_support,
        "evidence": _evidence_out(progress),
    }


def stop_out(stop: ScreeningStop) -> dict[str, Any]:
    return {
        "id": stop.pk,
        "stage": stop.stage,
        "method": stop.method,
        "reason": stop.reason,
        "decided_at": stop.decided_at.isoformat(),
        "decided_by": stop.decided_by.get_username() if stop.decided_by_id else "",
        "references": stop.references.count(),
        "evidence": stop.evidence,
        "in_force": stop.reversed_at is None,
        "reversed_at": stop.reversed_at.isoformat() if stop.reversed_at else None,
        "reversal_reason": stop.reversal_reason,
    }


def stopping_out(project: Project, stage: str) -> dict[str, Any]:
    figures = reads.stopping_figures(project, stage)
    knee = figures.knee
    return {
        "stage": figures.stage,
        "order": figures.order,
        "references": figures.references,
        "screened": figures.screened,
        "includes": figures.includes,
        "unscreened": figures.unscreened,
        "in_progress": figures.in_progress,
        "since_last_include": figures.since_last_include,
        "quiet_needed": figures.quiet_needed,
        "sample_proposed": figures.sample_proposed,
        "knee": {
            "at": knee.at,
            "found_at_knee": knee.found_at_knee,
            "slope_ratio": round(knee.slope_ratio, 3),
            "threshold": knee.threshold,
            "reached": figures.knee_reached,
        }
        if knee is not None
        else None,
        "proposed_sample_size": figures.proposed_size,
        "next_sample_level": round(figures.next_level, 6),
        "sample": sample_out(figures.sample) if figures.sample is not None else None,
        "stop": stop_out(figures.stop) if figures.stop is not None else None,
        "stopped": figures.stopped,
    }


@router.get("/projects/{slug}/stopping", response=StoppingOut, tags=["screening"])
def stopping_detail(request: HttpRequest, slug: str, stage: str = TA) -> dict[str, Any]:
    """The stage's stopping aid: ranked progress, the knee, the open sample and its evidence, the
    proposed sample size and the stop in force (leads and admins)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    return stopping_out(project, stopping.stage_for_stopping(stage))


@router.post("/projects/{slug}/stopping/sample", response={201: StoppingOut}, tags=["screening"])
def stopping_sample_create(
    request: HttpRequest, slug: str, payload: SampleIn
) -> Status[dict[str, Any]]:
    """Draw a random sample of the stage's unscreened references, served first (leads, admins)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    sample = stopping.stopping_sample_draw(
        project=project, stage=payload.stage, user=request.user, size=payload.size
    )
    return Status(201, stopping_out(project, sample.stage))


class StageIn(Schema):
    stage: str = TA


@router.post("/projects/{slug}/stopping/set-aside", response=StoppingOut, tags=["screening"])
def stopping_sample_set_aside(request: HttpRequest, slug: str, payload: StageIn) -> dict[str, Any]:
    """Close the open sample without stopping: its references left unscreened go back to the
    ranked queue (leads and admins)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    sample = stopping.stopping_sample_set_aside(
        project=project, stage=payload.stage, user=request.user
    )
    return stopping_out(project, sample.stage)


@router.post("/projects/{slug}/stopping/stop", response={201: StoppingOut}, tags=["screening"])
def stopping_stop_create(
    request: HttpRequest, slug: str, payload: StopIn
) -> Status[dict[str, Any]]:
    """Stop screening the stage on its settled sample, with a reason: the references nobody has
    voted on leave the queue (leads and admins)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    stop = stopping.screening_stop(
        project=project, stage=payload.stage, user=request.user, reason=payload.reason
    )
    return Status(201, stopping_out(project, stop.stage))


@router.post("/projects/{slug}/stopping/reverse", response=StoppingOut, tags=["screening"])
def stopping_stop_reverse(request: HttpRequest, slug: str, payload: StopIn) -> dict[str, Any]:
    """Reverse the stage's stop, with a reason: its references return to the queue."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    stop = stopping.screening_stop_reverse(
        project=project, stage=payload.stage, user=request.user, reason=payload.reason
    )
    return stopping_out(project, stop.stage)
