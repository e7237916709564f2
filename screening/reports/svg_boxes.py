"""Boxes and arrows of a flow diagram in SVG: sized from their wrapped text, placed in rows.

Pure: standard library only. Every text goes through `svg_text` (cleaned, escaped), so a name a
user typed can neither break the XML nor inject markup into a page that inlines the drawing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final
from xml.sax.saxutils import escape

from .svg_text import FONT_SIZE, wrap

LINE_HEIGHT: Final = 14
PAD_X: Final = 8
PAD_Y: Final = 7
MIN_BOX_H: Final = 2 * PAD_Y + 2 * LINE_HEIGHT

STROKE: Final = "#000000"
BOX_FILL: Final = "#ffffff"

# A box's text: paragraphs, each wrapped on its own; a (text, indent in px) pair for a sub-item.
Paragraphs = list[str | tuple[str, int]]


@dataclass
class Box:
    """A box of text, sized by its lines; `x` and `y` are set when its row is placed."""

    key: str
    width: float
    lines: list[tuple[str, int]]  # (text, indent in px)
    fill: str = BOX_FILL
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


def text_box(key: str, width: float, paragraphs: Iterable[str | tuple[str, int]]) -> Box:
    """A plain box, left-aligned, each paragraph wrapped to the width left by its indent."""
    lines: list[tuple[str, int]] = []
    for paragraph in paragraphs:
        text, indent = (paragraph, 0) if isinstance(paragraph, str) else paragraph
        inner = width - 2 * PAD_X - indent
        lines.extend((line, indent) for line in wrap(text, inner))
    return Box(key, width, lines)


def heading_box(key: str, width: float, paragraphs: Paragraphs, fill: str) -> Box:
    """A title box: rounded, centred, bold, and only as tall as its text."""
    lines: list[tuple[str, int]] = []
    for paragraph in paragraphs:
        text = paragraph if isinstance(paragraph, str) else paragraph[0]
        lines.extend((line, 0) for line in wrap(text, width - 2 * PAD_X))
    box = Box(key, width, lines, fill=fill, rounded=True, centred=True, bold=True)
    box.height = 2 * PAD_Y + len(lines) * LINE_HEIGHT
    return box


def place_row(boxes: Iterable[tuple[Box, float]], top: float, min_h: float = 0) -> float:
    """Centre each box on the row's middle line (so side arrows are straight); return the bottom."""
    present = list(boxes)
    height = max([min_h, *(box.height for box, _ in present)])
    for box, x in present:
        box.x = x
        box.y = top + (height - box.height) / 2
    return top + height


def render_box(box: Box) -> str:
    """The box as an SVG group named by its key (`data-box`), which tests and pages look up."""
    radius = ' rx="8" ry="8"' if box.rounded else ""
    parts = [
        f'<g class="prisma-box" data-box="{box.key}">',
        f'<rect x="{box.x:g}" y="{box.y:g}" width="{box.width:g}" height="{box.height:g}"'
        f'{radius} fill="{box.fill}" stroke="{STROKE}" stroke-width="1"/>',
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


# --- arrows, each from one box to another -------------------------------------------------------


def _line(x1: float, y1: float, x2: float, y2: float) -> str:
    return (
        f'<line x1="{x1:g}" y1="{y1:g}" x2="{x2:g}" y2="{y2:g}" marker-end="url(#prisma-arrow)"/>'
    )


def down(upper: Box, lower: Box) -> str:
    """From the middle of `upper`'s bottom straight down to `lower`."""
    return _line(upper.cx, upper.bottom, upper.cx, lower.y)


def across(main: Box, side: Box) -> str:
    """From `main`'s right edge to the side box on its right, at `main`'s middle height."""
    return _line(main.right, main.cy, side.x, main.cy)


def back(start: Box, end: Box) -> str:
    """From `start`'s left edge leftward to `end`'s right edge, at `start`'s middle height."""
    return _line(start.x, start.cy, end.right, start.cy)


def elbow(upper: Box, end: Box) -> str:
    """Down from `upper` to the middle height of `end`, then left to `end`'s right edge."""
    points = [(upper.cx, upper.bottom), (upper.cx, end.cy), (end.right, end.cy)]
    coords = " ".join(f"{x:g},{y:g}" for x, y in points)
    return f'<polyline points="{coords}" fill="none" marker-end="url(#prisma-arrow)"/>'
