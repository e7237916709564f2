"""The methods paragraph: what it says of the screening, its order and the stop, from plain facts."""

from __future__ import annotations

from datetime import UTC, datetime

from screening.ranking.features import FeatureSettings
from screening.ranking.model import ModelSettings
from screening.reports.methods_text import MethodsFacts, StageFacts, StopFacts, methods_paragraphs

WHEN = datetime(2026, 12, 7, 18, 0, tzinfo=UTC)


def _stage(label: str, order: str, **more: object) -> StageFacts:
    values = {
        "blind": True,
        "votes_by_order": {},
        "pairs": 0,
        "percent_agreement": None,
        "kappa": None,
    }
    values.update(more)
    return StageFacts(label=label, order=order, **values)


def test_an_import_order_screening_without_a_stop() -> None:
    text = methods_paragraphs(
        MethodsFacts(
            reviewers_per_reference=2,
            second_reviewer_share=0,
            retrain_every=25,
            stages=[
                _stage(
                    "Title and abstract",
                    "import",
                    pairs=120,
                    percent_agreement=94.2,
                    kappa=0.812,
                    votes_by_order={"import": 240},
                ),
                _stage("Full text", "import", blind=False),
            ],
        )
    )
    assert "each record was screened by two reviewers independently, blinded" in text
    assert "120 records screened by two or more reviewers: 94.2 % (Cohen's kappa 0.81)" in text
    assert "presented in the order they were imported. Of the votes, 240 in import order." in text
    assert "Full text: each record was screened by two reviewers independently;" in text
    assert "no stopping rule was applied; every record was screened." in text
    assert "ranked" not in text


def test_a_ranked_screening_names_the_model_and_the_stop() -> None:
    text = methods_paragraphs(
        MethodsFacts(
            reviewers_per_reference=1,
            second_reviewer_share=20,
            retrain_every=10,
            stages=[
                _stage(
                    "Title and abstract",
                    "ranked",
                    votes_by_order={"ranked": 500, "random": 60},
                    ranking_model="logreg",
                    ranking_at=WHEN,
                    ranking_includes=40,
                    ranking_excludes=460,
                )
            ],
            features=FeatureSettings(ngram_max=2, char_ngram_max=4),
            model=ModelSettings(model="logreg", C=10.0),
            stop=StopFacts(
                decided_at=WHEN,
                method="random-sample stopping test (Callaghan & Müller-Hansen 2020), x",
                reason="The sample held no include",
                summary="Estimated recall 1.000.",
                stopped=1200,
                supported=True,
            ),
        )
    )
    assert "by one reviewer, and by a second reviewer independently on a random 20 %" in text
    assert "a logistic regression (C = 10" in text
    assert "word 1-2-grams" in text
    assert "character n-grams up to 4" in text
    assert "retrained after every 10 settled decisions" in text
    assert "learnt from 40 includes and 460 excludes" in text
    assert (
        "Of the votes, 500 in ranked order, 60 in random order (pilot rounds and stopping" in text
    )
    assert "on 07 December 2026 the lead stopped title and abstract screening" in text
    assert "Reason given: “The sample held no include”" in text
    assert "The 1,200 records left unscreened are reported as records marked as ineligible" in text
    assert "did not support" not in text


def test_a_stop_the_test_did_not_support_says_so() -> None:
    stop = StopFacts(WHEN, "random-sample stopping test", "Out of time", "p = 0.4.", 10, False)
    facts = MethodsFacts(2, 0, 25, [_stage("Title and abstract", "ranked")], stop=stop)
    assert "The test did not support stopping at the target" in methods_paragraphs(facts)
