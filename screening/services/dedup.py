"""Deduplication runs: the pure core (screening.dedup) over a project's references, inline or
as a Job whose comparisons are split into chunks for several workers; the last step merges the
certain duplicates and queues the unsure sets for a person, in one transaction.

Records are never edited or deleted: see merges.py for what a merge moves and how it is undone.
Every run is audited.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from celery import chord, current_app
from django.conf import settings
from django.db import transaction

from .. import dedup
from ..dedup import carry, study
from ..models import DuplicateCandidate, Job, JobKind, Project, Record, Reference
from ..selectors.held_decisions import decisions_of, held_decisions_by_reference
from .audit import audit_record
from .jobs import (
    DEDUP_COMPARE_CHUNK,
    DEDUP_FINISH,
    DEFERRED,
    background_start,
    job_fail,
    job_failure_message,
    job_finish,
    job_handler,
    job_set_progress,
    job_step,
    task_signature,
)
from .merge_moves import merge_automatically


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
    chunks = [pairs[start : start + size] for start in range(0, len(pairs), size)]
    job_set_progress(job, 0.05)
    workflow = chord(
        (task_signature(DEDUP_COMPARE_CHUNK, job.pk, chunk) for chunk in chunks),
        task_signature(DEDUP_FINISH, job.pk, [r.id for r in records]),
    )
    background_start(workflow)
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
    """The last step of a split run: cluster every chunk's decisions, merge, queue, finish the job.

    Idempotent, and safe when two callbacks of the same job race (a redelivered chord after a lost
    worker, or the reaper's re-run beside the first run's late chord): the job's row is locked
    for the whole step and the merge and the job's `done` commit together, so the second finds the
    job finished and applies nothing.
    """
    try:
        with job_step(MERGING), transaction.atomic():
            job = Job.objects.select_for_update().get(pk=job_id)
            if job.is_finished:
                return  # a redelivered callback: the run is already applied
            job = Job.objects.select_related("project", "created_by").get(pk=job_id)
            # A redelivered chunk may be counted twice: a pair decided twice is one decision.
            unique = {(d["a"], d["b"]): d for chunk in chunks for d in chunk}
            decisions = [dedup.PairDecision(**d) for d in unique.values()]
            summary = dedup_apply(project=job.project, job=job, ids=ids, decisions=decisions)
            job_finish(job.pk, summary)
    except Exception as error:
        job_fail(job_id, job_failure_message(JobKind.DEDUP, error))
        raise


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
    merge_automatically(project, merging, held)
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
