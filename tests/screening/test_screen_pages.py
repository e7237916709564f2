"""The screening, conflicts and settings pages, through Django's test client (the keys and the
browser itself are tests/e2e)."""

from __future__ import annotations

import pytest

from screening.models import AuditEvent, Resolution, Vote

pytestmark = pytest.mark.django_db

BASE = "/projects/microcredentials"
TA = "title_abstract"
HTMX = {"HX-Request": "true"}


def _first(api, lead) -> int:
    return api(lead).get(f"{BASE}/references", limit=1).json()["items"][0]["id"]


def test_the_page_shows_the_next_reference_and_a_vote_brings_the_following(
    browser_client, demo_imports, api, lead, reviewer_a, django_assert_max_num_queries
) -> None:
    client = browser_client(reviewer_a)
    page = client.get(f"{BASE}/screen/")
    first = _first(api, lead)
    assert page.status_code == 200
    assert f"reference {first}" in page.content.decode()
    with django_assert_max_num_queries(22):
        answer = client.post(
            f"{BASE}/screen/{first}/vote/", {"stage": TA, "vote": "exclude"}, headers=HTMX
        )
    html = answer.content.decode()
    assert f"Voted exclude on reference {first}." in html
    assert f"reference {first}" not in html.replace(f"on reference {first}.", "")
    assert f"reference={first}" in html  # U goes back to it
    assert Vote.objects.get(reference_id=first, reviewer=reviewer_a).vote == "exclude"


def test_without_script_a_vote_redirects_to_the_next(
    browser_client, demo_imports, api, lead, reviewer_a
) -> None:
    first = _first(api, lead)
    answer = browser_client(reviewer_a).post(
        f"{BASE}/screen/{first}/vote/", {"stage": TA, "vote": "include"}
    )
    assert answer.status_code == 302
    assert f"previous={first}" in answer.url


def test_going_back_shows_one_s_own_vote_only(
    browser_client, api, demo_imports, lead, reviewer_a, reviewer_b
) -> None:
    first = _first(api, lead)
    api(reviewer_a).post(
        f"{BASE}/references/{first}/votes", {"stage": TA, "vote": "include", "note": "A's secret"}
    )
    api(reviewer_b).post(f"{BASE}/references/{first}/votes", {"stage": TA, "vote": "exclude"})
    page = browser_client(reviewer_b).get(f"{BASE}/screen/", {"reference": first}).content.decode()
    assert "Your vote: <strong>exclude</strong>" in page
    assert "A&#x27;s secret" not in page
    assert "A's secret" not in page


def test_a_refused_vote_is_said_on_the_card(
    browser_client, demo_imports, api, lead, reviewer_a
) -> None:
    first = _first(api, lead)
    answer = browser_client(reviewer_a).post(
        f"{BASE}/screen/{first}/vote/", {"stage": TA, "vote": "perhaps"}, headers=HTMX
    )
    assert answer.status_code == 200
    assert "vote must be include, exclude or maybe." in answer.content.decode()
    assert not Vote.objects.exists()


def test_terms_are_highlighted_and_settings_are_audited(
    browser_client, demo_imports, lead, reviewer_a
) -> None:
    saved = browser_client(lead).post(
        f"{BASE}/settings/",
        {
            "eligibility_criteria": "Health professionals",
            "include_terms": "microcredential*",
            "exclude_terms": "undergraduate",
        },
        follow=True,
    )
    assert "Saved" in saved.content.decode()
    assert AuditEvent.objects.filter(verb="project.screening_settings").count() == 1
    page = browser_client(reviewer_a).get(f"{BASE}/screen/").content.decode()
    assert '<mark class="term-include">' in page
    assert "Health professionals" in page
    assert browser_client(reviewer_a).get(f"{BASE}/settings/").status_code == 403


def test_the_lead_resolves_a_conflict_on_its_page(
    browser_client, api, demo_imports, lead, reviewer_a, reviewer_b
) -> None:
    first = _first(api, lead)
    api(reviewer_a).post(
        f"{BASE}/references/{first}/votes", {"stage": TA, "vote": "include", "note": "fits"}
    )
    api(reviewer_b).post(f"{BASE}/references/{first}/votes", {"stage": TA, "vote": "exclude"})
    assert browser_client(reviewer_a).get(f"{BASE}/conflicts/").status_code == 403
    page = browser_client(lead).get(f"{BASE}/conflicts/").content.decode()
    assert "reviewer_a" in page
    assert "fits" in page
    done = (
        browser_client(lead)
        .post(
            f"{BASE}/conflicts/",
            {"reference": first, "stage": TA, "decision": "include"},
            follow=True,
        )
        .content.decode()
    )
    assert f"Reference {first}: included" in done
    assert "No conflicts" in done
    assert Resolution.objects.get(reference_id=first).decision == "include"


def test_outsiders_get_404_on_the_new_pages(
    browser_client, demo_imports, outsider, api, lead
) -> None:
    client = browser_client(outsider)
    first = _first(api, lead)
    for path in ["screen/", "conflicts/", "settings/", f"references/{first}/report.pdf"]:
        assert client.get(f"{BASE}/{path}").status_code == 404, path
