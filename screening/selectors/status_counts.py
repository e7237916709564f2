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
# as they come, where one aggregate over the union of all three spilled its hash table to disk
# (benchmarks/RESULTS.md). tests/screening/selectors/test_progress_rules.py checks it against with_status.
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
