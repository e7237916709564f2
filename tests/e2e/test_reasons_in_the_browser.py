"""The lead orders the reasons to exclude from the keyboard (the up and down buttons) and by drag."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from screening.selectors.references import exclusion_reasons
from screening.services.reasons import exclusion_reason_add, exclusion_reason_retire
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BASE = "/projects/microcredentials"


def _names(project) -> list[str]:
    return [r.name for r in exclusion_reasons(project) if not r.proposed]


def test_the_lead_reorders_the_reasons_by_keyboard_and_by_drag(
    live_server, log_in, project, lead
) -> None:
    names = ["Wrong population", "Wrong intervention", "Wrong outcome", "Not a primary study"]
    reasons = [exclusion_reason_add(project=project, name=n, user=lead) for n in names]
    exclusion_reason_retire(reason=reasons[1], user=lead)

    page = log_in(lead)
    page.goto(f"{live_server.url}{BASE}/reasons/")
    rows = page.locator("#reason-rows tr")
    expect(rows).to_have_count(4)
    screenshot(page, "reasons-before")

    # Keyboard only: Tab reaches the button, Enter moves; the focus stays on it after the
    # page comes back, so Enter again moves the same reason once more.
    page.get_by_role("button", name="Move “Wrong outcome” up").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("“Wrong outcome” is now number 2.")
    expect(page.get_by_role("button", name="Move “Wrong outcome” up")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("“Wrong outcome” is now number 1.")
    assert _names(project) == [
        "Wrong outcome",
        "Wrong population",
        "Wrong intervention",
        "Not a primary study",
    ]
    # At the top its up button is disabled: the focus moves to its down button instead.
    expect(page.get_by_role("button", name="Move “Wrong outcome” up")).to_be_disabled()
    expect(page.get_by_role("button", name="Move “Wrong outcome” down")).to_be_focused()
    expect(rows.nth(0)).to_contain_text("Wrong outcome")
    expect(rows.nth(0).locator("kbd")).to_have_text("1")
    expect(rows.nth(2)).to_contain_text("unused")  # the retired reason keeps its number 3

    # Drag the last reason onto the first row: it takes number 1.
    rows.nth(3).drag_to(rows.nth(0))
    expect(page.locator(".messages")).to_contain_text("“Not a primary study” is now number 1.")
    assert _names(project) == [
        "Not a primary study",
        "Wrong outcome",
        "Wrong population",
        "Wrong intervention",
    ]
    expect(rows.nth(0).locator("kbd")).to_have_text("1")
    screenshot(page, "reasons-after")
