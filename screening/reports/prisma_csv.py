"""PRISMA 2020 counts as the PRISMA2020 R package's template CSV.

Pure: standard library only. The file opens unchanged in `PRISMA2020::PRISMA_data(read.csv(...))`
and in the package's Shiny app, so a team can draw the diagram there too; the rows come from
`prisma_template`, this module only writes the `n` column the way the package's reader parses it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

from .prisma_template import (
    CSV_HEADER,
    CSV_TEMPLATES,
    CURRENT_TEMPLATE,
    LAYOUTS,
    META_ANALYSIS_ROWS,
)

if TYPE_CHECKING:
    from screening.prisma import PrismaCounts

# Rows whose column PRISMA_flowdiagram drops when their counts are NA (see _n_cell).
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
_META_ANALYSIS_NAMES: Final = frozenset(row[0] for row in META_ANALYSIS_ROWS)


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
    if template not in LAYOUTS:
        raise ValueError(f"Unknown PRISMA CSV template {template!r}: one of {CSV_TEMPLATES}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for row in LAYOUTS[template]:
        writer.writerow((*row, _n_cell(counts, row[0])))
    return buffer.getvalue()
