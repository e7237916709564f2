"""Spreadsheet cells other tools open as we hold them. Pure: no Django.

- A text starting with `=`, `+`, `-`, `@`, tab or carriage return (OWASP's list for CSV
  injection) is never a live formula: in .xlsx it is a string cell; in CSV it is prefixed with a
  single quote by default (`formulas="escape"`), or written exactly with `formulas="keep"` for
  files read by programs rather than opened in a spreadsheet.
- Characters XML 1.0 cannot carry (control characters other than tab, LF and CR; lone
  surrogates; U+FFFE, U+FFFF) are written to .xlsx in OOXML's own `_xHHHH_` escape, as Excel
  writes them, and an `_xHHHH_` already in the text is escaped as `_x005F_xHHHH_`: Excel shows
  the original; openpyxl and pandas show the escape, which `openpyxl.utils.escape.unescape` turns
  back into the original. CSV carries them as they are.
- Booleans are `TRUE`/`FALSE` in CSV (R's read.csv and pandas' read_csv both read them as
  logical) and boolean cells in .xlsx; nothing (None) is an empty cell.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_FORMULAS = ("escape", "keep")  # the values of the exports' `csv_formulas` option

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ESCAPE_LOOKALIKE = re.compile("_(x[0-9A-Fa-f]{4}_)")


@dataclass(frozen=True, slots=True)
class Sheet:
    """One sheet of a workbook: its name, its header and its rows keyed by the header's names."""

    name: str
    columns: Sequence[str]
    rows: Iterable[Mapping[str, object]]


def plain(value: object) -> str | int | float | bool | None:
    """A value as one cell can hold it: lists joined with "; ", mappings as JSON, non-finite
    numbers as text (Excel has no NaN), anything else unknown as its text."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return "; ".join(str(item) for item in value)
    if isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value: object, *, formulas: str = "escape") -> str:
    """One CSV cell's text (see the module's docstring)."""
    if formulas not in CSV_FORMULAS:
        raise ValueError(f"csv formulas must be one of {', '.join(CSV_FORMULAS)}, not {formulas!r}")
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return f"'{value}" if formulas == "escape" and is_formula_like(value) else value
    return str(value)


def to_csv(
    columns: Sequence[str], rows: Iterable[Mapping[str, object]], *, formulas: str = "escape"
) -> str:
    """A header and one line per row, every cell (the header's too) through `csv_cell`."""
    out = io.StringIO()
    # RFC 4180's CRLF: with "\n" alone the csv module would not quote a cell holding a lone CR,
    # which pandas and R then read as the end of the line.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_cell(c, formulas=formulas) for c in columns])
    for row in rows:
        writer.writerow([csv_cell(row.get(c), formulas=formulas) for c in columns])
    return out.getvalue()


def xlsx_text(value: str) -> str:
    """Text as an .xlsx cell carries it: OOXML's `_xHHHH_` escape for what XML cannot hold."""
    value = _ESCAPE_LOOKALIKE.sub(r"_x005F_\1", value)
    return _XML_ILLEGAL.sub(lambda m: f"_x{ord(m.group()):04X}_", value)


def _xlsx_cell(sheet: object, value: object) -> WriteOnlyCell:
    value = plain(value)
    if not isinstance(value, str):
        return WriteOnlyCell(sheet, value=value)
    cell = WriteOnlyCell(sheet, value=xlsx_text(value))
    # openpyxl makes a text starting with "=" a formula; typed as a string it is shown as text.
    cell.data_type = "s"
    return cell


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """A workbook with one sheet per `Sheet`, header first, every cell through `_xlsx_cell`."""
    book = Workbook(write_only=True)
    for sheet in sheets:
        ws = book.create_sheet(title=sheet.name[:31])  # Excel's limit on a sheet's name
        ws.append([_xlsx_cell(ws, c) for c in sheet.columns])
        for row in sheet.rows:
            ws.append([_xlsx_cell(ws, row.get(c)) for c in sheet.columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
