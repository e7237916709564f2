"""The screening's progress curve as a standalone SVG: includes found against references screened,
with the line a random order would be expected to follow.

Pure: standard library only, like the PRISMA diagram (prisma_svg). The data are plain numbers:
`found[i]`, the includes among the first i + 1 references settled, and `pool`, the references to
screen in all. The random-order line runs from nothing to the includes found so far at the whole
pool: what a random order is expected to find had those includes been all there are (the final
include share is unknown until the end; with includes still to find it would be steeper).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from .svg_text import FONT_FAMILY, FONT_SIZE, clean

WIDTH, HEIGHT = 640, 380
LEFT, RIGHT, TOP, BOTTOM = 60, 24, 44, 92
FOUND_COLOUR = "#1f5f99"
RANDOM_COLOUR = "#8a8a8a"
AXIS_COLOUR = "#333333"
GRID_COLOUR = "#e3e3e3"
TITLE = "Includes found against references screened (title and abstract)"


def nice_ticks(top: float, most: int = 6) -> list[int]:
    """Whole-number ticks from 0 to at least `top`, at a step of 1, 2 or 5 times a power of 10,
    at most `most` + 1 of them."""
    if top <= 0:
        return [0, 1]
    raw = top / most
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(int(step), 1)
    return list(range(0, math.ceil(top / step) * step + 1, step))


def step_points(found: Sequence[int]) -> list[tuple[int, int]]:
    """The curve's corners: from (0, 0) a step up at each include, to (screened, includes).
    Exact at any length, with two points per include rather than one per reference."""
    points = [(0, 0)]
    previous = 0
    for index, value in enumerate(found):
        if value != previous:
            points += [(index, previous), (index + 1, value)]
            previous = value
    if found and points[-1][0] != len(found):
        points.append((len(found), previous))
    return points


def _text(x: float, y: float, text: str, *, anchor: str = "middle", extra: str = "") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{escape(clean(text))}</text>'
    )


def _summary(found: Sequence[int], pool: int) -> str:
    screened, includes = len(found), (found[-1] if found else 0)
    if not screened:
        return f"No reference is settled yet; {pool} to screen."
    expected = includes * screened / pool if pool else 0
    return (
        f"{screened} of {pool} references screened and settled, {includes} "
        f"include{'' if includes == 1 else 's'} found. In random order, about "
        f"{expected:.1f} would have been found by then, had these been all the includes."
    )


@dataclass(frozen=True)
class Curve:
    """One line of a chart: its points (x, y), the class its element carries, its colour and its
    legend. `straight`: drawn as one <line> from its first point to its last (a guide, such as the
    random-order expectation), else as a <polyline>; no points, a legend entry only."""

    name: str
    points: Sequence[tuple[float, float]]
    colour: str
    label: str
    dashed: bool = False
    straight: bool = False


def curves_svg(
    curves: Sequence[Curve],
    *,
    x_top: float,
    y_top: float,
    x_label: str,
    title: str,
    desc: str,
    ident: str,
    heading: bool = True,
    empty: str = "",
) -> str:
    """Includes found (y) against references or records screened (x) as an SVG document:
    grid, axes, the curves and their legend. `heading` draws the title above the plot as well
    as in <title>; `empty`, a note in the middle of a plot with nothing drawn yet."""
    x_ticks = nice_ticks(max(x_top, 1))
    y_ticks = nice_ticks(max(y_top, 1), most=5)
    top = TOP if heading else 20
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - top - BOTTOM

    def sx(value: float) -> float:
        return LEFT + plot_w * value / x_ticks[-1]

    def sy(value: float) -> float:
        return top + plot_h * (1 - value / y_ticks[-1])

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" style="max-width:100%;height:auto" '
        f'aria-labelledby="{ident}-title {ident}-desc" font-family={quoteattr(FONT_FAMILY)} '
        f'font-size="{FONT_SIZE}">',
        f'<title id="{ident}-title">{escape(clean(title))}</title>',
        f'<desc id="{ident}-desc">{escape(clean(desc))}</desc>',
        '<rect width="100%" height="100%" fill="#ffffff"/>',
    ]
    if heading:
        parts.append(_text(WIDTH / 2, 22, title, extra=' font-size="14" font-weight="bold"'))
    for tick in x_ticks:
        x = sx(tick)
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" '
            f'stroke="{GRID_COLOUR}"/>'
        )
        parts.append(_text(x, top + plot_h + 16, f"{tick:,}"))
    for tick in y_ticks:
        y = sy(tick)
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" '
            f'stroke="{GRID_COLOUR}"/>'
        )
        parts.append(_text(LEFT - 8, y + 4, f"{tick:,}", anchor="end"))
    parts += [
        f'<line x1="{LEFT}" y1="{top + plot_h}" x2="{LEFT + plot_w}" y2="{top + plot_h}" '
        f'stroke="{AXIS_COLOUR}"/>',
        f'<line x1="{LEFT}" y1="{top}" x2="{LEFT}" y2="{top + plot_h}" stroke="{AXIS_COLOUR}"/>',
        _text(LEFT + plot_w / 2, top + plot_h + 36, x_label),
        _text(
            16,
            top + plot_h / 2,
            "Includes found",
            extra=f' transform="rotate(-90 16 {top + plot_h / 2:.1f})"',
        ),
    ]
    if empty:
        parts.append(_text(LEFT + plot_w / 2, top + plot_h / 2, empty))
    legend = HEIGHT - 38
    for curve in curves:
        width = "1.5" if curve.straight else "2"
        style = f'stroke="{curve.colour}" stroke-width="{width}"' + (
            ' stroke-dasharray="6 4"' if curve.dashed else ""
        )
        if curve.points and curve.straight:
            (x1, y1), (x2, y2) = curve.points[0], curve.points[-1]
            parts.append(
                f'<line class="{curve.name}" x1="{sx(x1):.1f}" y1="{sy(y1):.1f}" '
                f'x2="{sx(x2):.1f}" y2="{sy(y2):.1f}" {style}/>'
            )
        elif curve.points:
            points = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in curve.points)
            parts.append(f'<polyline class="{curve.name}" points="{points}" fill="none" {style}/>')
        parts += [
            f'<line x1="{LEFT}" y1="{legend}" x2="{LEFT + 28}" y2="{legend}" {style}/>',
            _text(LEFT + 36, legend + 4, curve.label, anchor="start"),
        ]
        legend += 20
    parts.append("</svg>")
    return "\n".join(parts)


def progress_svg(found: Sequence[int], pool: int, *, title: str = TITLE) -> str:
    """The dashboard's chart as an SVG document (the dashboard inlines it)."""
    pool = max(pool, len(found))
    includes = found[-1] if found else 0
    return curves_svg(
        [
            Curve(
                "includes-found",
                step_points(found) if found else [],
                FOUND_COLOUR,
                "Includes found, in the order settled",
            ),
            Curve(
                "random-order",
                [(0, 0), (pool, includes)],
                RANDOM_COLOUR,
                "Random order, expected: the includes found so far spread evenly over all "
                "references",
                dashed=True,
                straight=True,
            ),
        ],
        x_top=pool,
        y_top=includes,
        x_label="References screened (settled)",
        title=title,
        desc=_summary(found, pool),
        ident="progress",
        empty="" if found else "No reference settled yet.",
    )
