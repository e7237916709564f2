"""A lead replays the finished title/abstract screening in ranked order from the dashboard and
reads what ranking would have saved, in words and as two curves."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from screening.models import Reference
from screening.services.screening import vote_cast
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BASE = "/projects/microcredentials"
SOUGHT = "Microcredentials for nurses in continuing professional education"
OTHER = [
    "Soil bacteria and nitrogen fixation in wheat fields",
    "Groundwater nitrate in agricultural catchments",
    "Bridge design under wind load",
    "Consumer prices and inflation in small economies",
    "Teaching fractions in primary school",
]


def test_a_lead_replays_the_screening_and_reads_what_ranking_would_have_saved(
    live_server, log_in, project, lead, reviewer_a, reviewer_b
) -> None:
    # 80 references settled by two agreeing votes, 8 includes, screened in import order.
    for i in range(80):
        include = i % 10 == 7
        title = f"{SOUGHT}, cohort {i}" if include else f"{OTHER[i % 5]} {i}"
        reference = Reference.objects.create(project=project, title=title, abstract=f"{title}.")
        for who in (reviewer_a, reviewer_b):
            vote_cast(
                reference=reference,
                reviewer=who,
                stage="title_abstract",
                vote="include" if include else "exclude",
            )
    page = log_in(lead)
    page.goto(f"{live_server.url}{BASE}/")
    link = page.get_by_role("link", name="Replay in ranked order")
    link.scroll_into_view_if_needed()
    screenshot(page, "ranking-replay-dashboard-link")
    link.click()
    expect(page.get_by_text("No replay yet.")).to_be_visible()
    page.get_by_role("button", name="Replay the screening in ranked order").click()
    ranked = page.locator(".replay-ranked")
    expect(ranked).to_contain_text("In ranked order, 95 % of your 8 includes would have been")
    expect(ranked).to_contain_text("of 80 records")
    expect(page.locator(".replay-actual")).to_contain_text(
        "In the order your team screened them, the same 95 % took 78 records (98 %)."
    )
    expect(page.locator("svg polyline.ranked")).to_have_count(1)
    expect(page.locator("svg polyline.actual")).to_have_count(1)
    screenshot(page, "ranking-replay-result")


def test_a_replay_without_settled_decisions_is_refused_in_words(
    live_server, log_in, project, lead
) -> None:
    Reference.objects.create(project=project, title=OTHER[0], abstract="Not screened yet.")
    page = log_in(lead)
    page.goto(f"{live_server.url}{BASE}/ranking/replay/")
    page.get_by_role("button", name="Replay the screening in ranked order").click()
    expect(
        page.get_by_text("A replay needs at least one settled include and one settled")
    ).to_be_visible()
    expect(page.get_by_text("No replay yet.")).to_be_visible()
    screenshot(page, "ranking-replay-refused")
