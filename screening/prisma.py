"""PRISMA 2020 flow-diagram counts, written as the PRISMA2020 R package's CSV and as an SVG.

Pure: standard library only. The counts are derived elsewhere (selectors over votes and reports);
this module only names and lays them out. Field names are those of the PRISMA2020 R package
(Haddaway, Page, Pritchard & McGuinness 2022, Campbell Systematic Reviews 18:e1230), so that
`to_csv` opens unchanged in `PRISMA2020::PRISMA_data(read.csv(...))` and in its Shiny app, and the
JSON of `as_dict` speaks the same words. `to_svg` draws Figure 1 of Page et al. 2021 (BMJ 372:n71),
the flow diagram for new reviews searching databases, registers and other sources; for a review
that updates a previous version it adds the previous-studies column of the update diagram.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Final, Literal
from xml.sax.saxutils import escape, quoteattr

ReviewType = Literal["systematic", "rapid", "scoping"]
SYSTEMATIC: Final = "systematic"
RAPID: Final = "rapid"
SCOPING: Final = "scoping"
REVIEW_TYPES: Final[tuple[str, ...]] = (SYSTEMATIC, RAPID, SCOPING)


@dataclass(frozen=True)
class PrismaCounts:
    """One review's PRISMA 2020 flow counts, named as in the PRISMA2020 R package.

    `dbr_` is "databases and registers" (the left column), `other_` the right column (websites,
    organisations, citation searching), which enters at retrieval: those records are not screened
    on title and abstract. Exclusion reasons hold one final reason per report.
    """

    database_results: int
    database_specific_results: dict[str, int]
    register_results: int
    website_results: int
    organisation_results: int
    citations_results: int
    duplicates: int
    excluded_automatic: int
    excluded_other: int
    records_screened: int
    records_excluded: int
    dbr_sought_reports: int
    dbr_notretrieved_reports: int
    other_sought_reports: int
    other_notretrieved_reports: int
    dbr_assessed: int
    dbr_excluded: dict[str, int]
    other_assessed: int
    other_excluded: dict[str, int]
    new_studies: int
    new_reports: int
    total_studies: int
    total_reports: int
    previous_studies: int = 0
    previous_reports: int = 0

    def as_dict(self) -> dict[str, object]:
        """JSON-ready mapping of the field names to their counts (reason maps copied)."""
        out: dict[str, object] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = dict(value) if isinstance(value, Mapping) else value
        return out

    @property
    def has_other_methods(self) -> bool:
        """Whether anything came through websites, organisations or citation searching."""
        return any(
            (
                self.website_results,
                self.organisation_results,
                self.citations_results,
                self.other_sought_reports,
                self.other_notretrieved_reports,
                self.other_assessed,
                any(self.other_excluded.values()),
            )
        )

    @property
    def has_previous(self) -> bool:
        """Whether this review updates a previous version that included studies."""
        return bool(self.previous_studies or self.previous_reports)


# --- CSV --------------------------------------------------------------------------------------

CSV_HEADER: Final[tuple[str, ...]] = (
    "data",
    "node",
    "box",
    "description",
    "boxtext",
    "tooltips",
    "url",
    "n",
)

_REASONS_HINT = (
    "[separate reasons and numbers using ; e.g. Reason1, xxx; Reason2, xxx; Reason3, xxx]"
)

# The rows of the PRISMA2020 R package's template, in its order: repository
# prisma-flowdiagram/PRISMA2020, file inst/extdata/PRISMA.csv (the version with the
# database_specific_results and register_specific_results rows). Columns: data, node, box,
# description, boxtext, tooltips, url; `n` is ours (see _n_cell). "NA" is the template's own
# spelling of a missing value, which R's read.csv turns into NA.
_TEMPLATE_ROWS: Final[tuple[tuple[str, str, str, str, str, str, str], ...]] = (
    (
        "NA",
        "node4",
        "prevstud",
        "Grey title box; Previous studies",
        "Previous studies",
        "Grey title box; Previous studies",
        "prevstud.html",
    ),
    (
        "previous_studies",
        "node5",
        "box1",
        "Studies included in previous version of review",
        "Studies included in previous version of review",
        "Studies included in previous version of review",
        "previous_studies.html",
    ),
    (
        "previous_reports",
        "NA",
        "box1",
        "Reports of studies included in previous version of review",
        "Reports of studies included in previous version of review",
        "NA",
        "previous_reports.html",
    ),
    (
        "NA",
        "node6",
        "newstud",
        "Yellow title box; Identification of new studies via databases and registers",
        "Identification of new studies via databases and registers",
        "Yellow title box; Identification of new studies via databases and registers",
        "newstud.html",
    ),
    (
        "database_results",
        "node7",
        "box2",
        "Records identified from: Databases",
        "Databases",
        "Records identified from: Databases and Registers",
        "database_results.html",
    ),
    (
        "database_specific_results",
        "NA",
        "box2",
        "Records identified from: specific databases",
        "Specific Databases",
        "NA",
        "database_results.html",
    ),
    (
        "register_results",
        "NA",
        "box2",
        "Records identified from: Registers",
        "Registers",
        "NA",
        "NA",
    ),
    (
        "register_specific_results",
        "NA",
        "box2",
        "Records identified from: specific registers",
        "Specific Registers",
        "NA",
        "database_results.html",
    ),
    (
        "NA",
        "node16",
        "othstud",
        "Grey title box; Identification of new studies via other methods",
        "Identification of new studies via other methods",
        "Grey title box; Identification of new studies via other methods",
        "othstud.html",
    ),
    (
        "website_results",
        "node17",
        "box11",
        "Records identified from: Websites",
        "Websites",
        "Records identified from: Websites, Organisations and Citation Searching",
        "website_results.html",
    ),
    (
        "organisation_results",
        "",
        "box11",
        "Records identified from: Organisations",
        "Organisations",
        "NA",
        "NA",
    ),
    (
        "citations_results",
        "NA",
        "box11",
        "Records identified from: Citation searching",
        "Citation searching",
        "NA",
        "NA",
    ),
    (
        "duplicates",
        "node8",
        "box3",
        "Duplicate records",
        "Duplicate records",
        "Duplicate records",
        "duplicates.html",
    ),
    (
        "excluded_automatic",
        "NA",
        "box3",
        "Records marked as ineligible by automation tools",
        "Records marked as ineligible by automation tools",
        "NA",
        "NA",
    ),
    (
        "excluded_other",
        "NA",
        "box3",
        "Records removed for other reasons",
        "Records removed for other reasons",
        "NA",
        "NA",
    ),
    (
        "records_screened",
        "node9",
        "box4",
        "Records screened (databases and registers)",
        "Records screened",
        "Records screened (databases and registers)",
        "records_screened.html",
    ),
    (
        "records_excluded",
        "node10",
        "box5",
        "Records excluded (databases and registers)",
        "Records excluded",
        "Records excluded (databases and registers)",
        "records_excluded.html",
    ),
    (
        "dbr_sought_reports",
        "node11",
        "box6",
        "Reports sought for retrieval (databases and registers)",
        "Reports sought for retrieval",
        "Reports sought for retrieval (databases and registers)",
        "dbr_sought_reports.html",
    ),
    (
        "dbr_notretrieved_reports",
        "node12",
        "box7",
        "Reports not retrieved (databases and registers)",
        "Reports not retrieved",
        "Reports not retrieved (databases and registers)",
        "dbr_notretrieved_reports.html",
    ),
    (
        "other_sought_reports",
        "node18",
        "box12",
        "Reports sought for retrieval (other)",
        "Reports sought for retrieval",
        "Reports sought for retrieval (other)",
        "other_sought_reports.html",
    ),
    (
        "other_notretrieved_reports",
        "node19",
        "box13",
        "Reports not retrieved (other)",
        "Reports not retrieved",
        "Reports not retrieved (other)",
        "other_notretrieved_reports.html",
    ),
    (
        "dbr_assessed",
        "node13",
        "box8",
        "Reports assessed for eligibility (databases and registers)",
        "Reports assessed for eligibility",
        "Reports assessed for eligibility (databases and registers)",
        "dbr_assessed.html",
    ),
    (
        "dbr_excluded",
        "node14",
        "box9",
        f"Reports excluded (databases and registers): {_REASONS_HINT}",
        "Reports excluded",
        "Reports excluded (databases and registers)",
        "dbrexcludedrecords.html",
    ),
    (
        "other_assessed",
        "node20",
        "box14",
        "Reports assessed for eligibility (other)",
        "Reports assessed for eligibility",
        "Reports assessed for eligibility (other)",
        "other_assessed.html",
    ),
    (
        "other_excluded",
        "node21",
        "box15",
        f"Reports excluded (other): {_REASONS_HINT}",
        "Reports excluded",
        "Reports excluded (other)",
        "other_excluded.html",
    ),
    (
        "new_studies",
        "node15",
        "box10",
        "New studies included in review",
        "New studies included in review",
        "New studies included in review",
        "new_studies.html",
    ),
    (
        "new_reports",
        "NA",
        "box10",
        "Reports of new included studies",
        "Reports of new included studies",
        "NA",
        "NA",
    ),
    (
        "total_studies",
        "node22",
        "box16",
        "Total studies included in review",
        "Total studies included in review",
        "Total studies included in review",
        "total_studies.html",
    ),
    (
        "total_reports",
        "NA",
        "box16",
        "Reports of total included studies",
        "Reports of total included studies",
        "NA",
        "NA",
    ),
    (
        "identification",
        "node1",
        "identification",
        "Blue identification box",
        "Identification",
        "Blue identification box",
        "identification.html",
    ),
    (
        "screening",
        "node2",
        "screening",
        "Blue screening box",
        "Screening",
        "Blue screening box",
        "screening.html",
    ),
    (
        "included",
        "node3",
        "included",
        "Blue included box",
        "Included",
        "Blue included box",
        "included.html",
    ),
)

# The two meta-analysis rows that the PRISMA2020 package's current template (release 1.1.4 on
# CRAN) appends after `included`: PRISMA_data() in R/PRISMA_data.R reads `total_studies_ma` and
# `total_reports_ma` by grep on the `data` column (and the other totals with `total_studies$`,
# `total_reports$`, so these names do not shadow them), and the Shiny app's www/PRISMA.csv
# carries them as node23/box17. Written here from that code, not copied from their data file.
_META_ANALYSIS_ROWS: Final[tuple[tuple[str, str, str, str, str, str, str], ...]] = (
    (
        "total_studies_ma",
        "node23",
        "box17",
        "Total studies included in meta-analysis",
        "Total studies included in meta-analysis",
        "Total studies included in meta-analysis",
        "total_studies_meta_analysis.html",
    ),
    (
        "total_reports_ma",
        "NA",
        "box17",
        "Reports of total included studies in meta-analysis",
        "Reports of total included studies in meta-analysis",
        "NA",
        "NA",
    ),
)

CsvTemplate = Literal["current", "2022"]
CURRENT_TEMPLATE: Final = "current"
TEMPLATE_2022: Final = "2022"
CSV_TEMPLATES: Final[tuple[str, ...]] = (CURRENT_TEMPLATE, TEMPLATE_2022)

_LAYOUTS: Final[dict[str, tuple[tuple[str, str, str, str, str, str, str], ...]]] = {
    CURRENT_TEMPLATE: _TEMPLATE_ROWS + _META_ANALYSIS_ROWS,
    TEMPLATE_2022: _TEMPLATE_ROWS,
}

CSV_DATA_NAMES: Final[tuple[str, ...]] = tuple(row[0] for row in _LAYOUTS[CURRENT_TEMPLATE])
CSV_DATA_NAMES_2022: Final[tuple[str, ...]] = tuple(row[0] for row in _TEMPLATE_ROWS)

_PREVIOUS_ROWS: Final = frozenset({"previous_studies", "previous_reports"})
_OTHER_ROWS: Final = frozenset(
    {
        "website_results",
        "organisation_results",
        "citations_results",
        "other_sought_reports",
        "other_notretrieved_reports",
        "other_assessed",
        "other_excluded",
    }
)
_REASON_ROWS: Final = frozenset({"dbr_excluded", "other_excluded"})
_META_ANALYSIS_NAMES: Final = frozenset(row[0] for row in _META_ANALYSIS_ROWS)


def _csv_name(name: str) -> str:
    # PRISMA_parse_reasons_ splits the cell on ";" and cuts each name at its first ",": either
    # character inside a name would split it or lose its tail, so both become " / ".
    return " ".join(re.sub(r"\s*[,;]\s*", " / ", str(name)).split())


def _reasons_cell(reasons: Mapping[str, int]) -> str:
    """The R package's "Name, n; Name, n" form."""
    return "; ".join(f"{_csv_name(name)}, {int(n)}" for name, n in reasons.items())


def _n_cell(counts: PrismaCounts, data: str) -> str:
    # A blank n reads as NA in R, and PRISMA_flowdiagram drops the previous-studies column when
    # both of its counts are NA, and the other-methods column when its identification counts
    # are: the same columns to_svg leaves out.
    if data in _PREVIOUS_ROWS and not counts.has_previous:
        return ""
    if data in _OTHER_ROWS and not counts.has_other_methods:
        return ""
    if data in _META_ANALYSIS_NAMES:
        # We do not record which studies enter a meta-analysis: NA (blank) rather than a
        # made-up 0, and PRISMA_flowdiagram draws box17 only when asked to.
        return ""
    if data == "database_specific_results":
        return _reasons_cell(counts.database_specific_results)
    if data == "register_specific_results":
        # We count registers as one total; PRISMA_flowdiagram lists these only when asked to
        # (detail_registers = TRUE).
        return ""
    if data in _REASON_ROWS:
        reasons: dict[str, int] = getattr(counts, data)
        # "0" parses as "no reasons, n = 0"; an empty cell would print "(n = NA)".
        return _reasons_cell(reasons) if reasons else "0"
    value = getattr(counts, data, None)
    if isinstance(value, int):
        return str(value)
    return "0"  # title and phase rows: the template's own value


def to_csv(counts: PrismaCounts, *, template: str = CURRENT_TEMPLATE) -> str:
    """The counts as the PRISMA2020 R package's template CSV (read by `PRISMA_data`).

    `template` is "current" (the package's 1.1.4 layout, with the meta-analysis rows) or "2022"
    (the layout of the 2022 paper, for tools that still expect exactly its 33 rows).
    """
    if template not in _LAYOUTS:
        raise ValueError(f"Unknown PRISMA CSV template {template!r}: one of {CSV_TEMPLATES}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for row in _LAYOUTS[template]:
        writer.writerow((*row, _n_cell(counts, row[0])))
    return buffer.getvalue()


# --- SVG --------------------------------------------------------------------------------------

FONT_FAMILY: Final = "system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"
FONT_SIZE: Final = 11
LINE_HEIGHT: Final = 14
PAD_X: Final = 8
PAD_Y: Final = 7
MARGIN: Final = 16
PHASE_W: Final = 26
PHASE_GAP: Final = 14
MAIN_W: Final = 220
SIDE_W: Final = 250
PREV_W: Final = 210
ARROW_GAP: Final = 36  # between a main box and its side box
COLUMN_GAP: Final = 40  # between the column groups
ROW_GAP: Final = 26
MIN_BOX_H: Final = 2 * PAD_Y + 2 * LINE_HEIGHT
INDENT: Final = 12

_STROKE: Final = "#000000"
_PHASE_FILL: Final = "#dae6f3"
_DB_HEADING_FILL: Final = "#fbe7a6"
_GREY_FILL: Final = "#e6e6e6"
_BOX_FILL: Final = "#ffffff"

# Advance widths in em, close to DejaVu Sans (the widest common sans-serif, which Linux falls
# back to), so that a line measured here fits whichever sans-serif the viewer has.
_EM: Final[dict[str, float]] = {
    **dict.fromkeys("ijl|", 0.28),
    **dict.fromkeys(" ,.:;!'", 0.32),
    **dict.fromkeys("ft()[]-/", 0.37),
    **dict.fromkeys("r", 0.41),
    **dict.fromkeys("sz", 0.53),
    **dict.fromkeys("c", 0.55),
    **dict.fromkeys("kvxy", 0.59),
    **dict.fromkeys("w", 0.82),
    **dict.fromkeys("m", 0.97),
    **dict.fromkeys("IJ", 0.30),
    **dict.fromkeys("MW", 0.96),
    **dict.fromkeys("=+<>", 0.84),
    **dict.fromkeys("0123456789", 0.64),
}


def _char_em(char: str) -> float:
    if char in _EM:
        return _EM[char]
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.0
    if char.isupper():
        return 0.74
    return 0.63


def _text_width(text: str, size: float = FONT_SIZE) -> float:
    return sum(_char_em(c) for c in text) * size


# XML 1.0 forbids most control characters even when escaped; user names may carry them.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return " ".join(_XML_INVALID.sub(" ", str(text)).split())


def _n(value: int) -> str:
    # Thousands separators as PRISMA_data's scales::comma prints them.
    return f"(n = {value:,})"


def _wrap(text: str, width: float, size: float = FONT_SIZE) -> list[str]:
    """Greedy word wrap to `width` pixels; "(n = 12)" stays on one line, long words break."""
    words = re.sub(r"\(n = ([\d,]+)\)", "(n\xa0=\xa0\\1)", _clean(text)).split(" ")
    lines: list[str] = []
    line = ""
    for word in words:
        candidate = f"{line} {word}" if line else word
        if _text_width(candidate, size) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for char in word:  # a word wider than the box: break it
            if line and _text_width(line + char, size) > width:
                lines.append(line)
                line = ""
            line += char
    if line or not lines:
        lines.append(line)
    return [each.replace("\xa0", " ") for each in lines]


@dataclass
class _Box:
    key: str
    width: float
    lines: list[tuple[str, int]]  # (text, indent in px)
    fill: str = _BOX_FILL
    rounded: bool = False
    centred: bool = False
    bold: bool = False
    x: float = 0.0
    y: float = 0.0
    height: float = field(init=False)

    def __post_init__(self) -> None:
        self.height = max(MIN_BOX_H, 2 * PAD_Y + len(self.lines) * LINE_HEIGHT)

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def cy(self) -> float:
        return self.y + self.height / 2

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height


def _box(
    key: str,
    width: float,
    paragraphs: Iterable[str | tuple[str, int]],
) -> _Box:
    lines: list[tuple[str, int]] = []
    for paragraph in paragraphs:
        text, indent = (paragraph, 0) if isinstance(paragraph, str) else paragraph
        inner = width - 2 * PAD_X - indent
        lines.extend((line, indent) for line in _wrap(text, inner))
    return _Box(key, width, lines)


def _heading(key: str, width: float, text: str, fill: str) -> _Box:
    lines = [(line, 0) for line in _wrap(text, width - 2 * PAD_X)]
    box = _Box(key, width, lines, fill=fill, rounded=True, centred=True, bold=True)
    box.height = 2 * PAD_Y + len(lines) * LINE_HEIGHT
    return box


def _reasons(reasons: Mapping[str, int]) -> list[str | tuple[str, int]]:
    if not reasons:
        return [f"Reports excluded {_n(0)}"]
    return ["Reports excluded:", *((f"{name} {_n(n)}", INDENT) for name, n in reasons.items())]


class _Words:
    """The diagram's wording: PRISMA 2020, or PRISMA-ScR's "sources of evidence" for scoping."""

    def __init__(self, review_type: str, previous: bool) -> None:
        if review_type not in REVIEW_TYPES:
            raise ValueError(f"unknown review type {review_type!r}; expected one of {REVIEW_TYPES}")
        scoping = review_type == SCOPING
        self.studies = "sources of evidence" if scoping else "studies"
        self.studies_cap = self.studies.capitalize()
        new = "new " if previous else ""
        self.db_heading = f"Identification of {new}{self.studies} via databases and registers"
        self.other_heading = f"Identification of {new}{self.studies} via other methods"
        self.previous_heading = f"Previous {self.studies}"


def _line(x1: float, y1: float, x2: float, y2: float, *, arrow: bool = True) -> str:
    marker = ' marker-end="url(#prisma-arrow)"' if arrow else ""
    return f'<line x1="{x1:g}" y1="{y1:g}" x2="{x2:g}" y2="{y2:g}"{marker}/>'


def _elbow(points: list[tuple[float, float]]) -> str:
    coords = " ".join(f"{x:g},{y:g}" for x, y in points)
    return f'<polyline points="{coords}" fill="none" marker-end="url(#prisma-arrow)"/>'


def _down(upper: _Box, lower: _Box) -> str:
    return _line(upper.cx, upper.bottom, upper.cx, lower.y)


def _across(main: _Box, side: _Box) -> str:
    return _line(main.right, main.cy, side.x, main.cy)


def _render_box(box: _Box) -> str:
    radius = ' rx="8" ry="8"' if box.rounded else ""
    parts = [
        f'<g class="prisma-box" data-box="{box.key}">',
        f'<rect x="{box.x:g}" y="{box.y:g}" width="{box.width:g}" height="{box.height:g}"'
        f'{radius} fill="{box.fill}" stroke="{_STROKE}" stroke-width="1"/>',
    ]
    weight = ' font-weight="bold"' if box.bold else ""
    anchor = ' text-anchor="middle"' if box.centred else ""
    parts.append(f"<text{weight}{anchor}>")
    text_h = len(box.lines) * LINE_HEIGHT
    top = box.y + (box.height - text_h) / 2
    for index, (text, indent) in enumerate(box.lines):
        x = box.cx if box.centred else box.x + PAD_X + indent
        y = top + index * LINE_HEIGHT + FONT_SIZE
        parts.append(f'<tspan x="{x:g}" y="{y:g}">{escape(text)}</tspan>')
    parts.append("</text></g>")
    return "".join(parts)


def _render_phase(key: str, label: str, top: float, bottom: float) -> str:
    cx = MARGIN + PHASE_W / 2
    cy = (top + bottom) / 2
    return (
        f'<g class="prisma-phase" data-box="{key}">'
        f'<rect x="{MARGIN:g}" y="{top:g}" width="{PHASE_W:g}" height="{bottom - top:g}"'
        f' rx="6" ry="6" fill="{_PHASE_FILL}" stroke="{_STROKE}" stroke-width="1"/>'
        f'<text x="{cx:g}" y="{cy:g}" transform="rotate(-90 {cx:g} {cy:g})"'
        f' text-anchor="middle" dominant-baseline="central" font-weight="bold"'
        f' font-size="12">{escape(label)}</text></g>'
    )


def _place_row(boxes: list[_Box | None], xs: list[float], top: float, min_h: float = 0) -> float:
    """Centre each box on the row's middle line (so side arrows are straight); return the bottom."""
    present = [(box, x) for box, x in zip(boxes, xs, strict=True) if box is not None]
    height = max([min_h, *(box.height for box, _ in present)])
    for box, x in present:
        box.x = x
        box.y = top + (height - box.height) / 2
    return top + height


def to_svg(counts: PrismaCounts, *, review_type: str = SYSTEMATIC, title: str = "") -> str:
    """The PRISMA 2020 flow diagram of `counts` as a standalone SVG document."""
    previous = counts.has_previous
    other = counts.has_other_methods
    words = _Words(review_type, previous)
    s, cap = words.studies, words.studies_cap

    # Columns, left to right: phases, previous studies, databases and registers (main + side),
    # other methods (main + side).
    x = MARGIN + PHASE_W + PHASE_GAP
    prev_x = x
    if previous:
        x += PREV_W + COLUMN_GAP
    db_x, db_side_x = x, x + MAIN_W + ARROW_GAP
    x = db_side_x + SIDE_W
    other_x = x + COLUMN_GAP
    other_side_x = other_x + MAIN_W + ARROW_GAP
    if other:
        x = other_side_x + SIDE_W
    width = x + MARGIN
    group_w = MAIN_W + ARROW_GAP + SIDE_W

    db_lines: list[str | tuple[str, int]] = [
        "Records identified from:",
        f"Databases {_n(counts.database_results)}",
        *((f"{name} {_n(n)}", INDENT) for name, n in counts.database_specific_results.items()),
        f"Registers {_n(counts.register_results)}",
    ]
    db_ident = _box("database_results", MAIN_W, db_lines)
    removed = _box(
        "duplicates",
        SIDE_W,
        [
            "Records removed before screening:",
            (f"Duplicate records removed {_n(counts.duplicates)}", INDENT),
            (
                f"Records marked as ineligible by automation tools {_n(counts.excluded_automatic)}",
                INDENT,
            ),
            (f"Records removed for other reasons {_n(counts.excluded_other)}", INDENT),
        ],
    )
    screened = _box("records_screened", MAIN_W, ["Records screened", _n(counts.records_screened)])
    rec_excl = _box("records_excluded", SIDE_W, ["Records excluded", _n(counts.records_excluded)])
    sought = _box(
        "dbr_sought_reports",
        MAIN_W,
        ["Reports sought for retrieval", _n(counts.dbr_sought_reports)],
    )
    not_ret = _box(
        "dbr_notretrieved_reports",
        SIDE_W,
        ["Reports not retrieved", _n(counts.dbr_notretrieved_reports)],
    )
    assessed = _box(
        "dbr_assessed", MAIN_W, ["Reports assessed for eligibility", _n(counts.dbr_assessed)]
    )
    excluded = _box("dbr_excluded", SIDE_W, _reasons(counts.dbr_excluded))
    if previous:
        included_lines = [
            f"New {s} included in review {_n(counts.new_studies)}",
            f"Reports of new included {s} {_n(counts.new_reports)}",
        ]
    else:
        included_lines = [
            f"{cap} included in review {_n(counts.new_studies)}",
            f"Reports of included {s} {_n(counts.new_reports)}",
        ]
    included = _box("new_studies", MAIN_W, included_lines)

    o_ident = o_sought = o_not_ret = o_assessed = o_excluded = None
    if other:
        o_ident = _box(
            "website_results",
            MAIN_W,
            [
                "Records identified from:",
                f"Websites {_n(counts.website_results)}",
                f"Organisations {_n(counts.organisation_results)}",
                f"Citation searching {_n(counts.citations_results)}",
            ],
        )
        o_sought = _box(
            "other_sought_reports",
            MAIN_W,
            ["Reports sought for retrieval", _n(counts.other_sought_reports)],
        )
        o_not_ret = _box(
            "other_notretrieved_reports",
            SIDE_W,
            ["Reports not retrieved", _n(counts.other_notretrieved_reports)],
        )
        o_assessed = _box(
            "other_assessed",
            MAIN_W,
            ["Reports assessed for eligibility", _n(counts.other_assessed)],
        )
        o_excluded = _box("other_excluded", SIDE_W, _reasons(counts.other_excluded))

    prev_box = total = prev_heading = None
    if previous:
        prev_heading = _heading("prevstud", PREV_W, words.previous_heading, _GREY_FILL)
        prev_box = _box(
            "previous_studies",
            PREV_W,
            [
                f"{cap} included in previous version of review {_n(counts.previous_studies)}",
                f"Reports of {s} included in previous version of review "
                f"{_n(counts.previous_reports)}",
            ],
        )
        total = _box(
            "total_studies",
            PREV_W,
            [
                f"Total {s} included in review {_n(counts.total_studies)}",
                f"Reports of total included {s} {_n(counts.total_reports)}",
            ],
        )
    db_heading = _heading("newstud", group_w, words.db_heading, _DB_HEADING_FILL)
    o_heading = _heading("othstud", group_w, words.other_heading, _GREY_FILL) if other else None

    # Rows, top to bottom.
    y = MARGIN
    title_svg = ""
    if title:
        lines = _wrap(title, width - 2 * MARGIN, 13)
        tspans = "".join(
            f'<tspan x="{MARGIN:g}" y="{y + 13 + i * 17:g}">{escape(line)}</tspan>'
            for i, line in enumerate(lines)
        )
        title_svg = f'<text class="prisma-title" font-size="13" font-weight="bold">{tspans}</text>'
        y += len(lines) * 17 + 10
    main_xs = [prev_x, db_x, db_side_x, other_x, other_side_x]
    y = _place_row([prev_heading, db_heading, None, o_heading, None], main_xs, y) + ROW_GAP
    ident_top = y
    y = _place_row([prev_box, db_ident, removed, o_ident, None], main_xs, y, 96)
    ident_bottom, y = y, y + ROW_GAP
    screen_top = y
    y = _place_row([None, screened, rec_excl, None, None], main_xs, y) + ROW_GAP
    y = _place_row([None, sought, not_ret, o_sought, o_not_ret], main_xs, y) + ROW_GAP
    y = _place_row([None, assessed, excluded, o_assessed, o_excluded], main_xs, y)
    screen_bottom, y = y, y + ROW_GAP
    included_top = y
    y = _place_row([total, included, None, None, None], main_xs, y, 64)
    included_bottom = y
    height = y + MARGIN

    arrows = [
        _across(db_ident, removed),
        _down(db_ident, screened),
        _across(screened, rec_excl),
        _down(screened, sought),
        _across(sought, not_ret),
        _down(sought, assessed),
        _across(assessed, excluded),
        _down(assessed, included),
    ]
    if o_ident and o_sought and o_not_ret and o_assessed and o_excluded:
        arrows += [
            _down(o_ident, o_sought),
            _across(o_sought, o_not_ret),
            _down(o_sought, o_assessed),
            _across(o_assessed, o_excluded),
            _elbow(
                [
                    (o_assessed.cx, o_assessed.bottom),
                    (o_assessed.cx, included.cy),
                    (included.right, included.cy),
                ]
            ),
        ]
    if prev_box and total:
        arrows += [
            _down(prev_box, total),
            _line(included.x, included.cy, total.right, included.cy),
        ]

    boxes = [
        box
        for box in (
            prev_heading,
            db_heading,
            o_heading,
            prev_box,
            db_ident,
            removed,
            o_ident,
            screened,
            rec_excl,
            sought,
            not_ret,
            o_sought,
            o_not_ret,
            assessed,
            excluded,
            o_assessed,
            o_excluded,
            total,
            included,
        )
        if box is not None
    ]
    label = _clean(title) or "PRISMA 2020 flow diagram"
    return "".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>\n',
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}" height="{height:g}"'
            f' viewBox="0 0 {width:g} {height:g}" role="img" font-family={quoteattr(FONT_FAMILY)}'
            f' font-size="{FONT_SIZE}" fill="#000000">',
            f"<title>{escape(label)}</title>",
            "<defs>"
            '<marker id="prisma-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8"'
            ' markerHeight="8" orient="auto-start-reverse">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{_STROKE}"/></marker></defs>',
            f'<rect x="0" y="0" width="{width:g}" height="{height:g}" fill="#ffffff"/>',
            title_svg,
            _render_phase("identification", "Identification", ident_top, ident_bottom),
            _render_phase("screening", "Screening", screen_top, screen_bottom),
            _render_phase("included", "Included", included_top, included_bottom),
            f'<g class="prisma-arrows" stroke="{_STROKE}" stroke-width="1">',
            *arrows,
            "</g>",
            *(_render_box(box) for box in boxes),
            "</svg>\n",
        ]
    )


def to_file(
    counts: PrismaCounts,
    format: str,
    *,
    review_type: str,
    title: str,
    template: str = CURRENT_TEMPLATE,
) -> str:
    """The counts as one of the downloads: json (the package's names), csv or svg."""
    if format == "json":
        return json.dumps(counts.as_dict(), indent=2, ensure_ascii=False)
    if format == "csv":
        return to_csv(counts, template=template)
    return to_svg(counts, review_type=review_type, title=title)
