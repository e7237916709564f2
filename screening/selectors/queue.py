"""The reviewer's queue: the reference to screen next, and claims that spread a team over it.

The claims, the hints where the search for open references starts, and the open pilot's id live
in the cache; they are only where to look, and the vote itself is checked under the reference's
lock.
"""

from __future__ import annotations

import time
from collections.abc import Collection

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, Mod

from ..models import (
    Pilot,
    Project,
    RankedReference,
    Ranking,
    Reference,
    ReferenceSource,
    Report,
    Resolution,
    Vote,
)
from ..vocabulary import Order, Stage, Status, VoteChoice
from ..workflow import SAMPLE_MULTIPLIER
from .claims import Held, claim
from .statuses import _vote_status_expression, required_expression
from .stopping import open_sample_id, stop_in_force_id, stopped_in_force

TA, FT = Stage.TITLE_ABSTRACT.value, Stage.FULL_TEXT.value


_CANDIDATES = 25
# How far the search reads when the first candidates are all taken: fifty reviewers' pages hold
# six cards each, three hundred seats, 150 references at two votes each.
_CANDIDATES_MOST = 25 * 8 * 8


def next_reference(project: Project, reviewer: AbstractBaseUser, stage: str) -> int | None:
    """The id of the first reference (in the stage's order: import order, or its newest
    ranking's when the lead chose ranked) at `stage` this reviewer has not voted on.

    References that already have their votes are skipped, and so, softly, are those just handed
    to enough other reviewers (a claim in the cache for 15 minutes): twenty reviewers asking at
    once get different references rather than twenty copies of one that only two may decide.
    The screening page asks for the cards it holds ahead too (`shown_and_ahead`).

    On title and abstract the search starts at a hint kept in the cache: the first reference
    still open to this reviewer last time (or, for a reviewer new to the stage, to anyone).
    Nothing below it can open again except by reopening or unmerging, which forget the hints,
    so half-way through 100k references the query reads a few rows instead of 50,000. The hint
    is only where to start looking; the vote itself is checked under the reference's lock.
    """
    return shown_and_ahead(project, reviewer, stage, shown=None, skip=(), ahead=0)[0]


def shown_and_ahead(
    project: Project,
    reviewer: AbstractBaseUser,
    stage: str,
    *,
    shown: int | None,
    skip: Collection[int],
    ahead: int,
) -> tuple[int | None, list[int]]:
    """The reference the screening page shows, claimed, and up to `ahead` to hold after it.

    `shown` is the one the page shows now (None: hand one out, as `next_reference` does); it
    is claimed only if still open. `skip` holds what the page already has: the cards it holds
    and the references it has votes for not yet saved, which must not be handed out again.

    The cards held ahead take a seat too (`claims.Held`): a team of fifty opening their pages at once
    would otherwise all hold the same few references ahead, and the third to reach one would
    read it only to have the vote refused ("has its 2 votes already"). Free references come
    first, then ones others hold: better a reference others hold than none. When the first
    candidates are all taken, the search reads further (up to `_CANDIDATES_MOST`).
    """
    held = Held(stage, reviewer.pk)
    limit = _CANDIDATES
    while True:
        found = _candidates(project, reviewer, stage, limit)
        rows = [row for row in found if row[0] not in skip]
        claims = cache.get_many([f"claims:{stage}:{pk}" for pk, _, _ in rows])
        free = {
            pk
            for pk, n, required in rows
            if n + (claims.get(f"claims:{stage}:{pk}") or 0) - held.seat_of(pk) < required
        }
        if len(free) > ahead or len(found) < limit or limit >= _CANDIDATES_MOST:
            break
        limit *= 8
    if shown is None:
        if not rows:
            held.keep(set(skip))
            return None, []
        shown = claim(rows, stage, reviewer.pk, held, free)
    else:
        # Claimed if still open; one read past the candidates (the first ones taken by others)
        # keeps the seat it was held ahead with: let go, the card on screen could fill up.
        mine = [row for row in rows if row[0] == shown] or [(shown, 0, 0)]
        claim(mine, stage, reviewer.pk, held, free)
    rest = [row for row in rows if row[0] != shown]
    chosen = held.reserve(rest, free, max(ahead, 0))
    if not free:  # the stage's end: better references others hold than none, in its order
        chosen += [pk for pk, _, _ in rest if pk not in chosen][: max(ahead, 0) - len(chosen)]
    # Free ones that others took meanwhile are not handed out: the page asks again for more.
    held.keep(set(skip) | set(chosen))
    return shown, chosen


def _candidates(
    project: Project, reviewer: AbstractBaseUser, stage: str, limit: int = _CANDIDATES
) -> list[tuple[int, int, int]]:
    """(id, votes, votes required) of the first `limit` references open to this reviewer at
    `stage`."""
    ranked = project.order_at(stage) == Order.RANKED
    if stage != TA:
        mine = Vote.objects.filter(reference=OuterRef("pk"), stage=stage, reviewer=reviewer)
        references = _open_references(project, stage).exclude(Exists(mine))
        if ranked:
            references = _in_ranked_order(references, project, stage)
        else:
            references = references.order_by("id")
        return list(references.values_list("id", "n_votes", "required")[:limit])
    pilot_id = open_pilot_id(project)
    if pilot_id is not None:  # a pilot round first: its references only, no hints needed
        return open_on_title(project, reviewer_id=reviewer.pk, pilot_id=pilot_id, limit=limit)
    # A stopping sample next, in its random order; when this reviewer is done with it, the rest.
    sample_id = open_sample_id(project, TA)
    if sample_id and (
        rows := open_on_title(project, reviewer_id=reviewer.pk, sample_id=sample_id, limit=limit)
    ):
        return rows
    if ranked:
        # The newest ranking walked along (ranking, position), stopping at the first open rows;
        # those not in it (imported since, or reopened) after all its open ones, in import order.
        # One query: the second part runs only when the first gave fewer than 25.
        return open_on_title(project, reviewer_id=reviewer.pk, ranked=True, limit=limit)
    own_key, anyone_key = _hint_keys(project, reviewer.pk)
    hints = cache.get_many([own_key, anyone_key])
    floor = hints.get(own_key)
    if floor is None:
        first = open_on_title(project, start=hints.get(anyone_key, 0), limit=1)
        floor = first[0][0] if first else hints.get(anyone_key, 0)
        if first:
            cache.set(anyone_key, floor, None)
    rows = open_on_title(project, start=floor, reviewer_id=reviewer.pk, limit=limit)
    if rows:
        cache.set(own_key, rows[0][0], None)
    return rows


# The hot query of screening, written out: the ORM's version of the same rule (`_open_references`)
# cost as much to compile as to run, and PostgreSQL turned its NOT EXISTS into anti-joins that read
# every vote of the reviewer from the start of the project. Scalar subqueries are probed per row
# instead, along the (project, id) index from `start`, and the scan stops at `limit` rows.
# tests/screening/selectors/test_progress_rules.py checks it against workflow.py with the ORM version.
_OPEN_ON_TITLE_SQL = """
SELECT id, n_votes, required{outer} FROM (
    SELECT r.id,
        (SELECT COUNT(*) FROM screening_vote v
            WHERE v.reference_id = r.id AND v.stage = %s) AS n_votes,
        (SELECT 1 FROM screening_vote v
            WHERE v.reference_id = r.id AND v.stage = %s AND v.reviewer_id = %s) AS mine,
        (SELECT 1 FROM screening_resolution s
            WHERE s.reference_id = r.id AND s.stage = %s) AS resolved,
        CASE WHEN r.pilot_id IS NOT NULL THEN %s
            WHEN (r.id * %s) %% 100 < %s THEN 2 ELSE %s END AS required
        {position}
    FROM screening_reference r
        {ranked_join}{sample_join}
    WHERE r.project_id = %s AND r.id >= %s AND r.merged_into_id IS NULL AND r.source = %s
        {in_pilot}{not_stopped}
) AS candidates
WHERE n_votes < required AND mine IS NULL AND resolved IS NULL
ORDER BY {order_by}
LIMIT %s
"""

# A ranked stage: the stage's newest ranking read in its order along the (ranking, position)
# index, each row joined to its reference by primary key, so the scan stops after `limit` open
# ones instead of sorting every open reference; `_NOT_RANKED` then finds the references not in
# it (imported since, or reopened), in import order. EXPLAIN checked in tests/screening/selectors/
# test_ranked_queue.py.
_RANKED_JOIN = """JOIN screening_rankedreference p ON p.reference_id = r.id
            AND p.ranking_id = (SELECT MAX(k.id) FROM screening_ranking k
                WHERE k.project_id = %s AND k.stage = %s)
            AND p.position >= {low} AND p.position < {high}"""
# Where a reviewer's walk of a ranking starts: the position of the first reference still open to
# them in it last time (the hint), if the newest ranking is still the one the hint was taken in.
_RANKED_FLOOR = """(CASE WHEN (SELECT MAX(k.id) FROM screening_ranking k
                WHERE k.project_id = %s AND k.stage = %s) = %s THEN %s ELSE 0 END)"""
_NOT_RANKED = """ AND NOT EXISTS (SELECT 1 FROM screening_rankedreference p
            WHERE p.reference_id = r.id AND p.ranking_id = (SELECT MAX(k.id)
                FROM screening_ranking k WHERE k.project_id = %s AND k.stage = %s))"""

_RANKED_POSITION = ", p.position AS position, p.ranking_id AS ranking_id"
# A stopping sample (selectors/stopping.py): its references only, in the sample's random order.
_SAMPLE_JOIN = """JOIN screening_stoppingsamplereference m ON m.reference_id = r.id
            AND m.sample_id = %s"""
# A stop in force leaves its references out at any order: one probe of (reference, stop) each.
# One voted on all the same (a card held when the lead stopped) stays, to be finished.
_NOT_STOPPED = """ AND NOT EXISTS (SELECT 1 FROM screening_stoppedreference x
            WHERE x.reference_id = r.id AND x.stop_id = %s AND NOT EXISTS (
                SELECT 1 FROM screening_vote w WHERE w.reference_id = r.id AND w.stage = %s))"""


def open_on_title(
    project: Project,
    *,
    start: int = 0,
    reviewer_id: int | None = None,
    pilot_id: int | None = None,
    limit: int = _CANDIDATES,
    ranked: bool = False,
    sample_id: int | None = None,
    unranked: bool = False,
) -> list[tuple[int, int, int]]:
    """(id, votes, votes required) of references from `start` open to a vote on title and abstract.

    With `reviewer_id`, only those this reviewer has not voted on yet; with `pilot_id`, only
    the references drawn for that pilot round. Two indexed probes per row
    read, and the rows read are the open ones from `start`, so the hints keep this short.
    `ranked`: in the stage's newest ranking's order, then those not in it in import order
    (`_ranked_then_unranked`); `unranked`: only those not in it; `sample_id`:
    only the references of that stopping sample, in its random order. Never those under a stop
    in force (selectors/stopping.py).
    """
    if ranked and not sample_id:
        return _ranked_then_unranked(project, start=start, reviewer_id=reviewer_id, limit=limit)
    sql, params = _open_on_title_query(
        project, start=start, reviewer_id=reviewer_id, pilot_id=pilot_id, limit=limit,
        ranked=ranked, sample_id=sample_id, unranked=unranked,
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


def _ranked_then_unranked(
    project: Project, *, start: int, reviewer_id: int | None, limit: int
) -> list[tuple[int, int, int]]:
    """The open references in the newest ranking's order, then those not in it (imported
    since, or reopened) in import order.

    First the ranking's next `_RANKED_WINDOW` positions from this reviewer's hint, alone: it
    gives `limit` rows on every "next" but the last few of a ranking, and PostgreSQL plans it in
    a third of the time of the whole (100k references: 0.3 ms against 0.9 ms). When it gives
    fewer (and from then on, for this reviewer, while the window stays short: a small ranking,
    or its end), one round trip of three parts: the window again, the rest of the ranking, and
    the references not in it. Each part is bounded by its own LIMIT, and the outer LIMIT cuts
    the UNION ALL as rows come: PostgreSQL and SQLite do not start a part once `limit` rows are
    in, whichever plan the database picks for the later parts.
    """
    own_key, _ = _hint_keys(project, reviewer_id or 0)
    ranked_key = f"{own_key}:ranked-window"  # not ":ranked", whose hints had two parts
    # (ranking id, first position open to the reviewer, whether the window came up short)
    hint = cache.get(ranked_key) or (0, 0, False)
    stop_id = stop_in_force_id(project, TA)  # asked once for the three parts
    parts, params = [], []
    shapes = [
        {"ranked": True, "window": (*hint[:2], 0, _RANKED_WINDOW)},
        {"ranked": True, "window": (*hint[:2], _RANKED_WINDOW, 2_000_000_000 - _RANKED_WINDOW)},
        {"unranked": True},
    ]
    queries = [
        _open_on_title_query(
            project, start=start, reviewer_id=reviewer_id, limit=limit, stop_id=stop_id, **shape
        )
        for shape in shapes[: 1 if hint[2:] != (True,) else 0]
    ]
    if queries:
        with connection.cursor() as cursor:
            cursor.execute(*queries[0])
            rows = [(*row, 0) for row in cursor.fetchall()]
        if len(rows) >= limit:
            return _ranked_rows(rows, hint, ranked_key, reviewer_id, limit)
    queries += [
        _open_on_title_query(
            project, start=start, reviewer_id=reviewer_id, limit=limit, stop_id=stop_id, **shape
        )
        for shape in shapes[len(queries) :]
    ]
    for part, (shape, (sql, part_params)) in enumerate(zip(shapes, queries, strict=True)):
        place = "position, ranking_id" if shape.get("ranked") else "NULL, NULL"
        parts.append(
            f"SELECT id, n_votes, required, {place}, {part} AS part "  # noqa: S608 - our SQL
            f"FROM ({sql}) AS part_{part}"
        )
        params += part_params
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts) + " LIMIT %s", [*params, limit])
        rows = cursor.fetchall()
    # Each part comes in its own order; the parts are put in theirs whatever the database did.
    rows.sort(key=lambda row: row[5])
    return _ranked_rows(rows, hint, ranked_key, reviewer_id, limit)


def _ranked_rows(
    rows: list[tuple], hint: tuple, ranked_key: str, reviewer_id: int | None, limit: int
) -> list[tuple[int, int, int]]:
    """(id, votes, votes required) of the ranked queue's rows (id, votes, required, position,
    ranking id, part), each once; the reviewer's hint moved to the first ranked one."""
    if reviewer_id is not None:
        short = sum(row[5] == 0 for row in rows) < limit
        ranked = rows and rows[0][5] < 2
        moved = (rows[0][4], rows[0][3], short) if ranked else (*tuple(hint)[:2], True)
        if tuple(hint) != moved:  # written only when it moved
            cache.set(ranked_key, moved, None)
    seen: set[int] = set()
    return [row[:3] for row in rows if not (row[0] in seen or seen.add(row[0]))]


_RANKED_WINDOW = 500


def _window_params(project: Project, window: tuple[int, int, int, int]) -> list[int | str]:
    ranking_id, floor, low, high = window
    floor_params = [project.pk, TA, ranking_id, floor]
    return [project.pk, TA, *floor_params, low, *floor_params, high]


def _open_on_title_query(
    project: Project,
    *,
    start: int = 0,
    reviewer_id: int | None = None,
    pilot_id: int | None = None,
    limit: int = _CANDIDATES,
    ranked: bool = False,
    sample_id: int | None = None,
    unranked: bool = False,
    window: tuple[int, int, int, int] | None = None,
    stop_id: int | None = -1,
) -> tuple[str, list]:
    """open_on_title's SQL and parameters; `stop_id` -1: the stop in force is looked up."""
    if stop_id == -1:
        stop_id = stop_in_force_id(project, TA)
    per_reference = project.reviewers_per_reference
    share = project.second_reviewer_share if per_reference == 1 else 0
    params = [
        TA, TA, reviewer_id, TA,
        max(per_reference, 2), SAMPLE_MULTIPLIER, share, per_reference,
        *(_window_params(project, window) if ranked and not sample_id else []),
        *([sample_id] if sample_id else []),
        project.pk, start, ReferenceSource.DATABASES.value,
        *([pilot_id] if pilot_id else []),
        *([project.pk, TA] if unranked else []),
        *([stop_id, TA] if stop_id else []),
        limit,
    ]  # fmt: skip
    sql = _OPEN_ON_TITLE_SQL.format(
        in_pilot=("AND r.pilot_id = %s" if pilot_id else "") + (_NOT_RANKED if unranked else ""),
        position=", m.position AS position" if sample_id else _RANKED_POSITION if ranked else "",
        ranked_join=_RANKED_JOIN.format(low=_RANKED_FLOOR + " + %s", high=_RANKED_FLOOR + " + %s")
        if ranked and not sample_id
        else "",
        outer=", position, ranking_id" if ranked and not sample_id else "",
        sample_join=_SAMPLE_JOIN if sample_id else "",
        not_stopped=_NOT_STOPPED if stop_id else "",
        order_by="(position IS NULL), position, id"
        if sample_id
        else "position"
        if ranked
        else "id",
    )
    return sql, params


def _open_references(project: Project, stage: str) -> QuerySet[Reference]:
    """References at `stage` that still need a vote from someone, with their vote counts.

    The counts are per-row subqueries rather than with_status's GROUP BY, so that the database
    can stop at the first open references in id order instead of counting the whole project.
    """
    resolved = Resolution.objects.filter(reference=OuterRef("pk"), stage=stage)
    references = (
        Reference.objects.filter(project=project, merged_into__isnull=True)
        .annotate(sampled=Mod(F("id") * SAMPLE_MULTIPLIER, 100))
        .annotate(n_votes=_vote_count(stage), required=required_expression(project))
        .filter(n_votes__lt=F("required"))
        .exclude(Exists(resolved))
    )
    if stop_in_force_id(project, stage) is not None:
        stopped = stopped_in_force(project, stage, unvoted=True).filter(reference=OuterRef("pk"))
        references = references.exclude(Exists(stopped))
    if stage == TA:
        return references.filter(source=ReferenceSource.DATABASES)
    # Reached full text: the same title/abstract rule with_status applies, on these counts.
    return (
        references.filter(
            Exists(Report.objects.filter(reference=OuterRef("pk"), not_retrieved=False))
        )
        .annotate(
            ta_votes=_vote_count(TA),
            ta_excludes=_vote_count(TA, vote=VoteChoice.EXCLUDE),
            ta_resolution=FilteredRelation("resolutions", condition=Q(resolutions__stage=TA)),
        )
        .annotate(ta_status=_vote_status_expression(TA, F("required")))
        .filter(Q(source=ReferenceSource.OTHER) | Q(ta_status=Status.INCLUDED.value))
    )


def _in_ranked_order(
    references: QuerySet[Reference], project: Project, stage: str
) -> QuerySet[Reference]:
    """In the stage's newest ranking's order, those not in it after, in import order."""
    newest = Ranking.objects.filter(project=project, stage=stage).order_by("-id").values("id")[:1]
    position = RankedReference.objects.filter(
        ranking_id=Subquery(newest), reference=OuterRef("pk")
    ).values("position")[:1]
    return references.annotate(
        ranked_position=Subquery(position, output_field=IntegerField())
    ).order_by(F("ranked_position").asc(nulls_last=True), "id")


def _vote_count(stage: str, **only: str) -> Coalesce:
    """The number of votes at `stage` on each reference (of one kind, with `only`), as SQL."""
    count = (
        Vote.objects.filter(reference=OuterRef("pk"), stage=stage, **only)
        .order_by()
        .values("reference")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(count, output_field=IntegerField()), 0)


def open_pilot_id(project: Project) -> int | None:
    """The id of the project's open pilot round, if any: asked on every "next", so cached."""
    found = cache.get(f"pilot-open:{project.pk}")
    if found is None:
        pilot = Pilot.objects.filter(project=project, closed_at__isnull=True).first()
        found = pilot.pk if pilot else 0
        cache.set(f"pilot-open:{project.pk}", found, None)
    return found or None


def forget_open_pilot(project: Project) -> None:
    cache.delete(f"pilot-open:{project.pk}")


def _hint_keys(project: Project, reviewer_id: int) -> tuple[str, str]:
    generation = cache.get_or_set(f"screening-hints:{project.pk}", 0, None)
    prefix = f"screening-hint:{project.pk}:{generation}"
    return f"{prefix}:{reviewer_id}", f"{prefix}:anyone"


def forget_hints(project: Project) -> None:
    """References below the hints may be open again (a reopening, an unmerge): start over."""
    cache.set(f"screening-hints:{project.pk}", time.time_ns(), None)
