"""Text colours of the stylesheet against their backgrounds: WCAG 2.1 AA, 4.5:1 for body text.

Read from static/css/app.css itself, so that a colour changed there is checked here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).resolve().parents[2] / "static" / "css" / "app.css").read_text()
VARIABLES = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", CSS))


def _background(selector: str) -> str:
    rule = re.search(re.escape(selector) + r"\s*\{[^}]*background:\s*(#[0-9a-fA-F]{6})", CSS)
    assert rule, selector
    return rule.group(1)


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(text: str, background: str) -> float:
    lighter, darker = sorted((_luminance(text), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


PAIRS = [
    ("fg", "bg"),
    ("fg", "panel"),
    ("muted", "bg"),
    ("muted", "panel"),
    ("accent", "bg"),
    ("accent", "panel"),
    ("accent-fg", "accent"),
    ("ok", "bg"),
    ("bad", "bg"),
    ("warn", "bg"),
]


def test_every_text_colour_of_the_stylesheet_is_checked() -> None:
    # A text colour the stylesheet uses and PAIRS leaves out would never be measured.
    used = set(re.findall(r"(?<![-\w])color:\s*var\(--([a-z-]+)\)", CSS))
    assert used
    assert used <= {text for text, _ in PAIRS}
    assert not re.findall(r"(?<![-\w])color:\s*#", CSS), "a text colour outside the variables"


@pytest.mark.parametrize(("text", "background"), PAIRS)
def test_each_text_colour_reads_on_its_background(text: str, background: str) -> None:
    assert contrast(VARIABLES[text], VARIABLES[background]) >= 4.5


@pytest.mark.parametrize(
    "selector", ["mark.term-include", "mark.term-exclude", ".side-by-side tr.differs td"]
)
def test_highlights_keep_the_text_readable(selector: str) -> None:
    assert contrast(VARIABLES["fg"], _background(selector)) >= 4.5
