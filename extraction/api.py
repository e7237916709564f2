"""JSON endpoints of data extraction: the codebook, extractions, consensus, agreement, summary
and export (../shared/API.md's extraction section; GET codebook and the sample extend it)."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from screening import responses
from screening.access import get_project_for_user
from screening.models import Reference, Role

from . import exports, services
from .models import Codebook

router = Router(tags=["extraction"])


class CodebookIn(Schema):
    fields: Any  # checked by extraction/coding.py, whose messages name the field at fault


class ValuesIn(Schema):
    values: Any


class SampleIn(Schema):
    size: int | None = None
    percent: int | None = None
    extractors: list[str] = []


def _codebook_out(codebook: Codebook | None, to_check: list[str] | None = None) -> dict[str, Any]:
    return {
        "version": codebook.version if codebook else 0,
        "fields": [
            {
                "name": spec.name,
                "type": spec.type,
                "choices": list(spec.choices),
                "help": spec.help,
                "section": spec.section,
            }
            for spec in services.field_specs(codebook)
        ],
        "to_check": to_check or [],
    }


@router.put("/projects/{slug}/codebook")
def codebook_update(request: HttpRequest, slug: str, payload: CodebookIn) -> dict[str, Any]:
    """Define or change the codebook (leads and admins); a change makes a new version."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    codebook, to_check = services.codebook_put(
        project=project, fields=payload.fields, user=request.user
    )
    return _codebook_out(codebook, to_check)


@router.get("/projects/{slug}/codebook")
def codebook_detail(request: HttpRequest, slug: str) -> dict[str, Any]:
    """The current codebook, for every member (extractors fill it in)."""
    project, _ = get_project_for_user(request.user, slug)
    return _codebook_out(services.current_codebook(project))


@router.post("/projects/{slug}/references/{reference_id}/extractions", response={201: dict})
def extraction_create(
    request: HttpRequest, slug: str, reference_id: int, payload: ValuesIn
) -> Status[dict[str, Any]]:
    """The caller's extraction of an included study; answers with the caller's values only."""
    project, _ = get_project_for_user(request.user, slug)
    reference = get_object_or_404(Reference, pk=reference_id, project=project)
    extraction = services.extraction_save(
        project=project, reference=reference, extractor=request.user, values=payload.values
    )
    return Status(
        201,
        {
            "reference": reference.pk,
            "extractor": request.user.get_username(),
            "version": extraction.codebook.version,
            "values": extraction.values,
        },
    )


class ExtractorsIn(Schema):
    extractors: list[str]


@router.put("/projects/{slug}/references/{reference_id}/extractors")
def extractors_update(
    request: HttpRequest, slug: str, reference_id: int, payload: ExtractorsIn
) -> dict[str, Any]:
    """Who extracts a study: one member, two for the double sample (leads and admins)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    reference = get_object_or_404(Reference, pk=reference_id, project=project)
    names = services.extractors_assign(
        project=project, reference=reference, usernames=payload.extractors, user=request.user
    )
    return {"reference": reference.pk, "extractors": names}


@router.post("/projects/{slug}/references/{reference_id}/consensus", response={201: dict})
def consensus_create(
    request: HttpRequest, slug: str, reference_id: int, payload: ValuesIn
) -> Status[dict[str, Any]]:
    """The lead's settled values for a study extracted twice."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    reference = get_object_or_404(Reference, pk=reference_id, project=project)
    consensus = services.consensus_record(
        project=project, reference=reference, values=payload.values, user=request.user
    )
    return Status(
        201,
        {
            "reference": reference.pk,
            "version": consensus.codebook.version,
            "values": consensus.values,
        },
    )


@router.post("/projects/{slug}/extractions/sample", response={201: dict})
def sample_create(request: HttpRequest, slug: str, payload: SampleIn) -> Status[dict[str, Any]]:
    """Draw the studies two people extract, by number or percent (leads and admins)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    drawn = services.sample_draw(
        project=project,
        user=request.user,
        size=payload.size,
        percent=payload.percent,
        extractors=payload.extractors,
    )
    return Status(201, {"drawn": drawn})


@router.get("/projects/{slug}/extractions/agreement")
def extraction_agreement(request: HttpRequest, slug: str) -> dict[str, Any]:
    """Agreement over the studies two people extracted: per (study, field) pair, sets for
    multichoice."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    found, pairs = services.extraction_agreement(project)
    return {
        "references": found.references,
        "fields": found.fields,
        "percent_agreement": _rounded(found.percent_agreement),
        "per_field": {name: _rounded(p) for name, p in found.per_field.items()},
        "pairs": [
            {
                "extractors": list(names),
                "references": pair.references,
                "percent_agreement": _rounded(pair.percent_agreement),
            }
            for names, pair in pairs
        ],
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


@router.get("/projects/{slug}/extractions/summary")
def extraction_summary(request: HttpRequest, slug: str) -> dict[str, Any]:
    """The review's "Table 2": counts and percentages of the included studies, field by field."""
    project, _ = get_project_for_user(request.user, slug)
    return services.extraction_summary(project)


@router.get("/projects/{slug}/extractions")
def extraction_export(
    request: HttpRequest,
    slug: str,
    format: Literal["csv", "xlsx"] = "csv",
    csv_formulas: Literal["escape", "keep"] = "escape",
) -> HttpResponse:
    """A row per included study with its extraction status and values (the consensus, else
    the single extraction); Excel adds a sheet per extractor and the codebook. `csv_formulas`
    as for the references' export."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    body = exports.extraction_file(project, format, csv_formulas=csv_formulas)
    return responses.attachment(body, f"{project.slug}-extraction.{format}")
