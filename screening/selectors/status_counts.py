"""References per stage and status over a whole project, counted in one query.

The same rules as statuses.with_status, written out in SQL that counts a project of 100k
references without grouping every vote row by row: the dashboard, the screening page and PRISMA
counts all read these.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from ..models import ExclusionReason, Project, ReferenceSource
from ..vocabulary import Decision, Stage, Status
from ..workflow import SAMPLE_MULTIPLIER, SEES_ALL, Blinding

TA, FT = Stage.TITLE_ABSTRACT.value, Stage.FULL_TEXT.value


def status_counts(project: Project, *, blinding: Blinding = SEES_ALL) -> dict[str, dict[str, int]]:
    """References per stage and status: {"title_abstract": {"pending": n, ...}, ...}.

    A blind reviewer's counts are of the statuses they are shown (workflow.Blinding): a count of
    agreements or conflicts would tell them how the others voted. The statuses come in
    vocabulary.Status's order, never in the order the database met them: that order too
    changes with how the others voted.
    """
    counts: dict[str, dict[str, int]] = {TA: {}, FT: {}}
    if not blinding.blind_stages:
        for _, stage, status, _, n in status_table(project):
            counts[stage][status] = counts[stage].get(status, 0) + n
        return _in_status_order(counts)
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
    return _in_status_order(counts)


def _in_status_order(counts: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    return {
        stage: {s.value: by_status[s.value] for s in Status if s.value in by_status}
        for stage, by_status in counts.items()
    }


# The same rules as with_status, written out for counting a whole project. with_status counts
# votes over a join of references and votes, row by row; here only the references something
# rarer happened to are worked out one by one, and the rest are counted (benchmarks/bench_prisma.py):
# - "worked out": references with full-text votes, a resolution or a report (the rarer rows,
#   counted per reference in one small aggregate), and the unusual ones (from other methods,
#   drawn for a pilot, merged away: read from their partial index, screening 0017), each with
#   its title/abstract votes, read by its id from the (project, stage, reference) index;
# - every other reference with votes is from databases, in no pilot, voted on at title and
#   abstract only: its status depends on its number of votes and of excludes alone (and on
#   the votes it needs, told by its id when a share is sampled), so those are counted by that;
# - every other reference is from databases with nothing done to it: pending on title and
#   abstract. They are counted as the project's references less those above.
# The statuses are worked out behind OFFSET 0: without it PostgreSQL inlines each status into
# every expression reading it, and expects one group per reference, which it sorts on disk.
# tests/screening/selectors/test_progress_rules.py and test_status_counts.py check it against
# with_status and workflow.py. One difference, out of the services' reach: with_status names the
# highest reason *name* of the exclusions, this the reason with the highest id. They differ only
# when the exclusions disagree on the reason and a lead excluded without one, which full-text
# resolutions refuse.
_STATUS_COUNTS_SQL = """
WITH decided AS (
    SELECT reference_id,
        COUNT(*) FILTER (WHERE kind = 'vote') AS ft_votes,
        COUNT(*) FILTER (WHERE kind = 'vote' AND decision = %(exclude)s) AS ft_excludes,
        MIN(reason_id) FILTER (WHERE kind = 'vote' AND decision = %(exclude)s) AS ft_first_reason,
        MAX(reason_id) FILTER (WHERE kind = 'vote' AND decision = %(exclude)s) AS ft_last_reason,
        MAX(decision) FILTER (WHERE kind = %(ta)s) AS ta_decision,
        MAX(decision) FILTER (WHERE kind = %(ft)s) AS ft_decision,
        MAX(reason_id) FILTER (WHERE kind = %(ft)s) AS ft_resolution_reason,
        MAX(decision) FILTER (WHERE kind = 'report') AS report
    FROM (
        SELECT reference_id, 'vote' AS kind, vote AS decision, reason_id
        FROM screening_vote WHERE project_id = %(project)s AND stage = %(ft)s
        UNION ALL
        SELECT reference_id, stage, decision, reason_id
        FROM screening_resolution WHERE project_id = %(project)s
        UNION ALL
        SELECT reference_id, 'report',
            CASE WHEN not_retrieved THEN %(not_retrieved)s ELSE 'file' END, NULL
        FROM screening_report WHERE project_id = %(project)s
    ) AS done
    GROUP BY reference_id
), unusual AS (
    -- 'databases' written out, not a parameter: the partial index's condition must be seen to
    -- hold in a plan prepared for any parameters, as a connection's repeated query may be.
    SELECT id, source, pilot_id, merged_into_id FROM screening_reference
    WHERE project_id = %(project)s
        AND (source <> 'databases' OR pilot_id IS NOT NULL OR merged_into_id IS NOT NULL)
), worked_out_ids AS (
    SELECT reference_id AS id FROM decided UNION SELECT id FROM unusual
), title_votes AS (
    SELECT reference_id, COUNT(*) AS votes, COUNT(*) FILTER (WHERE vote = %(exclude)s) AS excludes
    FROM screening_vote WHERE project_id = %(project)s AND stage = %(ta)s
    GROUP BY reference_id
), counted AS (
    -- The references worked out one by one, with their title/abstract votes.
    SELECT COALESCE(u.source, %(databases)s) AS source, u.merged_into_id,
        COALESCE(tv.votes, 0) AS ta_votes, COALESCE(tv.excludes, 0) AS ta_excludes,
        COALESCE(d.ft_votes, 0) AS ft_votes, COALESCE(d.ft_excludes, 0) AS ft_excludes,
        d.ft_first_reason, d.ft_last_reason, d.ta_decision, d.ft_decision,
        d.ft_resolution_reason, d.report, {required} AS required, 1 AS n
    FROM worked_out_ids w
    LEFT JOIN (
        SELECT reference_id, COUNT(*) AS votes,
            COUNT(*) FILTER (WHERE vote = %(exclude)s) AS excludes
        FROM screening_vote
        WHERE project_id = %(project)s AND stage = %(ta)s
            AND reference_id IN (SELECT id FROM worked_out_ids)
        GROUP BY reference_id
    ) AS tv ON tv.reference_id = w.id
    LEFT JOIN decided d ON d.reference_id = w.id
    LEFT JOIN unusual u ON u.id = w.id
    UNION ALL
    -- Every other reference with votes: from databases, only voted on at title and abstract;
    -- counted by its votes and excludes, not one by one.
    SELECT %(databases)s, NULL, votes, excludes, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL,
        required, COUNT(*)
    FROM (
        SELECT votes, excludes, {plain_required} AS required
        FROM title_votes tv
        WHERE NOT EXISTS (SELECT 1 FROM worked_out_ids w WHERE w.id = tv.reference_id)
    ) AS plain
    GROUP BY votes, excludes, required
), statuses AS (
    SELECT source, merged_into_id, ft_last_reason, ft_resolution_reason, n,
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
    FROM counted{fence}
), staged AS (
    SELECT source, merged_into_id, ft_status, ft_last_reason, ft_resolution_reason, ta_status,
        lead_acts, n,
        CASE WHEN source = %(other)s OR ta_status = %(included)s THEN %(ft)s ELSE %(ta)s END
            AS stage
    FROM statuses
), worked_out AS (
    SELECT source, stage,
        CASE WHEN stage = %(ft)s THEN ft_status ELSE ta_status END AS status,
        CASE WHEN stage = %(ft)s AND ft_status = %(excluded)s
            THEN COALESCE(ft_resolution_reason, ft_last_reason) END AS final_reason,
        lead_acts, merged_into_id IS NULL AS screened, SUM(n) AS n
    FROM staged
    GROUP BY 1, 2, 3, 4, 5, 6
)
SELECT source, stage, status, final_reason, CAST(SUM(n) AS BIGINT){lead_acts}
FROM (
    SELECT source, stage, status, final_reason, lead_acts, n FROM worked_out WHERE screened
    UNION ALL
    SELECT %(databases)s, %(ta)s, %(pending)s, NULL, {plain_lead_acts},
        COUNT(*) - (SELECT COALESCE(SUM(n), 0) FROM worked_out)
    FROM screening_reference WHERE project_id = %(project)s
) AS counts
GROUP BY 1, 2, 3, 4{lead_acts}
HAVING SUM(n) > 0
"""
# The votes a reference needs (workflow.votes_required), worked out one by one; and those of
# the others (from databases, in no pilot). The sampled share's term only when a share is
# sampled: a plan that sees it cannot tell how few kinds of reference there are.
_REQUIRED_SQL = """CASE WHEN u.pilot_id IS NOT NULL THEN %(pilot_required)s
            {sampled}ELSE %(per_reference)s END"""
_PLAIN_REQUIRED_SQL = "CASE {sampled}ELSE %(per_reference)s END"
_SAMPLED_SQL = "WHEN ({id} * %(multiplier)s) %% 100 < %(share)s THEN 2 "


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
        "databases": ReferenceSource.DATABASES.value,
        "include": Decision.INCLUDE.value,
        "exclude": Decision.EXCLUDE.value,
        **{status.value: status.value for status in Status},
    }
    sampled = params["share"] > 0
    sql = _STATUS_COUNTS_SQL.format(
        lead_acts=", lead_acts" if lead_acts else "",
        lead_acts_sql=_LEAD_ACTS_SQL if lead_acts else "0 AS lead_acts",
        required=_REQUIRED_SQL.format(sampled=_SAMPLED_SQL.format(id="w.id") if sampled else ""),
        plain_required=_PLAIN_REQUIRED_SQL.format(
            sampled=_SAMPLED_SQL.format(id="tv.reference_id") if sampled else ""
        )
        if sampled
        else "%(per_reference)s",
        # Nothing done to it, one vote needed or not: a blind reviewer is shown it pending.
        plain_lead_acts=8 if per_reference < 2 else 0,
        # SQLite reads no OFFSET without a LIMIT, and plans it no differently.
        fence="\n    OFFSET 0" if connection.vendor == "postgresql" else "",
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
