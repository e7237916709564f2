"""What a merge moves, set-wise: records and held decisions retargeted to the surviving reference
in a few statements, and the survivors' summaries refreshed from their records.

Used by a person's merge and unmerge (merges.py) and by a run's automatic merges (dedup.py).
"""

from __future__ import annotations

from collections import Counter

from django.db import connection, models
from django.utils import timezone

from ..dedup import carry
from ..errors import Conflict
from ..models import (
    DuplicateCandidate,
    DuplicateStatus,
    Project,
    Record,
    Reference,
    Report,
    Resolution,
    Vote,
)
from ..people import author_display
from ..selectors.held_decisions import SLICE, decisions_of
from ..selectors.queue import forget_hints
from .audit import audit_each
from .bulk import update_rows

# What each kind of decision is, as the rows that hold it.
DECISION_ROWS: dict[str, type[Vote] | type[Resolution] | type[Report]] = {
    "vote": Vote,
    "resolution": Resolution,
    "report": Report,
}


def carry_decisions(carried: dict[int, list[carry.Held]]) -> list[dict[str, int]]:
    """Move each survivor's carried decisions onto it; the moves, for an unmerge."""
    moves: list[dict[str, int]] = []
    for kind, model in DECISION_ROWS.items():
        going = [
            (i, survivor) for survivor, items in carried.items() for i in items if i.kind == kind
        ]
        retarget(model, "reference_id", [(item.id, survivor) for item, survivor in going], key="id")
        moves += [{kind: item.id, "from": item.reference} for item, _ in going]
    return moves


def merge_automatically(
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
    retarget(Record, "reference_id", mapping)
    retarget(Reference, "merged_into_id", mapping, key="id")
    # Decisions the merged references held follow them (none of these sets disagrees).
    carried = {
        c.references[0]: carry.carried(decisions_of(held, c.references), c.references[0])
        for c in candidates
    }
    for move in carry_decisions(carried):
        survivor = survivor_of.get(move["from"])
        if survivor is not None:
            moves.setdefault(survivor, []).append(move)
    if held:
        forget_hints(project)
    survivors = sorted({c.references[0] for c in candidates})
    refresh_summaries(project, survivors)
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


def retarget(
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


def refresh_summaries(project: Project, reference_ids: list[int]) -> None:
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


RETARGET_ROWS = 10000  # (source, target) pairs per UPDATE: 20,000 parameters, under every limit
