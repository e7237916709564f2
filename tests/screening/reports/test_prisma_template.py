"""The PRISMA CSV in the PRISMA2020 package's current template (1.1.4) and in its 2022 one.

The lists below are written by hand from the package's source (prisma-flowdiagram/PRISMA2020):
REQUIRED is every name `PRISMA_data()` in R/PRISMA_data.R looks up with grep on the `data`
column (a name it does not find is replaced by a default with a warning, i.e. our count is lost);
the order and box texts are those of the Shiny app's template (www/PRISMA.csv), which appends the
meta-analysis rows after `included`.
"""

from __future__ import annotations

import csv
import io
import re

import pytest

from screening.prisma import PrismaCounts
from screening.reports.prisma_csv import to_csv
from tests.screening.reports.prisma_template import TEMPLATE_DATA

# Every `data` value PRISMA_data() greps for, in the order it reads them.
REQUIRED = [
    "previous_studies",
    "previous_reports",
    "register_results",
    "database_results",
    "database_specific_results",
    "register_specific_results",
    "website_results",
    "organisation_results",
    "citations_results",
    "duplicates",
    "excluded_automatic",
    "excluded_other",
    "records_screened",
    "records_excluded",
    "dbr_sought_reports",
    "dbr_notretrieved_reports",
    "other_sought_reports",
    "other_notretrieved_reports",
    "dbr_assessed",
    "dbr_excluded",
    "other_assessed",
    "other_excluded",
    "new_studies",
    "new_reports",
    "total_studies$",
    "total_reports$",
    "total_studies_ma",
    "total_reports_ma",
    "identification",
    "screening",
    "included",
]
# The title boxes it reads by the `box` column (data NA).
TITLE_BOXES = ["prevstud", "newstud", "othstud"]

LAYOUT_2022 = TEMPLATE_DATA
LAYOUT_CURRENT = [*LAYOUT_2022, "total_studies_ma", "total_reports_ma"]

META_ANALYSIS_ROWS = {
    "total_studies_ma": (
        "node23",
        "box17",
        "Total studies included in meta-analysis",
        "Total studies included in meta-analysis",
        "Total studies included in meta-analysis",
        "total_studies_meta_analysis.html",
    ),
    "total_reports_ma": (
        "NA",
        "box17",
        "Reports of total included studies in meta-analysis",
        "Reports of total included studies in meta-analysis",
        "NA",
        "NA",
    ),
}

COUNTS = PrismaCounts(
    database_results=437,
    database_specific_results={"PubMed": 182, "Embase": 245, "ERIC": 10},
    register_results=0,
    website_results=0,
    organisation_results=0,
    citations_results=1,
    duplicates=148,
    excluded_automatic=0,
    excluded_other=0,
    records_screened=290,
    records_excluded=192,
    dbr_sought_reports=98,
    dbr_notretrieved_reports=1,
    other_sought_reports=1,
    other_notretrieved_reports=0,
    dbr_assessed=97,
    dbr_excluded={"Wrong population": 50, "Wrong design": 36},
    other_assessed=1,
    other_excluded={},
    new_studies=11,
    new_reports=11,
    total_studies=11,
    total_reports=11,
)


def _rows(template: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(to_csv(COUNTS, template=template))))


def _grep(pattern: str, rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """R's `data[grep(pattern, data[, 1]), ]`."""
    return [row for row in rows if re.search(pattern, row["data"])]


@pytest.mark.parametrize("template", ["current", "2022"])
def test_each_template_has_its_rows_in_the_packages_order(template: str) -> None:
    layout = LAYOUT_CURRENT if template == "current" else LAYOUT_2022
    assert [row["data"] for row in _rows(template)] == layout


def test_the_default_is_the_current_template() -> None:
    assert to_csv(COUNTS) == to_csv(COUNTS, template="current")
    assert to_csv(COUNTS) != to_csv(COUNTS, template="2022")


def test_every_name_the_reader_greps_for_finds_exactly_one_row() -> None:
    rows = _rows("current")
    for name in REQUIRED:
        # One row each: two would make `$n` a vector and the diagram print both.
        assert len(_grep(name, rows)) == 1, name
    for box in TITLE_BOXES:
        assert [row["box"] for row in rows].count(box) == 1, box


def test_the_2022_template_lacks_only_the_meta_analysis_rows() -> None:
    rows = _rows("2022")
    missing = [name for name in REQUIRED if len(_grep(name, rows)) != 1]
    assert missing == ["total_studies_ma", "total_reports_ma"]


def test_meta_analysis_rows_carry_the_packages_texts_and_no_made_up_count() -> None:
    rows = {row["data"]: row for row in _rows("current")}
    for name, texts in META_ANALYSIS_ROWS.items():
        row = rows[name]
        assert (
            row["node"],
            row["box"],
            row["description"],
            row["boxtext"],
            row["tooltips"],
            row["url"],
        ) == texts
        # We do not record which studies enter a meta-analysis: blank reads as NA in R.
        assert row["n"] == ""


@pytest.mark.parametrize("template", ["current", "2022"])
def test_the_numbers_are_ours(template: str) -> None:
    rows = {row["data"]: row["n"] for row in _rows(template) if row["data"] != "NA"}
    assert rows["database_results"] == "437"
    assert rows["database_specific_results"] == "PubMed, 182; Embase, 245; ERIC, 10"
    assert rows["duplicates"] == "148"
    assert rows["records_screened"] == "290"
    assert rows["records_excluded"] == "192"
    assert rows["dbr_notretrieved_reports"] == "1"
    assert rows["dbr_excluded"] == "Wrong population, 50; Wrong design, 36"
    assert rows["other_excluded"] == "0"
    assert rows["new_studies"] == rows["total_studies"] == "11"


def test_an_unknown_template_is_refused() -> None:
    with pytest.raises(ValueError, match="2019"):
        to_csv(COUNTS, template="2019")


@pytest.mark.django_db
def test_the_api_serves_both_templates_and_refuses_another(api, admin, demo_imports) -> None:
    client = api(as_=admin)
    current = client.get("/projects/microcredentials/prisma.csv")
    old = client.get("/projects/microcredentials/prisma.csv", template="2022")
    assert current.status_code == old.status_code == 200
    current_rows = list(csv.DictReader(io.StringIO(current.content.decode())))
    old_rows = list(csv.DictReader(io.StringIO(old.content.decode())))
    assert [row["data"] for row in current_rows] == LAYOUT_CURRENT
    assert [row["data"] for row in old_rows] == LAYOUT_2022
    # 12 PubMed + 10 Embase records, whatever the template.
    assert {r["data"]: r["n"] for r in old_rows}["database_results"] == "22"
    assert {r["data"]: r["n"] for r in current_rows}["database_results"] == "22"

    refused = client.get("/projects/microcredentials/prisma.csv", template="2019")
    assert refused.status_code == 400
    assert refused.json()["field"] == "template"


@pytest.mark.django_db
def test_the_report_page_download_serves_both_templates(client, admin, demo_imports) -> None:
    client.force_login(admin)
    url = "/projects/microcredentials/downloads/prisma.csv"
    current = client.get(url)
    old = client.get(url, {"template": "2022"})
    assert current.status_code == old.status_code == 200
    assert b"total_studies_ma" in current.content
    assert b"total_studies_ma" not in old.content


@pytest.mark.django_db
def test_the_exports_page_links_both_templates(client, admin) -> None:
    client.force_login(admin)
    page = client.get("/projects/microcredentials/exports/").content.decode()
    assert 'downloads/prisma.csv"' in page
    assert "downloads/prisma.csv?template=2022" in page
