"""The project's counts (selectors.status_counts) are those of its references one by one.

status_counts works out one by one only the references something was done to, and the unusual
ones (from other methods, drawn for a pilot, merged away), and counts every other reference as
pending: on any mix of references and of what was done to them, its counts must be those of
with_status's statuses (as a lead sees them) and of workflow.py's (as a blind reviewer does).
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from screening.models import ExclusionReason, Pilot, Reference
from screening.selectors.status_counts import status_counts, status_table
from screening.selectors.statuses import reference_facts, screened_references
from screening.vocabulary import Stage, Status
from screening.workflow import Blinding
from tests.factories import UserFactory

from .reference_mixes import make_references, reference_spec

pytestmark = pytest.mark.django_db

TA, FT = Stage.TITLE_ABSTRACT.value, Stage.FULL_TEXT.value
reference = reference_spec(merged=True)
NOTHING_DONE = {"other": False, "pilot": False, "merged": False, "ta": [], "ft": [],
                "ta_resolution": None, "ft_resolution": None, "report": None}  # fmt: skip
BLINDINGS = [Blinding(), Blinding(frozenset({TA})), Blinding(frozenset({TA, FT}))]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# References with nothing done to them, beside one with votes: counted, not worked out.
@example(references=[NOTHING_DONE, NOTHING_DONE, {**NOTHING_DONE, "ta": [("include", 0)]}],
         required=2, share=0)  # fmt: skip
# A merged reference with votes and a report: counted nowhere.
@example(references=[NOTHING_DONE, {**NOTHING_DONE, "merged": True, "ta": [("exclude", 0)],
                                    "report": "file"}], required=1, share=50)  # fmt: skip
# Only rarer rows (a resolution, a report), no title/abstract vote; from other methods.
@example(references=[{**NOTHING_DONE, "other": True, "report": "file", "ft_resolution": "exclude"},
                     {**NOTHING_DONE, "ta_resolution": "include"}], required=1, share=0)  # fmt: skip
@given(
    references=st.lists(reference, min_size=1, max_size=8),
    required=st.integers(1, 3),
    share=st.sampled_from([0, 50]),
)
def test_counts_are_those_of_the_references_one_by_one(
    project, references, required, share
) -> None:
    project.reviewers_per_reference, project.second_reviewer_share = required, share
    project.save()
    reviewers = [UserFactory() for _ in range(3)]
    reasons = [
        ExclusionReason.objects.get_or_create(project=project, name=f"r{i}")[0] for i in range(2)
    ]
    pilot = Pilot.objects.create(project=project, size=1, seed=0, closed_at=timezone.now())
    make_references(project, references, reviewers, reasons, pilot)
    screened = list(screened_references(project))
    grouped = Counter((r.source, r.stage, r.status, r.final_reason) for r in screened)
    table = status_table(project)
    assert len({row[:4] for row in table}) == len(table)  # one row per kind, none of 0
    assert {row[:4]: row[4] for row in table} == dict(grouped)
    for blinding in BLINDINGS:
        shown = Counter(reference_facts(r, project).shown(blinding) for r in screened)
        expected = {TA: {}, FT: {}}
        for (stage, status), n in shown.items():
            expected[str(stage)][status.value] = n
        counts = status_counts(project, blinding=blinding)
        assert counts == expected, blinding
        # In the vocabulary's order, never the database's: that order changes with the votes.
        for by_status in counts.values():
            assert list(by_status) == [s.value for s in Status if s.value in by_status]


def test_a_project_of_references_nothing_was_done_to(project) -> None:
    Reference.objects.bulk_create([Reference(project=project) for _ in range(5)])
    assert status_table(project) == [("databases", TA, "pending", None, 5)]
    assert status_counts(project) == {TA: {"pending": 5}, FT: {}}


def test_an_empty_project_has_no_counts(project) -> None:
    assert status_table(project) == []
    assert status_counts(project) == {TA: {}, FT: {}}


def test_counts_are_plain_integers(project) -> None:
    Reference.objects.bulk_create([Reference(project=project) for _ in range(3)])
    [(*_, n)] = status_table(project)
    assert type(n) is int
