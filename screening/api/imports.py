"""Identification: a database's export imported as a search, and records found by other methods."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from ..access import get_project_for_user
from ..errors import TooLarge
from ..models import Role, Search
from ..services import imports
from .schemas import JobQueued

router = Router()


class SearchOut(Schema):
    id: int
    database: str
    platform: str
    searched_on: dt.date | None
    query: str
    filename: str
    format: str
    records: int
    warnings: list[str]
    sha256: str


def _search_out(search: Search) -> dict[str, Any]:
    return {
        "id": search.pk,
        "database": search.database,
        "platform": search.platform,
        "searched_on": search.searched_on,
        "query": search.query,
        "filename": search.filename,
        "format": search.format,
        "records": search.record_count,
        "warnings": search.warnings,
        "sha256": search.sha256,
    }


@router.post(
    "/projects/{slug}/searches",
    response={201: SearchOut, 202: JobQueued},
    tags=["identification"],
)
def search_create(
    request: HttpRequest,
    slug: str,
    file: UploadedFile = File(...),
    database: str = Form(...),
    format: str = Form("auto"),
    searched_on: dt.date | None = Form(None),
    query: str = Form(""),
    platform: str = Form(""),
    new_search: bool = Form(False),
) -> Status[dict[str, Any]]:
    """Import an export file as a search (leads and admins). `?async=1` answers 202 with a job."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    if file.size and file.size > settings.UPLOAD_MAX_BYTES:
        raise TooLarge(
            f"{file.name} is {file.size} bytes; the limit is {settings.UPLOAD_MAX_BYTES}.",
            field="file",
        )
    details = imports.SearchDetails(
        database=database,
        platform=platform,
        searched_on=searched_on,
        query=query,
        format=format,
        new_search=new_search,
    )
    filename = file.name or "export"
    if request.GET.get("async") in {"1", "true"}:
        job = imports.search_import_enqueue(
            project=project, data=file, filename=filename, details=details, user=request.user
        )
        return Status(202, {"job": job.pk})
    search = imports.search_import(
        project=project, data=file, filename=filename, details=details, user=request.user
    )
    return Status(201, _search_out(search))


@router.get("/projects/{slug}/searches", response=list[SearchOut], tags=["identification"])
@paginate(LimitOffsetPagination)
def search_list(request: HttpRequest, slug: str) -> Any:
    """Every search of the project with its record count."""
    project, _ = get_project_for_user(request.user, slug)
    return [_search_out(s) for s in Search.objects.filter(project=project)]


class OtherRecordIn(Schema):
    title: str
    authors: list[str] = []
    year: int | None = None
    journal: str = ""
    doi: str = ""
    abstract: str = ""
    method: Literal["citation searching", "websites", "organisations"]


class OtherRecordOut(Schema):
    id: int
    reference: int


@router.post("/projects/{slug}/records", response={201: OtherRecordOut}, tags=["identification"])
def record_create(
    request: HttpRequest, slug: str, payload: OtherRecordIn
) -> Status[dict[str, int]]:
    """Add a record found by other methods; it enters at the full-text stage (leads and admins)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    record = imports.record_add_other(project=project, user=request.user, **payload.dict())
    return Status(201, {"id": record.pk, "reference": record.reference_id})
