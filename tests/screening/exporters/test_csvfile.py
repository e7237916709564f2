"""The CSV template writer: the template's columns, and a citation written back as it was read."""

from __future__ import annotations

from screening.exporters import csvfile
from screening.importers import csvfile as csv_reader
from screening.importers.citation import Citation
from tests.screening.importers.test_csvfile import TEMPLATE


def _parse(text: str) -> tuple[list[Citation], list]:
    assert csv_reader.sniff(text)
    return csv_reader.parse(text)


def test_the_template_columns_are_the_documented_header() -> None:
    assert list(csvfile.TEMPLATE_COLUMNS) == TEMPLATE.split("\n")[0].split(",")


def test_dump_writes_the_template_back_as_it_was_read() -> None:
    (citation,), _ = _parse(TEMPLATE)
    (again,), _ = _parse(csvfile.dump([citation]))
    assert [(e.family, e.given, e.role) for e in again.editors] == [
        (e.family, e.given, e.role) for e in citation.editors
    ]
    assert csvfile.template_row(again) == csvfile.template_row(citation)
