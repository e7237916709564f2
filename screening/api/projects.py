"""Projects and their members."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from ..access import get_project_for_user
from ..models import Project
from ..selectors.progress import project_counts
from ..selectors.projects import project_members
from ..services import projects
from ..vocabulary import ReviewType, Role
from ..workflow import SEES_ALL

router = Router()

# The schema's enums, in the order the vocabulary declares the codes.
REVIEW_TYPES = Literal[ReviewType.codes()]
ROLES = Literal[Role.codes()]


class ProjectIn(Schema):
    name: str
    slug: str = ""
    review_type: REVIEW_TYPES = ReviewType.SYSTEMATIC.value
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
        "counts": project_counts(
            project,
            blinding=SEES_ALL if Role(role).rank >= Role.LEAD.rank else project.blinding,
        ),
        "blind_stages": sorted(project.blinding.blind_stages),
    }


@router.post("/projects", response={201: ProjectOut}, tags=["projects"])
def project_create(request: HttpRequest, payload: ProjectIn) -> Status[dict[str, Any]]:
    """Create a project; the caller becomes its admin."""
    project = projects.project_create(
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
    role: ROLES = Role.REVIEWER.value


class MemberOut(Schema):
    username: str
    role: str


@router.post(
    "/projects/{slug}/members", response={201: MemberOut, 200: MemberOut}, tags=["projects"]
)
def member_add(request: HttpRequest, slug: str, payload: MemberIn) -> Status[dict[str, str]]:
    """Add a member, or change a member's role (project admins)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.ADMIN)
    membership, created = projects.membership_set(
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
    return [{"username": m.user.username, "role": m.role} for m in project_members(project)]


@router.delete("/projects/{slug}/members/{username}", response={204: None}, tags=["projects"])
def member_remove(request: HttpRequest, slug: str, username: str) -> Status[None]:
    """Remove a member (project admins)."""
    project, _ = get_project_for_user(request.user, slug, min_role=Role.ADMIN)
    projects.membership_remove(project=project, username=username, actor=request.user)
    return Status(204, None)
