"""Reads of the screening: statuses in SQL, lists, the next reference, conflicts, PRISMA counts.

`with_status` writes workflow.py's rules as one SQL expression per stage, so that a list of 100k
references filters by status, and PRISMA counts, in the database and never from a stored status.
tests/screening/test_progress_rules.py checks on random votes that it agrees with workflow.py.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Mod

from . import prisma
from .models import (
    ExclusionReason,
    Membership,
    OtherMethod,
    Pilot,
    Project,
    Record,
    Reference,
    ReferenceSource,
    Report,
    Resolution,
    Role,
    Vote,
)
from .workflow import (
    REPORT_STATUSES,
    SAMPLE_MULTIPLIER,
    SEES_ALL,
    Blinding,
    Decision,
    ReferenceFacts,
    Stage,
    Status,
    VoteChoice,
    votes_required,
)

TA, FT = Stage.TITLE_ABSTRACT.value, Stage.FULL_TEXT.value


def required_expression(project: Project) -> Any:
    """Votes each reference needs, as SQL: workflow.votes_required."""
    per_reference = project.reviewers_per_reference
    sampled = per_reference == 1 and project.second_reviewer_share > 0
    return Case(
        When(pilot__isnull=False, then=Value(max(per_reference, 2))),
        When(Q(sampled__lt=project.second_reviewer_share if sampled else 0), then=Value(2)),
        default=Value(per_reference),
        output_field=IntegerField(),
    )


def _vote_status_expression(stage: str, required: Any) -> Case:
    prefix = "ta" if stage == TA else "ft"
    resolution = f"{prefix}_resolution__decision"
    same_reason = Q() if stage == TA else Q(ft_reasons__lte=1)
    return Case(
        When(**{resolution: Decision.INCLUDE}, then=Value(Status.INCLUDED.value)),
        When(**{resolution: Decision.EXCLUDE}, then=Value(Status.EXCLUDED.value)),
        When(Q(**{f"{prefix}_votes__lt": required}), then=Value(Status.PENDING.value)),
        When(Q(**{f"{prefix}_excludes": 0}), then=Value(Status.INCLUDED.value)),
        When(
            Q(**{f"{prefix}_excludes": F(f"{prefix}_votes")}) & same_reason,
            then=Value(Status.EXCLUDED.value),
        ),
        default=Value(Status.CONFLICT.value),
        output_field=CharField(),
    )


def with_status(references: QuerySet[Reference], project: Project) -> QuerySet[Reference]:
    """Annotate `ta_status`, `ft_status`, `stage`, `status` and `final_reason` (workflow.py's rules)."""
    exclude_at = {
        TA: Q(votes__stage=TA, votes__vote=VoteChoice.EXCLUDE),
        FT: Q(votes__stage=FT, votes__vote=VoteChoice.EXCLUDE),
    }
    references = references.annotate(
        sampled=Mod(F("id") * SAMPLE_MULTIPLIER, 100),
        ta_resolution=FilteredRelation("resolutions", condition=Q(resolutions__stage=TA)),
        ft_resolution=FilteredRelation("resolutions", condition=Q(resolutions__stage=FT)),
        ta_votes=Count("votes", filter=Q(votes__stage=TA)),
        ta_excludes=Count("votes", filter=exclude_at[TA]),
        ft_votes=Count("votes", filter=Q(votes__stage=FT)),
        ft_excludes=Count("votes", filter=exclude_at[FT]),
        ft_reasons=Count("votes__reason", filter=exclude_at[FT], distinct=True),
        ft_vote_reason=Max("votes__reason__name", filter=exclude_at[FT]),
    )
    required = required_expression(project)
    ta_status = _vote_status_expression(TA, required)
    ft_votes_status = _vote_status_expression(FT, required)
    references = references.annotate(
        required=required,
        ta_status=ta_status,
        ft_status=Case(
            When(report__not_retrieved=True, then=Value(Status.NOT_RETRIEVED.value)),
            When(report__isnull=True, then=Value(Status.AWAITING_REPORT.value)),
            default=ft_votes_status,
            output_field=CharField(),
        ),
    )
    references = references.annotate(
        stage=Case(
            When(
                Q(source=ReferenceSource.OTHER) | Q(ta_status=Status.INCLUDED.value),
                then=Value(FT),
            ),
            default=Value(TA),
            output_field=CharField(),
        ),
    )
    return references.annotate(
        status=Case(
            When(stage=FT, then=F("ft_status")),
            default=F("ta_status"),
            output_field=CharField(),
        ),
        final_reason=Case(
            When(
                Q(stage=FT) & Q(ft_status=Status.EXCLUDED.value),
                then=Coalesce(F("ft_resolution__reason__name"), F("ft_vote_reason")),
            ),
            default=Value(None),
            output_field=CharField(null=True),
        ),
    )


def screened_references(project: Project) -> QuerySet[Reference]:
    """The project's references still screened (not merged away), with their statuses."""
    return with_status(Reference.objects.active().filter(project=project), project)


# One reference at a time, in Python: what the services check under a lock ---------------------


# One query for the three kinds of row a reference's facts come from (its votes, resolutions and
# report): a vote reads them under the reference's lock, on the hot path of screening.
_FACTS_SQL = """
SELECT 'vote', stage, reviewer_id, vote, reason_id FROM screening_vote WHERE reference_id = %s
UNION ALL
SELECT 'resolution', stage, NULL, decision, NULL FROM screening_resolution WHERE reference_id = %s
UNION ALL
SELECT 'report', '', NULL, CASE WHEN not_retrieved THEN 'not_retrieved' ELSE 'file' END, NULL
    FROM screening_report WHERE reference_id = %s
"""


def reference_facts(reference: Reference, project: Project) -> ReferenceFacts:
    """What workflow.py needs to know of one reference, in one indexed query."""
    with connection.cursor() as cursor:
        cursor.execute(_FACTS_SQL, [reference.pk] * 3)
        rows = cursor.fetchall()
    votes = tuple(
        (stage, who, vote, reason) for kind, stage, who, vote, reason in rows if kind == "vote"
    )
    report = [vote for kind, _, _, vote, _ in rows if kind == "report"]
    return ReferenceFacts(
        required=votes_required(
            reference.pk,
            project.reviewers_per_reference,
            project.second_reviewer_share,
            in_pilot=reference.pilot_id is not None,
        ),
        from_other_methods=reference.source == ReferenceSource.OTHER,
        votes=votes,
        resolutions=tuple((stage, d) for kind, stage, _, d, _ in rows if kind == "resolution"),
        has_report=bool(report),
        not_retrieved=report == ["not_retrieved"],
    )


def reference_state(reference: Reference, project: Project) -> dict[str, Status]:
    """Stage and status of one reference, from its rows, through workflow.py."""
    return reference_facts(reference, project).state()


# What a member is shown (workflow.Blinding) -------------------------------------------------


def blinding_for(project: Project, membership: Membership | None) -> Blinding:
    """Leads and admins see every outcome; a reviewer (or anyone else) the project's blinding."""
    if membership is not None and membership.allows(Role.LEAD):
        return SEES_ALL
    return project.blinding


def blinding_of(project: Project, user: AbstractBaseUser) -> Blinding:
    """`blinding_for` the user's membership of the project, read here."""
    return blinding_for(project, Membership.objects.filter(project=project, user=user).first())


def as_seen(references: QuerySet[Reference], blinding: Blinding) -> QuerySet[Reference]:
    """Annotate `shown_stage` and `shown_status` on `with_status`'s references: what a viewer
    with `blinding` is shown, written as workflow.Blinding.shown in SQL for lists to filter on."""
    if not blinding.blind_stages:
        return references.annotate(shown_stage=F("stage"), shown_status=F("status"))
    pending = Value(Status.PENDING.value)
    ta_hidden = (
        Q(ta_resolution__decision__isnull=True)
        & Q(report__isnull=True)
        & ~Q(source=ReferenceSource.OTHER)
        & Q(required__gte=2)
    )
    hidden_ta = [When(ta_hidden, then=pending)] if TA in blinding.blind_stages else []
    hidden_ft = (
        [When(Q(ft_resolution__decision__isnull=True) & Q(required__gte=2), then=pending)]
        if FT in blinding.blind_stages
        else []
    )
    return references.annotate(
        shown_stage=Case(
            *([When(ta_hidden, then=Value(TA))] if hidden_ta else []),
            default=F("stage"),
            output_field=CharField(),
        ),
        shown_status=Case(
            *hidden_ta,
            When(stage=TA, then=F("ta_status")),
            When(ft_status__in=[s.value for s in REPORT_STATUSES], then=F("ft_status")),
            *hidden_ft,
            default=F("ft_status"),
            output_field=CharField(),
        ),
    )


# The next reference ------------------------------------------------------------------------

CLAIM_SECONDS = 15 * 60
_CANDIDATES = 25


def next_reference(project: Project, reviewer: AbstractBaseUser, stage: str) -> int | None:
    """The id of the first reference (in import order) at `stage` this reviewer has not voted on.

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
    Free references come first, then ones others hold: better a reference others hold than none.
    """
    rows = [row for row in _candidates(project, reviewer, stage) if row[0] not in skip]
    if shown is None:
        if not rows:
            return None, []
        shown = _claim(rows, stage, reviewer.pk)
    elif mine := [row for row in rows if row[0] == shown]:
        _claim(mine, stage, reviewer.pk)
    rest = [row for row in rows if row[0] != shown]
    claims = cache.get_many([f"claims:{stage}:{pk}" for pk, _, _ in rest])
    free = {
        pk for pk, n, required in rest if n + (claims.get(f"claims:{stage}:{pk}") or 0) < required
    }
    ordered = sorted(rest, key=lambda row: row[0] not in free)  # stable: import order kept
    return shown, [pk for pk, _, _ in ordered][: max(ahead, 0)]


def _candidates(
    project: Project, reviewer: AbstractBaseUser, stage: str
) -> list[tuple[int, int, int]]:
    """(id, votes, votes required) of the first references open to this reviewer at `stage`."""
    if stage != TA:
        mine = Vote.objects.filter(reference=OuterRef("pk"), stage=stage, reviewer=reviewer)
        return list(
            _open_references(project, stage)
            .exclude(Exists(mine))
            .order_by("id")
            .values_list("id", "n_votes", "required")[:_CANDIDATES]
        )
    pilot_id = open_pilot_id(project)
    if pilot_id is not None:  # a pilot round first: its references only, no hints needed
        return open_on_title(project, reviewer_id=reviewer.pk, pilot_id=pilot_id)
    own_key, anyone_key = _hint_keys(project, reviewer.pk)
    hints = cache.get_many([own_key, anyone_key])
    floor = hints.get(own_key)
    if floor is None:
        first = open_on_title(project, start=hints.get(anyone_key, 0), limit=1)
        floor = first[0][0] if first else hints.get(anyone_key, 0)
        if first:
            cache.set(anyone_key, floor, None)
    rows = open_on_title(project, start=floor, reviewer_id=reviewer.pk)
    if rows:
        cache.set(own_key, rows[0][0], None)
    return rows


# The hot query of screening, written out: the ORM's version of the same rule (`_open_references`)
# cost as much to compile as to run, and PostgreSQL turned its NOT EXISTS into anti-joins that read
# every vote of the reviewer from the start of the project. Scalar subqueries are probed per row
# instead, along the (project, id) index from `start`, and the scan stops at `limit` rows.
# tests/screening/test_progress_rules.py checks it against workflow.py with the ORM version.
_OPEN_ON_TITLE_SQL = """
SELECT id, n_votes, required FROM (
    SELECT r.id,
        (SELECT COUNT(*) FROM screening_vote v
            WHERE v.reference_id = r.id AND v.stage = %s) AS n_votes,
        (SELECT 1 FROM screening_vote v
            WHERE v.reference_id = r.id AND v.stage = %s AND v.reviewer_id = %s) AS mine,
        (SELECT 1 FROM screening_resolution s
            WHERE s.reference_id = r.id AND s.stage = %s) AS resolved,
        CASE WHEN r.pilot_id IS NOT NULL THEN %s
            WHEN (r.id * %s) %% 100 < %s THEN 2 ELSE %s END AS required
    FROM screening_reference r
    WHERE r.project_id = %s AND r.id >= %s AND r.merged_into_id IS NULL AND r.source = %s
        {in_pilot}
) AS candidates
WHERE n_votes < required AND mine IS NULL AND resolved IS NULL
ORDER BY id
LIMIT %s
"""


def open_on_title(
    project: Project,
    *,
    start: int = 0,
    reviewer_id: int | None = None,
    pilot_id: int | None = None,
    limit: int = _CANDIDATES,
) -> list[tuple[int, int, int]]:
    """(id, votes, votes required) of references from `start` open to a vote on title and abstract.

    With `reviewer_id`, only those this reviewer has not voted on yet; with `pilot_id`, only
    the references drawn for that pilot round. Two indexed probes per row
    read, and the rows read are the open ones from `start`, so the hints keep this short.
    """
    per_reference = project.reviewers_per_reference
    share = project.second_reviewer_share if per_reference == 1 else 0
    params = [
        TA, TA, reviewer_id, TA,
        max(per_reference, 2), SAMPLE_MULTIPLIER, share, per_reference,
        project.pk, start, ReferenceSource.DATABASES.value,
        *([pilot_id] if pilot_id else []),
        limit,
    ]  # fmt: skip
    sql = _OPEN_ON_TITLE_SQL.format(in_pilot="AND r.pilot_id = %s" if pilot_id else "")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


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


def _claim(rows: list[tuple[int, int, int]], stage: str, reviewer_id: int) -> int:
    """Hand the reviewer a reference whose seats are not all taken by votes and live claims.

    A reference's claims are one counter in the cache; `incr` is atomic there (Redis, or the
    in-process cache's lock), so two reviewers asking at the same moment cannot both take the
    last seat, as they could when claims were read, changed and written back. A reviewer keeps
    one claim: asking again before voting gives the same reference.
    """
    own_key = f"claimed-by:{stage}:{reviewer_id}"
    held = cache.get(own_key)
    if held is not None and any(pk == held for pk, _, _ in rows):
        return held
    for pk, votes, required in rows:
        key = f"claims:{stage}:{pk}"
        cache.add(key, 0, CLAIM_SECONDS)
        try:
            taken = cache.incr(key)
        except ValueError:  # expired between add and incr: the seats are free again
            continue
        if votes + taken <= required:
            if held is not None:
                _unclaim(held, stage)
            cache.set(own_key, pk, CLAIM_SECONDS)
            return pk
        cache.decr(key)
    return rows[0][0]  # every seat is claimed: better a reference others hold than none


def _unclaim(reference_id: int, stage: str) -> None:
    try:
        if cache.decr(f"claims:{stage}:{reference_id}") < 0:
            cache.delete(f"claims:{stage}:{reference_id}")
    except ValueError:  # the claims expired already
        pass


def release_claim(reference_id: int, stage: str, reviewer_id: int) -> None:
    """The reviewer voted: their vote now counts, their claim must not count twice."""
    own_key = f"claimed-by:{stage}:{reviewer_id}"
    if cache.get(own_key) == reference_id:
        cache.delete(own_key)
        _unclaim(reference_id, stage)


def exclusion_reasons(
    project: Project, *, offered: bool = False, votes: bool = False
) -> list[ExclusionReason]:
    """The project's reasons in the lead's order, those reviewers proposed after; each with its
    `place` in the lead's list and its `key` (1-9, or None).

    A reason's key is its place in the lead's list, retired reasons included: retiring a reason
    leaves its key unused rather than shifting the keys after it, and a new reason goes last, so
    only the lead's move changes a key a reviewer learnt. `offered`: only those a new vote may
    name (listed, not retired). `votes`: with `votes_count`, the votes naming each (leads only:
    a reviewer would read other reviewers' votes in it).
    """
    reasons = ExclusionReason.objects.filter(project=project).order_by("proposed", "position", "id")
    if votes:
        reasons = reasons.annotate(votes_count=Count("votes"))
    listed = list(reasons)
    place = 0
    for reason in listed:
        place += not reason.proposed
        reason.place = None if reason.proposed else place
        reason.key = (
            reason.place if reason.place and reason.place <= 9 and not reason.retired else None
        )
    if offered:
        return [r for r in listed if not r.proposed and not r.retired]
    return listed


def status_counts(project: Project, *, blinding: Blinding = SEES_ALL) -> dict[str, dict[str, int]]:
    """References per stage and status: {"title_abstract": {"pending": n, ...}, ...}.

    A blind reviewer's counts are of the statuses they are shown (workflow.Blinding): a count of
    agreements or conflicts would tell them how the others voted.
    """
    counts: dict[str, dict[str, int]] = {TA: {}, FT: {}}
    if not blinding.blind_stages:
        for _, stage, status, _, n in status_table(project):
            counts[stage][status] = counts[stage].get(status, 0) + n
        return counts
    for source, stage, status, _, n, acts in _status_rows(project, lead_acts=True):
        shown_stage, shown = blinding.shown(
            stage=stage,
            title_abstract=Status(status),
            full_text=Status(status),
            resolved={stage for stage, bit in ((TA, 1), (FT, 2)) if acts & bit},
            has_report=bool(acts & 4),
            from_other_methods=source == ReferenceSource.OTHER,
            single_vote=bool(acts & 8),
        )
        counts[shown_stage][shown.value] = counts[shown_stage].get(shown.value, 0) + n
    return counts


# The same rules as with_status, written out for counting a whole project: with_status counts
# votes over a join of references and votes, which PostgreSQL sorts and groups row by row;
# here votes, resolutions and reports are each counted per reference first, and joined after.
# Votes are grouped apart from the other two, with FILTER rather than SUM(CASE ...): PostgreSQL
# then reads them in reference order from the (reference, stage, reviewer) index and groups them
# as they come, where one aggregate over the union of all three spilled its hash table to disk:
# 100 ms instead of 150 at 100k references on this 2-core machine (150 instead of 430 before
# either). tests/screening/test_progress_rules.py checks it against with_status.
# One difference, out of the services' reach: with_status names the highest reason *name* of the
# exclusions, this the reason with the highest id. They differ only when the exclusions disagree on
# the reason and a lead excluded without one, which full-text resolutions refuse.
_STATUS_COUNTS_SQL = """
WITH votes AS (
    SELECT reference_id,
        COUNT(*) FILTER (WHERE stage = %(ta)s) AS ta_votes,
        COUNT(*) FILTER (WHERE stage = %(ta)s AND vote = %(exclude)s) AS ta_excludes,
        COUNT(*) FILTER (WHERE stage = %(ft)s) AS ft_votes,
        COUNT(*) FILTER (WHERE stage = %(ft)s AND vote = %(exclude)s) AS ft_excludes,
        MIN(reason_id) FILTER (WHERE stage = %(ft)s AND vote = %(exclude)s) AS ft_first_reason,
        MAX(reason_id) FILTER (WHERE stage = %(ft)s AND vote = %(exclude)s) AS ft_last_reason
    FROM screening_vote WHERE project_id = %(project)s
    GROUP BY reference_id
), resolutions AS (
    SELECT reference_id,
        MAX(decision) FILTER (WHERE stage = %(ta)s) AS ta_decision,
        MAX(decision) FILTER (WHERE stage = %(ft)s) AS ft_decision,
        MAX(reason_id) FILTER (WHERE stage = %(ft)s) AS ft_resolution_reason
    FROM screening_resolution WHERE project_id = %(project)s
    GROUP BY reference_id
), reports AS (
    SELECT reference_id,
        MAX(CASE WHEN not_retrieved THEN %(not_retrieved)s ELSE 'file' END) AS report
    FROM screening_report WHERE project_id = %(project)s
    GROUP BY reference_id
), counted AS (
    SELECT r.source, v.ft_first_reason, v.ft_last_reason,
        COALESCE(v.ta_votes, 0) AS ta_votes, COALESCE(v.ta_excludes, 0) AS ta_excludes,
        COALESCE(v.ft_votes, 0) AS ft_votes, COALESCE(v.ft_excludes, 0) AS ft_excludes,
        s.ta_decision, s.ft_decision, s.ft_resolution_reason, f.report,
        CASE WHEN r.pilot_id IS NOT NULL THEN %(pilot_required)s
            WHEN (r.id * %(multiplier)s) %% 100 < %(share)s THEN 2
            ELSE %(per_reference)s END AS required
    FROM screening_reference r
    LEFT JOIN votes v ON v.reference_id = r.id
    LEFT JOIN resolutions s ON s.reference_id = r.id
    LEFT JOIN reports f ON f.reference_id = r.id
    WHERE r.project_id = %(project)s AND r.merged_into_id IS NULL
), statuses AS (
    SELECT source, ft_last_reason, ft_resolution_reason,
        CASE WHEN ta_decision = %(include)s THEN %(included)s
            WHEN ta_decision = %(exclude)s THEN %(excluded)s
            WHEN ta_votes < required THEN %(pending)s
            WHEN ta_excludes = 0 THEN %(included)s
            WHEN ta_excludes = ta_votes THEN %(excluded)s
            ELSE %(conflict)s END AS ta_status,
        CASE WHEN report = %(not_retrieved)s THEN %(not_retrieved)s
            WHEN report IS NULL THEN %(awaiting_report)s
            WHEN ft_decision = %(include)s THEN %(included)s
            WHEN ft_decision = %(exclude)s THEN %(excluded)s
            WHEN ft_votes < required THEN %(pending)s
            WHEN ft_excludes = 0 THEN %(included)s
            WHEN ft_excludes = ft_votes
                AND (ft_first_reason IS NULL OR ft_first_reason = ft_last_reason)
                THEN %(excluded)s
            ELSE %(conflict)s END AS ft_status,
        {lead_acts_sql}
    FROM counted
), staged AS (
    SELECT source, ft_status, ft_last_reason, ft_resolution_reason, ta_status, lead_acts,
        CASE WHEN source = %(other)s OR ta_status = %(included)s THEN %(ft)s ELSE %(ta)s END
            AS stage
    FROM statuses
)
SELECT source, stage,
    CASE WHEN stage = %(ft)s THEN ft_status ELSE ta_status END AS status,
    CASE WHEN stage = %(ft)s AND ft_status = %(excluded)s
        THEN COALESCE(ft_resolution_reason, ft_last_reason) END AS final_reason,
    COUNT(*){lead_acts}
FROM staged
GROUP BY 1, 2, 3, 4{lead_acts}
"""
# What a lead did to each reference (resolved at title/abstract, at full text, has a report), as
# one number for grouping: the counts a blind reviewer is shown depend on it (workflow.Blinding).
_LEAD_ACTS_SQL = """(CASE WHEN ta_decision IS NULL THEN 0 ELSE 1 END
            + CASE WHEN ft_decision IS NULL THEN 0 ELSE 2 END
            + CASE WHEN report IS NULL THEN 0 ELSE 4 END
            + CASE WHEN required < 2 THEN 8 ELSE 0 END) AS lead_acts"""


def _status_rows(project: Project, *, lead_acts: bool = False) -> list[tuple[Any, ...]]:
    """The rows of _STATUS_COUNTS_SQL; with `lead_acts`, grouped by them too (a last column)."""
    per_reference = project.reviewers_per_reference
    params = {
        "ta": TA,
        "ft": FT,
        "project": project.pk,
        "pilot_required": max(per_reference, 2),
        "multiplier": SAMPLE_MULTIPLIER,
        "share": project.second_reviewer_share if per_reference == 1 else 0,
        "per_reference": per_reference,
        "other": ReferenceSource.OTHER.value,
        "include": Decision.INCLUDE.value,
        "exclude": Decision.EXCLUDE.value,
        **{status.value: status.value for status in Status},
    }
    sql = _STATUS_COUNTS_SQL.format(
        lead_acts=", lead_acts" if lead_acts else "",
        lead_acts_sql=_LEAD_ACTS_SQL if lead_acts else "0 AS lead_acts",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def status_table(project: Project) -> list[tuple[str, str, str, str | None, int]]:
    """(source, stage, status, final reason, references) over the project, in one query."""
    rows = _status_rows(project)
    # Reasons are counted by id, and named here: joining their names in SQL cost a join per row.
    reason_ids = {row[3] for row in rows if row[3] is not None}
    names = dict(ExclusionReason.objects.filter(pk__in=reason_ids).values_list("pk", "name"))
    named: dict[tuple[str, str, str, str | None], int] = {}
    # In the lead's order of reasons (names come in Meta.ordering): PRISMA's lists follow it.
    rank = {reason_id: place for place, reason_id in enumerate(names)}
    for source, stage, status, reason_id, n in sorted(rows, key=lambda row: rank.get(row[3], -1)):
        key = (source, stage, status, names.get(reason_id))
        named[key] = named.get(key, 0) + n
    return [(*key, n) for key, n in named.items()]


# PRISMA 2020 ---------------------------------------------------------------------------------

# Trial registers, counted in PRISMA's "Registers (n = )" rather than under databases.
REGISTERS = frozenset(
    {
        "clinicaltrials.gov",
        "ictrp",
        "who ictrp",
        "who international clinical trials registry platform",
        "eu clinical trials register",
        "eu ctr",
        "ctis",
        "isrctn",
        "anzctr",
        "chictr",
        "drks",
        "prospero",
    }
)


def prisma_counts(project: Project) -> prisma.PrismaCounts:
    """Every box of the PRISMA 2020 flow diagram, counted from the rows of this project."""
    per_search = (
        Record.objects.filter(project=project, search__isnull=False)
        .values_list("search__database")
        .annotate(n=Count("id"))
        .order_by("search__database")
    )
    databases: dict[str, int] = {}
    registers = 0
    for database, n in per_search:
        if database.strip().lower() in REGISTERS:
            registers += n
        else:
            databases[database] = databases.get(database, 0) + n
    by_method = dict(
        Record.objects.filter(project=project, search__isnull=True)
        .values_list("method")
        .annotate(n=Count("id"))
        .order_by("method")
    )
    rows = status_table(project)
    column = {ReferenceSource.DATABASES.value: _Column(), ReferenceSource.OTHER.value: _Column()}
    for source, stage, status, reason, n in rows:
        column[source].add(stage, status, reason, n)
    dbr, other = column[ReferenceSource.DATABASES.value], column[ReferenceSource.OTHER.value]
    found = sum(databases.values()) + registers
    included = dbr.included + other.included
    return prisma.PrismaCounts(
        database_results=sum(databases.values()),
        database_specific_results=databases,
        register_results=registers,
        website_results=by_method.get(OtherMethod.WEBSITES, 0),
        organisation_results=by_method.get(OtherMethod.ORGANISATIONS, 0),
        citations_results=by_method.get(OtherMethod.CITATION_SEARCHING, 0),
        duplicates=found - dbr.references,
        excluded_automatic=0,
        excluded_other=0,
        records_screened=dbr.references,
        records_excluded=dbr.excluded_on_title,
        dbr_sought_reports=dbr.sought,
        dbr_notretrieved_reports=dbr.not_retrieved,
        other_sought_reports=other.sought,
        other_notretrieved_reports=other.not_retrieved,
        dbr_assessed=dbr.assessed,
        dbr_excluded=dbr.reasons,  # in the lead's order (status_table)
        other_assessed=other.assessed,
        other_excluded=other.reasons,  # in the lead's order (status_table)
        new_studies=included,
        new_reports=included,
        total_studies=included,
        total_reports=included,
    )


class _Column:
    """One column of the diagram (databases and registers, or other methods), being counted."""

    def __init__(self) -> None:
        self.references = self.excluded_on_title = self.sought = 0
        self.not_retrieved = self.assessed = self.included = 0
        self.reasons: dict[str, int] = {}

    def add(self, stage: str, status: str, reason: str | None, n: int) -> None:
        self.references += n
        if stage == TA:
            self.excluded_on_title += n if status == Status.EXCLUDED else 0
            return
        self.sought += n
        if status == Status.NOT_RETRIEVED:
            self.not_retrieved += n
        elif status != Status.AWAITING_REPORT:
            self.assessed += n
        if status == Status.INCLUDED:
            self.included += n
        elif status == Status.EXCLUDED:
            name = reason or "No reason given"
            self.reasons[name] = self.reasons.get(name, 0) + n


# Conflicts and agreement ---------------------------------------------------------------------


def conflicts(
    project: Project, stage: str = "", *, between: tuple[str, str] | None = None
) -> QuerySet[Reference]:
    """References in conflict, at one stage or either, in import order; with `between`, only
    those on which these two reviewers (usernames) both voted at the conflict's stage."""
    references = screened_references(project)
    at_stage = {
        TA: Q(ta_status=Status.CONFLICT.value),
        FT: Q(stage=FT, ft_status=Status.CONFLICT.value),
    }
    wanted = at_stage[stage] if stage else at_stage[TA] | at_stage[FT]
    references = references.filter(wanted)
    if between:
        for username in between:
            voted = Vote.objects.filter(reference=OuterRef("pk"), reviewer__username=username)
            references = references.filter(
                (at_stage[TA] & Exists(voted.filter(stage=TA)))
                | (at_stage[FT] & Exists(voted.filter(stage=FT)))
            )
    return references.order_by("id")


def conflict_pairs(project: Project) -> list[tuple[str, str]]:
    """The pairs of reviewers who have voted on the same references: the conflicts page's filter."""
    voters = (
        Vote.objects.filter(project=project)
        .values_list("reviewer__username", flat=True)
        .distinct()
        .order_by("reviewer__username")
    )
    names = list(voters)
    return [(a, b) for i, a in enumerate(names) for b in names[i + 1 :]]


def conflicts_with_votes(references: list[Reference]) -> list[dict[str, Any]]:
    """Each conflict with every vote at its stage: one query for the votes of the whole page."""
    stage_of = {
        r.pk: FT if r.stage == FT and r.ft_status == Status.CONFLICT else TA for r in references
    }
    votes: dict[int, list[dict[str, str]]] = {r.pk: [] for r in references}
    rows = (
        Vote.objects.filter(reference__in=list(stage_of))
        .select_related("reviewer", "reason")
        .order_by("reviewer__username")
    )
    for vote in rows:
        if vote.stage == stage_of[vote.reference_id]:
            votes[vote.reference_id].append(
                {
                    "reviewer": vote.reviewer.get_username(),
                    "vote": vote.vote,
                    "reason": vote.reason.name if vote.reason_id else "",
                    "note": vote.note,
                    "first_vote": vote.first_vote,
                    "changed_after_others": vote.changed_after_others_at is not None,
                }
            )
    return [
        {"reference": r.pk, "stage": stage_of[r.pk], "title": r.title, "votes": votes[r.pk]}
        for r in references
    ]


def votes_by_reference(
    project: Project, stage: str, *, pilot: Pilot | None = None
) -> dict[int, dict[str, str]]:
    """{reference id: {reviewer: vote}} at a stage, over references still screened.

    With `pilot`, over that pilot round's sample only.
    """
    votes: dict[int, dict[str, str]] = {}
    rows = Vote.objects.filter(project=project, stage=stage, reference__merged_into__isnull=True)
    if pilot is not None:
        rows = rows.filter(reference__pilot=pilot)
    # A vote changed after another reviewer's counts as it first stood: the independent decision.
    rows = rows.values_list("reference_id", "reviewer__username", "vote", "first_vote")
    for reference_id, reviewer, vote, first_vote in rows:
        votes.setdefault(reference_id, {})[reviewer] = first_vote or vote
    return votes


def votes_changed_after_others(project: Project, stage: str) -> int:
    """Votes at `stage` changed after another reviewer voted on the same reference (flagged to
    leads; agreement counts them as first cast), over references still screened."""
    return Vote.objects.filter(
        project=project,
        stage=stage,
        changed_after_others_at__isnull=False,
        reference__merged_into__isnull=True,
    ).count()


def decided_references(project: Project, stage: str = "", status: str = "") -> QuerySet[Reference]:
    """References with statuses and everything an export of decisions shows, in import order."""
    references = screened_references(project)
    if stage:
        references = references.filter(stage=stage)
    if status:
        references = references.filter(status=status)
    return references.order_by("id").prefetch_related(
        "records__search",
        Prefetch(
            "votes",
            queryset=Vote.objects.select_related("reviewer", "reason").order_by("stage", "id"),
        ),
        Prefetch("resolutions", queryset=Resolution.objects.select_related("reason", "decided_by")),
        "report",
    )


# Per-reviewer progress -------------------------------------------------------------------------


def reviewer_progress(
    project: Project, *, viewer_id: int, blinding: Blinding = SEES_ALL
) -> list[dict[str, Any]]:
    """Each member's votes per stage (how many, and of which kind), in one grouped query.

    Every member appears, voted or not. At a stage blind to the viewer, others' votes are hidden
    (None), their number too: it would tell whether the other reviewer has voted yet.
    """
    members = list(
        Membership.objects.filter(project=project).select_related("user").order_by("user__username")
    )
    counted: dict[tuple[int, str], dict[str, int]] = {}
    last_vote: dict[int, Any] = {}
    rows = (
        Vote.objects.filter(project=project, reference__merged_into__isnull=True)
        .values_list("reviewer_id", "stage", "vote")
        .annotate(n=Count("id"), last=Max("updated_at"))
        .order_by()
    )
    for reviewer_id, stage, vote, n, last in rows:
        counted.setdefault((reviewer_id, stage), {})[vote] = n
        if last_vote.get(reviewer_id) is None or last > last_vote[reviewer_id]:
            last_vote[reviewer_id] = last
    progress = []
    for member in members:
        own = member.user_id == viewer_id
        row: dict[str, Any] = {
            "reviewer": member.user.get_username(),
            "role": member.role,
            "last_vote_at": last_vote.get(member.user_id)
            if own or not blinding.blind_stages
            else None,
        }
        for stage in (TA, FT):
            shown = own or stage not in blinding.blind_stages
            kinds = counted.get((member.user_id, stage), {})
            row[stage] = {
                "votes": sum(kinds.values()) if shown else None,
                **{
                    choice.value: kinds.get(choice.value, 0) if shown else None
                    for choice in VoteChoice
                },
            }
        progress.append(row)
    return progress
