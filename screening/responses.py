"""The files pages and endpoints send: one place for their content types and headers, shared
by the JSON API and the pages (which answer the same files under session login)."""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import FileResponse, Http404, HttpRequest, HttpResponse

from .models import Report
from .reports import spreadsheet

CONTENT_TYPES = {
    "bib": "application/x-bibtex; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "ris": "application/x-research-info-systems",
    "svg": "image/svg+xml; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def attachment(body: str | bytes, filename: str) -> HttpResponse:
    """`body` downloaded as `filename`, typed by its extension."""
    response = HttpResponse(body, content_type=CONTENT_TYPES[filename.rsplit(".", 1)[-1]])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def full_text(report: Report) -> FileResponse:
    """A reference's PDF, shown in the browser; 404 when it was not retrieved."""
    if report.not_retrieved or not report.file:
        raise Http404("This reference's full text was not retrieved.")
    response = FileResponse(report.file.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="reference-{report.reference_id}.pdf"'
    return response


def csv_formulas(request: HttpRequest) -> str:
    """A CSV download's `csv_formulas` option (screening/reports/spreadsheet.py): "escape" unless "keep"."""
    value = request.GET.get("csv_formulas", "escape")
    if value not in spreadsheet.CSV_FORMULAS:
        raise BadRequest(f"csv_formulas must be escape or keep, not {value!r}.")
    return value
