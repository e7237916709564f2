"""PRISMA 2020 counts as the PRISMA2020 R package's CSV, read back as its parser reads it."""

from __future__ import annotations

import csv
import io
import re

from screening.prisma import PrismaCounts
from screening.reports.prisma_csv import to_csv
from screening.reports.prisma_template import CSV_DATA_NAMES, CSV_DATA_NAMES_2022
from tests.screening.prisma_examples import (
    NO_OTHER_METHODS,
    RAPID_REVIEW,
    UPDATE,
    rapid_review_with,
)
from tests.screening.reports.prisma_template import TEMPLATE_DATA


def _rows(counts: PrismaCounts) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(to_csv(counts))))


def _n(counts: PrismaCounts) -> dict[str, str]:
    return {row["data"]: row["n"] for row in _rows(counts) if row["data"] != "NA"}


def _parse_reasons(cell: str) -> list[tuple[str, int]]:
    """PRISMA2020's PRISMA_parse_reasons_ in Python: split on "; ", name up to the first comma."""
    out = []
    for piece in re.split(r";\s?", cell):
        name = re.sub(r",.*$", "", piece)
        number = re.sub(r"[^0-9.]", "", piece.split(",", 1)[1])
        out.append((name, int(number)))
    return out


def test_csv_header_is_the_templates() -> None:
    assert (
        to_csv(RAPID_REVIEW).splitlines()[0] == "data,node,box,description,boxtext,tooltips,url,n"
    )


def test_csv_rows_follow_the_template_order() -> None:
    # TEMPLATE_DATA is the 2022 layout; the current one adds two rows after it
    # (tests/screening/reports/test_prisma_template.py).
    rows = csv.DictReader(io.StringIO(to_csv(RAPID_REVIEW, template="2022")))
    assert [row["data"] for row in rows] == TEMPLATE_DATA
    assert list(CSV_DATA_NAMES_2022) == TEMPLATE_DATA
    assert list(CSV_DATA_NAMES[: len(TEMPLATE_DATA)]) == TEMPLATE_DATA


def test_csv_keeps_the_templates_nodes_boxes_and_texts() -> None:
    rows = {row["data"]: row for row in _rows(RAPID_REVIEW)}
    assert rows["database_results"]["node"] == "node7"
    assert rows["database_results"]["box"] == "box2"
    assert rows["records_screened"]["boxtext"] == "Records screened"
    assert rows["dbr_excluded"]["description"].startswith(
        "Reports excluded (databases and registers): [separate reasons and numbers using ;"
    )
    assert rows["organisation_results"]["node"] == ""  # so in the template too
    assert rows["identification"]["boxtext"] == "Identification"


def test_csv_n_carries_the_counts() -> None:
    n = _n(RAPID_REVIEW)
    assert n["database_results"] == "437"
    assert n["register_results"] == "0"
    assert n["citations_results"] == "1"
    assert n["duplicates"] == "148"
    assert n["excluded_automatic"] == "0"
    assert n["records_screened"] == "289"
    assert n["records_excluded"] == "192"
    assert n["dbr_sought_reports"] == "97"
    assert n["dbr_notretrieved_reports"] == "1"
    assert n["dbr_assessed"] == "96"
    assert n["other_sought_reports"] == "1"
    assert n["other_assessed"] == "1"
    assert n["new_studies"] == n["new_reports"] == "11"
    assert n["total_studies"] == n["total_reports"] == "11"


def test_csv_writes_reasons_and_databases_as_the_parser_reads_them() -> None:
    n = _n(RAPID_REVIEW)
    assert n["dbr_excluded"] == "Not microcredentials, 50; Not health professionals, 36"
    assert n["database_specific_results"] == "PubMed, 182; Embase, 245; ERIC, 10"
    assert _parse_reasons(n["dbr_excluded"]) == [
        ("Not microcredentials", 50),
        ("Not health professionals", 36),
    ]
    assert n["other_excluded"] == "0"  # no reasons: "(n = 0)" rather than "(n = NA)"
    assert n["register_specific_results"] == ""


def test_csv_names_with_commas_or_semicolons_survive_the_parser() -> None:
    counts = rapid_review_with(dbr_excluded={"Adults, not children; mostly": 3, "Wrong design": 83})
    assert _parse_reasons(_n(counts)["dbr_excluded"]) == [
        ("Adults / not children / mostly", 3),
        ("Wrong design", 83),
    ]


def test_csv_leaves_out_the_columns_the_review_did_not_use() -> None:
    # Blank reads as NA in R, and PRISMA_flowdiagram drops a column whose counts are all NA.
    n = _n(rapid_review_with(**NO_OTHER_METHODS))
    assert n["previous_studies"] == n["previous_reports"] == ""
    for name in ("website_results", "citations_results", "other_sought_reports", "other_excluded"):
        assert n[name] == "", name
    assert n["records_screened"] == "290"


def test_csv_writes_previous_counts_of_an_update() -> None:
    n = _n(rapid_review_with(**UPDATE))
    assert (n["previous_studies"], n["previous_reports"]) == ("7", "9")
    assert (n["total_studies"], n["total_reports"]) == ("18", "20")
