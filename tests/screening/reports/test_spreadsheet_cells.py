"""Spreadsheet cells as other tools read them (screening/reports/spreadsheet.py), read back with openpyxl,
pandas and the csv module: no live formula, control characters escaped as Excel does, booleans
as booleans. Pure: no database."""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree

import openpyxl
import pandas
import pytest
from openpyxl.utils.escape import unescape

from screening.reports import spreadsheet

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
FORMULAS = ['=HYPERLINK("http://x","y")', "+1+2", "-3+4", "@SUM(A1)", "\tindented", "\rcr"]
TEXTS = [
    "vertical\x0btab",
    "form\x0cfeed",
    "\x01start and end\x1f",
    "C1 controls \x7f\x85\x9f",
    "an escape look-alike _x000B_ kept as text",
    "lone surrogate \ud800",
    "plain é 中文",
]


def _xlsx(columns: list[str], rows: list[dict[str, object]]) -> bytes:
    return spreadsheet.to_xlsx([spreadsheet.Sheet("Data", columns, rows)])


def _ooxml_strings(data: bytes) -> list[str]:
    """The sheet's inline strings decoded by OOXML's rule (what Excel shows)."""
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    root = ElementTree.fromstring(xml)  # noqa: S314 - our own workbook
    return [unescape(t.text or "") for t in root.iter(f"{{{MAIN}}}t")]


def test_a_text_that_looks_like_a_formula_is_a_string_cell_in_xlsx() -> None:
    data = _xlsx(["title"], [{"title": value} for value in FORMULAS])
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Data"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells] == FORMULAS
    assert {c.data_type for c in cells} == {"s"}
    read = pandas.read_excel(io.BytesIO(data), sheet_name="Data", dtype=str)
    assert read["title"].tolist() == FORMULAS


def test_a_formula_in_a_header_is_text_too() -> None:
    data = _xlsx(["=cmd|' /C calc'!A0"], [{"=cmd|' /C calc'!A0": 1}])
    header = openpyxl.load_workbook(io.BytesIO(data))["Data"]["A1"]
    assert (header.value, header.data_type) == ("=cmd|' /C calc'!A0", "s")


def test_csv_quotes_formulas_by_default_and_keeps_them_when_asked() -> None:
    rows = [{"title": value, "n": -5} for value in FORMULAS]
    safe = pandas.read_csv(io.StringIO(spreadsheet.to_csv(["title", "n"], rows)), dtype=str)
    assert safe["title"].tolist() == [f"'{value}" for value in FORMULAS]
    assert safe["n"].tolist() == ["-5"] * len(FORMULAS)  # a number is no formula
    kept = spreadsheet.to_csv(["title", "n"], rows, formulas="keep")
    read = pandas.read_csv(io.StringIO(kept), dtype=str, keep_default_na=False)
    assert read["title"].tolist() == FORMULAS
    with pytest.raises(ValueError, match="escape, keep"):
        spreadsheet.to_csv(["title"], rows, formulas="strip")


@pytest.mark.parametrize("text", TEXTS)
def test_control_characters_are_written_as_excel_escapes_and_read_back(text: str) -> None:
    data = _xlsx(["note"], [{"note": text}])
    read = openpyxl.load_workbook(io.BytesIO(data))["Data"]["A2"].value
    # openpyxl and pandas show OOXML's escape; decoded by its rule, it is the original text.
    assert unescape(read) == text
    assert _ooxml_strings(data)[1] == text
    assert unescape(pandas.read_excel(io.BytesIO(data), sheet_name="Data")["note"][0]) == text


def test_the_vertical_tab_is_the_escape_excel_writes() -> None:
    data = _xlsx(["note"], [{"note": "a\x0bb"}])
    assert openpyxl.load_workbook(io.BytesIO(data))["Data"]["A2"].value == "a_x000B_b"


def test_csv_carries_control_characters_as_they_are() -> None:
    out = spreadsheet.to_csv(["note"], [{"note": text} for text in TEXTS[:4]], formulas="keep")
    read = pandas.read_csv(io.StringIO(out), dtype=str)
    assert read["note"].tolist() == TEXTS[:4]


def test_booleans_are_true_false_in_csv_and_boolean_cells_in_xlsx() -> None:
    rows = [{"randomised": True, "n": 1}, {"randomised": False, "n": 2}]
    text = spreadsheet.to_csv(["randomised", "n"], rows)
    assert text.splitlines() == ["randomised,n", "TRUE,1", "FALSE,2"]
    read = pandas.read_csv(io.StringIO(text))
    assert read["randomised"].dtype == bool
    assert read["randomised"].tolist() == [True, False]
    data = _xlsx(["randomised", "n"], rows)
    cells = [r[0] for r in openpyxl.load_workbook(io.BytesIO(data))["Data"].iter_rows(min_row=2)]
    assert [(c.value, c.data_type) for c in cells] == [(True, "b"), (False, "b")]
    assert pandas.read_excel(io.BytesIO(data), sheet_name="Data")["randomised"].dtype == bool


def test_numbers_stay_numbers_and_odd_values_become_text() -> None:
    rows = [{"v": 120}, {"v": None}, {"v": ["a", "b"]}, {"v": float("nan")}, {"v": {"k": 1}}]
    text = spreadsheet.to_csv(["v"], rows)
    assert text.splitlines() == ["v", "120", '""', "a; b", "nan", '"{""k"": 1}"']
    data = _xlsx(["v"], rows)
    cells = [r[0] for r in openpyxl.load_workbook(io.BytesIO(data))["Data"].iter_rows(min_row=2)]
    assert [(c.value, c.data_type) for c in cells] == [
        (120, "n"),
        (None, "n"),
        ("a; b", "s"),
        ("nan", "s"),
        ('{"k": 1}', "s"),
    ]
