"""Reporting: agreement, PRISMA counts and diagram, progress, and the project's history."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from .. import agreement, responses
from ..access import get_project_for_user
from ..models import AuditEvent, Role
from ..reports import reference_exports
from ..reports.prisma_downloads import to_file
from ..selectors import conflicts
from ..selectors.history import project_history
from ..selectors.prisma_counts import prisma_counts
from ..selectors.progress import reviewer_progress
from ..selectors.status_counts import status_counts
from ..services.pilots import latest_pilot
from ..vocabulary import Stage
from ._params import blinding_for, rounded, stage_param
from .pilots import pilot_out

router = Router(tags=["screening"])


class PairOut(Schema):
    reviewers: list[str]
    references: int
    percent_agreement: float | None
    cohen_kappa: float | None


class AgreementOut(Schema):
    stage: str
    references: int
    percent_agreement: float | None
    cohen_kappa: float | None
    fleiss_kappa: float | None
    maybe_counts_as: str
    # Votes changed after another reviewer had voted on the reference: counted as first cast.
    changed_after_others: int
    pairs: list[PairOut]


@router.get("/projects/{slug}/agreement", response=AgreementOut, tags=["reporting"])
def agreement_detail(
    request: HttpRequest, slug: str, stage: str = Stage.TITLE_ABSTRACT.value
) -> Any:
    """Percent agreement and kappa over references with two or more votes (maybe = include)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    stage = stage_param(stage, required=True)
    report = agreement.agreement_report(conflicts.votes_by_reference(project, stage))
    return {
        "stage": stage,
        "references": report.references,
        "percent_agreement": rounded(report.percent_agreement, 2),
        "cohen_kappa": rounded(report.cohen_kappa, 4),
        "fleiss_kappa": rounded(report.fleiss_kappa, 4),
        "maybe_counts_as": "include",
        "changed_after_others": conflicts.votes_changed_after_others(project, stage),
        "pairs": [
            {
                "reviewers": list(pair.reviewers),
                "references": pair.references,
                "percent_agreement": rounded(pair.percent_agreement, 2),
                "cohen_kappa": rounded(pair.cohen_kappa, 4),
            }
            for pair in report.pairs
        ],
    }


@router.get("/projects/{slug}/prisma", tags=["reporting"])
def prisma_json(request: HttpRequest, slug: str) -> dict[str, Any]:
    """PRISMA 2020 counts under the PRISMA2020 R package's names (admins and leads)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    return prisma_counts(project).as_dict()


@router.get("/projects/{slug}/prisma.csv", tags=["reporting"])
def prisma_csv(
    request: HttpRequest, slug: str, template: Literal["current", "2022"] = "current"
) -> HttpResponse:
    """The counts in the CSV layout the PRISMA2020 R package and Shiny app read.

    `template=current` (default) is the package's 1.1.4 layout, with the meta-analysis rows;
    `template=2022` the layout of the 2022 paper.
    """
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    body = to_file(
        prisma_counts(project),
        "csv",
        review_type=project.review_type,
        title=project.name,
        template=template,
    )
    return responses.attachment(body, f"{project.slug}-prisma.csv")


@router.get("/projects/{slug}/prisma.svg", tags=["reporting"])
def prisma_svg(request: HttpRequest, slug: str) -> HttpResponse:
    """The PRISMA 2020 flow diagram, drawn from the counts."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    svg = to_file(
        prisma_counts(project), "svg", review_type=project.review_type, title=project.name
    )
    return HttpResponse(svg, content_type=responses.CONTENT_TYPES["svg"])


# A project's history (an extension of ../shared/API.md) -----------------------------------------


class HistoryEventOut(Schema):
    id: int
    at: str
    actor: str
    action: str
    object: str
    object_id: str
    reference: int | None
    before: dict[str, Any]
    after: dict[str, Any]


def _history(request: HttpRequest, slug: str, kind: str, actor: str, reference: int | None) -> Any:
    project, membership = get_project_for_user(request.user, slug)
    return project_history(project, membership, kind=kind, actor=actor, reference=reference)


def _event_out(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "at": event.created_at.isoformat(),
        "actor": event.actor.get_username() if event.actor_id else "",
        "action": event.verb,
        "object": event.object_type,
        "object_id": event.object_id,
        "reference": reference_exports.event_reference(event),
        "before": event.before,
        "after": event.after,
    }


class _HistoryPage(LimitOffsetPagination):
    def paginate_queryset(self, queryset: Any, pagination: Any, **params: Any) -> dict[str, Any]:
        page = super().paginate_queryset(queryset, pagination, **params)
        page["items"] = [_event_out(event) for event in page["items"]]
        return page


@router.get("/projects/{slug}/history", response=list[HistoryEventOut], tags=["reporting"])
@paginate(_HistoryPage)
def history_list(
    request: HttpRequest, slug: str, kind: str = "", actor: str = "", reference: int | None = None
) -> Any:
    """The audit trail, newest first: every event to leads and admins, a reviewer's own to them."""
    return _history(request, slug, kind, actor, reference)


@router.get("/projects/{slug}/history.csv", tags=["reporting"])
def history_csv(
    request: HttpRequest,
    slug: str,
    kind: str = "",
    actor: str = "",
    reference: int | None = None,
    csv_formulas: Literal["escape", "keep"] = "escape",
) -> HttpResponse:
    """The same events as CSV, one row each, values before and after as JSON (`csv_formulas`
    as for the export)."""
    events = _history(request, slug, kind, actor, reference)
    body = reference_exports.history_csv(events, formulas=csv_formulas)
    return responses.attachment(body, f"{slug}-history.csv")


# Per-reviewer progress (an extension of ../shared/API.md) ----------------------------------------


@router.get("/projects/{slug}/progress", tags=["screening"])
def progress_detail(request: HttpRequest, slug: str) -> dict[str, Any]:
    """References per stage and status, and each member's votes per stage.

    A reviewer sees conflicts counted as pending, and how many votes others cast but not which.
    """
    project, membership = get_project_for_user(request.user, slug)
    sees_all = membership.leads
    blinding = blinding_for(project, membership)
    return {
        "stages": status_counts(project, blinding=blinding),
        "reviewers": [
            {
                **row,
                "last_vote_at": row["last_vote_at"].isoformat() if row["last_vote_at"] else None,
            }
            for row in reviewer_progress(project, viewer_id=request.user.pk, blinding=blinding)
        ],
        "pilot": pilot_out(latest_pilot(project), sees_all=sees_all),
        "blind_stages": sorted(project.blinding.blind_stages),
    }
