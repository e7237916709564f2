"""The PRISMA 2020 flow diagram as a standalone SVG, drawn from its layout description.

Pure: standard library only. `prisma_layout` declares what is drawn where; this renderer places
the shown columns side by side, the rows top to bottom (each as tall as its tallest box, so side
arrows stay straight), and writes the phases, arrows and boxes in the layout's order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

from screening.vocabulary import ReviewType

from .prisma_layout import (
    ARROW_GAP,
    ARROWS,
    BOXES,
    COLUMN_GAP,
    COLUMNS,
    GROUP_SHOWN,
    MARGIN,
    PHASE_FILL,
    PHASE_GAP,
    PHASE_W,
    PHASES,
    ROW_GAP,
    ROWS,
    Phase,
    Words,
)
from .svg_boxes import STROKE, Box, heading_box, place_row, render_box, text_box
from .svg_text import FONT_FAMILY, FONT_SIZE, clean, wrap

if TYPE_CHECKING:
    from screening.prisma import PrismaCounts


def _columns(counts: PrismaCounts) -> tuple[dict[str, float], dict[str, float], float]:
    """Each shown column's x, each shown group's width, and the drawing's width."""
    xs: dict[str, float] = {}
    spans: dict[str, float] = {}
    x: float = MARGIN + PHASE_W + PHASE_GAP
    group, start = "", x
    for column in COLUMNS:
        if not GROUP_SHOWN[column.group](counts):
            continue
        if column.group == group:
            x += ARROW_GAP
        else:
            if group:
                x += COLUMN_GAP
            group, start = column.group, x
        xs[column.key] = x
        x += column.width
        spans[group] = x - start
    return xs, spans, x + MARGIN


def _title(title: str, width: float, y: float) -> tuple[str, float]:
    """The title above the diagram, wrapped to its width, and the y below it."""
    if not title:
        return "", y
    lines = wrap(title, width - 2 * MARGIN, 13)
    tspans = "".join(
        f'<tspan x="{MARGIN:g}" y="{y + 13 + i * 17:g}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    svg = f'<text class="prisma-title" font-size="13" font-weight="bold">{tspans}</text>'
    return svg, y + len(lines) * 17 + 10


def _render_phase(phase: Phase, top: float, bottom: float) -> str:
    cx = MARGIN + PHASE_W / 2
    cy = (top + bottom) / 2
    return (
        f'<g class="prisma-phase" data-box="{phase.key}">'
        f'<rect x="{MARGIN:g}" y="{top:g}" width="{PHASE_W:g}" height="{bottom - top:g}"'
        f' rx="6" ry="6" fill="{PHASE_FILL}" stroke="{STROKE}" stroke-width="1"/>'
        f'<text x="{cx:g}" y="{cy:g}" transform="rotate(-90 {cx:g} {cy:g})"'
        f' text-anchor="middle" dominant-baseline="central" font-weight="bold"'
        f' font-size="12">{escape(phase.label)}</text></g>'
    )


def to_svg(
    counts: PrismaCounts, *, review_type: str = ReviewType.SYSTEMATIC, title: str = ""
) -> str:
    """The PRISMA 2020 flow diagram of `counts` as a standalone SVG document."""
    words = Words(review_type, counts.has_previous)
    xs, spans, width = _columns(counts)
    columns = {column.key: column for column in COLUMNS}

    boxes: dict[str, Box] = {}
    for spec in BOXES:
        if spec.column not in xs:
            continue
        text = spec.text(counts, words)
        column = columns[spec.column]
        if spec.heading:
            boxes[spec.key] = heading_box(spec.key, spans[column.group], text, spec.heading)
        else:
            boxes[spec.key] = text_box(spec.key, column.width, text)

    title_svg, y = _title(title, width, MARGIN)
    tops: dict[str, float] = {}
    bottoms: dict[str, float] = {}
    for row in ROWS:
        cells = [
            (boxes[spec.key], xs[spec.column])
            for spec in BOXES
            if spec.row == row.key and spec.key in boxes
        ]
        tops[row.key] = y
        bottoms[row.key] = place_row(cells, y, row.min_height)
        y = bottoms[row.key] + ROW_GAP
    height = bottoms[ROWS[-1].key] + MARGIN

    arrows = [
        arrow.draw(boxes[arrow.start], boxes[arrow.end])
        for arrow in ARROWS
        if arrow.start in boxes and arrow.end in boxes
    ]
    label = clean(title) or "PRISMA 2020 flow diagram"
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
            f'<path d="M0,0 L10,5 L0,10 z" fill="{STROKE}"/></marker></defs>',
            f'<rect x="0" y="0" width="{width:g}" height="{height:g}" fill="#ffffff"/>',
            title_svg,
            *(_render_phase(phase, tops[phase.first], bottoms[phase.last]) for phase in PHASES),
            f'<g class="prisma-arrows" stroke="{STROKE}" stroke-width="1">',
            *arrows,
            "</g>",
            *(render_box(box) for box in boxes.values()),
            "</svg>\n",
        ]
    )
