"""A review from import to PRISMA through the API, checked against counts worked out by hand.

The demo's PubMed (12) and Embase (10) exports hold 9 papers in both: after dedup, 13 references.
One record found by citation searching enters at full text. Who votes what is laid out below;
every expected number is computed in the comments, not by the app.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET

import pytest

from tests.pdfs import pdf_with_text

pytestmark = pytest.mark.django_db

BASE = "/projects/microcredentials"


def _ids(client, **params) -> list[int]:
    answer = client.get("/projects/microcredentials/references", limit=1000, **params)
    assert answer.status_code == 200, answer.content
    return [item["id"] for item in answer.json()["items"]]


def _vote(client, reference: int, stage: str, vote: str, reason: str = "") -> dict:
    answer = client.post(
        f"/projects/microcredentials/references/{reference}/votes",
        {"stage": stage, "vote": vote, "reason": reason},
    )
    assert answer.status_code == 201, answer.content
    return answer.json()


def _resolve(client, reference: int, stage: str, decision: str, reason: str = "") -> None:
    answer = client.post(
        f"/projects/microcredentials/references/{reference}/resolution",
        {"stage": stage, "decision": decision, "reason": reason},
    )
    assert answer.status_code == 201, answer.content


def _upload(client, reference: int) -> None:
    pdf = io.BytesIO(pdf_with_text(f"Full text of reference {reference}"))
    pdf.name = f"ref{reference}.pdf"
    answer = client.upload(
        f"/projects/microcredentials/references/{reference}/report", {"file": pdf}
    )
    assert answer.status_code == 201, answer.content


@pytest.fixture
def review(
    api, demo_imports, admin, lead, reviewer_a, reviewer_b, django_capture_on_commit_callbacks
) -> dict:
    """The review after both stages, as the module docstring and the comments below lay out."""
    a, b, boss = api(reviewer_a), api(reviewer_b), api(lead)
    with django_capture_on_commit_callbacks(execute=True):
        dedup = boss.post("/projects/microcredentials/dedup")
    assert dedup.status_code == 202
    refs = _ids(boss, stage="title_abstract")
    assert len(refs) == 13  # 22 records, 9 duplicates merged
    other = boss.post(
        "/projects/microcredentials/records",
        {
            "title": "A microcredential pilot found in a reference list",
            "method": "citation searching",
        },
    ).json()["reference"]

    ta = "title_abstract"
    # r0-r5 include/include; r6, r7, r11 exclude/exclude; r8 include/exclude (lead: include);
    # r9 maybe/include (forward); r10 exclude/maybe (lead: exclude); r12 only A (pending).
    plan = (
        [("include", "include")] * 6
        + [("exclude", "exclude")] * 2
        + [
            ("include", "exclude"),
            ("maybe", "include"),
            ("exclude", "maybe"),
            ("exclude", "exclude"),
        ]
    )
    for reference, (vote_a, vote_b) in zip(refs, plan, strict=False):
        _vote(a, reference, ta, vote_a)
        _vote(b, reference, ta, vote_b)
    _vote(a, refs[12], ta, "include")
    _resolve(boss, refs[8], ta, "include")
    _resolve(boss, refs[10], ta, "exclude")

    for reason in ("Wrong population", "Not microcredentials"):
        assert (
            boss.post("/projects/microcredentials/exclusion-reasons", {"name": reason}).status_code
            == 201
        )
    for reference in [*refs[0:6], refs[8], other]:
        _upload(boss, reference)
    not_retrieved = boss.post(
        f"/projects/microcredentials/references/{refs[9]}/report",
        {"not_retrieved": True, "note": "Library could not obtain it"},
    )
    assert not_retrieved.status_code == 201, not_retrieved.content

    ft = "full_text"
    _vote(a, refs[0], ft, "include"), _vote(b, refs[0], ft, "include")
    _vote(a, refs[1], ft, "include"), _vote(b, refs[1], ft, "include")
    (
        _vote(a, refs[2], ft, "exclude", "Wrong population"),
        _vote(b, refs[2], ft, "exclude", "wrong population"),
    )
    (
        _vote(a, refs[3], ft, "exclude", "Wrong population"),
        _vote(b, refs[3], ft, "exclude", "Not microcredentials"),
    )
    _vote(a, refs[4], ft, "include"), _vote(b, refs[4], ft, "exclude", "Wrong population")
    (
        _vote(a, refs[5], ft, "exclude", "Wrong population"),
        _vote(b, refs[5], ft, "exclude", "Wrong population"),
    )
    _vote(a, refs[8], ft, "include"), _vote(b, refs[8], ft, "exclude", "Wrong study design")
    _vote(a, other, ft, "include"), _vote(b, other, ft, "include")
    _resolve(boss, refs[3], ft, "exclude", "Not microcredentials")
    _resolve(boss, refs[4], ft, "include")
    return {"refs": refs, "other": other}


def test_statuses_follow_the_votes(api, lead, review) -> None:
    boss, refs, other = api(lead), review["refs"], review["other"]
    assert _ids(boss, stage="title_abstract", status="excluded") == [
        refs[i] for i in (6, 7, 10, 11)
    ]
    assert _ids(boss, stage="title_abstract", status="pending") == [refs[12]]
    assert _ids(boss, stage="full_text", status="included") == [refs[0], refs[1], refs[4], other]
    assert _ids(boss, stage="full_text", status="excluded") == [refs[2], refs[3], refs[5]]
    assert _ids(boss, stage="full_text", status="not_retrieved") == [refs[9]]
    assert _ids(boss, stage="full_text", status="conflict") == [refs[8]]


def test_prisma_counts_match_the_hand_count(api, admin, review) -> None:
    answer = api(admin).get("/projects/microcredentials/prisma")
    assert answer.status_code == 200
    counts = answer.json()
    assert counts["database_results"] == 22
    assert counts["database_specific_results"] == {"Embase": 10, "PubMed": 12}
    assert counts["citations_results"] == 1
    assert (
        counts["register_results"]
        == counts["website_results"]
        == counts["organisation_results"]
        == 0
    )
    assert counts["duplicates"] == 9  # 22 records, 13 references
    assert counts["records_screened"] == 13
    assert counts["records_excluded"] == 4  # r6, r7, r10 (resolved), r11
    assert counts["dbr_sought_reports"] == 8  # r0-r5, r8, r9
    assert counts["dbr_notretrieved_reports"] == 1  # r9
    assert counts["dbr_assessed"] == 7
    # One final reason per reference: r2 and r5 agreed, r3's conflict resolved by the lead.
    assert counts["dbr_excluded"] == {"Not microcredentials": 1, "Wrong population": 2}
    assert counts["other_sought_reports"] == counts["other_assessed"] == 1
    assert counts["other_notretrieved_reports"] == 0
    assert counts["other_excluded"] == {}
    assert counts["new_studies"] == counts["total_studies"] == 4  # r0, r1, r4, the cited one


def test_a_finished_review_s_prisma_counts_add_up(api, admin, lead, reviewer_b, review) -> None:
    """Every box of the flow is the one before it less what left it, once nothing is pending."""
    boss, refs = api(lead), review["refs"]
    _vote(api(reviewer_b), refs[12], "title_abstract", "exclude")
    _resolve(boss, refs[12], "title_abstract", "exclude")
    _resolve(boss, refs[8], "full_text", "include")
    c = api(admin).get("/projects/microcredentials/prisma").json()
    assert c["database_results"] == sum(c["database_specific_results"].values())
    removed = c["duplicates"] + c["excluded_automatic"] + c["excluded_other"]
    assert c["records_screened"] == c["database_results"] + c["register_results"] - removed
    assert c["dbr_sought_reports"] == c["records_screened"] - c["records_excluded"]
    assert c["dbr_assessed"] == c["dbr_sought_reports"] - c["dbr_notretrieved_reports"]
    other_in = c["website_results"] + c["organisation_results"] + c["citations_results"]
    assert c["other_sought_reports"] == other_in
    assert c["other_assessed"] == c["other_sought_reports"] - c["other_notretrieved_reports"]
    included = (
        c["dbr_assessed"]
        - sum(c["dbr_excluded"].values())
        + c["other_assessed"]
        - sum(c["other_excluded"].values())
    )
    assert included == c["new_reports"] == c["total_reports"] == 5  # r0, r1, r4, r8, the cited one


def test_prisma_csv_and_svg_carry_the_same_counts(api, admin, review) -> None:
    client = api(admin)
    table = client.get("/projects/microcredentials/prisma.csv")
    assert table.status_code == 200
    assert table["Content-Type"].startswith("text/csv")
    rows = {row["data"]: row["n"] for row in csv.DictReader(io.StringIO(table.content.decode()))}
    assert rows["duplicates"] == "9"
    assert rows["records_screened"] == "13"
    drawing = client.get("/projects/microcredentials/prisma.svg")
    assert drawing.status_code == 200
    text = " ".join(" ".join(ET.fromstring(drawing.content).itertext()).split())  # noqa: S314 - our own SVG
    assert re.search(r"Records screened \(n = 13\)", text), text
    assert re.search(r"Wrong population \(n = 2\)", text), text


def test_agreement_matches_the_hand_computed_kappa(api, lead, review) -> None:
    ta = api(lead).get("/projects/microcredentials/agreement", stage="title_abstract").json()
    # 12 references with two votes, 10 agree (maybe = include). A and B each: 8 include, 4
    # exclude. po = 10/12, pe = (8/12)^2 + (4/12)^2 = 5/9, kappa = (5/6 - 5/9) / (4/9) = 0.625.
    assert ta["references"] == 12
    assert ta["percent_agreement"] == pytest.approx(83.33, abs=0.01)
    assert ta["cohen_kappa"] == pytest.approx(0.625)
    assert ta["maybe_counts_as"] == "include"
    assert ta["pairs"] == [
        {
            "reviewers": ["reviewer_a", "reviewer_b"],
            "references": 12,
            "percent_agreement": pytest.approx(83.33, abs=0.01),
            "cohen_kappa": pytest.approx(0.625),
        }
    ]
    ft = api(lead).get("/projects/microcredentials/agreement", stage="full_text").json()
    # 8 references with two votes; 6 agree on include/exclude (r3's reasons differ, its
    # decision does not). A: 5 include, 3 exclude; B: 3 include, 5 exclude.
    # pe = 2 * (5/8)(3/8) = 15/32, po = 24/32, kappa = 9/17.
    assert ft["references"] == 8
    assert ft["percent_agreement"] == 75.0
    assert ft["cohen_kappa"] == pytest.approx(9 / 17, abs=1e-4)


def test_conflicts_list_every_vote_for_the_lead(api, lead, review) -> None:
    answer = api(lead).get("/projects/microcredentials/conflicts", stage="full_text")
    assert answer.status_code == 200
    [conflict] = answer.json()["items"]
    assert conflict["reference"] == review["refs"][8]
    assert [(v["reviewer"], v["vote"], v["reason"]) for v in conflict["votes"]] == [
        ("reviewer_a", "include", ""),
        ("reviewer_b", "exclude", "Wrong study design"),
    ]
    reasons = api(lead).get("/projects/microcredentials/exclusion-reasons").json()
    assert {r["name"]: r["proposed"] for r in reasons} == {
        "Not microcredentials": False,
        "Wrong population": False,
        "Wrong study design": True,
    }


def test_exports_carry_every_vote_and_resolution(api, lead, review) -> None:
    import pandas

    client, refs = api(lead), review["refs"]
    workbook = client.get("/projects/microcredentials/export", stage="full_text", format="xlsx")
    assert workbook.status_code == 200
    table = pandas.read_excel(io.BytesIO(workbook.content), sheet_name="References", dtype=str)
    table = table.fillna("").set_index("id")
    row = table.loc[str(refs[3])]
    assert row["status"] == "excluded"
    assert row["FT reviewer_a vote"] == "exclude"
    assert row["FT reviewer_a reason"] == "Wrong population"
    assert row["FT reviewer_b reason"] == "Not microcredentials"
    assert row["FT resolution"] == "exclude"
    assert row["FT resolution reason"] == "Not microcredentials"
    assert row["FT resolved by"] == "lead"
    assert row["final reason"] == "Not microcredentials"
    assert row["TA reviewer_a vote"] == row["TA reviewer_b vote"] == "include"
    assert len(table) == 9  # r0-r5, r8, r9 and the cited record reached full text

    included = client.get(
        "/projects/microcredentials/export", stage="full_text", status="included", format="csv"
    )
    lines = list(csv.DictReader(io.StringIO(included.content.decode())))
    assert [int(line["id"]) for line in lines] == [refs[0], refs[1], refs[4], review["other"]]

    ris = client.get("/projects/microcredentials/export", stage="title_abstract", format="ris")
    text = ris.content.decode()
    assert text.count("TY  - ") == 5  # four excluded on title and abstract, r12 still pending
    assert "N1  - Vote title_abstract: reviewer_a exclude" in text
    assert "N1  - Resolution title_abstract: exclude" in text


def test_a_reviewer_cannot_export(api, reviewer_a, review) -> None:
    assert api(reviewer_a).get("/projects/microcredentials/export").status_code == 403


def test_next_hands_out_references_in_order_and_skips_decided_ones(
    api, demo_imports, lead, reviewer_a, reviewer_b
) -> None:
    a, b = api(reviewer_a), api(reviewer_b)
    refs = _ids(api(lead), stage="title_abstract")
    first = a.get("/projects/microcredentials/references/next", stage="title_abstract").json()
    assert first["id"] == refs[0]
    _vote(a, refs[0], "title_abstract", "include")
    assert a.get("/projects/microcredentials/references/next").json()["id"] == refs[1]
    # B was not handed refs[1] while A holds it: B gets refs[0], which waits for a second vote.
    assert b.get("/projects/microcredentials/references/next").json()["id"] == refs[0]
    _vote(b, refs[0], "title_abstract", "exclude")
    _vote(a, refs[1], "title_abstract", "include")
    _vote(b, refs[1], "title_abstract", "include")
    assert b.get("/projects/microcredentials/references/next").json()["id"] == refs[2]
    # Reopening refs[1] puts it back in the queue, below where both reviewers had got to.
    reopened = api(lead).post(
        f"/projects/microcredentials/references/{refs[1]}/reopen", {"stage": "title_abstract"}
    )
    assert reopened.status_code == 200, reopened.content
    assert a.get("/projects/microcredentials/references/next").json()["id"] == refs[1]


def test_next_answers_204_when_nothing_is_left(api, project, lead, reviewer_a) -> None:
    answer = api(reviewer_a).get("/projects/microcredentials/references/next")
    assert answer.status_code == 204


def test_a_reason_a_lead_names_in_a_resolution_is_listed_not_proposed(api, lead, review) -> None:
    boss = api(lead)
    _resolve(boss, review["refs"][8], "full_text", "exclude", "Not a study of nurses")
    reasons = {r["name"]: r["proposed"] for r in boss.get(f"{BASE}/exclusion-reasons").json()}
    assert reasons["Not a study of nurses"] is False
    assert reasons["Wrong study design"] is True  # the one reviewer B named stays a proposal


def test_next_gives_each_reference_to_as_many_reviewers_as_it_needs(
    api, project, demo_imports, lead, reviewer_a, reviewer_b
) -> None:
    from tests.factories import MembershipFactory

    third = MembershipFactory(project=project, user__username="reviewer_c").user
    refs = _ids(api(lead), stage="title_abstract")
    handed = [
        api(u).get(f"{BASE}/references/next").json()["id"] for u in (reviewer_a, reviewer_b, third)
    ]
    assert handed == [refs[0], refs[0], refs[1]]  # two seats on refs[0], then the next one
    # Asking again before voting gives the same reference back, not another seat elsewhere.
    assert api(third).get(f"{BASE}/references/next").json()["id"] == refs[1]
    assert api(reviewer_a).get(f"{BASE}/references/next").json()["id"] == refs[0]
