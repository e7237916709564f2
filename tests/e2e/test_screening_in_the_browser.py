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


def _until(page, condition, timeout: float = 10.0) -> None:
    """Wait for a condition the test itself sees (a route handled, a row written): Playwright's
    handlers run while the page is waited on, so the wait gives them their turn."""
    import time

    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "the condition did not come true in time"
        page.wait_for_timeout(20)


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
    # (Not wait_for_function: Playwright evaluates its string with eval, which the pages'
    # Content-Security-Policy refuses.)
    expect(page.locator("#screen-card")).to_be_focused()
    page.keyboard.press("2")
    expect(page.locator("#screen-status")).to_contain_text(
        f"Voted exclude on reference {reference}."
    )
    vote = Vote.objects.get(reference_id=reference, reviewer=reviewer_a, stage="full_text")
    assert (vote.vote, vote.reason.name) == ("exclude", "Wrong population")


def test_five_e_keys_40_ms_apart_record_five_votes_on_five_references(
    live_server, log_in, demo_imports, reviewer_a
) -> None:
    page = log_in(reviewer_a)
    page.goto(f"{live_server.url}{BASE}/screen/")
    expect(page.locator("#screen-card article.reference")).to_be_visible()
    # The reference each key met, noted before the page's own handler moves on.
    page.evaluate(
        """() => {
          window.__met = [];
          window.addEventListener("keydown", () => window.__met.push(Number(
            document.querySelector("#screen-card article.reference").dataset.reference)), true);
        }"""
    )
    # The first vote's answer is held until the five keys are pressed: on a server slower than
    # this one's 20 ms, each key comes while a vote is on its way.
    held = []
    page.route(VOTE_URL, lambda route: held.append(route) if not held else route.continue_())
    for _ in range(5):
        page.keyboard.press("e")
        page.wait_for_timeout(40)  # the reviewer's pace under test, not a wait for the page
    _until(page, lambda: held)
    held[0].continue_()
    expect(_queue(page)).to_contain_text("All votes saved.")
    met = page.evaluate("window.__met")
    votes = list(
        Vote.objects.filter(reviewer=reviewer_a).order_by("id").values_list("reference_id", "vote")
    )
    assert votes == [(reference, "exclude") for reference in met]
    assert len(set(met)) == 5
    assert met == sorted(met)  # in the order they were shown, which is import order
    expect(page.locator("#screen-card .my-votes")).to_have_text("5 votes")


def test_a_slow_answer_keeps_the_vote_unsaved_until_it_comes_and_keys_queue_behind(
    live_server, log_in, demo_imports, reviewer_a
) -> None:
    page = log_in(reviewer_a)
    page.goto(f"{live_server.url}{BASE}/screen/")
    held = []
    page.route(VOTE_URL, lambda route: held.append(route) if not held else route.continue_())
    first = _shown(page)
    page.keyboard.press("i")
    expect(page.locator("#screen-card article.reference")).not_to_have_attribute(
        "data-reference", str(first)
    )
    second = _shown(page)
    page.keyboard.press("m")
    expect(_queue(page).locator(".vote-queue-text")).to_have_text("Saving 2 votes…")
    _until(page, lambda: held)
    assert len(held) == 1
    assert not Vote.objects.exists()  # nothing is said saved while the answer is on its way
    page.wait_for_timeout(2000)  # the slow server under test, not a wait for the page
    expect(_queue(page).locator(".vote-queue-text")).to_have_text("Saving 2 votes…")
    held[0].continue_()
    expect(_queue(page)).to_contain_text("All votes saved.")
    votes = list(Vote.objects.order_by("id").values_list("reference_id", "vote"))
    assert votes == [(first, "include"), (second, "maybe")]


def test_a_vote_lost_to_the_network_stays_queued_says_so_and_goes_on_retry(
    live_server, log_in, demo_imports, reviewer_a
) -> None:
    page = log_in(reviewer_a)
    page.goto(f"{live_server.url}{BASE}/screen/")
    network = {"down": True}

    def vote(route) -> None:
        if network["down"]:
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route(VOTE_URL, vote)
    first = _shown(page)
    page.keyboard.press("i")
    second = _shown(page)
    page.keyboard.press("e")  # the reviewer goes on: this one queues behind
    expect(_queue(page)).to_have_attribute("data-state", "waiting")
    expect(_queue(page)).to_contain_text(
        f"Not saved yet: 2 votes (the first on reference {first}) wait here. The connection failed"
    )
    expect(page.get_by_role("button", name="Retry now")).to_be_visible()
    assert page.locator("#screen-card article.reference").get_attribute("data-reference") not in {
        str(first),
        str(second),
    }
    screenshot(page, "screen-vote-not-saved-yet")
    assert not Vote.objects.exists()
    network["down"] = False
    page.get_by_role("button", name="Retry now").click()
    expect(_queue(page)).to_contain_text("All votes saved.")
    votes = list(Vote.objects.order_by("id").values_list("reference_id", "vote"))
    assert votes == [(first, "include"), (second, "exclude")]


def test_a_server_error_is_never_shown_raw_and_the_vote_is_sent_again(
    live_server, log_in, demo_imports, reviewer_a
) -> None:
    page = log_in(reviewer_a)
    page.goto(f"{live_server.url}{BASE}/screen/")
    failures = []

    def vote(route) -> None:
        if not failures:
            failures.append(route.request.url)
            route.fulfill(status=500, body="<h1>Server Error</h1><pre>Traceback: secret</pre>")
        else:
            route.continue_()

    page.route(VOTE_URL, vote)
    first = _shown(page)
    page.keyboard.press("e")
    expect(_queue(page)).to_contain_text("The server failed (error 500)")
    expect(page.locator("#screen-card article.reference")).to_be_visible()
    assert "Traceback" not in page.content()
    # Retried by itself, after a second.
    expect(_queue(page)).to_contain_text("All votes saved.")
    assert "Traceback" not in page.content()
    assert list(Vote.objects.values_list("reference_id", "vote")) == [(first, "exclude")]


def test_a_vote_refused_with_409_is_dropped_and_the_page_says_why(
    live_server, log_in, api, project, demo_imports, reviewer_a, reviewer_b
) -> None:
    from tests.factories import MembershipFactory

    page = log_in(reviewer_a)
    page.goto(f"{live_server.url}{BASE}/screen/")
    taken = _shown(page)
    # Two others decide the reference on A's screen while A reads it.
    reviewer_c = MembershipFactory(project=project, user__username="reviewer_c").user
    for who in (reviewer_b, reviewer_c):
        api(who).post(f"{BASE}/references/{taken}/votes", {"stage": TA, "vote": "include"})
    page.keyboard.press("e")
    dropped = page.locator("#vote-dropped li")
    expect(dropped).to_have_count(1)
    refusal = api(reviewer_a).post(
        f"{BASE}/references/{taken}/votes", {"stage": TA, "vote": "exclude"}
    )
    assert refusal.status_code == 409
    expect(dropped).to_contain_text(f"Not recorded: your vote “exclude” on reference {taken}")
    expect(dropped).to_contain_text(refusal.json()["detail"])
    expect(_queue(page)).to_contain_text("Votes are saved as you go.")
    screenshot(page, "screen-vote-refused-409")
    # The page moved on, and the queue goes on with the next vote.
    following = _shown(page)
    assert following != taken
    page.keyboard.press("i")
    expect(_queue(page)).to_contain_text(
        f"All votes saved. Voted include on reference {following}."
    )
    assert list(Vote.objects.filter(reviewer=reviewer_a).values_list("reference_id", "vote")) == [
        (following, "include")
    ]
    dropped.get_by_role("button", name="Dismiss").click()
    expect(dropped).to_have_count(0)


def test_an_expired_session_keeps_the_votes_through_the_login_and_comes_back_to_the_reference(
    live_server, log_in, demo_imports, reviewer_a
) -> None:
    from django.contrib.sessions.models import Session

    from tests.conftest import PASSWORD

    page = log_in(reviewer_a)
    page.goto(f"{live_server.url}{BASE}/screen/")
    first = _shown(page)
    Session.objects.all().delete()  # the session ends on the server
    page.keyboard.press("i")
    second = _shown(page)
    page.keyboard.press("e")
    reading = _shown(page)
    expect(_queue(page)).to_have_attribute("data-state", "login")
    expect(_queue(page)).to_contain_text(
        "Not saved yet: your session has ended, and 2 votes (the first on reference "
        f"{first}) wait here."
    )
    assert "Password" not in page.locator("#screen-card").inner_text()  # no login form in the card
    screenshot(page, "screen-vote-session-ended")
    assert not Vote.objects.exists()
    page.get_by_role("link", name="Log in again").click()
    page.get_by_label("Username").fill(reviewer_a.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#screen-card article.reference")).to_have_attribute(
        "data-reference", str(reading)
    )
    expect(_queue(page)).to_contain_text("All votes saved.")
    votes = list(Vote.objects.order_by("id").values_list("reference_id", "vote"))
    assert votes == [(first, "include"), (second, "exclude")]


def test_the_next_reference_starts_at_its_top(
    live_server, log_in, demo_imports, reviewer_a
) -> None:
    page = log_in(reviewer_a, width=800, height=420)
    page.goto(f"{live_server.url}{BASE}/screen/")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    _wait_until_scrolled_past(page, 200)
    first = _shown(page)
    page.keyboard.press("i")
    expect(page.locator("#screen-card article.reference")).not_to_have_attribute(
        "data-reference", str(first)
    )
    top = page.evaluate("document.getElementById('reference-title').getBoundingClientRect().top")
    assert 0 <= top < 420


def _wait_until_scrolled_past(page: object, pixels: int) -> None:
    """Poll the page's scroll position (page.evaluate is not subject to the page's CSP, which
    refuses wait_for_function's eval) until it is past `pixels`, for at most 5 s."""
    for _ in range(100):
        if page.evaluate("window.scrollY") > pixels:
            return
        page.wait_for_timeout(50)
    pytest.fail(f"the page never scrolled past {pixels} px")
