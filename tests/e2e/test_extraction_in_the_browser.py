"""A lead defines a codebook, two extractors fill the form, the lead settles the difference,
and the summary shows: in Chromium."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect

from extraction.models import Consensus, Extraction
from tests.e2e.conftest import screenshot
from tests.pdfs import pdf_with_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BASE = "/projects/microcredentials"
TA, FT = "title_abstract", "full_text"


@pytest.fixture
def included(api, demo_imports, lead, reviewer_a, reviewer_b) -> int:
    reference = api(lead).get(f"{BASE}/references", limit=1).json()["items"][0]["id"]
    for who in (reviewer_a, reviewer_b):
        api(who).post(f"{BASE}/references/{reference}/votes", {"stage": TA, "vote": "include"})
    pdf = io.BytesIO(pdf_with_text("The study"))
    pdf.name = "study.pdf"
    api(lead).upload(f"{BASE}/references/{reference}/report", {"file": pdf})
    for who in (reviewer_a, reviewer_b):
        api(who).post(f"{BASE}/references/{reference}/votes", {"stage": FT, "vote": "include"})
    return reference


def _fill(page, size: str, design: str, outcomes: list[str]) -> None:
    page.get_by_label("Design").select_option(design)
    for option in outcomes:
        page.get_by_role("group", name="Outcomes").get_by_label(option, exact=True).check()
    page.get_by_role("group", name="Randomised").get_by_label("yes").check()
    page.get_by_label("Sample size").fill(size)


def test_codebook_two_extractors_consensus_and_summary(
    live_server, log_in, included, lead, reviewer_a, reviewer_b
) -> None:
    boss = log_in(lead)
    boss.goto(f"{live_server.url}{BASE}/extraction/codebook/")
    for i, (name, kind, choices) in enumerate([
        ("Sample size", "number", ""),
        ("Randomised", "boolean", ""),
        ("Design", "choice", "RCT, Cohort"),
    ]):  # fmt: skip
        boss.get_by_label(f"Name of field {i + 1}").fill(name)
        boss.get_by_label(f"Type of field {i + 1}").select_option(kind)
        boss.get_by_label(f"Choices of field {i + 1}").fill(choices)
    boss.get_by_role("button", name="Save the codebook").click()
    expect(boss.locator(".messages")).to_contain_text("Codebook version 1 saved.")
    # A fourth field, a multichoice, in a second version (nothing extracted yet: nothing to check).
    boss.get_by_label("Name of field 4").fill("Outcomes")
    boss.get_by_label("Type of field 4").select_option("multichoice")
    boss.get_by_label("Choices of field 4").fill("Knowledge, Skills")
    boss.get_by_role("button", name="Save the codebook").click()
    expect(boss.locator(".messages")).to_contain_text("Codebook version 2 saved.")
    screenshot(boss, "extraction-codebook")
    boss.goto(f"{live_server.url}{BASE}/extraction/")
    boss.get_by_label("Extract twice, blind:").fill("1")
    boss.get_by_role("button", name="Draw the sample").click()
    expect(boss.locator(".messages")).to_contain_text("1 study drawn")

    # A opens the next study with N and, from a field, saves with Ctrl+Enter: none is left.
    page = log_in(reviewer_a)
    page.goto(f"{live_server.url}{BASE}/extraction/")
    page.keyboard.press("n")
    page.wait_for_url(f"**/extraction/{included}/")
    _fill(page, "120", "RCT", ["Knowledge"])
    screenshot(page, "extraction-form")
    page.get_by_label("Sample size").press("Control+Enter")
    expect(page.locator(".messages")).to_contain_text("is saved")
    expect(page.locator(".messages")).to_contain_text("No study is waiting for your extraction.")
    # B saves with the button and goes back to the list.
    page = log_in(reviewer_b)
    page.goto(f"{live_server.url}{BASE}/extraction/{included}/")
    _fill(page, "120", "Cohort", ["Knowledge"])
    page.get_by_role("button", name="Save and go back to the list").click()
    expect(page.locator(".messages")).to_contain_text("is saved")
    screenshot(page, "extraction-studies-extractor")
    assert Extraction.objects.count() == 2

    boss.goto(f"{live_server.url}{BASE}/extraction/")
    boss.get_by_role("link", name="decide").click()
    differs = boss.locator("tr.differs")
    expect(differs).to_have_count(1)
    expect(differs).to_contain_text("Design")
    screenshot(boss, "extraction-consensus")
    boss.get_by_label("Design").select_option("RCT")
    boss.get_by_role("button", name="Save the consensus").click()
    expect(boss.locator(".messages")).to_contain_text("Consensus on study")
    assert Consensus.objects.get(reference_id=included).values["Design"] == "RCT"

    boss.goto(f"{live_server.url}{BASE}/extraction/summary/")
    expect(boss.locator("[data-studies]")).to_have_text("1")
    expect(boss.locator("svg.bar-chart")).to_have_count(3)  # Randomised, Design, Outcomes
    expect(boss.locator("section.summary-field", has_text="Design")).to_contain_text("100.0")
    screenshot(boss, "extraction-summary")
