"""The lead's stopping aid page: figures in words, the forms, errors beside their fields, and
refusals for reviewers and outsiders."""

from __future__ import annotations

import csv
import io

import pytest

from screening.models import ScreeningStop, StoppingSample
from tests.screening.stopping_setup import ranked_with_settled_includes, settle_open_sample

pytestmark = pytest.mark.django_db

PAGE = "/projects/microcredentials/stopping/"
TA = "title_abstract"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def ranked(project, reviewer_a, reviewer_b) -> list[int]:
    return ranked_with_settled_includes(project, (reviewer_a, reviewer_b))


def test_the_lead_sees_the_figures_and_the_proposed_sample(browser_client, lead, ranked) -> None:
    page = browser_client(lead).get(PAGE)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Stopping aid: title and abstract" in text
    assert "a random sample of <strong>8</strong> of the 10 references" in text
    assert 'name="reason"' not in text.split("Stop screening")[0]


def test_the_dashboard_links_the_page_for_leads_only(
    browser_client, lead, reviewer_a, ranked
) -> None:
    assert PAGE in browser_client(lead).get("/projects/microcredentials/").content.decode()
    assert (
        PAGE not in browser_client(reviewer_a).get("/projects/microcredentials/").content.decode()
    )


def test_a_sample_a_stop_and_its_reversal_through_the_page(
    browser_client, project, lead, reviewer_a, reviewer_b, ranked
) -> None:
    client = browser_client(lead)
    drawn = client.post(PAGE, {"action": "sample", "size": ""}, **HTMX)
    assert drawn.status_code == 200
    assert "Random sample 1 drawn: 8 references" in drawn.content.decode()
    assert "<strong>0 of 8</strong>" in drawn.content.decode()
    settle_open_sample(project, (reviewer_a, reviewer_b))
    text = client.get(PAGE).content.decode()
    assert "Recall reached is at least" in text
    assert "% confidence (p = " in text

    missing = client.post(PAGE, {"action": "stop", "reason": ""}, **HTMX)
    assert missing.status_code == 200  # htmx swaps the panel with the error beside the field
    assert 'id="stop-error"' in missing.content.decode()
    assert "Give the reason" in missing.content.decode()
    assert not ScreeningStop.objects.exists()

    stopped = client.post(PAGE, {"action": "stop", "reason": "Clean sample"})
    assert stopped.status_code == 302
    text = client.get(PAGE).content.decode()
    assert "Screening of title and abstract is stopped" in text
    assert "random-sample stopping test (Callaghan &amp; Müller-Hansen 2020)" in text
    assert "“Clean sample”" in text

    reversed_ = client.post(PAGE, {"action": "reverse", "reason": "Too early"}, **HTMX)
    assert "The stop is reversed: 2 references are back in the queue" in reversed_.content.decode()
    assert ScreeningStop.objects.get().reversed_at is not None
    assert "Stops taken back" in reversed_.content.decode()
    assert "(“Too early”)" in reversed_.content.decode()


def test_a_stop_without_a_sample_is_refused_beside_the_form(browser_client, lead, ranked) -> None:
    answer = browser_client(lead).post(PAGE, {"action": "stop", "reason": "Tired"})
    assert answer.status_code == 400
    text = answer.content.decode()
    assert 'id="stop-error"' in text
    assert "A stop needs its evidence" in text
    assert "Tired" in text  # the reason typed is kept
    assert not ScreeningStop.objects.exists()


def test_a_bad_sample_size_is_named_beside_its_field(browser_client, lead, ranked) -> None:
    answer = browser_client(lead).post(PAGE, {"action": "sample", "size": "many"}, **HTMX)
    assert 'id="sample-error"' in answer.content.decode()
    assert "whole number" in answer.content.decode()
    assert not StoppingSample.objects.exists()


def test_reviewers_are_refused_and_outsiders_not_told(
    browser_client, reviewer_a, outsider, ranked
) -> None:
    assert browser_client(reviewer_a).get(PAGE).status_code == 403
    refused = browser_client(reviewer_a).post(PAGE, {"action": "stop", "reason": "x"})
    assert refused.status_code == 403
    assert browser_client(outsider).get(PAGE).status_code == 404
    assert not ScreeningStop.objects.exists()


def test_the_report_names_the_stop_and_gives_the_methods_text(
    browser_client, project, lead, reviewer_a, reviewer_b, ranked
) -> None:
    client = browser_client(lead)
    before = client.get("/projects/microcredentials/report/").content.decode()
    assert 'id="automation-footnote"' not in before
    assert "no stopping rule was applied" in before
    client.post(PAGE, {"action": "sample", "size": ""})
    settle_open_sample(project, (reviewer_a, reviewer_b))
    client.post(PAGE, {"action": "stop", "reason": "Clean sample"})
    report = client.get("/projects/microcredentials/report/").content.decode()
    assert 'id="automation-footnote"' in report
    assert "Records marked as ineligible by automation tools (2)" in report
    table = client.get("/projects/microcredentials/downloads/prisma.csv").content.decode()
    rows = {row["data"]: row["n"] for row in csv.DictReader(io.StringIO(table))}
    assert (rows["excluded_automatic"], rows["records_screened"]) == ("2", "28")
    svg = client.get("/projects/microcredentials/downloads/prisma.svg").content.decode()
    assert "automation tools" in svg
    text = client.get("/projects/microcredentials/report/methods.txt")
    assert text["Content-Type"].startswith("text/plain")
    body = text.content.decode()
    assert "random-sample stopping test (Callaghan & Müller-Hansen 2020)" in body
    assert "Reason given: “Clean sample”" in body
    assert "The 2 records left unscreened are reported as records marked as ineligible" in body
    assert "ranked order (prioritised screening)" in body
    assert (
        browser_client(reviewer_a).get("/projects/microcredentials/report/methods.txt").status_code
        == 403
    )


def test_the_dashboard_says_which_pending_references_are_stopped(
    browser_client, project, lead, reviewer_a, reviewer_b, ranked
) -> None:
    client = browser_client(lead)
    assert (
        "left unscreened by the lead's stop"
        not in client.get("/projects/microcredentials/").content.decode()
    )
    client.post(PAGE, {"action": "sample", "size": ""})
    settle_open_sample(project, (reviewer_a, reviewer_b))
    client.post(PAGE, {"action": "stop", "reason": "Clean sample"})
    for who in (lead, reviewer_a):
        html = browser_client(who).get("/projects/microcredentials/").content.decode()
        assert "of which 2 left unscreened by the lead's stop" in html


def test_the_reference_list_marks_the_stopped_references(
    browser_client, project, lead, reviewer_a, reviewer_b, ranked
) -> None:
    client = browser_client(lead)
    client.post(PAGE, {"action": "sample", "size": ""})
    settle_open_sample(project, (reviewer_a, reviewer_b))
    client.post(PAGE, {"action": "stop", "reason": "Clean sample"})
    listed = client.get("/projects/microcredentials/references/", {"status": "pending"})
    assert listed.content.decode().count("left unscreened by the lead's stop") == 2


def test_the_page_of_an_empty_project_draws_nothing_and_says_why(browser_client, lead) -> None:
    client = browser_client(lead)
    assert client.get(PAGE).status_code == 200
    answer = client.post(PAGE, {"action": "sample", "size": ""}, **HTMX)
    assert answer.status_code == 200
    assert 'id="sample-error"' in answer.content.decode()
    assert not StoppingSample.objects.exists()
