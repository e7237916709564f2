"""Data extraction through the API: a codebook of every type, two extractors on three studies,
agreement, consensus, the "Table 2" summary and the Excel export, roles and blinding."""

from __future__ import annotations

import io

import openpyxl
import pytest

from extraction.models import Codebook
from screening.models import AuditEvent
from tests.extraction.conftest import A_VALUES, BASE, CODEBOOK

pytestmark = pytest.mark.django_db


@pytest.fixture
def extracted(api, studies, lead, reviewer_a, reviewer_b) -> list[int]:
    assert api(lead).put(f"{BASE}/codebook", {"fields": CODEBOOK}).status_code == 200
    assert api(lead).post(f"{BASE}/extractions/sample", {"size": 3}).status_code == 201
    for reference, values in zip(studies, A_VALUES, strict=True):
        b_values = {**values, "Design": "RCT"} if values["Design"] == "Cohort" else values
        for who, mine in ((reviewer_a, values), (reviewer_b, b_values)):
            answer = api(who).post(f"{BASE}/references/{reference}/extractions", {"values": mine})
            assert answer.status_code == 201, answer.content
    return studies


def test_the_codebook_takes_every_type_and_versions_changes(api, studies, lead) -> None:
    first = api(lead).put(f"{BASE}/codebook", {"fields": CODEBOOK})
    assert first.status_code == 200
    assert first.json()["version"] == 1
    assert [f["type"] for f in first.json()["fields"]] == [
        "text", "number", "boolean", "choice", "multichoice", "choice", "multichoice", "text"
    ]  # fmt: skip
    # The same fields again: no new version.
    assert api(lead).put(f"{BASE}/codebook", {"fields": CODEBOOK}).json()["version"] == 1
    assert Codebook.objects.count() == 1


def test_two_extractors_on_three_studies_agree_on_23_of_24_values(api, extracted, lead) -> None:
    agreement = api(lead).get(f"{BASE}/extractions/agreement")
    assert agreement.status_code == 200
    # 3 studies x 8 fields = 24 (study, field) pairs; one differs: 23 / 24 = 95.83 %.
    assert agreement.json() == {
        "references": 3,
        "fields": 8,
        "percent_agreement": 95.83,
        "per_field": {
            "Country": 100.0, "Sample size": 100.0, "Randomised": 100.0, "Design": 66.67,
            "Outcomes": 100.0, "Setting": 100.0, "Profession": 100.0, "Notes": 100.0,
        },
        "pairs": [
            {"extractors": ["reviewer_a", "reviewer_b"], "references": 3,
             "percent_agreement": 95.83},
        ],
    }  # fmt: skip


def test_agreement_is_given_for_each_pair_of_extractors(
    api, studies, lead, reviewer_a, reviewer_b
) -> None:
    from tests.factories import MembershipFactory

    reviewer_c = MembershipFactory(
        project__slug="microcredentials", user__username="reviewer_c", role="reviewer"
    ).user
    assert api(lead).put(f"{BASE}/codebook", {"fields": CODEBOOK}).status_code == 200
    api(lead).post(f"{BASE}/extractions/sample", {"size": 3})
    # a and b on study 1 differ on Design; a and c on study 2 agree on everything.
    for reference, first, second, differ in (
        (studies[0], reviewer_a, reviewer_b, True),
        (studies[1], reviewer_a, reviewer_c, False),
    ):
        api(lead).put(
            f"{BASE}/references/{reference}/extractors",
            {"extractors": [first.username, second.username]},
        )
        values = A_VALUES[studies.index(reference)]
        other_design = "Cohort" if values["Design"] != "Cohort" else "RCT"
        other = {**values, "Design": other_design} if differ else values
        for who, mine in ((first, values), (second, other)):
            answer = api(who).post(f"{BASE}/references/{reference}/extractions", {"values": mine})
            assert answer.status_code == 201, answer.content
    found = api(lead).get(f"{BASE}/extractions/agreement").json()
    assert found["references"] == 2
    assert found["percent_agreement"] == 93.75  # 15 of 16
    assert found["pairs"] == [
        {"extractors": ["reviewer_a", "reviewer_b"], "references": 1, "percent_agreement": 87.5},
        {"extractors": ["reviewer_a", "reviewer_c"], "references": 1, "percent_agreement": 100.0},
    ]


def test_the_summary_counts_studies_from_the_consensus_only(
    api, extracted, lead, reviewer_a
) -> None:
    # Before any consensus, the three doubly-extracted studies wait for the lead: nothing shows.
    assert api(reviewer_a).get(f"{BASE}/extractions/summary").json()["studies"] == 0
    for reference, values in zip(extracted, A_VALUES, strict=True):
        answer = api(lead).post(f"{BASE}/references/{reference}/consensus", {"values": values})
        assert answer.status_code == 201, answer.content
    summary = api(reviewer_a).get(f"{BASE}/extractions/summary").json()
    fields = summary["fields"]
    assert summary["studies"] == 3
    # Design: RCT, Cohort, Qualitative, one each: 1/3 = 33.33 %.
    assert fields["Design"] == {
        "type": "choice",
        "values": {v: {"count": 1, "percent": 33.33} for v in ("RCT", "Cohort", "Qualitative")},
    }
    # Outcomes, once per study: Knowledge 2 (66.67 %), Skills 2, Attitudes 1 (33.33 %).
    assert fields["Outcomes"]["values"] == {
        "Knowledge": {"count": 2, "percent": 66.67},
        "Skills": {"count": 2, "percent": 66.67},
        "Attitudes": {"count": 1, "percent": 33.33},
    }
    # Randomised: yes 1, no 2.
    assert fields["Randomised"]["values"] == {
        "yes": {"count": 1, "percent": 33.33},
        "no": {"count": 2, "percent": 66.67},
    }
    # Sample size 45, 120, 300.
    assert (
        fields["Sample size"]["min"],
        fields["Sample size"]["median"],
        fields["Sample size"]["max"],
    ) == (45, 120, 300)
    # Notes: one written, two not reported (None and "").
    assert fields["Notes"]["values"]["not reported"] == {"count": 2, "percent": 66.67}


def test_the_excel_export_has_studies_extractors_and_the_codebook(api, extracted, lead) -> None:
    for reference, values in zip(extracted, A_VALUES, strict=True):
        api(lead).post(f"{BASE}/references/{reference}/consensus", {"values": values})
    answer = api(lead).get(f"{BASE}/extractions", format="xlsx")
    assert answer.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == [
        "Studies",
        "Extractor reviewer_a",
        "Extractor reviewer_b",
        "Codebook",
    ]
    studies = book["Studies"]
    header = [c.value for c in studies[1]]
    assert header[:4] == ["reference", "title", "year", "Country"]
    assert "Outcomes: Knowledge" in header
    first = dict(zip(header, [c.value for c in studies[2]], strict=True))
    assert first["Sample size"] == 120  # a number, not text
    assert isinstance(first["Sample size"], int)
    assert (first["Outcomes: Knowledge"], first["Outcomes: Attitudes"]) == (1, 0)
    # B's sheet keeps B's own design for the second study.
    b_sheet = book["Extractor reviewer_b"]
    b_header = [c.value for c in b_sheet[1]]
    second = dict(zip(b_header, [c.value for c in b_sheet[3]], strict=True))
    assert second["Design"] == "RCT"
    codebook_rows = [[c.value for c in row] for row in book["Codebook"].iter_rows(min_row=2)]
    assert [r[1] for r in codebook_rows] == [f["name"] for f in CODEBOOK]
    csv = api(lead).get(f"{BASE}/extractions", format="csv")
    assert csv.content.decode().splitlines()[0].startswith("reference,title,year,Country")


def test_bad_values_name_the_field_and_change_nothing(api, studies, lead, reviewer_a) -> None:
    api(lead).put(f"{BASE}/codebook", {"fields": CODEBOOK})
    for values, field in [
        ({"Sample size": "twelve"}, "Sample size"),
        ({"Design": "Trial"}, "Design"),
        ({"Outcomes": ["Happiness"]}, "Outcomes"),
        ({"Randomised": 1}, "Randomised"),
        ({"Colour": "blue"}, "Colour"),
    ]:
        answer = api(reviewer_a).post(
            f"{BASE}/references/{studies[0]}/extractions", {"values": values}
        )
        assert answer.status_code == 400, values
        assert answer.json()["field"] == field
    assert not AuditEvent.objects.filter(verb="extraction.save").exists()
    refused = api(lead).put(f"{BASE}/codebook", {"fields": [{"name": "Design", "type": "choice"}]})
    assert refused.status_code == 400
    assert refused.json()["field"] == "fields[0].choices"


def test_roles_and_blinding_between_extractors(
    api, studies, lead, reviewer_a, reviewer_b, outsider
) -> None:
    assert api(reviewer_a).put(f"{BASE}/codebook", {"fields": CODEBOOK}).status_code == 403
    assert api(outsider).put(f"{BASE}/codebook", {"fields": CODEBOOK}).status_code == 404
    assert api().get(f"{BASE}/extractions/summary").status_code == 401
    # No codebook yet: nothing can be extracted.
    early = api(reviewer_a).post(f"{BASE}/references/{studies[0]}/extractions", {"values": {}})
    assert early.status_code == 409
    api(lead).put(f"{BASE}/codebook", {"fields": CODEBOOK})
    a_answer = api(reviewer_a).post(
        f"{BASE}/references/{studies[0]}/extractions", {"values": A_VALUES[0]}
    )
    b_answer = api(reviewer_b).post(
        f"{BASE}/references/{studies[0]}/extractions", {"values": {"Country": "Chile"}}
    )
    assert b_answer.json()["values"]["Country"] == "Chile"
    assert "Canada" not in b_answer.content.decode()
    assert a_answer.json()["extractor"] == "reviewer_a"
    for path in ("/extractions/agreement", "/extractions"):
        assert api(reviewer_b).get(f"{BASE}{path}").status_code == 403
    assert (
        api(reviewer_b)
        .post(f"{BASE}/references/{studies[0]}/consensus", {"values": {}})
        .status_code
        == 403
    )
    # Once two people extracted it, a study waits for the lead: the summary does not show it.
    assert "Canada" not in api(reviewer_b).get(f"{BASE}/extractions/summary").content.decode()


def test_only_included_studies_are_extracted(api, studies, lead, reviewer_a) -> None:
    api(lead).put(f"{BASE}/codebook", {"fields": CODEBOOK})
    pending = (
        api(lead).get(f"{BASE}/references", status="pending", limit=1).json()["items"][0]["id"]
    )
    answer = api(reviewer_a).post(f"{BASE}/references/{pending}/extractions", {"values": {}})
    assert answer.status_code == 409
    assert "not an included study" in answer.json()["detail"]


def test_a_changed_codebook_keeps_values_and_names_those_to_check(api, extracted, lead) -> None:
    changed = [dict(f) for f in CODEBOOK]
    changed[3] = {**changed[3], "choices": ["RCT", "Cohort study", "Qualitative"]}  # renamed option
    changed.append({"name": "Funding", "type": "text"})
    answer = api(lead).put(f"{BASE}/codebook", {"fields": changed})
    assert (answer.json()["version"], answer.json()["to_check"]) == (2, ["Design"])
    # The earlier values are kept as entered.
    from extraction.models import Extraction

    assert Extraction.objects.filter(values__Design="Cohort").count() == 1
