"""PRISMA 2020 counts: their JSON, the PRISMA2020 R package's CSV, and the SVG diagram. No database."""

from __future__ import annotations

import csv
import dataclasses
import io
import itertools
import json
import re
import xml.etree.ElementTree as ET

import pytest

from screening.prisma import CSV_DATA_NAMES, CSV_DATA_NAMES_2022, PrismaCounts, to_csv, to_svg
from tests.screening.reports.prisma_template import TEMPLATE_DATA

SVG_NS = "{http://www.w3.org/2000/svg}"

# The rapid review of the design doc (microcredentials in health professionals' continuing
# education), made to add up. Identification: PubMed 182 + Embase 245 + ERIC 10 = 437 database
# records, and 1 record from hand searching reference lists (citation searching). The doc's "290
# screened" is 437 + 1 - 148, but PRISMA 2020 sends the citation-searched record down the
# right-hand column, which starts at retrieval, so: 437 - 148 duplicates = 289 screened; 289 - 192
# excluded on title and abstract = 97 reports sought; 1 not retrieved, so 96 assessed; 96 - 86
# excluded at full text (50 + 36) = 10 included from databases. Right column: 1 sought, 1
# assessed, 0 excluded = 1 included. 10 + 1 = 11 studies (the doc's 11), one report each; a new
# review, so new = total and nothing previous.
RAPID_REVIEW = PrismaCounts(
    database_results=437,
    database_specific_results={"PubMed": 182, "Embase": 245, "ERIC": 10},
    register_results=0,
    website_results=0,
    organisation_results=0,
    citations_results=1,
    duplicates=148,
    excluded_automatic=0,
    excluded_other=0,
    records_screened=289,
    records_excluded=192,
    dbr_sought_reports=97,
    dbr_notretrieved_reports=1,
    other_sought_reports=1,
    other_notretrieved_reports=0,
    dbr_assessed=96,
    dbr_excluded={"Not microcredentials": 50, "Not health professionals": 36},
    other_assessed=1,
    other_excluded={},
    new_studies=11,
    new_reports=11,
    total_studies=11,
    total_reports=11,
)

FIELD_NAMES = [
    "database_results",
    "database_specific_results",
    "register_results",
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
    "total_studies",
    "total_reports",
    "previous_studies",
    "previous_reports",
]


NO_OTHER_METHODS = {
    "citations_results": 0,
    "other_sought_reports": 0,
    "other_assessed": 0,
    "records_screened": 290,
    "records_excluded": 193,
}

UPDATE = {
    "previous_studies": 7,
    "previous_reports": 9,
    "total_studies": 18,
    "total_reports": 20,
}


def _counts(**changes: object) -> PrismaCounts:
    return dataclasses.replace(RAPID_REVIEW, **changes)


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


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg.encode())  # noqa: S314 - our own SVG


def _svg(counts: PrismaCounts = RAPID_REVIEW, **kwargs: str) -> ET.Element:
    return _parse(to_svg(counts, **kwargs))


def _box_texts(root: ET.Element) -> dict[str, str]:
    """Each box's text, its wrapped lines joined by a space, by its data-box name."""
    return {
        group.get("data-box", ""): " ".join(
            "".join(tspan.itertext()) for tspan in group.iter(f"{SVG_NS}tspan")
        )
        for group in root.iter(f"{SVG_NS}g")
        if group.get("class") == "prisma-box"
    }


def _all_text(root: ET.Element) -> str:
    return " ".join("".join(text.itertext()) for text in root.iter(f"{SVG_NS}text"))


def _box_rects(root: ET.Element) -> list[tuple[float, float, float, float]]:
    rects = []
    for group in root.iter(f"{SVG_NS}g"):
        if group.get("class") in ("prisma-box", "prisma-phase"):
            rect = group.find(f"{SVG_NS}rect")
            assert rect is not None
            rects.append(tuple(float(rect.get(a, "0")) for a in ("x", "y", "width", "height")))
    return rects


# --- the counts --------------------------------------------------------------------------------


def test_the_fixture_adds_up() -> None:
    c = RAPID_REVIEW
    assert c.database_results == sum(c.database_specific_results.values())
    assert c.records_screened == c.database_results + c.register_results - c.duplicates
    assert c.dbr_sought_reports == c.records_screened - c.records_excluded
    assert c.dbr_assessed == c.dbr_sought_reports - c.dbr_notretrieved_reports
    other_in = c.website_results + c.organisation_results + c.citations_results
    assert c.other_assessed == other_in - c.other_notretrieved_reports
    included = (
        c.dbr_assessed
        - sum(c.dbr_excluded.values())
        + c.other_assessed
        - sum(c.other_excluded.values())
    )
    assert included == c.new_reports == c.total_reports == 11


def test_as_dict_has_exactly_the_r_package_names() -> None:
    assert list(RAPID_REVIEW.as_dict()) == FIELD_NAMES


def test_as_dict_is_json_ready() -> None:
    data = RAPID_REVIEW.as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["dbr_excluded"] == {"Not microcredentials": 50, "Not health professionals": 36}
    assert data["records_screened"] == 289


def test_as_dict_copies_the_reason_maps() -> None:
    data = RAPID_REVIEW.as_dict()
    data["dbr_excluded"]["Wrong setting"] = 1  # type: ignore[index]
    assert "Wrong setting" not in RAPID_REVIEW.dbr_excluded


# --- the CSV of the PRISMA2020 R package ---------------------------------------------------------


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
    counts = _counts(dbr_excluded={"Adults, not children; mostly": 3, "Wrong design": 83})
    assert _parse_reasons(_n(counts)["dbr_excluded"]) == [
        ("Adults / not children / mostly", 3),
        ("Wrong design", 83),
    ]


def test_csv_leaves_out_the_columns_the_review_did_not_use() -> None:
    # Blank reads as NA in R, and PRISMA_flowdiagram drops a column whose counts are all NA.
    n = _n(_counts(**NO_OTHER_METHODS))
    assert n["previous_studies"] == n["previous_reports"] == ""
    for name in ("website_results", "citations_results", "other_sought_reports", "other_excluded"):
        assert n[name] == "", name
    assert n["records_screened"] == "290"


def test_csv_writes_previous_counts_of_an_update() -> None:
    n = _n(_counts(**UPDATE))
    assert (n["previous_studies"], n["previous_reports"]) == ("7", "9")
    assert (n["total_studies"], n["total_reports"]) == ("18", "20")


# --- the SVG diagram ---------------------------------------------------------------------------


def test_svg_is_a_standalone_svg_document() -> None:
    text = to_svg(RAPID_REVIEW)
    root = _parse(text)
    assert root.tag == f"{SVG_NS}svg"
    assert re.fullmatch(r"0 0 \d+ \d+", root.get("viewBox", ""))
    assert root.find(f"{SVG_NS}defs/{SVG_NS}marker") is not None
    assert "marker-end" in text


def test_svg_puts_each_count_in_its_box() -> None:
    boxes = _box_texts(_svg())
    assert boxes["database_results"] == (
        "Records identified from: Databases (n = 437) PubMed (n = 182) Embase (n = 245)"
        " ERIC (n = 10) Registers (n = 0)"
    )
    assert boxes["duplicates"] == (
        "Records removed before screening: Duplicate records removed (n = 148)"
        " Records marked as ineligible by automation tools (n = 0)"
        " Records removed for other reasons (n = 0)"
    )
    assert boxes["records_screened"] == "Records screened (n = 289)"
    assert boxes["records_excluded"] == "Records excluded (n = 192)"
    assert boxes["dbr_sought_reports"] == "Reports sought for retrieval (n = 97)"
    assert boxes["dbr_notretrieved_reports"] == "Reports not retrieved (n = 1)"
    assert boxes["dbr_assessed"] == "Reports assessed for eligibility (n = 96)"
    assert boxes["dbr_excluded"] == (
        "Reports excluded: Not microcredentials (n = 50) Not health professionals (n = 36)"
    )
    assert (
        boxes["new_studies"]
        == "Studies included in review (n = 11) Reports of included studies (n = 11)"
    )
    assert boxes["website_results"] == (
        "Records identified from: Websites (n = 0) Organisations (n = 0) Citation searching (n = 1)"
    )
    assert boxes["other_sought_reports"] == "Reports sought for retrieval (n = 1)"
    assert boxes["other_assessed"] == "Reports assessed for eligibility (n = 1)"
    assert boxes["other_excluded"] == "Reports excluded (n = 0)"


def test_svg_has_the_three_phases() -> None:
    text = _all_text(_svg())
    for phase in ("Identification", "Screening", "Included"):
        assert phase in text


def test_svg_escapes_user_text() -> None:
    script = "<script>alert(1)</script>"
    counts = _counts(
        database_specific_results={"PubMed": 182, "Embase & <b>": 245, "ERIC": 10},
        dbr_excluded={script: 50, "Not health professionals": 36},
    )
    text = to_svg(counts, title=f"Review {script}")
    assert "<script" not in text
    assert "<b>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    root = _parse(text)
    assert f"{script} (n = 50)" in _box_texts(root)["dbr_excluded"]
    assert "Embase & <b> (n = 245)" in _box_texts(root)["database_results"]
    assert root.find(f"{SVG_NS}title").text == f"Review {script}"  # type: ignore[union-attr]


def test_svg_drops_control_characters_that_xml_forbids() -> None:
    counts = _counts(dbr_excluded={"Bad\x00name\x1b": 86})
    assert "Bad name (n = 86)" in _box_texts(_svg(counts))["dbr_excluded"]


def test_svg_draws_the_other_methods_column_only_when_used() -> None:
    heading = "Identification of studies via other methods"
    assert heading not in to_svg(_counts(**NO_OTHER_METHODS))
    assert "website_results" not in _box_texts(_svg(_counts(**NO_OTHER_METHODS)))
    assert heading in to_svg(RAPID_REVIEW)
    assert heading in to_svg(_counts(**NO_OTHER_METHODS, website_results=3))


def test_svg_columns_make_the_diagram_wider() -> None:
    narrow = _svg(_counts(**NO_OTHER_METHODS))
    wide = _svg(RAPID_REVIEW)
    assert float(wide.get("width", "0")) > float(narrow.get("width", "0"))


def test_svg_scoping_review_speaks_of_sources_of_evidence() -> None:
    text = _all_text(_svg(review_type="scoping"))
    assert "Identification of sources of evidence via databases and registers" in text
    assert "Identification of sources of evidence via other methods" in text
    assert (
        "Sources of evidence included in review (n = 11)"
        in _box_texts(_svg(review_type="scoping"))["new_studies"]
    )
    assert "Studies included" not in text
    assert (
        "Records screened (n = 289)" in _box_texts(_svg(review_type="scoping"))["records_screened"]
    )


@pytest.mark.parametrize("review_type", ["systematic", "rapid"])
def test_svg_systematic_and_rapid_reviews_speak_of_studies(review_type: str) -> None:
    text = _all_text(_svg(review_type=review_type))
    assert "Identification of studies via databases and registers" in text
    assert "sources of evidence" not in text


def test_svg_refuses_an_unknown_review_type() -> None:
    with pytest.raises(ValueError, match="umbrella"):
        to_svg(RAPID_REVIEW, review_type="umbrella")


def test_svg_lists_every_reason_and_grows_to_fit() -> None:
    reasons = {
        f"Reason {i}: a long description of why this report was not eligible for the review": i
        for i in range(1, 13)
    }
    counts = _counts(dbr_excluded=reasons)
    root = _svg(counts)
    box = _box_texts(root)["dbr_excluded"]
    for name, n in reasons.items():
        assert f"{name} (n = {n})" in box
    heights = {
        group.get("data-box"): float(group.find(f"{SVG_NS}rect").get("height", "0"))  # type: ignore[union-attr]
        for group in root.iter(f"{SVG_NS}g")
        if group.get("class") == "prisma-box"
    }
    short = {
        group.get("data-box"): float(group.find(f"{SVG_NS}rect").get("height", "0"))  # type: ignore[union-attr]
        for group in _svg().iter(f"{SVG_NS}g")
        if group.get("class") == "prisma-box"
    }
    assert heights["dbr_excluded"] > short["dbr_excluded"] + 12 * 14


def test_svg_wraps_long_lines_inside_their_boxes() -> None:
    long_name = "An unusually long database name that cannot possibly fit on one line of a box"
    counts = _counts(database_specific_results={long_name: 437})
    root = _svg(counts)
    group = next(g for g in root.iter(f"{SVG_NS}g") if g.get("data-box") == "database_results")
    lines = ["".join(t.itertext()) for t in group.iter(f"{SVG_NS}tspan")]
    assert len(lines) > 4
    assert f"{long_name} (n = 437)" in " ".join(lines)
    assert max(len(line) for line in lines) < 40


def test_svg_boxes_never_overlap() -> None:
    reasons = {f"Reason number {i} with some words": i for i in range(8)}
    for counts in (
        RAPID_REVIEW,
        _counts(**NO_OTHER_METHODS),
        _counts(**UPDATE, dbr_excluded=reasons, other_excluded=reasons),
    ):
        rects = _box_rects(_svg(counts, title="A title"))
        for (ax, ay, aw, ah), (bx, by, bw, bh) in itertools.combinations(rects, 2):
            apart = ax + aw <= bx or bx + bw <= ax or ay + ah <= by or by + bh <= ay
            assert apart, ((ax, ay, aw, ah), (bx, by, bw, bh))


def test_svg_of_an_update_adds_the_previous_studies_column() -> None:
    root = _svg(_counts(**UPDATE))
    boxes = _box_texts(root)
    assert "Identification of new studies via databases and registers" in _all_text(root)
    assert boxes["previous_studies"] == (
        "Studies included in previous version of review (n = 7)"
        " Reports of studies included in previous version of review (n = 9)"
    )
    assert boxes["new_studies"] == (
        "New studies included in review (n = 11) Reports of new included studies (n = 11)"
    )
    assert boxes["total_studies"] == (
        "Total studies included in review (n = 18) Reports of total included studies (n = 20)"
    )
    assert "previous_studies" not in _box_texts(_svg())


def test_svg_prints_thousands_separators() -> None:
    counts = _counts(database_results=12345, database_specific_results={"Embase": 12345})
    assert "Databases (n = 12,345)" in _box_texts(_svg(counts))["database_results"]
