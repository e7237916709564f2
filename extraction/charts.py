"""Bar charts of the "Table 2" summary, drawn as SVG by the app (no chart library): one chart
per choice, multichoice or boolean field, a bar per value with its count and percent."""

from __future__ import annotations

from xml.sax.saxutils import escape

BAR_HEIGHT = 18
GAP = 6
LABEL_WIDTH = 180
BAR_WIDTH = 260
TEXT_WIDTH = 90


def bar_chart(title: str, values: dict[str, dict[str, object]]) -> str:
    """An accessible SVG: a title, one bar per value scaled to 100 %, the figures beside it."""
    rows = list(values.items())
    height = 24 + len(rows) * (BAR_HEIGHT + GAP)
    width = LABEL_WIDTH + BAR_WIDTH + TEXT_WIDTH
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-label="{escape(title, {chr(34): "&quot;"})}">',
        f'<text x="0" y="14" font-size="13" font-weight="600">{escape(title)}</text>',
    ]
    for i, (label, figures) in enumerate(rows):
        y = 24 + i * (BAR_HEIGHT + GAP)
        percent = figures.get("percent") or 0
        bar = BAR_WIDTH * float(percent) / 100  # type: ignore[arg-type]
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 13}" font-size="12" text-anchor="end">'
            f"{escape(str(label))}</text>"
        )
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{bar:.1f}" height="{BAR_HEIGHT}" '
            f'fill="#0b5cad"><title>{escape(str(label))}: {figures.get("count")}</title></rect>'
        )
        parts.append(
            f'<text x="{LABEL_WIDTH + bar + 6:.1f}" y="{y + 13}" font-size="12">'
            f"{figures.get('count')} ({percent}%)</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
