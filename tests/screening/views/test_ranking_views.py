"""Ranking in the pages: the relevance cue on the screening card (quiet, ranked stages only, never
moved by another reviewer's open vote), the lead's seeds on the reference list and the dashboard,
the progress curve (leads; reviewers once unblinded), the retrain interval on the settings page,
and the retrain button answered in place."""

from __future__ import annotations

import re

import pytest

from screening.models import AuditEvent, Project, RankingSeed, Reference
from screening.selectors.ranking_progress import (
    HIGH,
    LOW,
    MEDIUM,
    ranking_progress,
    relevance_band,
    relevance_cuts,
)
from screening.services import pilots, ranking
from screening.services.conflicts import resolution_record
from screening.services.screening import vote_cast
from screening.vocabulary import Order

pytestmark = pytest.mark.django_db

BASE = "/projects/microcredentials"
TA = "title_abstract"
HTMX = {"HX-Request": "true"}

SOUGHT = [
    "Microcredentials for nurses in continuing professional education",
    "Digital badges and microcredentials in continuing medical education",
    "Stackable microcredentials for pharmacists continuing education",
    "Continuing education of physicians through online microcredentials",
    "Microcredential courses in continuing education for allied health",
    "Open badges as microcredentials in nursing continuing education",
]
OTHER = [
    "Soil bacteria and nitrogen fixation in wheat fields",
    "Groundwater nitrate in agricultural catchments",
    "Wheat yield under drought stress and nitrogen supply",
    "Bacteria of the rhizosphere in maize and wheat",
    "Fertiliser nitrogen losses from drained fields",
    "Cover crops and soil organic carbon in arable farming",
]


def _references(project: Project, titles: list[str]) -> list[int]:
    return [
        Reference.objects.create(project=project, title=title, abstract=f"{title}. A study.").pk
        for title in titles
    ]


def _vote(project: Project, reference: int, who: object, vote: str) -> None:
    vote_cast(
        reference=Reference(pk=reference, project_id=project.pk), reviewer=who, stage=TA, vote=vote
    )


@pytest.fixture
def ranked(project) -> list[int]:
    """Twelve references, the sought ones at odd places, ranked from the criteria."""
    project.eligibility_criteria = "Microcredentials in continuing education of health workers"
    project.title_abstract_order = Order.RANKED
    project.save()
    ids = _references(project, [t for pair in zip(OTHER, SOUGHT, strict=True) for t in pair])
    ranking.ranking_retrain(project=project, stage=TA)
    return ids


def _top(project: Project) -> int:
    """The first reference of the stage's current ranking."""
    return ranking.ranking_current(project, TA).positions.order_by("position")[0].reference_id


def _cue(client, reference: int) -> str | None:
    html = client.get(f"{BASE}/screen/", {"reference": reference}).content.decode()
    first_card = html.split('<article class="reference"', 2)[1]
    found = re.search(r'class="meta relevance"[^>]*>Relevance: (\w+)<', first_card)
    return found.group(1) if found else None


# The relevance cue ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "cuts"),
    [
        ([], None),
        ([None, None], None),
        ([0.5, 0.5, 0.5], None),  # all alike: no cue rather than "low" everywhere
        ([1, 2, 3], (1, 2)),
        ([0, 0, 0, 0, 0.2, 0.9], (0, 0)),
        ([3, 1, 2, 6, 5, 4], (2, 4)),
    ],
)
def test_the_cuts_split_the_scores_in_thirds(scores: list, cuts: tuple | None) -> None:
    assert relevance_cuts(scores) == cuts


@pytest.mark.parametrize(
    ("score", "cuts", "band"),
    [
        (3, (1, 2), HIGH),
        (2, (1, 2), MEDIUM),
        (1, (1, 2), LOW),
        (0, (0, 0), LOW),  # ties at the bottom (nothing in common with the criteria) stay low
        (0.2, (0, 0), HIGH),
        (None, (1, 2), None),
        (1.0, None, None),
        (float("nan"), (1, 2), None),
    ],
)
def test_a_score_reads_high_medium_or_low(score, cuts, band) -> None:
    assert relevance_band(score, cuts) == band


def test_a_ranked_card_shows_a_quiet_relevance_cue(
    browser_client, project, ranked, reviewer_a
) -> None:
    client = browser_client(reviewer_a)
    top = _top(project)
    assert top in ranked[1::2]  # a sought paper
    assert _cue(client, top) == HIGH
    assert _cue(client, ranked[0]) == LOW  # nothing in common with the criteria
    html = client.get(f"{BASE}/screen/", {"reference": top}).content.decode()
    # Muted text, not a button, badge or vote: a cue for the order, never a decision.
    cue = re.search(r'<p class="meta relevance"[^>]*>Relevance: high</p>', html)
    assert cue is not None
    assert "not a decision" in cue.group(0)


def test_no_cue_in_import_order_nor_on_an_open_pilot_s_references(
    browser_client, project, ranked, lead, reviewer_a
) -> None:
    client = browser_client(reviewer_a)
    top = _top(project)
    project.title_abstract_order = Order.IMPORT
    project.save()
    assert _cue(client, top) is None
    project.title_abstract_order = Order.RANKED
    project.save()
    pilot = pilots.pilot_start(project=project, size=12, user=lead)
    assert Reference.objects.filter(pilot=pilot).count() == 12
    assert _cue(client, top) is None  # drawn at random, served at random
    pilots.pilot_close(project=project, user=lead)
    assert _cue(client, top) == HIGH


def test_the_cue_never_moves_with_another_reviewer_s_open_votes(
    browser_client, project, ranked, reviewer_a, reviewer_b
) -> None:
    client = browser_client(reviewer_a)
    before = {pk: _cue(client, pk) for pk in ranked}
    assert set(before.values()) == {HIGH, MEDIUM, LOW}
    # Reviewer B votes alone on half of them (nothing settles), against the grain.
    for pk in ranked[:6]:
        _vote(project, pk, reviewer_b, "include" if pk in ranked[0::2] else "exclude")
    assert {pk: _cue(client, pk) for pk in ranked} == before
    # A retrain now (the lead's, or one started by another settled decision) learns nothing
    # from those open votes either.
    ranking.ranking_retrain(project=project, stage=TA)
    assert {pk: _cue(client, pk) for pk in ranked} == before


# Seeds on the reference list and the dashboard ---------------------------------------------------


def test_the_lead_marks_a_seed_from_the_reference_list_and_unmarks_it(
    browser_client, project, ranked, lead
) -> None:
    client = browser_client(lead)
    listing = client.get(f"{BASE}/references/", {"q": "wheat"}).content.decode()
    assert listing.count("Mark as known include (seed)") == 3
    here = f"{BASE}/references/?q=wheat"
    answer = client.post(
        f"{BASE}/ranking/seeds/",
        {"reference": ranked[0], "action": "mark", "next": here},
        follow=True,
    )
    assert answer.redirect_chain[-1][0] == here
    html = answer.content.decode()
    assert f"Reference {ranked[0]} marked as a known include (seed)" in html
    assert html.count("Mark as known include (seed)") == 2
    assert '<span class="badge">Seed</span>' in html
    assert list(RankingSeed.objects.values_list("reference_id", flat=True)) == [ranked[0]]
    seeds = client.get(f"{BASE}/ranking/seeds/", headers=HTMX).content.decode()
    assert OTHER[0] in seeds
    assert "Unmark" in seeds
    gone = client.post(
        f"{BASE}/ranking/seeds/", {"reference": ranked[0], "action": "unmark"}, follow=True
    )
    assert gone.redirect_chain[-1][0] == f"{BASE}/"  # no `next`: the dashboard
    assert f"Reference {ranked[0]} is no longer a known include." in gone.content.decode()
    assert not RankingSeed.objects.exists()
    verbs = AuditEvent.objects.filter(verb__startswith="ranking.seed").order_by("id")
    assert [e.verb for e in verbs] == ["ranking.seed_mark", "ranking.seed_unmark"]


def test_seeds_are_hidden_from_reviewers_and_refused_to_them(
    browser_client, project, ranked, lead, reviewer_a, outsider
) -> None:
    reviewer = browser_client(reviewer_a)
    listing = reviewer.get(f"{BASE}/references/").content.decode()
    assert "known include" not in listing.lower()
    assert reviewer.get(f"{BASE}/ranking/seeds/", headers=HTMX).status_code == 403
    refused = reviewer.post(f"{BASE}/ranking/seeds/", {"reference": ranked[0]})
    assert refused.status_code == 403
    stranger = browser_client(outsider)
    assert stranger.post(f"{BASE}/ranking/seeds/", {"reference": ranked[0]}).status_code == 404
    assert not RankingSeed.objects.exists()
    assert "ranking/seeds" not in reviewer.get(f"{BASE}/").content.decode()


def test_a_seed_of_another_project_or_an_outside_next_is_refused(
    browser_client, project, ranked, lead
) -> None:
    from tests.factories import ProjectFactory

    elsewhere = Reference.objects.create(project=ProjectFactory(slug="third"), title="Elsewhere")
    client = browser_client(lead)
    assert client.post(f"{BASE}/ranking/seeds/", {"reference": elsewhere.pk}).status_code == 404
    answer = client.post(
        f"{BASE}/ranking/seeds/", {"reference": ranked[1], "next": "https://evil.example/"}
    )
    assert answer["Location"] == f"{BASE}/"
    assert list(RankingSeed.objects.values_list("reference_id", flat=True)) == [ranked[1]]


def test_the_dashboard_loads_the_seeds_and_the_curve_after_the_page(
    browser_client, project, ranked, lead
) -> None:
    html = browser_client(lead).get(f"{BASE}/").content.decode()
    assert f'hx-get="{BASE}/ranking/seeds/"' in html
    assert f'hx-get="{BASE}/ranking/progress/"' in html
    # Without script, the same open as pages of their own.
    page = browser_client(lead).get(f"{BASE}/ranking/progress/").content.decode()
    assert "<h1>Progress of the screening</h1>" in page
    assert "<svg" in page


# The progress curve -----------------------------------------------------------------------------


def test_the_curve_counts_settled_includes_in_the_order_they_were_settled(
    project, ranked, lead, reviewer_a, reviewer_b
) -> None:
    # Settled: include (two votes), exclude (two votes), include (a lead's resolution).
    for who in (reviewer_a, reviewer_b):
        _vote(project, ranked[1], who, "include")
    for who in (reviewer_a, reviewer_b):
        _vote(project, ranked[0], who, "exclude")
    _vote(project, ranked[3], reviewer_a, "include")
    _vote(project, ranked[3], reviewer_b, "exclude")
    resolution_record(
        reference=Reference(pk=ranked[3], project_id=project.pk),
        stage=TA,
        decision="include",
        user=lead,
    )
    # Open: one vote, or a conflict not resolved; neither counts.
    _vote(project, ranked[5], reviewer_a, "include")
    _vote(project, ranked[2], reviewer_a, "include")
    _vote(project, ranked[2], reviewer_b, "exclude")
    progress = ranking_progress(project)
    assert progress.found == (1, 1, 2)
    assert (progress.screened, progress.includes, progress.pool) == (3, 2, 12)
    assert progress.expected(3) == pytest.approx(0.5)


def test_the_lead_sees_the_curve_and_a_blind_reviewer_only_once_unblinded(
    api, browser_client, project, ranked, lead, reviewer_a, reviewer_b
) -> None:
    for who in (reviewer_a, reviewer_b):
        _vote(project, ranked[1], who, "include")
    lead_view = browser_client(lead).get(f"{BASE}/ranking/progress/", headers=HTMX)
    html = lead_view.content.decode()
    assert "<svg" in html
    assert '<title id="progress-title">' in html
    assert "1 of 12 references screened and settled at title and abstract, 1 include found" in html
    reviewer = browser_client(reviewer_a)
    blind = reviewer.get(f"{BASE}/ranking/progress/", headers=HTMX).content.decode()
    # A settled count would tell a blinded reviewer that the other vote agreed with theirs.
    assert "<svg" not in blind
    assert "once a lead unblinds title and abstract" in blind
    assert api(lead).post(f"{BASE}/blinding", {"stage": TA, "blind": False}).status_code == 200
    unblinded = reviewer.get(f"{BASE}/ranking/progress/", headers=HTMX).content.decode()
    assert "<svg" in unblinded


# The settings page and the retrain button -------------------------------------------------------


def test_the_lead_sets_the_retrain_interval_on_the_settings_page(
    browser_client, project, lead, reviewer_a
) -> None:
    client = browser_client(lead)
    page = client.get(f"{BASE}/settings/").content.decode()
    assert 'name="ranking_retrain_every"' in page
    assert 'value="25"' in page
    saved = client.post(
        f"{BASE}/settings/",
        {"eligibility_criteria": "Microcredentials", "ranking_retrain_every": "10"},
        follow=True,
    )
    assert "Saved" in saved.content.decode()
    project.refresh_from_db()
    assert (project.ranking_retrain_every, project.eligibility_criteria) == (10, "Microcredentials")
    bad = client.post(
        f"{BASE}/settings/",
        {"eligibility_criteria": "Something else", "ranking_retrain_every": "0"},
    )
    assert bad.status_code == 400
    html = bad.content.decode()
    assert 'id="ranking_retrain_every_error" role="alert"' in html
    assert 'aria-invalid="true"' in html
    assert "Something else" in html  # what was typed stays in the form
    project.refresh_from_db()
    # Nothing saved: neither the interval nor the criteria sent with it.
    assert (project.ranking_retrain_every, project.eligibility_criteria) == (10, "Microcredentials")
    assert (
        browser_client(reviewer_a)
        .post(f"{BASE}/settings/", {"ranking_retrain_every": "1"})
        .status_code
        == 403
    )
    events = AuditEvent.objects.filter(verb="ranking.retrain_every_set")
    assert [(e.before, e.after) for e in events] == [
        ({"ranking_retrain_every": 25}, {"ranking_retrain_every": 10})
    ]


def test_the_retrain_button_is_answered_in_place(
    browser_client, project, ranked, lead, django_capture_on_commit_callbacks
) -> None:
    before = ranking.ranking_current(project, TA)
    with django_capture_on_commit_callbacks(execute=True):
        answer = browser_client(lead).post(
            f"{BASE}/ranking/", {"stage": TA, "action": "retrain"}, headers=HTMX
        )
    assert answer.status_code == 200
    assert answer.content.decode() == (
        '<span role="status">Title and abstract: the ranking is being retrained; the queue '
        "keeps its order till then.</span>"
    )
    assert ranking.ranking_current(project, TA).pk > before.pk
