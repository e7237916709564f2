"""Checking the query parameters the routers share, and finding a project's reference: a bad
value is a 400 naming its field, a reference outside the project a 404."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from ..errors import InvalidInput, NotFound
from ..models import Membership, Project, Reference
from ..selectors import blinding as blinding_reads
from ..selectors.statuses import screened_references
from ..vocabulary import Stage
from ..vocabulary import Status as StageStatus
from ..workflow import SEES_ALL, Blinding
from .schemas import record_sources


def stage_param(stage: str, *, required: bool = False) -> Stage | str:
    """The stage asked for; "" (every stage) when it may be left out and is."""
    if not stage and not required:
        return ""
    checked = Stage.parse(stage)
    if checked is None:
        raise InvalidInput("stage must be title_abstract or full_text.", field="stage")
    return checked


def status_param(status: str) -> StageStatus | str:
    """The status asked for, or "" (any status)."""
    if not status:
        return ""
    checked = StageStatus.parse(status)
    if checked is None:
        codes = ", ".join(sorted(StageStatus.codes()))
        raise InvalidInput(f"status must be one of {codes}.", field="status")
    return checked


def blinding_for(project: Project, membership: Membership) -> Blinding:
    return blinding_reads.blinding_for(project, membership)


def project_reference(project_id: int, reference_id: int) -> Reference:
    return get_object_or_404(Reference, pk=reference_id, project_id=project_id)


def screened_reference(
    project: Project, reference_id: int, blinding: Blinding = SEES_ALL
) -> Reference:
    """One reference still screened, with its statuses (as shown) and records; 404 otherwise."""
    references = blinding_reads.as_seen(screened_references(project), blinding)
    references = references.prefetch_related(record_sources())
    reference = references.filter(pk=reference_id).first()
    if reference is None:
        raise NotFound("No such reference")
    return reference


def rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)
