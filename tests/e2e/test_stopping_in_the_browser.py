"""The lead's stopping aid in the browser: draw the proposed sample, read its evidence once the
team has screened it, stop with a reason (htmx, the error beside the field first), reverse."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from screening.models import StoppingSample, Vote
from tests.e2e.conftest import screenshot
from tests.screening.stopping_setup import ranked_with_settled_includes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BASE = "/projects/microcredentials"
TA = "title_abstract"
SHOTS = Path("/tmp/shots")


def _keep(path: Path) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def test_the_lead_samples_stops_and_reverses(
    live_server, log_in, project, lead, reviewer_a, reviewer_b
) -> None:
    ranked_with_settled_includes(project, (reviewer_a, reviewer_b))

    page = log_in(lead)
    page.goto(f"{live_server.url}{BASE}/")
    page.get_by_role("link", name="Stopping aid").click()
    expect(page.get_by_role("heading", name="Stopping aid: title and abstract")).to_be_visible()
    expect(page.locator("#stopping-panel")).to_contain_text("a random sample of 8 of the 10")
    _keep(screenshot(page, "stopping-proposed"))

    page.get_by_role("button", name="Draw a random sample").click()
    expect(page.locator("#stopping-panel")).to_contain_text("Random sample 1 drawn: 8 references")
    expect(page.locator("#stopping-panel")).to_contain_text("0 of 8")

    sample = StoppingSample.objects.get()
    Vote.objects.bulk_create(
        Vote(project=project, reference_id=pk, stage=TA, reviewer=who, vote="exclude")
        for pk in sample.members.values_list("reference_id", flat=True)
        for who in (reviewer_a, reviewer_b)
    )
    page.reload()
    expect(page.locator(".evidence")).to_contain_text("Recall reached is at least")
    _keep(screenshot(page, "stopping-evidence"))

    # The browser asks for the reason itself (required); without it, the server says so too.
    page.locator("#stop-reason").evaluate("el => el.removeAttribute('required')")
    page.get_by_role("button", name="Stop screening title and abstract").click()
    expect(page.locator("#stop-error")).to_contain_text("Give the reason for stopping")
    _keep(screenshot(page, "stopping-reason-required"))
    page.locator("#stop-reason").fill("The random sample of 8 held no include.")
    page.get_by_role("button", name="Stop screening title and abstract").click()
    expect(page.locator("#stopping-panel")).to_contain_text("Screening stopped: 2 references")
    expect(page.locator("#stopping-panel")).to_contain_text("random-sample stopping test")
    _keep(screenshot(page, "stopping-stopped"))

    page.goto(f"{live_server.url}{BASE}/report/")
    expect(page.locator("#automation-footnote")).to_contain_text(
        "Records marked as ineligible by automation tools (2)"
    )
    expect(page.locator("#methods-text")).to_contain_text("Reason given:")
    _keep(screenshot(page, "stopping-report"))

    page.goto(f"{live_server.url}{BASE}/stopping/")
    page.locator("#reverse-reason").fill("A missed include turned up in the reference lists.")
    page.get_by_role("button", name="Reverse the stop").click()
    expect(page.locator("#stopping-panel")).to_contain_text("2 references are back in the queue")
