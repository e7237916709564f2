"""The extraction pages through Django's test client: roles, blinding, the form's parsing."""

from __future__ import annotations

import pytest

from extraction.models import Extraction
from tests.extraction.conftest import A_VALUES, BASE, CODEBOOK

pytestmark = pytest.mark.django_db


@pytest.fixture
def coded(api, lead) -> None:
    assert api(lead).put(f"{BASE}/codebook", {"fields": CODEBOOK}).status_code == 200


def test_the_form_turns_typed_text_into_values_and_shows_only_one_s_own(
    api, browser_client, studies, coded, reviewer_a, reviewer_b
) -> None:
    study = studies[0]
    api(reviewer_a).post(f"{BASE}/references/{study}/extractions", {"values": A_VALUES[0]})
    page = browser_client(reviewer_b).get(f"{BASE}/extraction/{study}/").content.decode()
    assert "Canada" not in page
    assert "online modules" not in page
    # Fields by index in codebook order: 0 Country, 1 Sample size, 2 Randomised, 3 Design,
    # 4 Outcomes, 5 Setting, 6 Profession, 7 Notes.
    sent = browser_client(reviewer_b).post(
        f"{BASE}/extraction/{study}/",
        {"field-0": " Chile ", "field-1": "45.5", "field-2": "no", "field-3": "Cohort",
         "field-4": ["Skills", "Knowledge"], "field-5": "", "field-6-none": "1", "field-7": ""},
    )  # fmt: skip
    assert sent.status_code == 302
    values = Extraction.objects.get(reference_id=study, extractor=reviewer_b).values
    assert values == {
        "Country": "Chile", "Sample size": 45.5, "Randomised": False, "Design": "Cohort",
        "Outcomes": ["Knowledge", "Skills"], "Setting": None, "Profession": [], "Notes": None,
    }  # fmt: skip
    refused = browser_client(reviewer_b).post(f"{BASE}/extraction/{study}/", {"field-1": "a dozen"})
    assert refused.status_code == 200
    assert "Sample size: expects a number" in refused.content.decode()
    assert (
        Extraction.objects.get(reference_id=study, extractor=reviewer_b).values["Sample size"]
        == 45.5
    )


def test_leads_only_change_the_codebook_settle_and_export(
    browser_client, studies, coded, reviewer_a, outsider
) -> None:
    client = browser_client(reviewer_a)
    assert (
        client.post(
            f"{BASE}/extraction/codebook/", {"rows": "1", "name-0": "X", "type-0": "text"}
        ).status_code
        == 403
    )
    assert client.get(f"{BASE}/extraction/{studies[0]}/consensus/").status_code == 403
    assert client.get(f"{BASE}/extraction/summary/", {"format": "xlsx"}).status_code == 403
    assert client.post(f"{BASE}/extraction/", {"sample": "2"}).status_code == 403
    assert client.get(f"{BASE}/extraction/summary/").status_code == 200
    for path in (
        "extraction/",
        "extraction/codebook/",
        "extraction/summary/",
        "extraction/progress/",
        f"extraction/{studies[0]}/",
    ):
        assert browser_client(outsider).get(f"{BASE}/{path}").status_code == 404, path


def test_a_bad_codebook_row_is_said_and_kept_on_the_page(browser_client, studies, lead) -> None:
    page = browser_client(lead).post(
        f"{BASE}/extraction/codebook/",
        {"rows": "2", "name-0": "Design", "type-0": "choice", "choices-0": "RCT",
         "name-1": "Year", "type-1": "number"},
    ).content.decode()  # fmt: skip
    assert "fields[0].choices" in page
    assert 'value="Design"' in page


def test_the_form_groups_sections_and_marks_the_fields_to_look_at_again(
    api, browser_client, studies, coded, lead, reviewer_a
) -> None:
    study = studies[0]
    api(reviewer_a).post(f"{BASE}/references/{study}/extractions", {"values": A_VALUES[0]})
    page = browser_client(reviewer_a).get(f"{BASE}/extraction/{study}/").content.decode()
    # In codebook order: Study (4 fields), Findings, Study (2), Findings.
    assert page.count('class="section-heading"') == 4
    assert "look at it again" not in page
    changed = [dict(f) for f in CODEBOOK]
    changed[3] = {**changed[3], "choices": ["RCT", "Cohort study", "Qualitative"]}
    api(lead).put(f"{BASE}/codebook", {"fields": changed})
    again = browser_client(reviewer_a).get(f"{BASE}/extraction/{study}/").content.decode()
    assert "look again at Design, then save" in again
    assert again.count("look at it again") == 1


def test_the_summary_shows_leads_the_agreement_between_extractors(
    api, browser_client, studies, coded, lead, reviewer_a, reviewer_b
) -> None:
    for who, design in ((reviewer_a, "RCT"), (reviewer_b, "Cohort")):
        api(who).post(
            f"{BASE}/references/{studies[0]}/extractions",
            {"values": {**A_VALUES[0], "Design": design}},
        )
    page = browser_client(lead).get(f"{BASE}/extraction/summary/").content.decode()
    assert "<strong>7 of 8</strong> values agree, <strong>87.50%</strong>" in page
    assert (
        '<td>reviewer_a and reviewer_b</td><td class="num">1</td>'
        '<td class="num">7 of 8</td><td class="num">87.50%</td>'
    ) in page
    mine = browser_client(reviewer_a).get(f"{BASE}/extraction/summary/").content.decode()
    assert "Agreement between extractors" not in mine


def test_assigned_studies_are_extracted_by_their_extractors_only(
    api, browser_client, studies, coded, lead, reviewer_a, reviewer_b
) -> None:
    from screening.models import AuditEvent

    only_a, doubled = studies[0], studies[1]
    api(lead).post(f"{BASE}/extractions/sample", {"size": 3})  # every study twice
    answer = api(lead).put(
        f"{BASE}/references/{doubled}/extractors", {"extractors": ["reviewer_a", "reviewer_b"]}
    )
    assert answer.json() == {"reference": doubled, "extractors": ["reviewer_a", "reviewer_b"]}
    assert (
        api(lead)
        .put(f"{BASE}/references/{only_a}/extractors", {"extractors": ["reviewer_a"]})
        .status_code
        == 200
    )
    too_many = api(lead).put(
        f"{BASE}/references/{only_a}/extractors",
        {"extractors": ["reviewer_a", "reviewer_b", "lead"]},
    )
    assert too_many.status_code == 400
    assert (
        api(lead)
        .put(f"{BASE}/references/{only_a}/extractors", {"extractors": ["nobody"]})
        .status_code
        == 400
    )
    assert (
        api(reviewer_a)
        .put(f"{BASE}/references/{only_a}/extractors", {"extractors": []})
        .status_code
        == 403
    )
    # B is not assigned to the first study: refused there, fine on the second.
    refused = api(reviewer_b).post(f"{BASE}/references/{only_a}/extractions", {"values": {}})
    assert refused.status_code == 409
    assert "assigned to other extractors" in refused.json()["detail"]
    assert (
        api(reviewer_b).post(f"{BASE}/references/{doubled}/extractions", {"values": {}}).status_code
        == 201
    )
    # B's studies page lists the studies B may extract: not the one assigned to A alone.
    page = browser_client(reviewer_b).get(f"{BASE}/extraction/").content.decode()
    assert f'<td class="num">{doubled}</td>' in page
    assert f'<td class="num">{only_a}</td>' not in page
    assert AuditEvent.objects.filter(verb="extraction.assign").count() == 2
    # The lead assigns on the page too.
    done = (
        browser_client(lead)
        .post(
            f"{BASE}/extraction/",
            {"action": "assign", "reference": only_a, "extractor": ["reviewer_b", ""]},
            follow=True,
        )
        .content.decode()
    )
    assert f"Study {only_a} is extracted by reviewer_b." in done


def test_the_dashboard_loads_the_extraction_progress(
    api, browser_client, studies, coded, lead, reviewer_a
) -> None:
    api(lead).post(f"{BASE}/extractions/sample", {"size": 1})
    api(reviewer_a).post(f"{BASE}/references/{studies[0]}/extractions", {"values": A_VALUES[0]})
    dashboard = browser_client(reviewer_a).get(f"{BASE}/").content.decode()
    assert f'hx-get="{BASE}/extraction/progress/"' in dashboard
    panel = browser_client(reviewer_a).get(f"{BASE}/extraction/progress/").content.decode()
    assert "<dt>Included studies</dt><dd>3</dd>" in panel
    assert "<dt>Extracted</dt><dd>1</dd>" in panel
    assert "<dt>To extract twice</dt><dd>1</dd>" in panel


def test_the_sample_is_assigned_to_two_extractors_as_it_is_drawn(
    api, studies, coded, lead, reviewer_a, reviewer_b
) -> None:
    from extraction.models import Assignment, DoubleExtraction

    assert (
        api(lead)
        .post(f"{BASE}/extractions/sample", {"size": 2, "extractors": ["reviewer_a"]})
        .status_code
        == 400
    )
    unknown = api(lead).post(
        f"{BASE}/extractions/sample", {"size": 2, "extractors": ["reviewer_a", "nobody"]}
    )
    assert unknown.status_code == 400
    assert not DoubleExtraction.objects.exists()  # refused whole: nothing drawn
    drawn = (
        api(lead)
        .post(f"{BASE}/extractions/sample", {"size": 2, "extractors": ["reviewer_a", "reviewer_b"]})
        .json()["drawn"]
    )
    assert len(drawn) == 2
    pairs = sorted(Assignment.objects.values_list("reference_id", "extractor__username"))
    assert pairs == sorted((r, who) for r in drawn for who in ("reviewer_a", "reviewer_b"))
    # One audited assignment per study drawn, as when a lead assigns them one by one.
    from screening.models import AuditEvent

    events = AuditEvent.objects.filter(verb="extraction.assign")
    assert sorted((e.object_type, int(e.object_id), e.after["extractors"]) for e in events) == [
        ("reference", r, ["reviewer_a", "reviewer_b"]) for r in sorted(drawn)
    ]


def test_save_and_next_walks_each_extractor_through_the_studies_left_to_them(
    api, browser_client, studies, coded, lead, reviewer_a, reviewer_b
) -> None:
    first, second, third = studies  # each extracted once; the third is b's
    api(lead).put(f"{BASE}/references/{third}/extractors", {"extractors": ["reviewer_b"]})
    client = browser_client(reviewer_a)
    assert client.get(f"{BASE}/extraction/next/")["Location"].endswith(f"/extraction/{first}/")
    listed = client.get(f"{BASE}/extraction/").content.decode()
    assert 'data-next-study aria-keyshortcuts="N"' in listed
    saved = client.post(f"{BASE}/extraction/{first}/", {"field-0": "Chile", "then": "next"})
    assert saved["Location"].endswith("/extraction/next/")
    assert client.get(saved["Location"])["Location"].endswith(f"/extraction/{second}/")
    client.post(f"{BASE}/extraction/{second}/", {"field-0": "Chile", "then": "next"})
    # Nothing is left for a: the first two have their one extraction, the third is b's.
    done = client.get(f"{BASE}/extraction/next/", follow=True).content.decode()
    assert "No study is waiting for your extraction." in done
    b_next = browser_client(reviewer_b).get(f"{BASE}/extraction/next/")["Location"]
    assert b_next.endswith(f"/extraction/{third}/")
    back = client.post(f"{BASE}/extraction/{first}/", {"field-0": "Peru", "then": "list"})
    assert back["Location"].endswith("/extraction/")


def test_a_study_extracted_twice_waits_for_its_second_extractor(
    api, browser_client, studies, coded, lead, reviewer_a, reviewer_b
) -> None:
    api(lead).post(f"{BASE}/extractions/sample", {"size": 3})  # every study twice
    for who in (reviewer_a, reviewer_b):
        location = browser_client(who).get(f"{BASE}/extraction/next/")["Location"]
        assert location.endswith(f"/extraction/{studies[0]}/")  # a's extraction leaves a seat
        browser_client(who).post(f"{BASE}/extraction/{studies[0]}/", {"field-0": "Chile"})
    assert (
        browser_client(reviewer_a)
        .get(f"{BASE}/extraction/next/")["Location"]
        .endswith(f"/extraction/{studies[1]}/")
    )
