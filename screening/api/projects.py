"""JSON endpoints: parse with a schema, authorise with one helper, call one service or selector."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from . import deduplication, selectors, services
from .access import get_project_for_user
from .errors import InvalidInput, TooLarge
from .jobs import job_create
from .models import (
    DuplicateCandidate,
    DuplicateStatus,
    Job,
    JobKind,
    Project,
    Role,
    Search,
)
from .workflow import SEES_ALL

router = Router()


class Error(Schema):
    detail: str


# Auth and users -----------------------------------------------------------------------------


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


@router.post("/auth/token", auth=None, response={200: TokenOut, 401: Error}, tags=["auth"])
def token_create(request: HttpRequest, payload: TokenIn) -> Status[dict[str, str]]:
    """Exchange a username and password for a bearer token."""
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        return Status(401, {"detail": "Wrong username or password."})
    return Status(200, {"token": services.token_issue(user=user, name="api")})


@router.delete("/auth/token", response={204: None}, tags=["auth"])
def token_delete(request: HttpRequest) -> Status[None]:
    """Revoke the token this request was made with."""
    services.token_revoke(raw=request.api_token)
    return Status(204, None)


class UserIn(Schema):
    username: str
    password: str
    email: str = ""


class UserOut(Schema):
    username: str


@router.post("/users", response={201: UserOut, 403: Error}, tags=["users"])
def user_create(request: HttpRequest, payload: UserIn) -> Status[dict[str, str]]:
    """Create a user account (site staff only)."""
    if not request.user.is_staff:
        return Status(403, {"detail": "Only site staff create users."})
    user = services.user_create(
        username=payload.username,
        password=payload.password,
        email=payload.email,
        actor=request.user,
    )
    return Status(201, {"username": user.username})


# Projects -----------------------------------------------------------------------------------


class ProjectIn(Schema):
    name: str
    slug: str = ""
    review_type: Literal["systematic", "rapid", "scoping"] = "systematic"
    # Unset: the review type's default (2 for systematic and scoping; 1 and a 20% second
    # reviewer for rapid).
    reviewers_per_reference: int | None = None
    second_reviewer_share: int | None = None
    eligibility_criteria: str = ""


class ProjectOut(Schema):
    slug: str
    name: str
    review_type: str
    reviewers_per_reference: int
    second_reviewer_share: int
    eligibility_criteria: str
    role: str
    counts: dict[str, Any]
    blind_stages: list[str]


def _project_out(project: Project, role: str) -> dict[str, Any]:
    return {
        "slug": project.slug,
        "name": project.name,
        "review_type": project.review_type,
        "reviewers_per_reference": project.reviewers_per_reference,
        "second_reviewer_share": project.second_reviewer_share,
        "eligibility_criteria": project.eligibility_criteria,
        "role": role,
        "counts": selectors.project_counts(
            project,
            blinding=SEES_ALL if Role.rank(role) >= Role.rank(Role.LEAD) else project.blinding,
        ),
        "blind_stages": sorted(project.blinding.blind_stages),
    }


@router.post("/projects", response={201: ProjectOut}, tags=["projects"])
def project_create(request: HttpRequest, payload: ProjectIn) -> Status[dict[str, Any]]:
    """Create a project; the caller becomes its admin."""
    project = services.project_create(
        name=payload.name,
        slug=payload.slug,
        review_type=payload.review_type,
        reviewers_per_reference=payload.reviewers_per_reference,
        second_reviewer_share=payload.second_reviewer_share,
        eligibility_criteria=payload.eligibility_criteria,
        creator=request.user,
    )
    return Status(201, _project_out(project, Role.ADMIN))


class ProjectListItem(Schema):
    slug: str
    name: str


@router.get("/projects", response=list[ProjectListItem], tags=["projects"])
@paginate(LimitOffsetPagination)
def project_list(request: HttpRequest) -> Any:
    """The projects the caller is a member of."""
    return Project.objects.visible_to(request.user).order_by("name")


@router.get("/projects/{slug}", response=ProjectOut, tags=["projects"])
def project_detail(request: HttpRequest, slug: str) -> dict[str, Any]:
    """A project with its counts."""
    project, membership = get_project_for_user(request.user, slug)
    return _project_out(project, membership.role)


class MemberIn(Schema):
    username: str
    role: Literal["reviewer", "lead", "admin"] = "reviewer"


class MemberOut(Schema):
    username: str
    role: str


@router.post(
    "/projects/{slug}/members", response={201: MemberOut, 200: MemberOut}, tags=["projects"]
)
def member_add(request: HttpRequest, slug: str, payload: MemberIn) -> Status[dict[str, str]]:
    """Add a member, or change a member's role (project admins)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.ADMIN)
    membership, created = services.membership_set(
        project=project, username=payload.username, role=payload.role, actor=request.user
    )
    return Status(
        (201 if created else 200), {"username": payload.username, "role": membership.role}
    )


@router.get("/projects/{slug}/members", response=list[MemberOut], tags=["projects"])
@paginate(LimitOffsetPagination)
def member_list(request: HttpRequest, slug: str) -> Any:
    """The project's members and their roles."""
    project, _ = get_project_for_user(request.user, slug)
    return [
        {"username": m.user.username, "role": m.role} for m in selectors.project_members(project)
    ]


@router.delete("/projects/{slug}/members/{username}", response={204: None}, tags=["projects"])
def member_remove(request: HttpRequest, slug: str, username: str) -> Status[None]:
    """Remove a member (project admins)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.ADMIN)
    services.membership_remove(project=project, username=username, actor=request.user)
    return Status(204, None)


# Jobs ---------------------------------------------------------------------------------------


class JobOut(Schema):
    id: int
    kind: str
    status: str
    progress: float
    result: dict[str, Any]
    error: str


@router.get("/jobs/{job_id}", response=JobOut, tags=["jobs"])
def job_detail(request: HttpRequest, job_id: int) -> Job:
    """A long-running job's state and progress."""
    return selectors.job_for_user(request.user, job_id)


# Identification -----------------------------------------------------------------------------


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


class JobQueued(Schema):
    job: int


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
    if request.GET.get("async") in {"1", "true"}:
        job = services.search_import_enqueue(
            project=project,
            data=file,
            filename=file.name or "export",
            database=database,
            format=format,
            searched_on=searched_on,
            query=query,
            platform=platform,
            new_search=new_search,
            user=request.user,
        )
        return Status(202, {"job": job.pk})
    search = services.search_import(
        project=project,
        data=file,
        filename=file.name or "export",
        database=database,
        format=format,
        searched_on=searched_on,
        query=query,
        platform=platform,
        new_search=new_search,
        user=request.user,
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
    record = services.record_add_other(project=project, user=request.user, **payload.dict())
    return Status(201, {"id": record.pk, "reference": record.reference_id})


# Deduplication ------------------------------------------------------------------------------


@router.post("/projects/{slug}/dedup", response={202: JobQueued}, tags=["deduplication"])
def dedup_start(request: HttpRequest, slug: str) -> Status[dict[str, int]]:
    """Queue a deduplication run over the project's references (leads and admins)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    with transaction.atomic():
        job = job_create(kind=JobKind.DEDUP, project=project, created_by=request.user)
    return Status(202, {"job": job.pk})


class DuplicateOut(Schema):
    id: int
    score: float
    status: str
    auto: bool
    references: list[int]
    reasons: list[str]


@router.get("/projects/{slug}/duplicates", response=list[DuplicateOut], tags=["deduplication"])
@paginate(LimitOffsetPagination)
def duplicate_list(request: HttpRequest, slug: str, status: str = "") -> Any:
    """Duplicate sets, strongest first; `?status=pending` for those waiting for a person."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    if status and status not in DuplicateStatus.values:
        raise InvalidInput(
            f"status must be one of {', '.join(DuplicateStatus.values)}.", field="status"
        )
    candidates = DuplicateCandidate.objects.filter(project=project)
    return candidates.filter(status=status) if status else candidates


class DuplicateAction(Schema):
    action: Literal["merge", "reject", "unmerge", "reopen"]
    # A merge may name the reference that stays; it must when the references were decided
    # differently (409 says which may), and that reference's decisions then stand.
    survivor: int | None = None


@router.post(
    "/projects/{slug}/duplicates/{candidate_id}", response=DuplicateOut, tags=["deduplication"]
)
def duplicate_decide(
    request: HttpRequest, slug: str, candidate_id: int, payload: DuplicateAction
) -> DuplicateCandidate:
    """Merge a candidate set, mark it not duplicates, undo a merge, or reopen a set marked not
    duplicates so that it waits for a person again (leads and admins)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.LEAD)
    candidate = get_object_or_404(DuplicateCandidate, pk=candidate_id, project=project)
    return deduplication.duplicate_decide(
        candidate=candidate, action=payload.action, actor=request.user, survivor=payload.survivor
    )
