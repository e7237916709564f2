"""The Agreement & PRISMA page shows the numbers the API gives, and its SVG downloads."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BASE = "/projects/microcredentials"
TA = "title_abstract"


def test_the_prisma_page_matches_the_api_and_downloads_its_svg(
    live_server, log_in, api, demo_imports, lead, reviewer_a, reviewer_b, tmp_path
) -> None:
    refs = [r["id"] for r in api(lead).get(f"{BASE}/references", limit=4).json()["items"]]
    for reference, (va, vb) in zip(refs, [("include", "include"), ("exclude", "exclude"),
                                          ("include", "exclude"), ("maybe", "include")], strict=True):  # fmt: skip
        api(reviewer_a).post(f"{BASE}/references/{reference}/votes", {"stage": TA, "vote": va})
        api(reviewer_b).post(f"{BASE}/references/{reference}/votes", {"stage": TA, "vote": vb})
    expected = api(lead).get(f"{BASE}/prisma").json()
    agreement = api(lead).get(f"{BASE}/agreement", stage=TA).json()

    page = log_in(lead)
    page.goto(f"{live_server.url}{BASE}/report/")
    for name in ("database_results", "duplicates", "records_screened", "records_excluded",
                 "dbr_assessed", "total_studies"):  # fmt: skip
        expect(page.locator(f'dd[data-count="{name}"]')).to_have_text(str(expected[name]))
    # 3 of 4 agree (maybe = include); the page says so, and the kappa in words.
    summary = page.locator(".agreement-summary").first
    expect(summary).to_contain_text(f"{agreement['percent_agreement']:.1f}%")
    expect(summary).to_contain_text(f"{agreement['cohen_kappa']:.3f}")
    expect(page.locator(".prisma-diagram svg")).to_be_visible()
    screenshot(page, "report-agreement-and-prisma")

    with page.expect_download() as download:
        page.get_by_role("link", name="diagram (SVG)").click()
    saved = tmp_path / "prisma.svg"
    download.value.save_as(saved)
    svg = saved.read_text()
    assert "<svg" in svg
    assert f"(n = {expected['records_screened']})" in svg


def test_a_reviewer_may_not_open_the_report(live_server, log_in, demo_imports, reviewer_a) -> None:
    page = log_in(reviewer_a)
    answer = page.goto(f"{live_server.url}{BASE}/report/")
    assert answer.status == 403


def test_the_dashboard_draws_agreement_and_prisma_live(
    live_server, log_in, demo_imports, lead
) -> None:
    page = log_in(lead)
    page.goto(f"{live_server.url}{BASE}/")
    expect(page.locator(".live-report .prisma-diagram svg")).to_be_visible()
    expect(page.locator(".live-report")).to_contain_text("No reference has two votes")
    screenshot(page, "dashboard-lead-live-report")
