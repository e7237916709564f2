"""A person's answers on a duplicate set: merge, mark not duplicates, unmerge, undo an unmerge,
reopen; and merging every waiting set above a score.

Records are never edited or deleted: a merge moves records under a surviving reference and marks
the others `merged_into` it; `moves` on the DuplicateCandidate row lets an unmerge put every
record back exactly where it was. Every merge, rejection and unmerge is audited.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from ..dedup import carry
from ..errors import Conflict, InvalidInput
from ..models import DuplicateCandidate, DuplicateStatus, Project, Record, Reference
from ..selectors.held_decisions import held_decisions
from ..selectors.queue import forget_hints
from .audit import audit_record
from .merge_moves import (
    DECISION_ROWS,
    carry_decisions,
    reference_refresh_summary,
    refresh_summaries,
    retarget,
)


@transaction.atomic
def duplicate_decide(
    *,
    candidate: DuplicateCandidate,
    action: str,
    actor: AbstractBaseUser,
    survivor: int | None = None,
) -> DuplicateCandidate:
    """A person's answer on a duplicate set: merge, reject (not duplicates), unmerge, or reopen
    a set marked not duplicates (it waits for a person again, and may then be merged).

    A merge may name the reference that stays (`survivor`); it must, when the references were
    decided differently, and then that reference's decisions stand.
    """
    candidate = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    if action not in _ALLOWED:
        raise InvalidInput(
            f"action must be {', '.join(list(_ALLOWED)[:-1])} or {list(_ALLOWED)[-1]}.",
            field="action",
        )
    if candidate.status != _ALLOWED[action]:
        raise Conflict(
            f"This duplicate set is {candidate.get_status_display().lower()}; "
            f"it cannot be {_PAST[action]} now.",
            field="action",
        )
    if action == "merge":
        _merge(candidate, actor=actor, survivor=survivor)
    elif action == "reject":
        _mark_not_duplicates(candidate, actor=actor)
        audit_record(
            actor=actor,
            verb="duplicate.reject",
            project=candidate.project,
            obj=candidate,
            after={"references": candidate.references},
        )
    elif action == "reopen":
        _reopen(candidate, actor=actor)
    else:
        _unmerge(candidate, actor=actor)
    return candidate


# Each answer, and the state a set must be in to take it.
_ALLOWED = {
    "merge": DuplicateStatus.PENDING,
    "reject": DuplicateStatus.PENDING,
    "unmerge": DuplicateStatus.MERGED,
    "reopen": DuplicateStatus.REJECTED,
}


_PAST = {"merge": "merged", "reject": "rejected", "unmerge": "unmerged", "reopen": "reopened"}


@transaction.atomic
def duplicate_unmerge_undo(
    *, candidate: DuplicateCandidate, actor: AbstractBaseUser
) -> DuplicateCandidate:
    """Merge an unmerged set again exactly as it was: the same reference stays, and the records
    and decisions that left it at the unmerge move back to it."""
    candidate = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    # Only an unmerge leaves a set not duplicates with a survivor: a person's "not duplicates"
    # never had one, and a reopening forgets it.
    if candidate.status != DuplicateStatus.REJECTED or candidate.survivor_id is None:
        raise Conflict(
            f"Set {candidate.pk} is {candidate.get_status_display().lower()} and was not "
            "unmerged: there is no unmerge to undo.",
            field="action",
        )
    _merge(candidate, actor=actor, survivor=candidate.survivor_id, verb="duplicate.unmerge_undone")
    return candidate


def duplicates_merge_above(
    *, project: Project, score: float, actor: AbstractBaseUser
) -> dict[str, int]:
    """Merge every set still waiting whose score is at least `score`, each as if merged by hand
    (audited, undoable one by one). A set that can no longer be merged (a reference of it was
    merged elsewhere meanwhile) is left waiting and counted, never forced."""
    if not 0 < score <= 1:
        raise InvalidInput("The score is between 0 and 1, for example 0.9.", field="score")
    waiting = DuplicateCandidate.objects.filter(
        project=project, status=DuplicateStatus.PENDING, score__gte=score
    ).order_by("-score", "id")
    merged = skipped = 0
    for candidate in waiting:
        try:
            duplicate_decide(candidate=candidate, action="merge", actor=actor)
        except Conflict:
            skipped += 1
        else:
            merged += 1
    return {"merged": merged, "skipped": skipped}


def _merge(
    candidate: DuplicateCandidate,
    *,
    actor: AbstractBaseUser | None,
    survivor: int | None = None,
    verb: str = "duplicate.merge",
) -> None:
    references = list(
        Reference.objects.select_for_update()
        .filter(pk__in=candidate.references, project=candidate.project)
        .order_by("pk")
    )
    if len(references) != len(candidate.references) or any(r.merged_into_id for r in references):
        raise Conflict(
            "Some of these references have been merged elsewhere since; unmerge that set first.",
            field="references",
        )
    held = held_decisions(candidate.references)
    differences = carry.clashes(held)
    keeper = _survivor(references, differences, survivor)
    others = [r for r in references if r.pk != keeper.pk]
    moves = [
        {"record": record_id, "from": reference_id}
        for record_id, reference_id in Record.objects.filter(reference__in=others).values_list(
            "pk", "reference_id"
        )
    ]
    Record.objects.filter(reference__in=others).update(reference=keeper)
    moves += carry_decisions({keeper.pk: carry.carried(held, keeper.pk)})
    Reference.objects.filter(pk__in=[r.pk for r in others]).update(merged_into=keeper)
    reference_refresh_summary(keeper)
    if held:
        forget_hints(candidate.project)  # statuses changed with the decisions
    candidate.status = DuplicateStatus.MERGED
    candidate.survivor = keeper
    candidate.moves = moves
    candidate.decided_by = actor
    candidate.decided_at = timezone.now()
    candidate.save()
    audit_record(
        actor=actor,
        verb=verb if actor else "duplicate.auto_merge",
        project=candidate.project,
        obj=candidate,
        after={
            "survivor": keeper.pk,
            "references": candidate.references,
            "moves": moves,
            "reasons": candidate.reasons,
            "decided_differently": [str(c) for c in differences],
        },
    )


def _survivor(
    references: list[Reference], differences: list[carry.Clash], chosen: int | None
) -> Reference:
    """The reference that stays: the one named, else the first. Where the references were
    decided differently, one must be named whose decisions settle every difference."""
    by_pk = {r.pk: r for r in references}
    if chosen is not None and chosen not in by_pk:
        raise InvalidInput(
            f"Reference {chosen} is not in this set; choose one of {', '.join(map(str, by_pk))}.",
            field="survivor",
        )
    if not differences:
        return by_pk[chosen] if chosen is not None else references[0]
    allowed = carry.survivors(differences, by_pk)
    if chosen in allowed:
        return by_pk[chosen]
    named = "; ".join(str(c) for c in differences)
    if not allowed:
        raise Conflict(
            f"These references were decided differently ({named}) and no one of them holds "
            "every decision in question. Settle them on the references first, or mark the set "
            "not duplicates.",
            field="survivor",
        )
    raise Conflict(
        f"These references were decided differently ({named}). Merge again naming the "
        f"reference whose decisions stand: {' or '.join(map(str, allowed))}.",
        field="survivor",
    )


def _unmerge(candidate: DuplicateCandidate, *, actor: AbstractBaseUser) -> None:
    survivor = candidate.survivor
    if survivor is None or survivor.merged_into_id is not None:
        raise Conflict("The surviving reference was merged again since; unmerge that first.")
    forget_hints(candidate.project)  # the references that come back need screening
    # Every record and decision goes back to the reference it came from.
    for kind, model in [("record", Record), *DECISION_ROWS.items()]:
        mapping = [(move[kind], move["from"]) for move in candidate.moves if kind in move]
        retarget(model, "reference_id", mapping, key="id")
    restored = [pk for pk in candidate.references if pk != survivor.pk]
    Reference.objects.filter(pk__in=restored, merged_into=survivor).update(merged_into=None)
    refresh_summaries(candidate.project, [survivor.pk, *restored])
    _mark_not_duplicates(candidate, actor=actor)
    audit_record(
        actor=actor,
        verb="duplicate.unmerge",
        project=candidate.project,
        obj=candidate,
        before={"survivor": survivor.pk, "moves": candidate.moves},
        after={"references": candidate.references},
    )


def _reopen(candidate: DuplicateCandidate, *, actor: AbstractBaseUser) -> None:
    """Back to waiting for a person. The survivor and moves of an earlier unmerge are dropped
    (the unmerge's audit row keeps them): a reopened set is decided afresh, not undone."""
    before = {
        "status": candidate.status,
        "decided_by": candidate.decided_by_id,
        "survivor": candidate.survivor_id,
    }
    candidate.status = DuplicateStatus.PENDING
    candidate.survivor, candidate.moves = None, []
    candidate.decided_by, candidate.decided_at = None, None
    candidate.save(update_fields=["status", "survivor", "moves", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        verb="duplicate.reopen",
        project=candidate.project,
        obj=candidate,
        before=before,
        after={"status": candidate.status, "references": candidate.references},
    )


def _mark_not_duplicates(candidate: DuplicateCandidate, *, actor: AbstractBaseUser) -> None:
    candidate.status = DuplicateStatus.REJECTED
    candidate.decided_by, candidate.decided_at = actor, timezone.now()
    candidate.save(update_fields=["status", "decided_by", "decided_at"])
