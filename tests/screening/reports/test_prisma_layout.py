"""The diagram's layout tables hold together: a misspelt key would silently drop a box or arrow."""

from __future__ import annotations

from screening.prisma import PrismaCounts
from screening.reports.prisma_layout import ARROWS, BOXES, COLUMNS, GROUP_SHOWN, PHASES, ROWS
from screening.reports.prisma_template import CSV_DATA_NAMES, ROWS_2022

BOX_KEYS = [spec.key for spec in BOXES]
ROW_KEYS = [row.key for row in ROWS]
COLUMN_KEYS = [column.key for column in COLUMNS]


def test_every_box_has_its_own_key() -> None:
    assert len(set(BOX_KEYS)) == len(BOX_KEYS)


def test_every_box_sits_in_a_declared_row_and_column() -> None:
    for spec in BOXES:
        assert spec.row in ROW_KEYS, spec.key
        assert spec.column in COLUMN_KEYS, spec.key


def test_every_column_belongs_to_a_group_that_knows_when_it_is_shown() -> None:
    assert {column.group for column in COLUMNS} == set(GROUP_SHOWN)


def test_every_arrow_joins_two_declared_boxes() -> None:
    for arrow in ARROWS:
        assert arrow.start in BOX_KEYS, arrow
        assert arrow.end in BOX_KEYS, arrow


def test_every_phase_spans_declared_rows_top_to_bottom() -> None:
    for phase in PHASES:
        assert ROW_KEYS.index(phase.first) <= ROW_KEYS.index(phase.last), phase


def test_boxes_are_declared_in_reading_order() -> None:
    # The SVG draws them in this order: rows top to bottom, columns left to right.
    positions = [(ROW_KEYS.index(s.row), COLUMN_KEYS.index(s.column)) for s in BOXES]
    assert positions == sorted(positions)


def test_boxes_are_named_as_in_the_r_package_s_template() -> None:
    # A count box by its field (the CSV's `data`), a title box by the template's `box` name.
    fields = set(PrismaCounts.__dataclass_fields__)
    title_boxes = {row[2] for row in ROWS_2022 if row[0] == "NA"}
    for spec in BOXES:
        if spec.heading:
            assert spec.key in title_boxes, spec.key
        else:
            assert spec.key in fields, spec.key
            assert spec.key in CSV_DATA_NAMES, spec.key
