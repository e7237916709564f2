"""The PRISMA 2020 flow diagram's layout, as data: columns, rows, phases, boxes and arrows.

Pure: standard library only. This is Figure 1 of Page et al. 2021 (BMJ 372:n71), the flow diagram
for new reviews searching databases, registers and other sources, with the previous-studies
column of the update diagram for a review that updates a previous version. Each box names its
row, column, key and the text it shows; `prisma_svg` walks these tables, so moving or rewording
a box is a change of one line here and none in the renderer. Box keys are the PRISMA2020 R
package's field names, as in the CSV and JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from screening.vocabulary import ReviewType

from .svg_boxes import Box, Paragraphs, across, back, down, elbow

if TYPE_CHECKING:
    from screening.prisma import PrismaCounts

MARGIN: Final = 16
PHASE_W: Final = 26
PHASE_GAP: Final = 14
MAIN_W: Final = 220
SIDE_W: Final = 250
PREV_W: Final = 210
ARROW_GAP: Final = 36  # between a main box and its side box
COLUMN_GAP: Final = 40  # between the column groups
ROW_GAP: Final = 26
INDENT: Final = 12

PHASE_FILL: Final = "#dae6f3"
_DB_HEADING_FILL: Final = "#fbe7a6"
_GREY_FILL: Final = "#e6e6e6"


class Words:
    """The diagram's wording: PRISMA 2020, or PRISMA-ScR's "sources of evidence" for scoping."""

    def __init__(self, review_type: str, previous: bool) -> None:
        known = tuple(ReviewType.labels())
        if review_type not in known:
            raise ValueError(f"unknown review type {review_type!r}; expected one of {known}")
        self.previous = previous
        self.studies = "sources of evidence" if review_type == ReviewType.SCOPING else "studies"
        self.studies_cap = self.studies.capitalize()
        new = "new " if previous else ""
        self.db_heading = f"Identification of {new}{self.studies} via databases and registers"
        self.other_heading = f"Identification of {new}{self.studies} via other methods"
        self.previous_heading = f"Previous {self.studies}"


Text = Callable[["PrismaCounts", Words], Paragraphs]


@dataclass(frozen=True)
class Column:
    """A column of boxes; columns of one group sit ARROW_GAP apart, groups COLUMN_GAP apart."""

    key: str
    group: str
    width: int


@dataclass(frozen=True)
class Row:
    """A band of boxes across the columns, as tall as its tallest box and at least `min_height`."""

    key: str
    min_height: float = 0


@dataclass(frozen=True)
class Phase:
    """A phase label down the left edge, spanning rows `first` to `last`."""

    key: str
    label: str
    first: str
    last: str


@dataclass(frozen=True)
class BoxSpec:
    """A box at (row, column); with a `heading` fill it is a title box across its column's group."""

    row: str
    column: str
    key: str
    text: Text
    heading: str | None = None


@dataclass(frozen=True)
class Arrow:
    """An arrow from box `start` to box `end`, drawn by `draw` (down, across, back or elbow)."""

    draw: Callable[[Box, Box], str]
    start: str
    end: str


# A group is drawn only when the review has something to show in it.
GROUP_SHOWN: Final[dict[str, Callable[[PrismaCounts], bool]]] = {
    "previous": lambda c: c.has_previous,
    "databases": lambda c: True,
    "other": lambda c: c.has_other_methods,
}

COLUMNS: Final = (
    Column("previous", "previous", PREV_W),
    Column("databases", "databases", MAIN_W),
    Column("databases_side", "databases", SIDE_W),
    Column("other", "other", MAIN_W),
    Column("other_side", "other", SIDE_W),
)

ROWS: Final = (
    Row("headings"),
    Row("identification", 96),
    Row("screening"),
    Row("retrieval"),
    Row("eligibility"),
    Row("included", 64),
)

PHASES: Final = (
    Phase("identification", "Identification", "identification", "identification"),
    Phase("screening", "Screening", "screening", "eligibility"),
    Phase("included", "Included", "included", "included"),
)


def _n(value: int) -> str:
    # Thousands separators as PRISMA_data's scales::comma prints them.
    return f"(n = {value:,})"


def _reasons(reasons: dict[str, int]) -> Paragraphs:
    if not reasons:
        return [f"Reports excluded {_n(0)}"]
    return ["Reports excluded:", *((f"{name} {_n(n)}", INDENT) for name, n in reasons.items())]


def _databases(c: PrismaCounts, w: Words) -> Paragraphs:
    return [
        "Records identified from:",
        f"Databases {_n(c.database_results)}",
        *((f"{name} {_n(n)}", INDENT) for name, n in c.database_specific_results.items()),
        f"Registers {_n(c.register_results)}",
    ]


def _removed(c: PrismaCounts, w: Words) -> Paragraphs:
    return [
        "Records removed before screening:",
        (f"Duplicate records removed {_n(c.duplicates)}", INDENT),
        (f"Records marked as ineligible by automation tools {_n(c.excluded_automatic)}", INDENT),
        (f"Records removed for other reasons {_n(c.excluded_other)}", INDENT),
    ]


def _other_methods(c: PrismaCounts, w: Words) -> Paragraphs:
    return [
        "Records identified from:",
        f"Websites {_n(c.website_results)}",
        f"Organisations {_n(c.organisation_results)}",
        f"Citation searching {_n(c.citations_results)}",
    ]


def _previous(c: PrismaCounts, w: Words) -> Paragraphs:
    s = w.studies
    return [
        f"{w.studies_cap} included in previous version of review {_n(c.previous_studies)}",
        f"Reports of {s} included in previous version of review {_n(c.previous_reports)}",
    ]


def _included(c: PrismaCounts, w: Words) -> Paragraphs:
    s = w.studies
    if w.previous:
        return [
            f"New {s} included in review {_n(c.new_studies)}",
            f"Reports of new included {s} {_n(c.new_reports)}",
        ]
    return [
        f"{w.studies_cap} included in review {_n(c.new_studies)}",
        f"Reports of included {s} {_n(c.new_reports)}",
    ]


def _total(c: PrismaCounts, w: Words) -> Paragraphs:
    return [
        f"Total {w.studies} included in review {_n(c.total_studies)}",
        f"Reports of total included {w.studies} {_n(c.total_reports)}",
    ]


# In reading order (rows top to bottom, columns left to right), which is also the drawing order.
BOXES: Final = (
    BoxSpec("headings", "previous", "prevstud", lambda c, w: [w.previous_heading], _GREY_FILL),
    BoxSpec("headings", "databases", "newstud", lambda c, w: [w.db_heading], _DB_HEADING_FILL),
    BoxSpec("headings", "other", "othstud", lambda c, w: [w.other_heading], _GREY_FILL),
    BoxSpec("identification", "previous", "previous_studies", _previous),
    BoxSpec("identification", "databases", "database_results", _databases),
    BoxSpec("identification", "databases_side", "duplicates", _removed),
    BoxSpec("identification", "other", "website_results", _other_methods),
    BoxSpec(
        "screening",
        "databases",
        "records_screened",
        lambda c, w: ["Records screened", _n(c.records_screened)],
    ),
    BoxSpec(
        "screening",
        "databases_side",
        "records_excluded",
        lambda c, w: ["Records excluded", _n(c.records_excluded)],
    ),
    BoxSpec(
        "retrieval",
        "databases",
        "dbr_sought_reports",
        lambda c, w: ["Reports sought for retrieval", _n(c.dbr_sought_reports)],
    ),
    BoxSpec(
        "retrieval",
        "databases_side",
        "dbr_notretrieved_reports",
        lambda c, w: ["Reports not retrieved", _n(c.dbr_notretrieved_reports)],
    ),
    BoxSpec(
        "retrieval",
        "other",
        "other_sought_reports",
        lambda c, w: ["Reports sought for retrieval", _n(c.other_sought_reports)],
    ),
    BoxSpec(
        "retrieval",
        "other_side",
        "other_notretrieved_reports",
        lambda c, w: ["Reports not retrieved", _n(c.other_notretrieved_reports)],
    ),
    BoxSpec(
        "eligibility",
        "databases",
        "dbr_assessed",
        lambda c, w: ["Reports assessed for eligibility", _n(c.dbr_assessed)],
    ),
    BoxSpec("eligibility", "databases_side", "dbr_excluded", lambda c, w: _reasons(c.dbr_excluded)),
    BoxSpec(
        "eligibility",
        "other",
        "other_assessed",
        lambda c, w: ["Reports assessed for eligibility", _n(c.other_assessed)],
    ),
    BoxSpec("eligibility", "other_side", "other_excluded", lambda c, w: _reasons(c.other_excluded)),
    BoxSpec("included", "previous", "total_studies", _total),
    BoxSpec("included", "databases", "new_studies", _included),
)

# In drawing order; an arrow whose box is not drawn is left out with it.
ARROWS: Final = (
    Arrow(across, "database_results", "duplicates"),
    Arrow(down, "database_results", "records_screened"),
    Arrow(across, "records_screened", "records_excluded"),
    Arrow(down, "records_screened", "dbr_sought_reports"),
    Arrow(across, "dbr_sought_reports", "dbr_notretrieved_reports"),
    Arrow(down, "dbr_sought_reports", "dbr_assessed"),
    Arrow(across, "dbr_assessed", "dbr_excluded"),
    Arrow(down, "dbr_assessed", "new_studies"),
    Arrow(down, "website_results", "other_sought_reports"),
    Arrow(across, "other_sought_reports", "other_notretrieved_reports"),
    Arrow(down, "other_sought_reports", "other_assessed"),
    Arrow(across, "other_assessed", "other_excluded"),
    Arrow(elbow, "other_assessed", "new_studies"),
    Arrow(down, "previous_studies", "total_studies"),
    Arrow(back, "new_studies", "total_studies"),
)
