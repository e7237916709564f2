"""PRISMA 2020 counts as the flow diagram's SVG: every count in its box, nothing overlapping."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET

import pytest

from screening.prisma import PrismaCounts
from screening.reports.prisma_svg import to_svg
from tests.screening.prisma_examples import (
    NO_OTHER_METHODS,
    RAPID_REVIEW,
    UPDATE,
    rapid_review_with,
)

SVG_NS = "{http://www.w3.org/2000/svg}"


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
    counts = rapid_review_with(
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
    counts = rapid_review_with(dbr_excluded={"Bad\x00name\x1b": 86})
    assert "Bad name (n = 86)" in _box_texts(_svg(counts))["dbr_excluded"]


def test_svg_draws_the_other_methods_column_only_when_used() -> None:
    heading = "Identification of studies via other methods"
    assert heading not in to_svg(rapid_review_with(**NO_OTHER_METHODS))
    assert "website_results" not in _box_texts(_svg(rapid_review_with(**NO_OTHER_METHODS)))
    assert heading in to_svg(RAPID_REVIEW)
    assert heading in to_svg(rapid_review_with(**NO_OTHER_METHODS, website_results=3))


def test_svg_columns_make_the_diagram_wider() -> None:
    narrow = _svg(rapid_review_with(**NO_OTHER_METHODS))
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
    counts = rapid_review_with(dbr_excluded=reasons)
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
    counts = rapid_review_with(database_specific_results={long_name: 437})
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
        rapid_review_with(**NO_OTHER_METHODS),
        rapid_review_with(**UPDATE, dbr_excluded=reasons, other_excluded=reasons),
    ):
        rects = _box_rects(_svg(counts, title="A title"))
        for (ax, ay, aw, ah), (bx, by, bw, bh) in itertools.combinations(rects, 2):
            apart = ax + aw <= bx or bx + bw <= ax or ay + ah <= by or by + bh <= ay
            assert apart, ((ax, ay, aw, ah), (bx, by, bw, bh))


def test_svg_of_an_update_adds_the_previous_studies_column() -> None:
    root = _svg(rapid_review_with(**UPDATE))
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
    counts = rapid_review_with(database_results=12345, database_specific_results={"Embase": 12345})
    assert "Databases (n = 12,345)" in _box_texts(_svg(counts))["database_results"]
