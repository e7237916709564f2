"""References: the list as the caller may see it, the next one to screen, one, and the export."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from .. import responses
from ..access import get_project_for_user
from ..models import Reference, Role
from ..reports import reference_exports
from ..selectors import statuses
from ..selectors.blinding import as_seen
from ..selectors.queue import next_reference, open_pilot_id
from ..selectors.ranking_progress import relevance_annotations, relevance_bands
from ..vocabulary import Stage
from ..vocabulary import Status as StageStatus
from ._params import blinding_for, screened_reference, stage_param, status_param
from .schemas import ReferenceOut, record_sources, reference_out

router = Router(tags=["screening"])


class _ReferencePage(LimitOffsetPagination):
    """Pagination whose items are shaped after slicing: records fetched for one page only."""

    def paginate_queryset(self, queryset: Any, pagination: Any, **params: Any) -> dict[str, Any]:
        page = super().paginate_queryset(queryset, pagination, **params)
        page["items"] = [reference_out(r) for r in page["items"]]
        return page


@router.get("/projects/{slug}/references", response=list[ReferenceOut])
@paginate(_ReferencePage)
def reference_list(request: HttpRequest, slug: str, stage: str = "", status: str = "") -> Any:
    """The project's references, optionally at one stage and in one status."""
    project, membership = get_project_for_user(request.user, slug)
    stage, status = stage_param(stage), status_param(status)
    # Filtered on the stage and status as the caller is shown them (workflow.Blinding).
    references = as_seen(statuses.screened_references(project), blinding_for(project, membership))
    if stage:
        references = references.filter(shown_stage=stage)
    if status:
        references = references.filter(shown_status=status)
    return references.order_by("id").prefetch_related(record_sources())


class NextReferenceOut(ReferenceOut):
    # The screening card's quiet cue on a ranked stage (high, medium or low, from the current
    # ranking, which learnt from settled decisions only); null in import order and in a pilot.
    relevance: str | None = None


# Before /references/{reference_id}, which would take "next" for an id.
@router.get("/projects/{slug}/references/next", response={200: NextReferenceOut, 204: None})
def reference_next(request: HttpRequest, slug: str, stage: str = Stage.TITLE_ABSTRACT.value) -> Any:
    """The next reference the caller has not voted on at the stage, or 204 when none is left."""
    project, _ = get_project_for_user(request.user, slug)
    stage = stage_param(stage, required=True)
    found = next_reference(project, request.user, stage)
    if found is None:
        return Status(204, None)
    # Open to a vote means fewer votes than needed and no resolution: pending, by definition.
    reference = (
        Reference.objects.prefetch_related(record_sources())
        .annotate(**relevance_annotations(project, stage))
        .get(pk=found)
    )
    reference.shown_stage, reference.shown_status = stage, StageStatus.PENDING
    in_pilot = reference.pilot_id and reference.pilot_id == open_pilot_id(project)
    relevance = None if in_pilot else relevance_bands(project, stage, [reference]).get(found)
    return {**reference_out(reference), "relevance": relevance}


@router.get("/projects/{slug}/references/{reference_id}", response=ReferenceOut)
def reference_detail(request: HttpRequest, slug: str, reference_id: int) -> Any:
    """One reference with its stage and status (as the caller may see it)."""
    project, membership = get_project_for_user(request.user, slug)
    return reference_out(
        screened_reference(project, reference_id, blinding_for(project, membership))
    )


@router.get("/projects/{slug}/export", tags=["reporting"])
def reference_export(
    request: HttpRequest,
    slug: str,
    stage: str = "",
    status: str = "",
    format: Literal["ris", "bib", "bibtex", "csv", "xlsx"] = "ris",
    csv_formulas: Literal["escape", "keep"] = "escape",
) -> HttpResponse:
    """References (at a stage, in a status) with every vote, reason, note and resolution.
    In CSV a text starting with =, +, -, @, tab or CR is prefixed with ' unless
    `csv_formulas=keep` (for programs); in xlsx it is always a text cell."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    references = list(
        statuses.decided_references(project, stage_param(stage), status_param(status))
    )
    part = "-".join(p for p in (stage, status) if p) or "references"
    body = reference_exports.decisions_file(references, format, csv_formulas=csv_formulas)
    extension = "bib" if format == "bibtex" else format
    return responses.attachment(body, f"{project.slug}-{part}.{extension}")
