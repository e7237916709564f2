"""Writing a ranking's order: 100k positions a retrain, inside the retrain's one transaction.

On PostgreSQL the positions go in through COPY (psycopg 3's cursor.copy, one buffer of text rows
written by C code); elsewhere through one executemany of plain INSERTs, which SQLite runs at
C speed, where bulk_create would cut 100k rows into batches under SQLite's 999 parameters. The
older rankings of the stage are pruned in the same transaction, all but the one served until this
one commits: a reviewer whose "next" read it a moment ago still finds its rows.
"""

from __future__ import annotations

import io

import numpy as np
from django.db import connection

from ..models import RankedReference, Ranking


def order_write(ranking: Ranking, reference_ids: np.ndarray, scores: np.ndarray | None) -> None:
    """Store the ranking's order: reference_ids[i] at position i, with its score (or none)."""
    if not len(reference_ids):
        return
    table = connection.ops.quote_name(RankedReference._meta.db_table)
    columns = "ranking_id, reference_id, position, score"
    ids = np.asarray(reference_ids, dtype=np.int64).tolist()
    score_list = [None] * len(ids) if scores is None else np.asarray(scores, np.float64).tolist()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            prefix = f"{ranking.pk}\t"
            for position, (reference, score) in enumerate(zip(ids, score_list, strict=True)):
                shown = r"\N" if score is None or score != score else repr(score)
                buffer.write(f"{prefix}{reference}\t{position}\t{shown}\n")
            raw = cursor.cursor  # psycopg's own cursor: COPY is not part of the DB-API
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                copy.write(buffer.getvalue())
        else:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s)",  # noqa: S608 - our names
                [
                    (ranking.pk, reference, position, score)
                    for position, (reference, score) in enumerate(zip(ids, score_list, strict=True))
                ],
            )


def rankings_prune(project: object, stage: str, *, keep: Ranking) -> int:
    """Delete the stage's rankings older than `keep` but the newest of them (the one the queue
    serves until `keep` commits); the number deleted."""
    older = (
        Ranking.objects.filter(project=project, stage=stage, id__lt=keep.pk)
        .order_by("-id")
        .values_list("id", flat=True)
    )
    stale = list(older[1:])
    if not stale:
        return 0
    RankedReference.objects.filter(ranking_id__in=stale).delete()
    deleted, _ = Ranking.objects.filter(id__in=stale).delete()
    return deleted
