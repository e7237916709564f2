"""Deduplication use cases: run the pure core over a project, merge, reject, unmerge, undo an
unmerge and reopen a set marked not duplicates.

Records are never edited or deleted: a merge moves records under a surviving reference and marks
the others `merged_into` it; `moves` on the DuplicateCandidate row lets an unmerge put every
record back exactly where it was. Every run, merge, rejection and unmerge is audited.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from typing import Any

from celery import chord, current_app
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, models, transaction
from django.utils import timezone

from .. import dedup, progress
from .audit import audit_each, audit_record
from .bulk import update_rows
from ..dedup import carry, study
from ..errors import Conflict, InvalidInput
from .jobs import (
    DEFERRED,
    job_fail,
    job_failure_message,
    job_finish,
    job_handler,
    job_set_progress,
    job_step,
)
from ..models import (
    DuplicateCandidate,
    DuplicateStatus,
    Job,
    JobKind,
    Project,
    Record,
    Reference,
    Report,
    Resolution,
    Vote,
)
from . import author_display


def dedup_records(references: list[Reference]) -> list[dedup.DedupRecord]:
    """What the core compares: one record per reference, from its summary and its records."""
    extras: dict[int, tuple[set[str], str]] = {}
    if references:
        # Two plain columns of the records, read by project (and a range of ids), never through
        # an IN list: a 100k-reference project would pass PostgreSQL's 65,535-parameter limit.
        low, high = min(r.pk for r in references), max(r.pk for r in references)
        rows = Record.objects.filter(
            project_id=references[0].project_id, reference_id__gte=low, reference_id__lte=high
        ).values_list("reference_id", "issn", "publication_type")
        for reference_id, issn, publication_type in rows.iterator(chunk_size=20000):
            issns, kind = extras.setdefault(reference_id, (set(), ""))
            issns.update(issn)
            if publication_type and not kind:
                extras[reference_id] = (issns, publication_type)
    registered = _registrations(references)
    out = []
    for reference in references:
        issns, kind = extras.get(reference.pk, (set(), ""))
        out.append(
            dedup.DedupRecord(
                id=str(reference.pk),
                title=reference.title,
                authors=list(reference.authors),
                year=reference.year,
                journal=reference.journal,
                volume=reference.volume,
                issue=reference.issue,
                pages=reference.pages,
                doi=reference.doi,
                pmid=reference.pmid,
                issn=sorted(issns),
                abstract=reference.abstract,
                publication_type=kind,
                registrations=sorted(registered.get(reference.pk, ())),
            )
        )
    return out


# A record's raw entry may name its trial registrations outside the title and abstract, in
# fields no importer maps: MEDLINE's SI ("ClinicalTrials.gov/NCT01234567"), PubMed XML's
# DataBankList, Embase's "Clinical Trial Numbers" column. One pattern the database applies, so
# that only the entries naming a register are read.
_REGISTERS = r"NCT[0-9]|ISRCTN|ACTRN|EudraCT|DRKS|ChiCTR|CTRI/|UMIN|jRCT|PACTR|IRCT"


def _registrations(references: list[Reference]) -> dict[int, set[str]]:
    """Trial registration numbers in the raw entries of the references' records, by reference."""
    found: dict[int, set[str]] = {}
    if not references:
        return found
    low, high = min(r.pk for r in references), max(r.pk for r in references)
    rows = (
        Record.objects.filter(
            project_id=references[0].project_id, reference_id__gte=low, reference_id__lte=high
        )
        .filter(raw__regex=_REGISTERS)
        .values_list("reference_id", "raw")
    )
    for reference_id, raw in rows.iterator(chunk_size=2000):
        numbers = study.registrations(raw)
        if numbers:
            found.setdefault(reference_id, set()).update(numbers)
    return found


def dedup_run(*, project: Project, job: Job | None = None) -> dict[str, Any]:
    """Find duplicates among the project's references, inline: merge the certain, queue the unsure."""
    references = _active_references(project)
    records = dedup_records(references)
    decisions = dedup.compare_pairs(records, dedup.blocked_pairs(records))
    return dedup_apply(project=project, job=job, ids=[r.id for r in records], decisions=decisions)


# The steps a failed run names. Only the last writes, in one transaction (dedup_apply).
READING, COMPARING, MERGING = (
    "reading the references",
    "comparing the records",
    "merging the certain duplicates and queuing the unsure sets",
)


@job_handler(
    JobKind.DEDUP,
    on_failure="No merge or duplicate set of this run was kept: the references are as they were "
    "before it.",
)
def dedup_run_job(job: Job) -> dict[str, Any]:
    """A dedup run as a Job. With real workers, the comparisons are split into chunks that
    several workers do at once (a chord); the last step clusters and merges in one transaction.
    """
    with job_step(READING):
        records = dedup_records(_active_references(job.project))
    with job_step(COMPARING):
        pairs = dedup.blocked_pairs(records)
    size = settings.DEDUP_CHUNK_PAIRS
    if current_app.conf.task_always_eager or len(pairs) <= size:
        with job_step(COMPARING):
            decisions = dedup.compare_pairs(records, pairs)
        with job_step(MERGING):
            return dedup_apply(
                project=job.project, job=job, ids=[r.id for r in records], decisions=decisions
            )
    from ..tasks import dedup_compare_chunk_task, dedup_finish_task  # tasks import this module

    chunks = [pairs[start : start + size] for start in range(0, len(pairs), size)]
    job_set_progress(job, 0.05)
    workflow = chord(
        (dedup_compare_chunk_task.s(job.pk, chunk) for chunk in chunks),
        dedup_finish_task.s(job.pk, [r.id for r in records]),
    )
    transaction.on_commit(workflow.delay)
    return DEFERRED


def dedup_compare_chunk(*, job_id: int, pairs: list[list[str]]) -> list[dict[str, Any]]:
    """One chunk of a split run: decide these pairs; pure reads, so safe to run twice."""
    ids = {int(member) for pair in pairs for member in pair}
    wanted = sorted(ids)
    references = [  # in slices: an IN list must stay under PostgreSQL's parameter limit
        reference
        for start in range(0, len(wanted), 30000)
        for reference in Reference.objects.filter(pk__in=wanted[start : start + 30000])
    ]
    decisions = dedup.compare_pairs(dedup_records(references), [tuple(p) for p in pairs])
    return [asdict(d) for d in decisions]


def dedup_finish(*, job_id: int, chunks: list[list[dict[str, Any]]], ids: list[str]) -> None:
    """The last step of a split run: cluster every chunk's decisions, merge, queue, finish the job."""
    job = Job.objects.select_related("project", "created_by").get(pk=job_id)
    if job.is_finished:
        return  # a redelivered callback: the run is already applied
    decisions = [dedup.PairDecision(**d) for chunk in chunks for d in chunk]
    try:
        with job_step(MERGING), transaction.atomic():
            summary = dedup_apply(project=job.project, job=job, ids=ids, decisions=decisions)
    except Exception as error:
        job_fail(job.pk, job_failure_message(job.kind, error))
        raise
    job_finish(job.pk, summary)


def _active_references(project: Project) -> list[Reference]:
    return list(Reference.objects.active().filter(project=project).order_by("pk"))


@transaction.atomic
def dedup_apply(
    *, project: Project, job: Job | None, ids: list[str], decisions: list[dedup.PairDecision]
) -> dict[str, Any]:
    """Merge the clusters of certain duplicates and queue the unsure sets for a person.

    Safe to run again: sets already decided (merged or rejected) or already queued are skipped,
    so a re-run after new imports only adds what is new.
    """
    result = dedup.decide(ids, decisions)
    if job is not None:
        job_set_progress(job, 0.8)
    known = {
        frozenset(c.references)
        for c in DuplicateCandidate.objects.filter(project=project).only("references")
    }
    by_pair = {frozenset((p.a, p.b)): p for p in result.pairs}
    clusters = [sorted(int(m) for m in cluster) for cluster in result.clusters if len(cluster) > 1]
    candidates = []
    for members in clusters:
        links = [
            by_pair.get(frozenset((str(a), str(b)))) for a in members for b in members if a < b
        ]
        strongest = max((p for p in links if p is not None), key=lambda p: p.score)
        candidates.append(
            DuplicateCandidate(
                project=project,
                references=members,
                score=strongest.score,
                reasons=strongest.reasons,
                auto=True,
                job=job,
            )
        )
    held = held_decisions_by_reference([m for members in clusters for m in members])
    differences = [carry.clashes(decisions_of(held, c.references)) for c in candidates]
    waiting = [(c, d) for c, d in zip(candidates, differences, strict=True) if d]
    merging = [c for c, d in zip(candidates, differences, strict=True) if not d]
    _merge_automatically(project, merging, held)
    merged = sum(len(c.references) - 1 for c in merging)
    survivor_of = {str(m): c.references[0] for c in merging for m in c.references}
    queued = 0
    # Certain duplicates whose references were decided differently: a person chooses.
    for candidate, clashes in waiting:
        if frozenset(candidate.references) in known:
            continue
        known.add(frozenset(candidate.references))
        candidate.auto = False
        candidate.reasons = [*candidate.reasons, *(f"decided differently: {c}" for c in clashes)]
        candidate.save()
        queued += 1
    for pair in result.to_review():
        members = sorted(
            {survivor_of.get(pair.a, int(pair.a)), survivor_of.get(pair.b, int(pair.b))}
        )
        if len(members) < 2 or frozenset(members) in known:
            continue
        known.add(frozenset(members))
        DuplicateCandidate.objects.create(
            project=project, references=members, score=pair.score, reasons=pair.reasons, job=job
        )
        queued += 1
    summary = {"references": len(ids), "merged": merged, "candidates": queued}
    actor = job.created_by if job else None
    audit_record(actor=actor, verb="dedup.run", project=project, obj=job, after=summary)
    return summary


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
    moves += _carry_decisions({keeper.pk: carry.carried(held, keeper.pk)})
    Reference.objects.filter(pk__in=[r.pk for r in others]).update(merged_into=keeper)
    reference_refresh_summary(keeper)
    if held:
        progress.forget_hints(candidate.project)  # statuses changed with the decisions
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


# What each kind of decision is, as the rows that hold it.
_DECISIONS: dict[str, type[Vote] | type[Resolution] | type[Report]] = {
    "vote": Vote,
    "resolution": Resolution,
    "report": Report,
}


def held_decisions_by_reference(reference_ids: list[int]) -> dict[int, list[carry.Held]]:
    """`held_decisions`, grouped by reference (see `decisions_of`)."""
    return _by_reference(held_decisions(reference_ids))


def held_decisions(reference_ids: list[int]) -> list[carry.Held]:
    """The votes, resolutions and full texts the references hold: three queries per slice."""
    held: list[carry.Held] = []
    for start in range(0, len(reference_ids), SLICE):
        part = reference_ids[start : start + SLICE]
        votes = Vote.objects.filter(reference_id__in=part).values_list(
            "pk", "reference_id", "stage", "reviewer_id", "reviewer__username", "vote",
            "reason__name",
        )  # fmt: skip
        for pk, reference, stage, reviewer, username, vote, reason in votes:
            held.append(
                carry.Held(
                    kind="vote",
                    id=pk,
                    reference=reference,
                    key=(stage, reviewer),
                    value=f"{vote}: {reason}" if reason else vote,
                    label=f"{username} at {_stage_label(stage)}",
                )
            )
        resolutions = Resolution.objects.filter(reference_id__in=part).values_list(
            "pk", "reference_id", "stage", "decision", "reason__name"
        )
        for pk, reference, stage, decision, reason in resolutions:
            held.append(
                carry.Held(
                    kind="resolution",
                    id=pk,
                    reference=reference,
                    key=(stage,),
                    value=f"{decision}: {reason}" if reason else decision,
                    label=f"the resolution at {_stage_label(stage)}",
                )
            )
        reports = Report.objects.filter(reference_id__in=part).values_list("pk", "reference_id")
        held.extend(
            carry.Held(kind="report", id=pk, reference=reference, key=(), value="", label="")
            for pk, reference in reports
        )
    return held


def _stage_label(stage: str) -> str:
    return "title/abstract" if stage == "title_abstract" else stage.replace("_", " ")


def _by_reference(held: list[carry.Held]) -> dict[int, list[carry.Held]]:
    """The decisions grouped by the reference holding them."""
    grouped: dict[int, list[carry.Held]] = {}
    for item in held:
        grouped.setdefault(item.reference, []).append(item)
    return grouped


def decisions_of(held: dict[int, list[carry.Held]], references: list[int]) -> list[carry.Held]:
    """The decisions the references hold: a lookup per reference, however many are held."""
    return [item for reference in references for item in held.get(reference, ())]


def _carry_decisions(carried: dict[int, list[carry.Held]]) -> list[dict[str, int]]:
    """Move each survivor's carried decisions onto it; the moves, for an unmerge."""
    moves: list[dict[str, int]] = []
    for kind, model in _DECISIONS.items():
        going = [
            (i, survivor) for survivor, items in carried.items() for i in items if i.kind == kind
        ]
        _retarget(
            model, "reference_id", [(item.id, survivor) for item, survivor in going], key="id"
        )
        moves += [{kind: item.id, "from": item.reference} for item, _ in going]
    return moves


def _merge_automatically(
    project: Project, candidates: list[DuplicateCandidate], held: dict[int, list[carry.Held]]
) -> None:
    """Merge many certain sets at once: the same moves as `_merge`, in a few set-wise queries.

    A run over 100k references merges tens of thousands of sets; one merge at a time cost
    several queries each.
    """
    if not candidates:
        return
    survivor_of = {m: c.references[0] for c in candidates for m in c.references[1:]}
    moved = sorted(survivor_of)
    involved = sorted({m for c in candidates for m in c.references})
    for start in range(0, len(involved), SLICE):
        part = involved[start : start + SLICE]
        # Lock them, as `_merge` does: a person may be merging or unmerging at the same time.
        active = Reference.objects.select_for_update().filter(
            pk__in=part, project=project, merged_into__isnull=True
        )
        if len(active.values_list("pk", flat=True)) != len(part):
            raise Conflict("References changed during the run; run deduplication again.")
    moves: dict[int, list[dict[str, int]]] = {}
    for start in range(0, len(moved), SLICE):
        part = moved[start : start + SLICE]
        rows = Record.objects.filter(project=project, reference_id__in=part).values_list(
            "pk", "reference_id"
        )
        for record_id, reference_id in rows:
            moves.setdefault(survivor_of[reference_id], []).append(
                {"record": record_id, "from": reference_id}
            )
    mapping = [(source, survivor_of[source]) for source in moved]
    _retarget(Record, "reference_id", mapping)
    _retarget(Reference, "merged_into_id", mapping, key="id")
    # Decisions the merged references held follow them (none of these sets disagrees).
    carried = {
        c.references[0]: carry.carried(decisions_of(held, c.references), c.references[0])
        for c in candidates
    }
    for move in _carry_decisions(carried):
        survivor = survivor_of.get(move["from"])
        if survivor is not None:
            moves.setdefault(survivor, []).append(move)
    if held:
        progress.forget_hints(project)
    survivors = sorted({c.references[0] for c in candidates})
    _refresh_summaries(project, survivors)
    now = timezone.now()
    by_survivor = {}
    for candidate in candidates:
        survivor = candidate.references[0]
        candidate.status = DuplicateStatus.MERGED
        candidate.survivor_id = survivor
        candidate.moves = moves.get(survivor, [])
        candidate.decided_at = now
        by_survivor[survivor] = candidate
    DuplicateCandidate.objects.bulk_create(candidates, batch_size=1000)
    audit_each(
        actor=None,
        verb="duplicate.auto_merge",
        project=project,
        changes=[
            (
                c,
                {},
                {
                    "survivor": c.survivor_id,
                    "references": c.references,
                    "moves": c.moves,
                    "reasons": c.reasons,
                },
            )
            for c in candidates
        ],
    )


def _retarget(
    model: type[models.Model],
    column: str,
    mapping: list[tuple[int, int]],
    key: str = "reference_id",
) -> None:
    """Set `column` to the target of each row's `key` (source -> target), one statement per
    10,000 rows.

    WITH ... (VALUES ...) UPDATE ... FROM joins on the mapping: PostgreSQL and SQLite 3.33+.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    for start in range(0, len(mapping), RETARGET_ROWS):
        part = mapping[start : start + RETARGET_ROWS]
        rows = ", ".join(["(%s, %s)"] * len(part))
        sql = (
            f"WITH m(source, target) AS (VALUES {rows}) "  # noqa: S608 - names from the model
            f"UPDATE {table} SET {column} = m.target FROM m WHERE {table}.{key} = m.source"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [value for pair in part for value in pair])


def _refresh_summaries(project: Project, reference_ids: list[int]) -> None:
    """`reference_refresh_summary` for many references: one read of their records, bulk save."""
    changed = []
    for start in range(0, len(reference_ids), SLICE):
        part = reference_ids[start : start + SLICE]
        records: dict[int, list[Record]] = {}
        for record in Record.objects.filter(project=project, reference_id__in=part).order_by("pk"):
            records.setdefault(record.reference_id, []).append(record)
        for reference in Reference.objects.filter(pk__in=part):
            if records.get(reference.pk):
                _summarise(reference, records[reference.pk])
                changed.append(reference)
    update_rows(Reference, changed, SUMMARY_FIELDS)


def _unmerge(candidate: DuplicateCandidate, *, actor: AbstractBaseUser) -> None:
    survivor = candidate.survivor
    if survivor is None or survivor.merged_into_id is not None:
        raise Conflict("The surviving reference was merged again since; unmerge that first.")
    progress.forget_hints(candidate.project)  # the references that come back need screening
    # Every record and decision goes back to the reference it came from.
    for kind, model in [("record", Record), *_DECISIONS.items()]:
        mapping = [(move[kind], move["from"]) for move in candidate.moves if kind in move]
        _retarget(model, "reference_id", mapping, key="id")
    restored = [pk for pk in candidate.references if pk != survivor.pk]
    Reference.objects.filter(pk__in=restored, merged_into=survivor).update(merged_into=None)
    _refresh_summaries(candidate.project, [survivor.pk, *restored])
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


def reference_refresh_summary(reference: Reference) -> None:
    """Show the best of the reference's records, without editing any record."""
    records = list(reference.records.order_by("pk"))
    if records:
        _summarise(reference, records)
        reference.save(update_fields=SUMMARY_FIELDS)


def _summarise(reference: Reference, records: list[Record]) -> None:
    """A DOI and PMID from any record, the longest abstract, the fullest author list, and the most
    common year; the title and journal of the record that gave the most fields."""
    richest = max(records, key=lambda r: (bool(r.doi), len(r.abstract), len(r.authors), -r.pk))
    fullest = max(records, key=lambda r: (len(r.authors), -r.pk))
    years = Counter(r.year for r in records if r.year)
    reference.title = richest.title
    reference.abstract = max((r.abstract for r in records), key=len)
    reference.authors = [author_display(a) for a in fullest.authors]
    reference.year = years.most_common(1)[0][0] if years else None
    for name in ("journal", "volume", "issue", "pages", "doi", "pmid"):
        fallback = next((getattr(r, name) for r in records if getattr(r, name)), "")
        setattr(reference, name, getattr(richest, name) or fallback)
    reference.keywords = sorted({k for r in records for k in r.keywords})


SUMMARY_FIELDS = [
    "title", "abstract", "authors", "year", "journal", "volume", "issue", "pages", "doi", "pmid",
    "keywords",
]  # fmt: skip
# Ids per IN list: PostgreSQL takes at most 65,535 parameters in one statement.
SLICE = 30000
RETARGET_ROWS = 10000  # (source, target) pairs per UPDATE: 20,000 parameters, under every limit
