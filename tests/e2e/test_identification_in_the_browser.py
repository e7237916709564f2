"""An admin imports an export and watches its job; a lead finds duplicates, then merges and
unmerges a pair with the keyboard."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from screening.models import DuplicateCandidate, Reference, Search
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BASE = "/projects/microcredentials"
DEMO = Path(__file__).resolve().parents[2] / "screening" / "demo"


def _import(page, live_server, filename: str, database: str) -> None:
    page.goto(f"{live_server.url}{BASE}/import/")
    page.locator("input[name=file]").set_input_files(str(DEMO / filename))
    page.locator("input[name=database]").fill(database)
    page.get_by_role("button", name="Import").click()
    page.wait_for_url("**/jobs/**")


def test_an_admin_imports_an_export_and_sees_what_was_read(live_server, log_in, admin) -> None:
    page = log_in(admin)
    _import(page, live_server, "pubmed_microcredentials.nbib", "PubMed")
    status = page.locator("#job-status")
    expect(status).to_contain_text("Done")
    expect(status).to_contain_text("12 records read from pubmed_microcredentials.nbib")
    expect(page.locator("#job-status table tbody tr")).to_have_count(10)
    screenshot(page, "import-done")
    assert Search.objects.get().record_count == 12


def test_a_refused_file_says_why_and_stores_nothing(live_server, log_in, admin, tmp_path) -> None:
    page = log_in(admin)
    bad = tmp_path / "not-an-export.ris"
    bad.write_text("Dear colleague,\nplease find our results attached.\n")
    page.goto(f"{live_server.url}{BASE}/import/")
    page.locator("input[name=file]").set_input_files(str(bad))
    page.locator("input[name=database]").fill("Embase")
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#job-status")).to_contain_text("not-an-export.ris is in no export format")
    expect(page.locator("#job-status")).to_contain_text("Nothing was stored from this file.")
    screenshot(page, "import-refused")
    assert not Search.objects.exists()


def test_a_lead_finds_duplicates_merges_a_pair_by_key_and_unmerges_it(
    live_server, log_in, demo_imports, lead
) -> None:
    page = log_in(lead)
    page.goto(f"{live_server.url}{BASE}/duplicates/")
    page.get_by_role("button", name="Find duplicates now").click()
    expect(page.locator("#job-status")).to_contain_text("9 duplicate records merged")
    # One pair dedup was not asked about, put to the lead as an unsure one.
    first, second = Reference.objects.active().order_by("id")[:2]
    DuplicateCandidate.objects.create(
        project=first.project, references=[first.pk, second.pk], score=0.8, reasons=["title 0.80"]
    )
    page.goto(f"{live_server.url}{BASE}/duplicates/")
    expect(page.locator("[data-first-set]")).to_contain_text("title 0.80")
    screenshot(page, "duplicates-pending")
    page.keyboard.press("m")
    expect(page.locator(".messages")).to_contain_text("Merged")
    assert Reference.objects.get(pk=second.pk).merged_into_id == first.pk
    # The merged sets, the automatic ones first (score 1.00): unmerge this one by its button.
    page.goto(f"{live_server.url}{BASE}/duplicates/?status=merged")
    ours = page.locator("section.duplicate-set", has_text="title 0.80")
    expect(ours).to_contain_text(f"merged by {lead.username}")
    ours.get_by_role("button", name="Unmerge").click()
    ours.get_by_role("button", name="Yes, unmerge").click()  # it asks first
    expect(page.locator(".messages")).to_contain_text("Unmerged")
    assert Reference.objects.get(pk=second.pk).merged_into_id is None
    screenshot(page, "duplicates-unmerged")


def test_a_lead_merges_duplicates_decided_differently_keeping_one_references_decisions(
    live_server, log_in, demo_imports, lead, reviewer_a
) -> None:
    from screening.services.screening import vote_cast

    first, second = Reference.objects.active().order_by("id")[:2]
    vote_cast(reference=first, reviewer=reviewer_a, stage="title_abstract", vote="include")
    vote_cast(reference=second, reviewer=reviewer_a, stage="title_abstract", vote="exclude")
    DuplicateCandidate.objects.create(
        project=first.project, references=[first.pk, second.pk], score=0.97, reasons=["same DOI"]
    )
    page = log_in(lead)
    page.goto(f"{live_server.url}{BASE}/duplicates/")
    differences = page.get_by_role("note")
    expect(differences).to_contain_text("reviewer_a at title/abstract")
    expect(differences).to_contain_text(f"exclude on reference {second.pk}")
    expect(page.get_by_role("button", name="Merge", exact=True)).to_have_count(0)
    for reference in (first, second):  # each column names the sources of its own records
        header = page.get_by_role("columnheader", name=f"Reference {reference.pk} ")
        for record in reference.records.all():
            expect(header).to_contain_text(f"{record.search.database} · {record.search.filename}")
    screenshot(page, "duplicates-decided-differently")
    page.keyboard.press("m")  # no key chooses which reference stays
    page.wait_for_load_state("networkidle")  # a submitted form would have loaded a page by now
    expect(page.locator(".messages")).to_have_count(0)
    assert Reference.objects.get(pk=second.pk).merged_into_id is None
    page.get_by_role("button", name=f"Merge, keeping reference {second.pk}").click()
    expect(page.locator(".messages")).to_contain_text("Merged")
    assert Reference.objects.get(pk=first.pk).merged_into_id == second.pk
    assert second.votes.get().vote == "exclude"
