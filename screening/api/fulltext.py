"""Full texts (reports): upload a reference's PDF or mark it not retrieved, and fetch it."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from .. import responses
from ..access import get_project_for_user
from ..errors import InvalidInput
from ..models import Report, Role
from ..services import fulltext
from ._params import project_reference

router = Router(tags=["screening"])


class ReportOut(Schema):
    reference: int
    not_retrieved: bool
    note: str
    filename: str
    size: int
    pages: int
    sha256: str


def _report_out(report: Report) -> dict[str, Any]:
    return {
        "reference": report.reference_id,
        "not_retrieved": report.not_retrieved,
        "note": report.note,
        "filename": report.filename,
        "size": report.size,
        "pages": report.pages,
        "sha256": report.sha256,
    }


@router.post("/projects/{slug}/references/{reference_id}/report", response={201: ReportOut})
def report_create(request: HttpRequest, slug: str, reference_id: int) -> Status[dict[str, Any]]:
    """Upload the full text (multipart `file`, a PDF) or mark it `{"not_retrieved": true}`."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    reference = project_reference(project.pk, reference_id)
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput("Send the PDF as the multipart field `file`.", field="file")
        report = fulltext.report_attach(
            reference=reference,
            data=upload,
            filename=upload.name or "report.pdf",
            user=request.user,
        )
        return Status(201, _report_out(report))
    try:
        body = json.loads(request.body or b"{}")
    except ValueError as error:
        raise InvalidInput("The body is not JSON.", field="body") from error
    if not isinstance(body, dict) or body.get("not_retrieved") is not True:
        raise InvalidInput(
            'Send a PDF as multipart `file`, or JSON {"not_retrieved": true, "note": "..."}.',
            field="not_retrieved",
        )
    note = body.get("note", "")
    if not isinstance(note, str):
        raise InvalidInput("note must be text.", field="note")
    report = fulltext.report_mark_not_retrieved(reference=reference, note=note, user=request.user)
    return Status(201, _report_out(report))


@router.get("/projects/{slug}/references/{reference_id}/report")
def report_file(request: HttpRequest, slug: str, reference_id: int) -> HttpResponse:
    """The full-text PDF, to project members only."""
    project, _ = get_project_for_user(request.user, slug)
    return responses.full_text(
        get_object_or_404(Report, reference_id=reference_id, project=project)
    )
