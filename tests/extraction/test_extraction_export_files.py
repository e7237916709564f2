"""The extraction export read with pandas and openpyxl: every included study listed with its
status (none silently left out), booleans as booleans, formula-like and control characters in
a value never a live formula nor a 500."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas
import pytest
from openpyxl.utils.escape import unescape

from tests.extraction.conftest import A_VALUES, BASE, CODEBOOK

pytestmark = pytest.mark.django_db

NOTE = "=1+2\x0bsecond line"


def _extract(api: object, who: object, reference: int, values: dict) -> None:
    answer = api(who).post(f"{BASE}/references/{reference}/extractions", {"values": values})
    assert answer.status_code == 201, answer.content


def _settle(api: object, lead: object, reference: int, values: dict) -> None:
    answer = api(lead).post(f"{BASE}/references/{reference}/consensus", {"values": values})
    assert answer.status_code == 201, answer.content


def _csv(api: object, lead: object, **params: str) -> pandas.DataFrame:
    answer = api(lead).get(f"{BASE}/extractions", format="csv", **params)
    assert answer.status_code == 200, answer.content
    return pandas.read_csv(io.BytesIO(answer.content)).set_index("reference")


def test_studies_awaiting_consensus_are_listed_with_their_status(
    api, studies, lead, reviewer_a, reviewer_b
) -> None:
    api(lead).put(f"{BASE}/codebook", {"fields": CODEBOOK})
    first, second, third = studies
    # first: extracted twice and settled; second: twice, waiting for the lead; third: not yet.
    for who in (reviewer_a, reviewer_b):
        _extract(api, who, first, A_VALUES[0])
        _extract(api, who, second, A_VALUES[1])
    _settle(api, lead, first, A_VALUES[0])
    table = _csv(api, lead)
    assert list(table.index) == studies
    assert table["status"].to_dict() == {
        first: "consensus",
        second: "awaiting consensus",
        third: "not extracted",
    }
    assert table.loc[first, "Country"] == "Canada"
    assert table.loc[[second, third], "Country"].isna().all()  # no agreed value yet
    book = openpyxl.load_workbook(
        io.BytesIO(api(lead).get(f"{BASE}/extractions", format="xlsx").content)
    )
    sheet = book["Studies"]
    header = [c.value for c in sheet[1]]
    statuses = {
        row[0].value: row[header.index("status")].value for row in sheet.iter_rows(min_row=2)
    }
    assert statuses == table["status"].to_dict()
    # The summary still counts only the studies whose values stand.
    assert api(lead).get(f"{BASE}/extractions/summary").json()["studies"] == 1


def test_a_single_extraction_and_one_awaiting_a_second_extractor(
    api, studies, lead, reviewer_a
) -> None:
    api(lead).put(f"{BASE}/codebook", {"fields": CODEBOOK})
    assert api(lead).post(f"{BASE}/extractions/sample", {"size": 1}).status_code == 201
    for reference, values in zip(studies, A_VALUES, strict=True):
        _extract(api, reviewer_a, reference, values)
    statuses = _csv(api, lead)["status"]
    assert sorted(statuses) == [
        "awaiting second extraction",
        "single extraction",
        "single extraction",
    ]


def test_booleans_are_booleans_for_pandas_and_r(api, studies, lead, reviewer_a) -> None:
    api(lead).put(f"{BASE}/codebook", {"fields": CODEBOOK})
    for reference, values in zip(studies, A_VALUES, strict=True):
        _extract(api, reviewer_a, reference, values)
    text = api(lead).get(f"{BASE}/extractions", format="csv").content.decode()
    # R's read.csv reads TRUE/FALSE as logical (pandas reads True too, so look at the text).
    raw = [row["Randomised"] for row in csv.DictReader(io.StringIO(text))]
    assert raw == ["TRUE", "FALSE", "FALSE"]
    table = _csv(api, lead)
    assert table["Randomised"].dtype == bool
    assert table["Randomised"].tolist() == [True, False, False]
    assert table["Sample size"].dtype == "int64"
    content = api(lead).get(f"{BASE}/extractions", format="xlsx").content
    sheet = openpyxl.load_workbook(io.BytesIO(content))["Studies"]
    header = [c.value for c in sheet[1]]
    cells = [row[header.index("Randomised")] for row in sheet.iter_rows(min_row=2)]
    assert [(c.value, c.data_type) for c in cells] == [(True, "b"), (False, "b"), (False, "b")]
    read = pandas.read_excel(io.BytesIO(content), sheet_name="Studies")
    assert read["Randomised"].dtype == bool


def test_a_value_with_a_formula_and_a_vertical_tab_exports(
    api, browser_client, studies, lead, reviewer_a
) -> None:
    api(lead).put(f"{BASE}/codebook", {"fields": CODEBOOK})
    _extract(api, reviewer_a, studies[0], {**A_VALUES[0], "Notes": NOTE})
    answer = api(lead).get(f"{BASE}/extractions", format="xlsx")
    assert answer.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    for name in ("Studies", "Extractor reviewer_a"):
        header = [c.value for c in book[name][1]]
        cell = book[name].cell(row=2, column=header.index("Notes") + 1)
        assert (unescape(cell.value), cell.data_type) == (NOTE, "s")
    assert _csv(api, lead).loc[studies[0], "Notes"] == f"'{NOTE}"
    assert _csv(api, lead, csv_formulas="keep").loc[studies[0], "Notes"] == NOTE
    page = browser_client(lead)
    for option, expected in (({}, f"'{NOTE}"), ({"csv_formulas": "keep"}, NOTE)):
        answer = page.get(f"{BASE}/extraction/summary/", {"format": "csv", **option})
        assert pandas.read_csv(io.BytesIO(answer.content))["Notes"][0] == expected
    bad = page.get(f"{BASE}/extraction/summary/", {"format": "csv", "csv_formulas": "x"})
    assert bad.status_code == 400
