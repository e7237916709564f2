"""PRISMA 2020 counts as the files an admin downloads: JSON, the R package's CSV, or the SVG.

Pure: standard library only. One entry point, so the API and the report page serve the same
bytes for the same format.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .prisma_csv import to_csv
from .prisma_svg import to_svg
from .prisma_template import CURRENT_TEMPLATE

if TYPE_CHECKING:
    from screening.prisma import PrismaCounts


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
