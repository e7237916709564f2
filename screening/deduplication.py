"""Deduplication use cases: run the pure core over a project, merge, reject and unmerge.

Records are never edited or deleted: a merge moves records under a surviving reference and marks
the others `merged_into` it; `moves` on the DuplicateCandidate row lets an unmerge put every
record back exactly where it was. Every run, merge, rejection and unmerge is audited.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from . import dedup
from .audit import audit_record
from .errors import Conflict, InvalidInput
from .jobs import job_handler, job_set_progress
from .models import DuplicateCandidate, DuplicateStatus, Job, JobKind, Project, Record, Reference
from .services import author_display


def dedup_records(references: list[Reference]) -> list[dedup.DedupRecord]:
    """What the core compares: one record per reference, from its summary and its records."""
    out = []
    for reference in references:
        records = list(reference.records.all())
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
                issn=sorted({i for r in records for i in r.issn}),
                abstract=reference.abstract,
                publication_type=next(
                    (r.publication_type for r in records if r.publication_type), ""
                ),
            )
        )
    return out


@transaction.atomic
def dedup_run(*, project: Project, job: Job | None = None) -> dict[str, Any]:
    """Find duplicates among the project's references: merge the certain, queue the unsure.

    Safe to run again: sets already decided (merged or rejected) or already queued are skipped,
    so a re-run after new imports only adds what is new.
    """
    references = list(
        Reference.objects.active().filter(project=project).prefetch_related("records")
    )
    result = dedup.find_duplicates(dedup_records(references))
    if job is not None:
        job_set_progress(job, 0.5)
    known = {
        frozenset(c.references)
        for c in DuplicateCandidate.objects.filter(project=project).only("references")
    }
    by_pair = {frozenset((p.a, p.b)): p for p in result.pairs}
    merged = 0
    survivor_of: dict[str, int] = {}
    for cluster in result.clusters:
        if len(cluster) < 2:
            continue
        ids = sorted(int(member) for member in cluster)
        links = [by_pair.get(frozenset((str(a), str(b)))) for a in ids for b in ids if a < b]
        strongest = max((p for p in links if p is not None), key=lambda p: p.score)
        candidate = DuplicateCandidate.objects.create(
            project=project,
            references=ids,
            score=strongest.score,
            reasons=strongest.reasons,
            auto=True,
            job=job,
        )
        _merge(candidate, actor=None)
        merged += len(ids) - 1
        for member in ids:
            survivor_of[str(member)] = ids[0]
    queued = 0
    for pair in result.to_review():
        ids = sorted({survivor_of.get(pair.a, int(pair.a)), survivor_of.get(pair.b, int(pair.b))})
        if len(ids) < 2 or frozenset(ids) in known:
            continue
        known.add(frozenset(ids))
        DuplicateCandidate.objects.create(
            project=project, references=ids, score=pair.score, reasons=pair.reasons, job=job
        )
        queued += 1
    summary = {"references": len(references), "merged": merged, "candidates": queued}
    actor = job.created_by if job else None
    audit_record(actor=actor, verb="dedup.run", project=project, obj=job, after=summary)
    return summary


@job_handler(JobKind.DEDUP)
def dedup_run_job(job: Job) -> dict[str, Any]:
    """A dedup run queued as a Job (re-running it is harmless: see dedup_run)."""
    return dedup_run(project=job.project, job=job)


@transaction.atomic
def duplicate_decide(
    *, candidate: DuplicateCandidate, action: str, actor: AbstractBaseUser
) -> DuplicateCandidate:
    """A person's answer on a duplicate set: merge, reject (not duplicates) or unmerge."""
    candidate = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    allowed = {
        "merge": DuplicateStatus.PENDING,
        "reject": DuplicateStatus.PENDING,
        "unmerge": DuplicateStatus.MERGED,
    }
    if action not in allowed:
        raise InvalidInput("action must be merge, reject or unmerge.", field="action")
    if candidate.status != allowed[action]:
        raise Conflict(
            f"This duplicate set is {candidate.get_status_display().lower()}; "
            f"it cannot be {action}d now.",
            field="action",
        )
    if action == "merge":
        _merge(candidate, actor=actor)
    elif action == "reject":
        candidate.status = DuplicateStatus.REJECTED
        candidate.decided_by, candidate.decided_at = actor, timezone.now()
        candidate.save(update_fields=["status", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            verb="duplicate.reject",
            project=candidate.project,
            obj=candidate,
            after={"references": candidate.references},
        )
    else:
        _unmerge(candidate, actor=actor)
    return candidate


def _merge(candidate: DuplicateCandidate, *, actor: AbstractBaseUser | None) -> None:
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
    survivor, others = references[0], references[1:]
    moves = [
        {"record": record_id, "from": reference_id}
        for record_id, reference_id in Record.objects.filter(reference__in=others).values_list(
            "pk", "reference_id"
        )
    ]
    Record.objects.filter(reference__in=others).update(reference=survivor)
    Reference.objects.filter(pk__in=[r.pk for r in others]).update(merged_into=survivor)
    reference_refresh_summary(survivor)
    candidate.status = DuplicateStatus.MERGED
    candidate.survivor = survivor
    candidate.moves = moves
    candidate.decided_by = actor
    candidate.decided_at = timezone.now()
    candidate.save()
    audit_record(
        actor=actor,
        verb="duplicate.merge" if actor else "duplicate.auto_merge",
        project=candidate.project,
        obj=candidate,
        after={
            "survivor": survivor.pk,
            "references": candidate.references,
            "moves": moves,
            "reasons": candidate.reasons,
        },
    )


def _unmerge(candidate: DuplicateCandidate, *, actor: AbstractBaseUser) -> None:
    survivor = candidate.survivor
    if survivor is None or survivor.merged_into_id is not None:
        raise Conflict("The surviving reference was merged again since; unmerge that first.")
    for move in candidate.moves:
        Record.objects.filter(pk=move["record"], reference=survivor).update(
            reference_id=move["from"]
        )
    restored = [pk for pk in candidate.references if pk != survivor.pk]
    Reference.objects.filter(pk__in=restored, merged_into=survivor).update(merged_into=None)
    for reference in Reference.objects.filter(pk__in=[survivor.pk, *restored]):
        reference_refresh_summary(reference)
    candidate.status = DuplicateStatus.REJECTED
    candidate.decided_by, candidate.decided_at = actor, timezone.now()
    candidate.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        verb="duplicate.unmerge",
        project=candidate.project,
        obj=candidate,
        before={"survivor": survivor.pk, "moves": candidate.moves},
        after={"references": candidate.references},
    )


def reference_refresh_summary(reference: Reference) -> None:
    """Show the best of the reference's records, without editing any record.

    A DOI and PMID from any record, the longest abstract, the fullest author list, and the most
    common year; the title and journal of the record that gave the most fields.
    """
    records = list(reference.records.all())
    if not records:
        return
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
    reference.save()
