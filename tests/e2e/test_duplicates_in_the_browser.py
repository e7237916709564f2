"""A lead pages and searches the merged sets, unmerges one (the U key asks first: Esc keeps it,
Y unmerges) and undoes the unmerge; the Unmerge button asks the same question."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from screening.models import DuplicateCandidate, Reference
from tests.e2e.conftest import SHOTS, screenshot
from tests.screening import duplicate_sets

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE = "/projects/microcredentials/duplicates/"


def _placement() -> dict[int, int | None]:
    return dict(Reference.objects.values_list("pk", "merged_into_id"))


def test_the_merged_tab_is_paged_and_searched(live_server, log_in, project, lead) -> None:
    merged = duplicate_sets.pairs(project, 45, status="merged")
    page = log_in(lead)
    page.goto(f"{live_server.url}{PAGE}?status=merged")
    expect(page.locator("#set-count")).to_have_text("45 sets; page 1 of 3.")
    expect(page.locator("section.duplicate-set")).to_have_count(20)
    pager = page.get_by_role("navigation", name="Pages of duplicate sets")
    expect(pager).to_contain_text("page 1 of 3, 45 sets")
    header = page.locator("section.duplicate-set").first.get_by_role("columnheader").nth(1)
    expect(header).to_contain_text("PubMed · pubmed.nbib")
    screenshot(page, "duplicates-merged-paged")
    # The whole tab is long: the top (search, count) and the page links, as a person sees them.
    page.screenshot(path=str(SHOTS / "duplicates-merged-top.png"))
    pager.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "duplicates-merged-pager.png"))
    pager.get_by_role("link", name="Page 3").click()
    expect(page.locator("section.duplicate-set")).to_have_count(5)
    wanted = merged[7].references[1]  # the reference merged away, by its number
    page.get_by_role("searchbox").fill(f"#{wanted}")
    page.get_by_role("button", name="Find", exact=True).click()
    expect(page.locator("#set-count")).to_have_text(
        f"1 set holding a reference that matches “#{wanted}”."
    )
    expect(page.locator("section.duplicate-set")).to_have_count(1)
    expect(page.locator("[data-first-set] h2")).to_contain_text(f"Set {merged[7].pk}")
    screenshot(page, "duplicates-merged-searched")


def test_u_asks_before_unmerging_and_undo_merges_the_set_again(
    live_server, log_in, project, lead
) -> None:
    first = DuplicateCandidate.objects.get(
        pk=duplicate_sets.pairs(project, 3, status="merged")[0].pk
    )
    page = log_in(lead)
    page.goto(f"{live_server.url}{PAGE}?status=merged")
    before = _placement()
    question = page.locator("[data-first-set] [data-confirm]")
    expect(question).to_be_hidden()
    page.keyboard.press("u")
    expect(question).to_be_visible()
    expect(question).to_contain_text(f"Unmerge set {first.pk}?")
    page.keyboard.press("m")  # while it asks, no other key answers anything
    page.keyboard.press("Escape")
    expect(question).to_be_hidden()
    assert _placement() == before
    assert DuplicateCandidate.objects.get(pk=first.pk).status == "merged"

    page.keyboard.press("u")
    expect(question).to_be_visible()
    screenshot(page, "duplicates-unmerge-asks")
    page.keyboard.press("y")
    expect(page.locator(".messages")).to_contain_text(f"Unmerged set {first.pk}")
    assert Reference.objects.get(pk=first.references[1]).merged_into_id is None
    undo = page.get_by_role("form", name="Undo the unmerge")
    expect(undo).to_contain_text(f"keeping reference {first.survivor_id}")
    screenshot(page, "duplicates-undo-offered")
    undo.get_by_role("button", name="Undo").click()
    expect(page.locator(".messages")).to_contain_text(f"Set {first.pk} merged again")
    expect(page.get_by_role("form", name="Undo the unmerge")).to_have_count(0)
    again = DuplicateCandidate.objects.get(pk=first.pk)
    assert (again.status, again.survivor_id) == ("merged", first.survivor_id)
    assert _placement() == before

    # The button asks the same question; No leaves the set merged.
    second = page.locator("section.duplicate-set").nth(1)
    second.get_by_role("button", name="Unmerge").click()
    expect(second.get_by_role("group", name="Confirm the unmerge")).to_be_visible()
    second.get_by_role("button", name="No").click()
    expect(second.get_by_role("group", name="Confirm the unmerge")).to_be_hidden()
    expect(second.get_by_role("button", name="Unmerge")).to_be_focused()
    assert _placement() == before


def test_n_marks_a_set_not_duplicates_and_reopened_m_merges_it(
    live_server, log_in, project, lead
) -> None:
    candidate = duplicate_sets.pairs(project, 1)[0]
    page = log_in(lead)
    page.goto(f"{live_server.url}{PAGE}")
    page.keyboard.press("n")
    expect(page.locator(".messages")).to_contain_text("Marked as not duplicates")
    assert DuplicateCandidate.objects.get(pk=candidate.pk).status == "rejected"
    page.get_by_role("link", name="Not duplicates").click()
    page.get_by_role("button", name="Reopen").click()
    expect(page.locator(".messages")).to_contain_text(f"Set {candidate.pk} reopened")
    page.get_by_role("link", name="Waiting for a person").click()
    expect(page.locator("[data-first-set] h2")).to_contain_text(f"Set {candidate.pk}")
    page.keyboard.press("m")
    expect(page.locator(".messages")).to_contain_text("Merged")
    assert DuplicateCandidate.objects.get(pk=candidate.pk).status == "merged"
    assert (
        Reference.objects.get(pk=candidate.references[1]).merged_into_id
        == (candidate.references[0])
    )
