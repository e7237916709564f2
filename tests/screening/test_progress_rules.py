"""The SQL statuses (progress.with_status) agree with workflow.py on any votes."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.models import ExclusionReason, Reference, Report, Resolution, Vote
from screening.progress import reference_state, screened_references
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

vote = st.tuples(st.sampled_from(["include", "exclude", "maybe"]), st.sampled_from([0, 1]))
stage_votes = st.lists(vote, max_size=3)
reference = st.fixed_dictionaries(
    {
        "other": st.booleans(),
        "ta": stage_votes,
        "ft": stage_votes,
        "ta_resolution": st.sampled_from([None, "include", "exclude"]),
        "ft_resolution": st.sampled_from([None, "include", "exclude"]),
        "report": st.sampled_from([None, "file", "not_retrieved"]),
    }
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    references=st.lists(reference, min_size=1, max_size=6),
    required=st.integers(1, 3),
    share=st.sampled_from([0, 50]),
)
def test_sql_and_python_agree(project, references, required, share) -> None:
    project.reviewers_per_reference, project.second_reviewer_share = required, share
    project.save()
    reviewers = [UserFactory() for _ in range(3)]
    reasons = [
        ExclusionReason.objects.get_or_create(project=project, name=f"r{i}")[0] for i in range(2)
    ]
    made = []
    for spec in references:
        ref = Reference.objects.create(
            project=project, source="other" if spec["other"] else "databases"
        )
        made.append(ref)
        for stage, votes in (("title_abstract", spec["ta"]), ("full_text", spec["ft"])):
            for who, (choice, reason) in zip(reviewers, votes, strict=False):
                Vote.objects.create(
                    project=project,
                    reference=ref,
                    stage=stage,
                    reviewer=who,
                    vote=choice,
                    reason=reasons[reason] if choice == "exclude" else None,
                )
            decision = spec["ta_resolution" if stage == "title_abstract" else "ft_resolution"]
            if decision:
                Resolution.objects.create(
                    project=project, reference=ref, stage=stage, decision=decision
                )
        if spec["report"] == "file":
            Report.objects.create(project=project, reference=ref, file="r.pdf")
        elif spec["report"] == "not_retrieved":
            Report.objects.create(project=project, reference=ref, not_retrieved=True)
    in_sql = {
        r.pk: (r.ta_status, r.ft_status, r.stage, r.status)
        for r in screened_references(project).filter(pk__in=[r.pk for r in made])
    }
    for ref in made:
        state = reference_state(ref, project)
        assert in_sql[ref.pk] == (
            state["title_abstract"],
            state["full_text"],
            state["stage"],
            state["status"],
        ), ref
