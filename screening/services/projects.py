"""Projects and their members: creating a project, its screening settings, who is in it with
which role, and the lead's blinding switch of a stage."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from ..errors import Conflict, InvalidInput
from ..models import Membership, Project, Role
from ..vocabulary import ReviewType
from ..workflow import REVIEW_TYPE_DEFAULTS
from .accounts import user_to_add
from .audit import audit_record
from .screening import stage_checked


@transaction.atomic
def project_screening_update(
    *,
    project: Project,
    user: AbstractBaseUser,
    eligibility_criteria: str,
    include_terms: str,
    exclude_terms: str,
) -> Project:
    """Change what reviewers see beside each reference: the criteria and the highlighted terms."""
    fields = ["eligibility_criteria", "include_terms", "exclude_terms"]
    before = {field: getattr(project, field) for field in fields}
    project.eligibility_criteria = eligibility_criteria.strip()
    project.include_terms = include_terms.strip()
    project.exclude_terms = exclude_terms.strip()
    project.save(update_fields=fields)
    after = {field: getattr(project, field) for field in fields}
    changed = [field for field in fields if before[field] != after[field]]
    if changed:
        audit_record(
            actor=user,
            verb="project.screening_settings",
            project=project,
            obj=project,
            before={field: before[field] for field in changed},
            after={field: after[field] for field in changed},
        )
    return project


@transaction.atomic
def project_create(
    *,
    name: str,
    creator: AbstractBaseUser,
    slug: str = "",
    review_type: str = ReviewType.SYSTEMATIC,
    reviewers_per_reference: int | None = None,
    second_reviewer_share: int | None = None,
    eligibility_criteria: str = "",
) -> Project:
    """A new project; its creator becomes its admin. The review type sets the defaults."""
    name = name.strip()
    if not name:
        raise InvalidInput("A project needs a name.", field="name")
    longest = Project._meta.get_field("name").max_length
    if len(name) > longest:
        # SQLite would keep it whole and PostgreSQL refuse it: both refuse it here, the same.
        raise InvalidInput(
            f"A project's name is at most {longest} characters (this one has {len(name):,}).",
            field="name",
        )
    if review_type not in {t.value for t in ReviewType}:
        raise InvalidInput("review_type must be systematic, rapid or scoping.", field="review_type")
    default_reviewers, default_share = REVIEW_TYPE_DEFAULTS[ReviewType(review_type)]
    if reviewers_per_reference is None:
        reviewers_per_reference = default_reviewers
    if second_reviewer_share is None:
        second_reviewer_share = default_share if reviewers_per_reference == 1 else 0
    if not 1 <= reviewers_per_reference <= 10:
        raise InvalidInput(
            "reviewers_per_reference must be between 1 and 10.", field="reviewers_per_reference"
        )
    if not 0 <= second_reviewer_share <= 100:
        raise InvalidInput(
            "second_reviewer_share is a percent, 0 to 100.", field="second_reviewer_share"
        )
    slug = slugify(slug or name)[:80]
    if not slug:
        raise InvalidInput("The slug must contain letters or digits.", field="slug")
    if Project.objects.filter(slug=slug).exists():
        raise Conflict(f"A project with the slug {slug!r} exists already.", field="slug")
    try:
        with transaction.atomic():
            project = Project.objects.create(
                name=name,
                slug=slug,
                review_type=review_type,
                reviewers_per_reference=reviewers_per_reference,
                second_reviewer_share=second_reviewer_share,
                eligibility_criteria=eligibility_criteria,
                created_by=creator,
            )
    except IntegrityError as error:  # two creations racing for one slug
        raise Conflict(f"A project with the slug {slug!r} exists already.", field="slug") from error
    Membership.objects.create(project=project, user=creator, role=Role.ADMIN)
    audit_record(
        actor=creator,
        verb="project.create",
        project=project,
        obj=project,
        after={
            "name": name,
            "slug": slug,
            "review_type": review_type,
            "reviewers_per_reference": reviewers_per_reference,
            "second_reviewer_share": second_reviewer_share,
        },
    )
    return project


@transaction.atomic
def membership_set(
    *, project: Project, username: str, role: str, actor: AbstractBaseUser
) -> tuple[Membership, bool]:
    """Add a user to the project with a role, or change their role. Returns (membership, created)."""
    if role not in Role.values:
        raise InvalidInput(f"role must be one of {', '.join(Role.values)}.", field="role")
    user = user_to_add(username)
    membership = Membership.objects.select_for_update().filter(project=project, user=user).first()
    before = {"role": membership.role} if membership else {}
    if membership is not None and membership.administers and role != Role.ADMIN:
        _refuse_removing_last_admin(project)
    if membership is None:
        membership = Membership.objects.create(project=project, user=user, role=role)
        created = True
    else:
        membership.role = role
        membership.save(update_fields=["role"])
        created = False
    audit_record(
        actor=actor,
        verb="member.add" if created else "member.role",
        project=project,
        obj=membership,
        before=before,
        after={"username": username, "role": role},
    )
    return membership, created


@transaction.atomic
def membership_remove(*, project: Project, username: str, actor: AbstractBaseUser) -> None:
    """Take a user out of the project (their past votes stay, attributed to them)."""
    membership = (
        Membership.objects.select_for_update()
        .filter(project=project, user__username=username)
        .first()
    )
    if membership is None:
        raise InvalidInput(f"{username!r} is not a member of this project.", field="username")
    if membership.administers:
        _refuse_removing_last_admin(project)
    membership.delete()
    audit_record(
        actor=actor,
        verb="member.remove",
        project=project,
        before={"username": username, "role": membership.role},
    )


def _refuse_removing_last_admin(project: Project) -> None:
    admins = Membership.objects.select_for_update().filter(project=project, role=Role.ADMIN)
    if admins.count() <= 1:
        raise Conflict("A project must keep at least one admin.", field="role")


@transaction.atomic
def stage_blinding_set(
    *, project: Project, stage: str, blind: bool, user: AbstractBaseUser
) -> Project:
    """A lead unblinds a stage (reviewers then see its outcomes and conflicts) or blinds it again."""
    stage = stage_checked(stage)
    field = f"{stage}_blind"
    project = Project.objects.select_for_update().get(pk=project.pk)
    before = getattr(project, field)
    if before != blind:
        setattr(project, field, blind)
        project.save(update_fields=[field])
        audit_record(
            actor=user,
            verb="stage.blind" if blind else "stage.unblind",
            project=project,
            obj=project,
            before={"stage": stage, "blind": before},
            after={"stage": stage, "blind": blind},
        )
    return project
