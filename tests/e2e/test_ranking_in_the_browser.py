"""Ranked screening in the browser: the lead marks two known includes (seeds) on the reference
list and switches title and abstract to ranked order on the dashboard; a reviewer then meets the
references like the seeds first, each with a quiet relevance cue. And when the lead's retrain
request fails, the dashboard says so and the order stays."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from screening.models import Project, Ranking, RankingSeed, Reference
from screening.services.screening import vote_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BASE = "/projects/microcredentials"
TA = "title_abstract"
SHOTS = Path("/tmp/shots")

ON_TOPIC = [
    "Microcredentials for nurses in continuing professional education",
    "Digital badges and microcredentials in continuing medical education",
    "Stackable microcredentials for pharmacists in continuing education",
    "Continuing education of physicians through online microcredentials",
    "Microcredential courses in continuing education for allied health staff",
    "Open badges as microcredentials in nursing continuing education",
]
SEEDS = ON_TOPIC[2], ON_TOPIC[5]
CROPS = ("Wheat", "Maize", "Barley", "Rice", "Sorghum", "Soybean")
STRESSES = ("drought", "heat", "salinity", "flooding")
OFF_TOPIC = [f"{crop} yield under {stress} stress" for crop in CROPS for stress in STRESSES]


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def thirty(project, lead, reviewer_a) -> list[int]:
    """30 references: 24 field trials, and 6 on microcredentials placed late in import order."""
    titles = list(OFF_TOPIC)
    for place, title in zip((5, 11, 17, 23, 27, 29), ON_TOPIC, strict=True):
        titles.insert(place, title)
    return [
        Reference.objects.create(
            project=project, title=title, abstract=f"{title}. We report a study.", year=2024
        ).pk
        for title in titles
    ]


def _mark_seeds(page, live_server) -> None:
    page.goto(f"{live_server.url}{BASE}/references/")
    for title in SEEDS:
        row = page.get_by_role("row").filter(has_text=title)
        row.get_by_role("button", name="Mark as known include (seed)").click()
        expect(page.locator(".messages")).to_contain_text("marked as a known include (seed)")
        expect(page.get_by_role("row").filter(has_text=title)).to_contain_text("Seed")


def _rank(page, live_server) -> None:
    page.goto(f"{live_server.url}{BASE}/")
    order = page.locator("table.screening-order")
    order.get_by_role("button", name="Rank by relevance").first.click()
    expect(page.locator(".messages")).to_contain_text(
        "Title and abstract is screened in ranked by relevance."
    )


def _vote(reference: int, who: object, vote: str) -> None:
    vote_cast(
        reference=Reference(
            pk=reference, project_id=Project.objects.get(slug="microcredentials").pk
        ),
        reviewer=who,
        stage=TA,
        vote=vote,
    )


def _card_title(page) -> str:
    return page.locator("#reference-title").inner_text()


def test_the_seeded_includes_come_first_with_a_relevance_cue(
    live_server, log_in, thirty, lead, reviewer_a, reviewer_b
) -> None:
    boss = log_in(lead)
    _mark_seeds(boss, live_server)
    assert set(RankingSeed.objects.values_list("reference__title", flat=True)) == set(SEEDS)
    _rank(boss, live_server)
    project = Project.objects.get(slug="microcredentials")
    assert project.title_abstract_order == "ranked"
    assert Ranking.objects.get(project=project).model == "similarity"
    # The ranking block lists the seeds, and the curve is drawn (nothing settled yet).
    seeds = boss.locator("#ranking-seeds")
    for title in SEEDS:
        expect(seeds).to_contain_text(title)
    curve = boss.locator("#progress-curve svg")
    expect(curve).to_be_visible()
    expect(boss.locator("#progress-curve")).to_contain_text("0 of 30 references screened")
    boss.locator("table.screening-order").scroll_into_view_if_needed()
    _shot(boss, "ranking-dashboard")

    reviewer = log_in(reviewer_a)
    reviewer.goto(f"{live_server.url}{BASE}/screen/")
    expect(reviewer.get_by_role("heading", name="Screening: title and abstract")).to_be_visible()
    expect(reviewer.locator(".relevance")).to_have_text("Relevance: high")
    _shot(reviewer, "ranking-card")
    seen = []
    for _ in range(6):
        title = _card_title(reviewer)
        seen.append(title)
        # Above two thirds of the ranking's scores: the other 24 share nothing with the seeds.
        expect(reviewer.locator(".relevance")).to_have_text("Relevance: high")
        reference = reviewer.locator("article.reference").get_attribute("data-reference")
        reviewer.keyboard.press("m")
        expect(reviewer.locator("#screen-status")).to_contain_text(
            f"Voted maybe on reference {reference}."
        )
        expect(reviewer.locator("#reference-title")).not_to_have_text(title)
    # The seeds first, then the other references on microcredentials, before any field trial.
    assert set(seen[:2]) == set(SEEDS)
    assert set(seen) == set(ON_TOPIC)
    assert _card_title(reviewer) in OFF_TOPIC
    expect(reviewer.locator(".relevance")).to_have_text("Relevance: low")

    # Settled: reviewer B agrees on the six (maybe and include: included) and two field trials
    # are excluded by both; the lead's curve climbs at once, well above the random line.
    reviewer.close()  # its page's requests done: the test's writes take the database alone
    first_six = list(Reference.objects.filter(title__in=seen).values_list("id", flat=True))
    trials = list(Reference.objects.filter(title__in=OFF_TOPIC[:2]).values_list("id", flat=True))
    for pk in first_six:
        _vote(pk, reviewer_b, "include")
    for pk in trials:
        _vote(pk, reviewer_a, "exclude")
        _vote(pk, reviewer_b, "exclude")
    boss.goto(f"{live_server.url}{BASE}/")
    expect(boss.locator("#progress-curve")).to_contain_text(
        "8 of 30 references screened and settled at title and abstract, 6 includes found"
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    boss.locator("#progress-curve").screenshot(path=str(SHOTS / "ranking-curve.png"))


@pytest.mark.parametrize(
    ("failure", "said"),
    [
        ("abort", "the server did not answer"),
        ("500", "the server answered 500"),
    ],
)
def test_a_failed_retrain_request_is_said_and_the_order_stays(
    live_server, log_in, thirty, lead, failure: str, said: str
) -> None:
    boss = log_in(lead)
    _mark_seeds(boss, live_server)
    _rank(boss, live_server)
    project = Project.objects.get(slug="microcredentials")
    before = list(Ranking.objects.filter(project=project).values_list("id", flat=True))

    def refuse(route) -> None:
        if route.request.method != "POST":
            route.continue_()
        elif failure == "abort":
            route.abort()
        else:
            route.fulfill(status=500, body="Server Error (500)")

    boss.route(f"{live_server.url}{BASE}/ranking/", refuse)
    boss.locator("table.screening-order").get_by_role("button", name="Retrain now").first.click()
    status = boss.locator(f"#retrain-status-{TA}")
    expect(status).to_contain_text(said)
    expect(status).to_contain_text("The order stays as it was")
    expect(status).to_have_attribute("role", "alert")
    expect(boss.locator("table.screening-order")).to_contain_text("Ranked by relevance")
    SHOTS.mkdir(parents=True, exist_ok=True)
    boss.locator("table.screening-order").screenshot(
        path=str(SHOTS / f"ranking-retrain-failed-{failure}.png")
    )
    assert list(Ranking.objects.filter(project=project).values_list("id", flat=True)) == before
    project.refresh_from_db()
    assert project.title_abstract_order == "ranked"
    # Once the server answers again, the same button retrains in place.
    boss.unroute(f"{live_server.url}{BASE}/ranking/")
    boss.locator("table.screening-order").get_by_role("button", name="Retrain now").first.click()
    expect(status).to_contain_text("the ranking is being retrained")
    expect(status).not_to_have_attribute("role", "alert")
