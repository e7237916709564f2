"""A reference's stage and status, derived from its votes, resolutions and report.

`with_status` writes workflow.py's rules as one SQL expression per stage, so that a list of 100k
references filters by status in the database and never from a stored status; `reference_facts`
reads one reference's rows for workflow.py itself, which the services check under a lock.
tests/screening/selectors/test_progress_rules.py checks on random votes that the two agree.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    FilteredRelation,
    IntegerField,
    Max,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Mod

from ..models import Project, Reference, ReferenceSource, Resolution, Vote
from ..vocabulary import Decision, Stage, Status, VoteChoice
from ..workflow import SAMPLE_MULTIPLIER, ReferenceFacts, votes_required

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
