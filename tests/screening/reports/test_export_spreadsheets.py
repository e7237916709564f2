"""The decisions export (CSV and xlsx) and the history CSV, read with pandas and openpyxl: notes
that look like formulas stay text, control characters in a note and a database name never a 500,
and the `included` columns ASReview and R read as labels."""

from __future__ import annotations

import io

import openpyxl
import pandas
import pytest
from openpyxl.utils.escape import unescape

from screening.services.imports import SearchDetails, search_import
from tests.factories import MembershipFactory
from tests.pdfs import pdf_with_text

pytestmark = pytest.mark.django_db

BASE = "/projects/microcredentials"
TA, FT = "title_abstract", "full_text"
FORMULA_NOTE = '=HYPERLINK("http://evil.example","click")'
VT_NOTE = "first line\x0bsecond line"
VT_DATABASE = "Hand\x0bsearching"
ONE_RIS = b"TY  - JOUR\nTI  - -Hyphen first: a hand-searched report\nPY  - 2022\nER  - \n"


@pytest.fixture
def screened(api, demo_imports, project, lead, reviewer_a, reviewer_b) -> dict[str, int]:
    """r0 included at full text, r1 excluded on title and abstract (a formula-like note from A,
    a vertical tab in B's), r2 half-voted, r3 included on title and abstract and waiting for
    its full text, and a record from a database named with a VT."""
    search_import(
        project=project,
        data=ONE_RIS,
        filename="hand.ris",
        details=SearchDetails(database=VT_DATABASE),
        user=lead,
    )
    refs = [r["id"] for r in api(lead).get(f"{BASE}/references", limit=4).json()["items"]]
    r0, r1, r2, r3 = refs

    def vote(who: object, reference: int, stage: str, choice: str, note: str = "") -> None:
        body = {"stage": stage, "vote": choice, "note": note}
        answer = api(who).post(f"{BASE}/references/{reference}/votes", body)
        assert answer.status_code == 201, answer.content

    for who in (reviewer_a, reviewer_b):
        vote(who, r0, TA, "include")
    pdf = io.BytesIO(pdf_with_text("Study"))
    pdf.name = "study.pdf"
    assert api(lead).upload(f"{BASE}/references/{r0}/report", {"file": pdf}).status_code == 201
    for who in (reviewer_a, reviewer_b):
        vote(who, r0, FT, "include")
    vote(reviewer_a, r1, TA, "exclude", FORMULA_NOTE)
    vote(reviewer_b, r1, TA, "exclude", VT_NOTE)
    vote(reviewer_a, r2, TA, "include")
    for who in (reviewer_a, reviewer_b):
        vote(who, r3, TA, "include")
    return {"r0": r0, "r1": r1, "r2": r2, "r3": r3}


def _xlsx_table(content: bytes) -> dict[int, dict[str, openpyxl.cell.Cell]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content))["References"]
    rows = list(sheet.iter_rows())
    header = [c.value for c in rows[0]]
    return {row[0].value: dict(zip(header, row, strict=True)) for row in rows[1:]}


def test_the_xlsx_keeps_formula_like_notes_as_text_and_escapes_control_characters(
    api, screened, lead
) -> None:
    answer = api(lead).get(f"{BASE}/export", format="xlsx")
    assert answer.status_code == 200
    table = _xlsx_table(answer.content)
    note = table[screened["r1"]]["TA reviewer_a note"]
    assert (note.value, note.data_type) == (FORMULA_NOTE, "s")
    assert unescape(table[screened["r1"]]["TA reviewer_b note"].value) == VT_NOTE
    hand = next(row for row in table.values() if row["title"].value.startswith("-Hyphen"))
    assert hand["title"].data_type == "s"
    assert unescape(hand["databases"].value) == VT_DATABASE
    read = pandas.read_excel(io.BytesIO(answer.content), sheet_name="References")
    assert FORMULA_NOTE in read["TA reviewer_a note"].tolist()


def test_the_csv_quotes_formulas_unless_asked_to_keep_them(
    api, browser_client, screened, lead
) -> None:
    def notes(answer: object) -> list[str]:
        assert answer.status_code == 200, answer.content
        read = pandas.read_csv(io.BytesIO(answer.content), dtype=str, keep_default_na=False)
        return read["TA reviewer_a note"].tolist()

    assert f"'{FORMULA_NOTE}" in notes(api(lead).get(f"{BASE}/export", format="csv"))
    kept = api(lead).get(f"{BASE}/export", format="csv", csv_formulas="keep")
    assert FORMULA_NOTE in notes(kept)
    read = pandas.read_csv(io.BytesIO(kept.content), dtype=str, keep_default_na=False)
    assert VT_NOTE in read["TA reviewer_b note"].tolist()
    assert VT_DATABASE in read["databases"].tolist()
    page = browser_client(lead)
    assert f"'{FORMULA_NOTE}" in notes(page.get(f"{BASE}/downloads/decisions.csv"))
    assert FORMULA_NOTE in notes(
        page.get(f"{BASE}/downloads/decisions.csv", {"csv_formulas": "keep"})
    )
    assert api(lead).get(f"{BASE}/export", format="csv", csv_formulas="drop").status_code == 400
    assert page.get(f"{BASE}/downloads/decisions.csv", {"csv_formulas": "drop"}).status_code == 400


def test_the_history_csv_quotes_formulas_unless_asked(api, browser_client, project, lead) -> None:
    # Django lets a username start with @, + or -: a cell a spreadsheet would run.
    at_user = MembershipFactory(project=project, user__username="@SUM(1+1)", role="lead").user
    search_import(
        project=project,
        data=ONE_RIS,
        filename="hand.ris",
        details=SearchDetails(database="Hand"),
        user=at_user,
    )

    def who(answer: object) -> set[str]:
        assert answer.status_code == 200, answer.content
        return set(pandas.read_csv(io.BytesIO(answer.content), dtype=str)["who"])

    assert who(api(lead).get(f"{BASE}/history.csv")) == {"'@SUM(1+1)"}
    assert who(api(lead).get(f"{BASE}/history.csv", csv_formulas="keep")) == {"@SUM(1+1)"}
    page = browser_client(lead)
    assert who(page.get(f"{BASE}/history/", {"format": "csv"})) == {"'@SUM(1+1)"}
    kept = page.get(f"{BASE}/history/", {"format": "csv", "csv_formulas": "keep"})
    assert who(kept) == {"@SUM(1+1)"}
    assert api(lead).get(f"{BASE}/history.csv", csv_formulas="maybe").status_code == 400


def test_included_columns_are_0_1_or_empty_for_asreview_and_r(api, screened, lead) -> None:
    answer = api(lead).get(f"{BASE}/export", format="csv")
    table = pandas.read_csv(io.BytesIO(answer.content)).set_index("id")
    assert list(table.columns[table.columns.get_loc("report") + 1 :][:3]) == [
        "included",
        "included_title_abstract",
        "included_full_text",
    ]
    for column in ("included", "included_title_abstract", "included_full_text"):
        assert table[column].dtype == "float64"  # numbers with NaN, never text
        assert set(table[column].dropna()) <= {0.0, 1.0}
    r0, r1 = (table.loc[screened[k]] for k in ("r0", "r1"))
    assert (r0["included"], r0["included_title_abstract"], r0["included_full_text"]) == (1, 1, 1)
    assert (r1["included"], r1["included_title_abstract"]) == (0, 0)
    assert pandas.isna(r1["included_full_text"])
    assert (
        table.loc[[screened["r2"]], ["included", "included_title_abstract"]].isna().all(axis=None)
    )
    r3 = table.loc[screened["r3"]]
    assert pandas.isna(r3["included"])  # waiting for its full text: no final label yet
    assert r3["included_title_abstract"] == 1
    assert table["included"].notna().sum() == 2  # the rest are undecided: no label
    workbook = _xlsx_table(api(lead).get(f"{BASE}/export", format="xlsx").content)
    cells = workbook[screened["r0"]]
    assert (cells["included"].value, cells["included"].data_type) == (1, "n")
    assert workbook[screened["r2"]]["included"].value is None
