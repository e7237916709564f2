"""Screening use cases: votes, resolutions, reopening, exclusion reasons and reports.

Every change locks the reference's row first, so that two reviewers voting at the same moment,
or a lead resolving while a reviewer votes again, are put one after the other: no vote is lost
and none is counted twice. Every change writes an audit row in the same transaction.
"""

from __future__ import annotations

import hashlib
from functools import partial
from typing import Any, BinaryIO

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone

from .. import progress
from . import fulltext
from .audit import audit_record
from ..errors import Conflict, InvalidInput, TooLarge
from ..models import (
    ExclusionReason,
    Membership,
    Project,
    Reference,
    ReferenceSource,
    Report,
    Resolution,
    Vote,
)
from ..workflow import DECIDED, Decision, Stage, Status, VoteChoice


def _stage(value: str) -> str:
    if value not in {s.value for s in Stage}:
        raise InvalidInput("stage must be title_abstract or full_text.", field="stage")
    return value


def _locked(reference: Reference) -> Reference:
    """The reference's row, locked until the transaction ends; refused if merged away.

    `reference` may be an unsaved stand-in holding only its id and project id (the API's): the
    row is read here once, 404 when it is not in that project.
    """
    # of=("self",): the project row is read, not locked; only this reference is.
    locked = (
        Reference.objects.select_for_update(of=("self",))
        .select_related("project")
        .filter(pk=reference.pk, project_id=reference.project_id)
        .first()
    )
    if locked is None:
        raise Http404("No such reference in this project")
    if locked.merged_into_id is not None:
        raise Conflict(
            f"Reference {locked.pk} was merged into reference {locked.merged_into_id}; "
            "screen that one.",
            field="reference",
        )
    return locked


# Exclusion reasons ------------------------------------------------------------------------


def _reason_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("Name the reason.", field="name")
    if len(name) > 200:
        raise InvalidInput("A reason is at most 200 characters.", field="name")
    return name


def _next_position(project_id: int) -> int:
    """After every reason there is: a new one goes last and moves no key a reviewer learnt."""
    last = ExclusionReason.objects.filter(project_id=project_id).aggregate(last=Max("position"))
    return (last["last"] or 0) + 1


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
    audit_record(
        actor=user, verb="reason.add", project=project, obj=reason, after={"name": reason.name}
    )
    return reason


def _reason_named(project: Project, name: str) -> ExclusionReason | None:
    return (
        ExclusionReason.objects.filter(project=project)
        .annotate(lower=Lower("name"))
        .filter(lower=name.lower())
        .first()
    )


def _reason_for_vote(
    project: Project, name: str, user: AbstractBaseUser, *, proposed: bool = True
) -> ExclusionReason:
    """The listed reason of that name, or a new one: proposed by a reviewer, listed by a lead.

    A retired reason is refused: it stays on the votes that named it, and names no new one.
    """
    name = " ".join(name.split())[:200]
    reason = _reason_named(project, name)
    if reason is not None and reason.retired:
        raise InvalidInput(
            f"“{reason.name}” is retired and names no new exclusion: choose another reason, "
            "or ask a lead to restore it.",
            field="reason",
        )
    if reason is not None:
        return reason
    reason = ExclusionReason.objects.create(
        project=project,
        name=name,
        proposed=proposed,
        position=_next_position(project.pk),
        created_by=user,
    )
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
        raise Http404("No such exclusion reason in this project")
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
        raise Http404("No such exclusion reason in this project")
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


def _check_reason(stage: str, choice: str, reason: str) -> str:
    """A reason goes with an exclusion only, and every exclusion at full text has one."""
    reason = (reason or "").strip()
    if reason and choice != VoteChoice.EXCLUDE:
        raise InvalidInput("Only an exclusion takes a reason.", field="reason")
    if stage == Stage.FULL_TEXT and choice == VoteChoice.EXCLUDE and not reason:
        raise InvalidInput("An exclusion at full text needs a reason.", field="reason")
    return reason


# Votes ------------------------------------------------------------------------------------


def _vote_facts(vote: Vote | None) -> dict[str, Any]:
    if vote is None:
        return {}
    return {
        "reference": vote.reference_id,
        "stage": vote.stage,
        "reviewer": vote.reviewer.get_username(),
        "vote": vote.vote,
        "reason": vote.reason.name if vote.reason_id else "",
        "note": vote.note,
    }


def _check_screenable(reference: Reference, state: dict[str, Status], stage: str) -> None:
    """Refuse with 409 unless the reference can be voted on at `stage`."""
    if stage == Stage.TITLE_ABSTRACT and reference.source == ReferenceSource.OTHER:
        raise Conflict(
            "Records found by other methods are screened on their full text only.", field="stage"
        )
    if stage == Stage.FULL_TEXT:
        if state["stage"] != Stage.FULL_TEXT:
            raise Conflict(
                "This reference has not been included on title and abstract.", field="stage"
            )
        if state[Stage.FULL_TEXT] == Status.AWAITING_REPORT:
            raise Conflict(
                "Its full text is not here yet: upload the report or mark it not retrieved.",
                field="stage",
            )
        if state[Stage.FULL_TEXT] == Status.NOT_RETRIEVED:
            raise Conflict("Its full text was marked not retrieved.", field="stage")


@transaction.atomic
def vote_cast(
    *,
    reference: Reference,
    reviewer: AbstractBaseUser,
    stage: str,
    vote: str,
    reason: str = "",
    note: str = "",
    membership: Membership | None = None,
) -> tuple[Vote, Status]:
    """Record (or replace) the reviewer's vote; the vote, and the stage's status as they see it.

    `membership` is the reviewer's in the project, when the caller has read it already (every
    request has); otherwise it is read here.

    While the stage is blind to a reviewer (workflow.Blinding), they may change their vote even
    on a reference the votes have decided: refusing would tell them the other vote agreed. A
    change made after another reviewer voted is flagged to the lead (`changed_after_others_at`)
    and agreement still counts the vote as it first stood (`first_vote`), the independent one.
    """
    stage = _stage(stage)
    if vote not in {v.value for v in VoteChoice}:
        raise InvalidInput("vote must be include, exclude or maybe.", field="vote")
    reason = _check_reason(stage, vote, reason)
    reference = _locked(reference)
    project = reference.project
    facts = progress.reference_facts(reference, project)
    state = facts.state()
    _check_screenable(reference, state, stage)
    blinding = (
        progress.blinding_for(project, membership)
        if membership is not None
        else progress.blinding_of(project, reviewer)
    )
    hidden = facts.hidden_at(stage, blinding)
    voters = {who for who, _, _ in facts.votes_at(stage)}
    replacing = reviewer.pk in voters
    if replacing and hidden:
        pass  # the reviewer's own vote, on an outcome they may not see: theirs to change
    elif state[stage] in DECIDED and not hidden:
        raise Conflict(
            "This reference is decided at this stage; a lead can reopen it.", field="stage"
        )
    elif not replacing and (len(voters) >= facts.required or state[stage] in DECIDED):
        raise Conflict(f"This reference has its {facts.required} votes already.", field="vote")
    existing = None
    if replacing:
        existing = (
            Vote.objects.filter(reference=reference, stage=stage, reviewer=reviewer)
            .select_related("reason", "reviewer")
            .get()
        )
    before = _vote_facts(existing)
    reason_row = _reason_for_vote(project, reason, reviewer) if reason else None
    if existing is None:
        cast = Vote.objects.create(
            project=project,
            reference=reference,
            stage=stage,
            reviewer=reviewer,
            vote=vote,
            reason=reason_row,
            note=note,
        )
    else:
        cast = existing
        changed = (cast.vote, cast.reason_id) != (vote, reason_row.pk if reason_row else None)
        fields = ["vote", "reason", "note", "updated_at"]
        # The flag stays on the vote's row, for leads: written into the audit event, which the
        # reviewer's own history shows, it would tell them that the other reviewer had voted.
        if changed and voters - {reviewer.pk}:
            if not cast.first_vote:
                cast.first_vote = cast.vote
            cast.changed_after_others_at = timezone.now()
            fields += ["first_vote", "changed_after_others_at"]
        cast.vote, cast.reason, cast.note = vote, reason_row, note
        cast.save(update_fields=fields)
    # After the commit: released earlier, the seat looks free while the vote is not yet seen.
    transaction.on_commit(partial(progress.release_claim, reference.pk, stage, reviewer.pk))
    audit_record(
        actor=reviewer,
        verb="vote.replace" if existing else "vote.cast",
        project=project,
        obj=cast,
        before=before,
        after=_vote_facts(cast),
    )
    after = facts.with_vote(stage, reviewer.pk, vote, cast.reason_id)
    if after.hidden_at(stage, blinding):
        return cast, Status.PENDING
    return cast, after.state()[stage]


@transaction.atomic
def stage_blinding_set(
    *, project: Project, stage: str, blind: bool, user: AbstractBaseUser
) -> Project:
    """A lead unblinds a stage (reviewers then see its outcomes and conflicts) or blinds it again."""
    stage = _stage(stage)
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


# Conflicts: resolution and reopening ----------------------------------------------------


@transaction.atomic
def resolution_record(
    *,
    reference: Reference,
    stage: str,
    decision: str,
    user: AbstractBaseUser,
    reason: str = "",
    note: str = "",
) -> tuple[Resolution, Status]:
    """A lead settles a conflict: include, or exclude (with a reason at full text)."""
    stage = _stage(stage)
    if decision not in {d.value for d in Decision}:
        raise InvalidInput("decision must be include or exclude.", field="decision")
    reason = _check_reason(stage, decision, reason)
    reference = _locked(reference)
    project = reference.project
    facts = progress.reference_facts(reference, project)
    state = facts.state()
    if state[stage] != Status.CONFLICT:
        raise Conflict(
            f"Only a conflict is resolved; this reference is {state[stage]} at this stage.",
            field="stage",
        )
    resolution = Resolution.objects.create(
        project=project,
        reference=reference,
        stage=stage,
        decision=decision,
        reason=_reason_for_vote(project, reason, user, proposed=False) if reason else None,
        note=note,
        decided_by=user,
    )
    audit_record(
        actor=user,
        verb="resolution.record",
        project=project,
        obj=resolution,
        after={"reference": reference.pk, "stage": stage, "decision": decision, "reason": reason},
    )
    return resolution, facts.with_resolution(stage, decision).state()[stage]


@transaction.atomic
def reference_reopen(
    *, reference: Reference, stage: str, user: AbstractBaseUser, note: str = ""
) -> None:
    """Undo a decision: a resolution goes (back to conflict), or agreeing votes go (to pending)."""
    stage = _stage(stage)
    reference = _locked(reference)
    project = reference.project
    state = progress.reference_state(reference, project)
    if state[stage] not in {Status.INCLUDED, Status.EXCLUDED}:
        raise Conflict("Only a decided reference can be reopened.", field="stage")
    if (
        stage == Stage.TITLE_ABSTRACT
        and Vote.objects.filter(reference=reference, stage=Stage.FULL_TEXT).exists()
    ):
        raise Conflict("It has full-text votes: reopen its full text first.", field="stage")
    resolution = Resolution.objects.filter(reference=reference, stage=stage).first()
    if resolution is not None:
        before = {"resolution": resolution.decision, "reason": resolution.reason_id}
        resolution.delete()
    else:
        votes = list(
            Vote.objects.filter(reference=reference, stage=stage).select_related(
                "reason", "reviewer"
            )
        )
        before = {"votes": [_vote_facts(v) for v in votes]}
        Vote.objects.filter(pk__in=[v.pk for v in votes]).delete()
    progress.forget_hints(project)
    audit_record(
        actor=user,
        verb="reference.reopen",
        project=project,
        obj=reference,
        before={"stage": stage, **before},
        after={"note": note},
    )


# Reports ----------------------------------------------------------------------------------


def _reportable(reference: Reference) -> Reference:
    reference = _locked(reference)
    if progress.reference_state(reference, reference.project)["stage"] != Stage.FULL_TEXT:
        raise Conflict(
            "Only a reference included on title and abstract has its full text sought.",
            field="reference",
        )
    return reference


def _report_facts(report: Report | None) -> dict[str, Any]:
    if report is None:
        return {}
    return {
        "reference": report.reference_id,
        "file": report.file.name,
        "filename": report.filename,
        "sha256": report.sha256,
        "not_retrieved": report.not_retrieved,
        "note": report.note,
    }


@transaction.atomic
def report_attach(
    *, reference: Reference, data: BinaryIO, filename: str, user: AbstractBaseUser
) -> Report:
    """Keep a PDF as the reference's full text, with its text extracted for search."""
    limit = settings.REPORT_MAX_BYTES
    content = data.read(limit + 1)
    if len(content) > limit:
        raise TooLarge(
            f"{filename} is larger than the {limit / (1024 * 1024):.1f} MB a report may be.",
            field="file",
        )
    try:
        pdf = fulltext.read_pdf(content)
    except fulltext.NotAPdf as error:
        raise InvalidInput(f"{filename}: {error}", field="file", file=filename) from error
    reference = _reportable(reference)
    report = Report.objects.filter(reference=reference).first()
    before = _report_facts(report)
    if report is None:
        report = Report(project=reference.project, reference=reference)
    # The old file stays in storage: the audit row names it, and nothing uploaded is lost.
    report.file.save(
        f"{hashlib.sha256(content).hexdigest()[:16]}.pdf", ContentFile(content), save=False
    )
    report.filename = filename[:255]
    report.size = len(content)
    report.sha256 = hashlib.sha256(content).hexdigest()
    report.pages = pdf.pages
    report.text = pdf.text
    report.not_retrieved, report.note = False, ""
    report.created_by = user
    report.save()
    audit_record(
        actor=user,
        verb="report.attach",
        project=reference.project,
        obj=report,
        before=before,
        after=_report_facts(report),
    )
    return report


@transaction.atomic
def report_mark_not_retrieved(
    *, reference: Reference, user: AbstractBaseUser, note: str = ""
) -> Report:
    """Record that the full text could not be obtained (PRISMA's "reports not retrieved")."""
    reference = _reportable(reference)
    if Vote.objects.filter(reference=reference, stage=Stage.FULL_TEXT).exists():
        raise Conflict(
            "Its full text has votes already; reopen it before marking it not retrieved.",
            field="not_retrieved",
        )
    report = Report.objects.filter(reference=reference).first()
    before = _report_facts(report)
    if report is None:
        report = Report(project=reference.project, reference=reference)
    report.file = ""
    report.filename, report.size, report.sha256, report.pages, report.text = "", 0, "", 0, ""
    report.not_retrieved, report.note, report.created_by = True, note, user
    report.save()
    audit_record(
        actor=user,
        verb="report.not_retrieved",
        project=reference.project,
        obj=report,
        before=before,
        after=_report_facts(report),
    )
    return report
