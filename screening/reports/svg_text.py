"""Text for SVG drawings: cleaned for XML, measured and wrapped to a width in pixels.

Pure: standard library only. An SVG has no text layout of its own, and the drawing must fit in
any browser or editor without fonts installed by us, so widths are estimated from a table of
advance widths that errs on the wide side.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

FONT_FAMILY: Final = "system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"
FONT_SIZE: Final = 11

# Advance widths in em, close to DejaVu Sans (the widest common sans-serif, which Linux falls
# back to), so that a line measured here fits whichever sans-serif the viewer has.
_EM: Final[dict[str, float]] = {
    **dict.fromkeys("ijl|", 0.28),
    **dict.fromkeys(" ,.:;!'", 0.32),
    **dict.fromkeys("ft()[]-/", 0.37),
    **dict.fromkeys("r", 0.41),
    **dict.fromkeys("sz", 0.53),
    **dict.fromkeys("c", 0.55),
    **dict.fromkeys("kvxy", 0.59),
    **dict.fromkeys("w", 0.82),
    **dict.fromkeys("m", 0.97),
    **dict.fromkeys("IJ", 0.30),
    **dict.fromkeys("MW", 0.96),
    **dict.fromkeys("=+<>", 0.84),
    **dict.fromkeys("0123456789", 0.64),
}

# XML 1.0 forbids most control characters even when escaped; user names may carry them.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _char_em(char: str) -> float:
    if char in _EM:
        return _EM[char]
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.0
    if char.isupper():
        return 0.74
    return 0.63


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """Estimated width of `text` in pixels at font `size`."""
    return sum(_char_em(c) for c in text) * size


def clean(text: str) -> str:
    """`text` on one line with the characters XML cannot carry replaced by spaces."""
    return " ".join(_XML_INVALID.sub(" ", str(text)).split())


def wrap(text: str, width: float, size: float = FONT_SIZE) -> list[str]:
    """Greedy word wrap to `width` pixels; "(n = 12)" stays on one line, long words break."""
    words = re.sub(r"\(n = ([\d,]+)\)", "(n\xa0=\xa0\\1)", clean(text)).split(" ")
    lines: list[str] = []
    line = ""
    for word in words:
        candidate = f"{line} {word}" if line else word
        if text_width(candidate, size) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for char in word:  # a word wider than the box: break it
            if line and text_width(line + char, size) > width:
                lines.append(line)
                line = ""
            line += char
    if line or not lines:
        lines.append(line)
    return [each.replace("\xa0", " ") for each in lines]
