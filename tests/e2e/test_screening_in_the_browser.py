"""Reviewers screen with the keyboard only; the lead settles their conflicts with the keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from screening.models import Reference, Resolution, Vote
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BASE = "/projects/microcredentials"
TA = "title_abstract"


def _screen_five(page, keys: str) -> list[int]:
    """Press each key on the screening page; the reference voted on each time, in order."""
    voted = []
    for key in keys:
        reference = int(page.locator("article.reference").get_attribute("data-reference"))
        page.keyboard.press(key)
        vote = {"i": "include", "e": "exclude", "m": "maybe"}[key]
        expect(page.locator("#screen-status")).to_contain_text(
            f"Voted {vote} on reference {reference}."
        )
        expect(page.locator(f'article.reference[data-reference="{reference}"]')).to_have_count(0)
        voted.append(reference)
    return voted


def test_two_reviewers_screen_by_key_and_the_lead_settles_the_conflicts(
    live_server, log_in, demo_imports, lead, reviewer_a, reviewer_b
) -> None:
    a = log_in(reviewer_a)
    a.goto(f"{live_server.url}{BASE}/screen/")
    expect(a.get_by_role("heading", name="Screening: title and abstract")).to_be_visible()
    screenshot(a, "screen-reviewer-a-first")
    by_a = _screen_five(a, "ieime")
    # U goes back to the last reference with one's own vote; E again keeps it.
    a.keyboard.press("u")
    expect(a.locator("form.vote")).to_contain_text("Your vote: exclude")
    assert int(a.locator("article.reference").get_attribute("data-reference")) == by_a[-1]
    screenshot(a, "screen-reviewer-a-undo")

    b = log_in(reviewer_b)
    b.goto(f"{live_server.url}{BASE}/screen/")
    by_b = _screen_five(b, "iieme")
    assert by_b == by_a  # each reference needs two votes: B is given A's five
    screenshot(b, "screen-reviewer-b-after-five")

    first = Reference.objects.order_by("id").first().pk
    votes = dict(
        Vote.objects.filter(reference_id__in=by_a, reviewer=reviewer_b).values_list(
            "reference_id", "vote"
        )
    )
    assert [votes[r] for r in by_b] == ["include", "include", "exclude", "maybe", "exclude"]
    assert by_a[0] == first

    boss = log_in(lead)
    boss.goto(f"{live_server.url}{BASE}/conflicts/")
    # A: i e i m e; B: i i e m e -> the second and third disagree.
    expect(boss.locator("article.conflict")).to_have_count(2)
    screenshot(boss, "conflicts-two")
    boss.keyboard.press("i")
    expect(boss.locator(".messages")).to_contain_text(f"Reference {by_a[1]}: included")
    boss.keyboard.press("e")
    expect(boss.locator(".messages")).to_contain_text(f"Reference {by_a[2]}: excluded")
    expect(boss.get_by_text("No conflicts")).to_be_visible()
    screenshot(boss, "conflicts-none-left")
    assert dict(Resolution.objects.values_list("reference_id", "decision")) == {
        by_a[1]: "include",
        by_a[2]: "exclude",
    }


def test_a_note_typed_after_n_is_text_not_keys(
    live_server, log_in, demo_imports, reviewer_a
) -> None:
    page = log_in(reviewer_a)
    page.goto(f"{live_server.url}{BASE}/screen/")
    reference = int(page.locator("article.reference").get_attribute("data-reference"))
    page.keyboard.press("n")
    page.keyboard.type("mixed methods; exclude if no microcredential")
    page.keyboard.press("Escape")
    page.keyboard.press("m")
    expect(page.locator("#screen-status")).to_contain_text(f"Voted maybe on reference {reference}.")
    vote = Vote.objects.get(reference_id=reference, reviewer=reviewer_a)
    assert (vote.vote, vote.note) == ("maybe", "mixed methods; exclude if no microcredential")


def test_the_page_fits_a_phone(live_server, log_in, demo_imports, reviewer_a) -> None:
    page = log_in(reviewer_a, width=390, height=844)
    page.goto(f"{live_server.url}{BASE}/screen/")
    include = page.get_by_role("button", name="Include")
    expect(include).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "screen-phone")


def test_at_full_text_the_pdf_is_inline_and_a_digit_excludes_for_that_reason(
    live_server, log_in, api, demo_imports, lead, reviewer_a, reviewer_b
) -> None:
    import io

    from tests.pdfs import pdf_with_text

    reference = api(lead).get(f"{BASE}/references", limit=1).json()["items"][0]["id"]
    for who in (reviewer_a, reviewer_b):
        api(who).post(f"{BASE}/references/{reference}/votes", {"stage": TA, "vote": "include"})
    pdf = io.BytesIO(pdf_with_text("Digital badges for nurses: the full text"))
    pdf.name = "full-text.pdf"
    assert (
        api(lead).upload(f"{BASE}/references/{reference}/report", {"file": pdf}).status_code == 201
    )
    for name in ("Not microcredentials", "Wrong population"):
        api(lead).post(f"{BASE}/exclusion-reasons", {"name": name})

    page = log_in(reviewer_a)
    page.goto(f"{live_server.url}{BASE}/screen/?stage=full_text")
    expect(page.locator("article.reference")).to_have_attribute("data-reference", str(reference))
    frame = page.locator("iframe.full-text")
    expect(frame).to_be_visible()
    assert frame.get_attribute("src").endswith(f"/references/{reference}/report.pdf")
    expect(page.locator("fieldset.reasons")).to_contain_text("2 Wrong population")
    screenshot(page, "screen-full-text")
    page.keyboard.press("2")
    expect(page.locator("#screen-status")).to_contain_text(
        f"Voted exclude on reference {reference}."
    )
    vote = Vote.objects.get(reference_id=reference, reviewer=reviewer_a, stage="full_text")
    assert (vote.vote, vote.reason.name) == ("exclude", "Wrong population")
    expect(page.locator(".nothing-left")).to_be_visible()


# The vote queue: nothing lost, and the page says what happened (issue 15) ---------------------

VOTE_URL = "**/screen/*/vote/"


def _shown(page) -> int:
    return int(page.locator("#screen-card article.reference").get_attribute("data-reference"))


def _queue(page):  # noqa: ANN202 - a Playwright Locator
    return page.locator("#vote-queue")


def _full_text_ready(api, lead, reviewers) -> int:
    """A reference through title and abstract with its PDF uploaded, and two reasons listed."""
    import io

    from tests.pdfs import pdf_with_text

    reference = api(lead).get(f"{BASE}/references", limit=1).json()["items"][0]["id"]
    for who in reviewers:
        api(who).post(f"{BASE}/references/{reference}/votes", {"stage": TA, "vote": "include"})
    pdf = io.BytesIO(pdf_with_text("Digital badges for nurses: the full text"))
    pdf.name = "full-text.pdf"
    assert (
        api(lead).upload(f"{BASE}/references/{reference}/report", {"file": pdf}).status_code == 201
    )
    for name in ("Not microcredentials", "Wrong population"):
        api(lead).post(f"{BASE}/exclusion-reasons", {"name": name})
    return reference


def test_keys_work_after_clicking_into_the_pdf_viewer(
    live_server, log_in, api, demo_imports, lead, reviewer_a, reviewer_b
) -> None:
    reference = _full_text_ready(api, lead, (reviewer_a, reviewer_b))
    page = log_in(reviewer_a)
    page.goto(f"{live_server.url}{BASE}/screen/?stage=full_text")
    frame = page.locator("iframe.full-text")
    expect(frame).to_be_visible()
    frame.click()
    # The click took the keyboard into the viewer; the page takes it back.
    page.wait_for_function("document.activeElement && document.activeElement.id === 'screen-card'")
    page.keyboard.press("2")
    expect(page.locator("#screen-status")).to_contain_text(
        f"Voted exclude on reference {reference}."
    )
    vote = Vote.objects.get(reference_id=reference, reviewer=reviewer_a, stage="full_text")
    assert (vote.vote, vote.reason.name) == ("exclude", "Wrong population")
