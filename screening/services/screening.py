"""Screening: a reviewer's vote, and the checks every change to a reference shares.

Every change locks the reference's row first, so that two reviewers voting at the same moment,
or a lead resolving while a reviewer votes again, are put one after the other: no vote is lost
and none is counted twice. Every change writes an audit row in the same transaction.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from ..errors import Conflict, InvalidInput, NotFound
from ..models import Membership, Project, Reference, ReferenceSource, Vote
from ..selectors.blinding import blinding_for, blinding_of
from ..selectors.claims import release_claim
from ..selectors.queue import open_pilot_id
from ..selectors.ranking_progress import ranking_exists
from ..selectors.statuses import reference_facts
from ..selectors.stopping import vote_order_for
from ..vocabulary import Order, Stage, Status, VoteChoice
from ..workflow import DECIDED
from .audit import audit_record
from .ranking import ranking_settled
from .reasons import check_reason, reason_for_vote


def stage_checked(value: str) -> Stage:
    """The stage named, refused unless it is one of the two."""
    stage = Stage.parse(value)
    if stage is None:
        raise InvalidInput("stage must be title_abstract or full_text.", field="stage")
    return stage


def reference_locked(reference: Reference) -> Reference:
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
        raise NotFound("No such reference in this project")
    if locked.merged_into_id is not None:
        raise Conflict(
            f"Reference {locked.pk} was merged into reference {locked.merged_into_id}; "
            "screen that one.",
            field="reference",
        )
    return locked


def vote_facts(vote: Vote | None) -> dict[str, Any]:
    """A vote as its audit rows record it (before a change and after)."""
    if vote is None:
        return {}
    return {
        "reference": vote.reference_id,
        "stage": vote.stage,
        "reviewer": vote.reviewer.get_username(),
        "vote": vote.vote,
        "reason": vote.reason.name if vote.reason_id else "",
        "note": vote.note,
        "order": vote.order,
    }


def vote_order(project: Project, stage: str, reference: Reference) -> Order:
    """The order the reviewer met `reference` in, as its vote records it (Vote.order): the one
    place that decides it.

    `random` for a reference of the open pilot round or of the stage's open stopping sample
    (both drawn at random and served before the rest: selectors.stopping.vote_order_for); the
    stage's order otherwise, except that a ranked stage whose first ranking is not written yet
    records `import`: the queue serves import order until a ranking exists, and that is the
    order the reviewer actually got.
    """
    pilot = reference.pilot_id
    if stage == Stage.TITLE_ABSTRACT and pilot is not None and pilot == open_pilot_id(project):
        return Order.RANDOM
    chosen = vote_order_for(project, stage, reference.pk)
    if chosen == Order.RANKED and not ranking_exists(project, stage):
        return Order.IMPORT
    return chosen


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
    stage = stage_checked(stage)
    if vote not in {v.value for v in VoteChoice}:
        raise InvalidInput("vote must be include, exclude or maybe.", field="vote")
    reason = check_reason(stage, vote, reason)
    reference = reference_locked(reference)
    project = reference.project
    facts = reference_facts(reference, project)
    state = facts.state()
    _check_screenable(reference, state, stage)
    blinding = (
        blinding_for(project, membership)
        if membership is not None
        else blinding_of(project, reviewer)
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
    before = vote_facts(existing)
    reason_row = reason_for_vote(project, reason, reviewer) if reason else None
    if existing is None:
        cast = Vote.objects.create(
            project=project,
            reference=reference,
            stage=stage,
            reviewer=reviewer,
            vote=vote,
            reason=reason_row,
            note=note,
            order=vote_order(project, stage, reference),
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
    transaction.on_commit(partial(release_claim, reference.pk, stage, reviewer.pk))
    audit_record(
        actor=reviewer,
        verb="vote.replace" if existing else "vote.cast",
        project=project,
        obj=cast,
        before=before,
        after=vote_facts(cast),
    )
    after = facts.with_vote(stage, reviewer.pk, vote, cast.reason_id)
    if state[stage] not in DECIDED and after.state()[stage] in DECIDED:
        ranking_settled(project, stage)
    if after.hidden_at(stage, blinding):
        return cast, Status.PENDING
    return cast, after.state()[stage]
