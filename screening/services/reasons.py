"""Exclusion reasons: the lead's list (add, rename, retire, restore, move) and the reasons
reviewers propose by naming them on a vote."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Max, Value
from django.db.models.functions import Lower
from django.utils import timezone

from ..errors import Conflict, InvalidInput, NotFound
from ..models import AuditEvent, ExclusionReason, Project
from ..selectors.references import forget_offered_reasons
from ..vocabulary import Stage, VoteChoice
from .audit import audit_record

# ExclusionReason.name's max_length.
REASON_MAX = 200


def _reason_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("Name the reason.", field="name")
    if len(name) > REASON_MAX:
        raise InvalidInput(f"A reason is at most {REASON_MAX} characters.", field="name")
    return name


def _next_position(project_id: int) -> int:
    """After every reason there is: a new one goes last and moves no key a reviewer learnt."""
    last = ExclusionReason.objects.filter(project_id=project_id).aggregate(last=Max("position"))
    return (last["last"] or 0) + 1


def _reasons_changed(project_id: int) -> None:
    """The screening cards' cached reasons are forgotten now, and again once the change is
    committed: a card read before the commit may have put the old list back."""
    forget_offered_reasons(project_id)
    transaction.on_commit(partial(forget_offered_reasons, project_id))


def _reason_facts(reason: ExclusionReason) -> dict[str, Any]:
    return {"name": reason.name, "retired": reason.retired, "proposed": reason.proposed}


@transaction.atomic
def exclusion_reason_add(*, project: Project, name: str, user: AbstractBaseUser) -> ExclusionReason:
    """Put a reason at the end of the project's list; a reason a reviewer proposed is confirmed."""
    name = _reason_name(name)
    existing = _reason_named(project, name)
    if existing is not None and not existing.proposed:
        if existing.retired:
            raise Conflict(
                f"“{existing.name}” is on the list already, retired: restore it.", field="name"
            )
        raise Conflict(f"“{existing.name}” is on the list already.", field="name")
    if existing is not None:
        # Confirmed, it joins the list at its end, wherever it was proposed: a proposal made
        # before the lead's latest addition must not push that one's key along.
        existing.proposed = False
        existing.retired_at = None
        existing.position = _next_position(project.pk)
        existing.save(update_fields=["proposed", "retired_at", "position"])
        reason = existing
    else:
        reason = ExclusionReason.objects.create(
            project=project, name=name, position=_next_position(project.pk), created_by=user
        )
    _reasons_changed(project.pk)
    audit_record(
        actor=user, verb="reason.add", project=project, obj=reason, after={"name": reason.name}
    )
    return reason


def _reason_named(project: Project, name: str) -> ExclusionReason | None:
    # Both sides lowered by the database, as the unique constraint lowers them: Python's lower()
    # is not SQLite's (ASCII only) nor PostgreSQL's (the final sigma), so a name it folded
    # differently was not found, and its insert broke the constraint (a 500; issue 19's fuzz).
    return (
        ExclusionReason.objects.filter(project=project)
        .annotate(lower=Lower("name"))
        .filter(lower=Lower(Value(name)))
        .first()
    )


def _reason_created(
    project: Project, name: str, user: AbstractBaseUser, *, proposed: bool
) -> ExclusionReason | None:
    """A new reason of that name, or None when another transaction created it first.

    Twenty reviewers naming the same new reason at once all find none, and all insert it: the
    unique name constraint keeps one row, and each other insert fails (PostgreSQL waits for the
    first to commit, then refuses). Inside a savepoint, that failure costs only the insert, and
    the caller reads the row that won; the vote itself is kept. (On SQLite the transactions
    begin IMMEDIATE and never overlap.)
    """
    try:
        with transaction.atomic():
            reason = ExclusionReason.objects.create(
                project=project,
                name=name,
                proposed=proposed,
                position=_next_position(project.pk),
                created_by=user,
            )
    except IntegrityError:
        return None
    return reason


def _first_naming(reason: ExclusionReason, user: AbstractBaseUser) -> bool:
    """Whether `user` neither created the proposed reason nor proposed it before."""
    if reason.created_by_id == user.pk:
        return False
    return not AuditEvent.objects.filter(
        actor=user, verb="reason.propose", object_type="exclusionreason", object_id=str(reason.pk)
    ).exists()


def reason_for_vote(
    project: Project, name: str, user: AbstractBaseUser, *, proposed: bool = True
) -> ExclusionReason:
    """The listed reason of that name, or a new one: proposed by a reviewer, listed by a lead.

    A retired reason is refused: it stays on the votes that named it, and names no new one.
    """
    name = " ".join(name.split())
    if len(name) > REASON_MAX:
        raise InvalidInput(f"A reason is at most {REASON_MAX} characters.", field="reason")
    reason, created = _reason_named(project, name), False
    if reason is None:
        reason = _reason_created(project, name, user, proposed=proposed)
        created = reason is not None
    if reason is None:  # named at the same moment by another vote, which created it first
        reason = _reason_named(project, name)
    if reason is None:  # created and then renamed, all while this vote was cast
        raise Conflict("The reason changed while the vote was cast: vote again.", field="reason")
    if reason.retired:
        raise InvalidInput(
            f"“{reason.name}” is retired and names no new exclusion: choose another reason, "
            "or ask a lead to restore it.",
            field="reason",
        )
    if not created:
        if proposed and reason.proposed and _first_naming(reason, user):
            # Another reviewer's proposal, this one's first naming of it: the same event as had
            # they been first, since the other's proposal may name an open vote (blinding).
            audit_record(
                actor=user, verb="reason.propose", project=project, obj=reason, after={"name": name}
            )
        return reason
    _reasons_changed(project.pk)
    audit_record(
        actor=user,
        verb="reason.propose" if proposed else "reason.add",
        project=project,
        obj=reason,
        after={"name": name},
    )
    return reason


def _reason_locked(reason: ExclusionReason) -> ExclusionReason:
    """The reason's row, locked until the transaction ends; 404 unless in that project.

    `reason` may be an unsaved stand-in holding only its id and project id (the API's).
    """
    locked = (
        ExclusionReason.objects.select_for_update(of=("self",))
        .select_related("project")
        .filter(pk=reason.pk, project_id=reason.project_id)
        .first()
    )
    if locked is None:
        raise NotFound("No such exclusion reason in this project")
    return locked


@transaction.atomic
def exclusion_reason_rename(
    *, reason: ExclusionReason, name: str, user: AbstractBaseUser
) -> ExclusionReason:
    """Rename a reason in place: the votes, resolutions and exports naming it follow."""
    name = _reason_name(name)
    reason = _reason_locked(reason)
    if name == reason.name:
        return reason
    taken = _reason_named(reason.project, name)
    if taken is not None and taken.pk != reason.pk:
        raise Conflict(f"“{taken.name}” is a reason already.", field="name")
    before = reason.name
    reason.name = name
    try:
        with transaction.atomic():  # a savepoint: the same name given at the same moment
            reason.save(update_fields=["name"])
    except IntegrityError:
        raise Conflict(f"“{name}” is a reason already.", field="name") from None
    _reasons_changed(reason.project_id)
    audit_record(
        actor=user,
        verb="reason.rename",
        project=reason.project,
        obj=reason,
        before={"name": before},
        after={"name": name},
    )
    return reason


@transaction.atomic
def exclusion_reason_retire(*, reason: ExclusionReason, user: AbstractBaseUser) -> ExclusionReason:
    """Offer the reason no more; it stays on past votes, resolutions, exports and PRISMA, and
    keeps its place (and key) in the lead's order, so no other reason's key moves."""
    return _reason_retired(reason, retired=True, user=user)


@transaction.atomic
def exclusion_reason_restore(*, reason: ExclusionReason, user: AbstractBaseUser) -> ExclusionReason:
    """Offer a retired reason again, at the place (and key) it kept."""
    return _reason_retired(reason, retired=False, user=user)


def _reason_retired(
    reason: ExclusionReason, *, retired: bool, user: AbstractBaseUser
) -> ExclusionReason:
    """The reason retired or offered again, audited; nothing written when it is so already."""
    reason = _reason_locked(reason)
    if reason.retired == retired:
        return reason
    before = _reason_facts(reason)
    reason.retired_at = timezone.now() if retired else None
    reason.save(update_fields=["retired_at"])
    _reasons_changed(reason.project_id)
    audit_record(
        actor=user,
        verb="reason.retire" if retired else "reason.restore",
        project=reason.project,
        obj=reason,
        before=before,
        after=_reason_facts(reason),
    )
    return reason


@transaction.atomic
def exclusion_reason_move(
    *, reason: ExclusionReason, position: int, user: AbstractBaseUser
) -> ExclusionReason:
    """Put a listed reason at `position` (1 is first) of the lead's order; the keys follow it.

    The one change that moves keys reviewers learnt, so it is the lead's, explicit and audited.
    """
    # Every reason of the project locked, in one order: two leads moving at once go one after
    # the other, and neither renumbers a list the other has changed.
    rows = list(
        ExclusionReason.objects.select_for_update(of=("self",))
        .select_related("project")
        .filter(project_id=reason.project_id)
        .order_by("pk")
    )
    moved = next((r for r in rows if r.pk == reason.pk), None)
    if moved is None:
        raise NotFound("No such exclusion reason in this project")
    if moved.proposed:
        raise InvalidInput(
            f"“{moved.name}” was proposed by a reviewer: add it to the list to order it.",
            field="position",
        )
    listed = sorted((r for r in rows if not r.proposed), key=lambda r: (r.position, r.pk))
    if not 1 <= position <= len(listed):
        raise InvalidInput(f"position must be between 1 and {len(listed)}.", field="position")
    before = listed.index(moved) + 1
    if before == position:
        return moved
    listed.remove(moved)
    listed.insert(position - 1, moved)
    renumbered = []
    for place, row in enumerate(listed, start=1):
        if row.position != place:
            row.position = place
            renumbered.append(row)
    ExclusionReason.objects.bulk_update(renumbered, ["position"])
    _reasons_changed(moved.project_id)
    audit_record(
        actor=user,
        verb="reason.move",
        project=moved.project,
        obj=moved,
        before={"name": moved.name, "position": before},
        after={"name": moved.name, "position": position},
    )
    return moved


@transaction.atomic
def exclusion_reason_change(
    *,
    reason: ExclusionReason,
    user: AbstractBaseUser,
    name: str | None = None,
    retired: bool | None = None,
    position: int | None = None,
) -> ExclusionReason:
    """The lead's edit of one reason: rename, retire or restore, move; all or nothing."""
    if name is not None:
        reason = exclusion_reason_rename(reason=reason, name=name, user=user)
    if retired is True:
        reason = exclusion_reason_retire(reason=reason, user=user)
    elif retired is False:
        reason = exclusion_reason_restore(reason=reason, user=user)
    if position is not None:
        reason = exclusion_reason_move(reason=reason, position=position, user=user)
    return _reason_locked(reason)


def check_reason(stage: str, choice: str, reason: str) -> str:
    """A reason goes with an exclusion only, and every exclusion at full text has one."""
    reason = (reason or "").strip()
    if reason and choice != VoteChoice.EXCLUDE:
        raise InvalidInput("Only an exclusion takes a reason.", field="reason")
    if stage == Stage.FULL_TEXT and choice == VoteChoice.EXCLUDE and not reason:
        raise InvalidInput("An exclusion at full text needs a reason.", field="reason")
    return reason
