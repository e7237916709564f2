"""The SQL statuses (selectors.statuses.with_status) agree with workflow.py on any votes."""

from __future__ import annotations

from collections import Counter

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from screening.models import ExclusionReason, Pilot
from screening.selectors.queue import _open_references, open_on_title
from screening.selectors.status_counts import status_table
from screening.selectors.statuses import reference_facts, screened_references
from tests.factories import UserFactory

from .reference_mixes import make_references, reference_spec

pytestmark = pytest.mark.django_db

reference = reference_spec()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# One title/abstract include of two needed, with a report: still pending, so not at full text.
@example(
    references=[
        {"other": False, "pilot": False, "ta": [("include", 0)], "ft": [], "ta_resolution": None,
         "ft_resolution": None, "report": "file"},
    ],
    required=2,
    share=0,
)  # fmt: skip
# Two full-text exclusions for different reasons: a conflict about the reason.
@example(
    references=[
        {"other": True, "pilot": False, "ta": [], "ft": [("exclude", 0), ("exclude", 1)],
         "ta_resolution": None, "ft_resolution": None, "report": "file"},
    ],
    required=2,
    share=0,
)  # fmt: skip
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
    # Closed: hypothesis runs its examples in one transaction, and only one pilot may be open.
    pilot = Pilot.objects.create(project=project, size=1, seed=0, closed_at=timezone.now())
    made = make_references(project, references, reviewers, reasons, pilot)
    in_sql = {
        r.pk: (r.ta_status, r.ft_status, r.stage, r.status)
        for r in screened_references(project).filter(pk__in=[r.pk for r in made])
    }
    open_in_sql = {
        stage: set(_open_references(project, stage).values_list("id", flat=True))
        for stage in ("title_abstract", "full_text")
    }
    # The written-out query behind "next" on title and abstract: open to anyone, and open to the
    # first reviewer (no vote of theirs yet), from a start that cuts the list in two.
    start = made[len(made) // 2].pk
    open_on_title_sql = {r[0] for r in open_on_title(project, limit=100)}
    open_to_first = {r[0] for r in open_on_title(project, reviewer_id=reviewers[0].pk, limit=100)}
    open_from_start = {r[0] for r in open_on_title(project, start=start, limit=100)}
    open_in_pilot = {r[0] for r in open_on_title(project, pilot_id=pilot.pk, limit=100)}
    # The written-out counts behind PRISMA and the dashboards: the same as with_status's, grouped.
    grouped = Counter(
        (r.source, r.stage, r.status, r.final_reason) for r in screened_references(project)
    )
    assert {row[:4]: row[4] for row in status_table(project)} == dict(grouped)
    for ref in made:
        facts = reference_facts(ref, project)
        state = facts.state()
        assert in_sql[ref.pk] == (
            state["title_abstract"],
            state["full_text"],
            state["stage"],
            state["status"],
        ), ref
        # Open to a vote: at the stage (with its full text, there), unresolved, votes missing.
        resolved = dict(facts.resolutions)
        for stage in ("title_abstract", "full_text"):
            expected = (
                (stage == "full_text" or not facts.from_other_methods)
                and (stage == "title_abstract" or state["stage"] == "full_text")
                and (stage == "title_abstract" or (facts.has_report and not facts.not_retrieved))
                and stage not in resolved
                and len(facts.votes_at(stage)) < facts.required
            )
            assert (ref.pk in open_in_sql[stage]) == expected, (ref, stage)
        on_title = (
            not facts.from_other_methods
            and "title_abstract" not in resolved
            and len(facts.votes_at("title_abstract")) < facts.required
        )
        assert (ref.pk in open_on_title_sql) == on_title, ref
        first_voted = any(who == reviewers[0].pk for who, _, _ in facts.votes_at("title_abstract"))
        assert (ref.pk in open_to_first) == (on_title and not first_voted), ref
        assert (ref.pk in open_from_start) == (on_title and ref.pk >= start), ref
        assert (ref.pk in open_in_pilot) == (on_title and ref.pilot_id is not None), ref
