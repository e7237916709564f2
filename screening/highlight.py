"""Keyword highlighting for screening: the project's include and exclude terms marked in a text.

Pure: text and term lists in, HTML out (escaped, with <mark> around the terms). A term is a word,
a stem ending in `*` ("educat*" marks education, educational, educator) or a phrase of several
words ("continuing education", any spaces or a line break between them). Matching ignores case
and never starts or ends inside a word. Where an include and an exclude term overlap, the longer
match wins, and the include term on a tie.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

INCLUDE, EXCLUDE = "include", "exclude"


@dataclass(frozen=True, slots=True)
class Terms:
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @classmethod
    def from_lines(cls, include: str, exclude: str) -> Terms:
        """Terms as a lead types them: one per line (or separated by semicolons)."""
        return cls(include=_split(include), exclude=_split(exclude))

    def __bool__(self) -> bool:
        return bool(self.include or self.exclude)


def _split(lines: str) -> tuple[str, ...]:
    terms = (part.strip().strip('"').strip() for part in re.split(r"[\n;]", lines))
    return tuple(dict.fromkeys(term for term in terms if term.strip("*")))


def _pattern(term: str) -> str:
    stem = term.endswith("*")
    words = term.rstrip("*").split()
    body = r"\s+".join(re.escape(word) for word in words)
    end = r"\w*" if stem else r"(?!\w)"
    return r"(?<!\w)" + body + end


def _matches(text: str, terms: Iterable[str], kind: str) -> list[tuple[int, int, str]]:
    found = []
    for term in terms:
        for match in re.finditer(_pattern(term), text, flags=re.IGNORECASE):
            if match.end() > match.start():
                found.append((match.start(), match.end(), kind))
    return found


def highlight(text: str, terms: Terms) -> str:
    """`text` as safe HTML, each term wrapped in <mark class="term-include|term-exclude">."""
    if not text or not terms:
        return html.escape(text)
    candidates = _matches(text, terms.include, INCLUDE) + _matches(text, terms.exclude, EXCLUDE)
    # Longest first, include before exclude on a tie, then leftmost; keep those that do not overlap.
    candidates.sort(key=lambda m: (-(m[1] - m[0]), m[2] != INCLUDE, m[0]))
    kept: list[tuple[int, int, str]] = []
    for start, end, kind in candidates:
        if all(end <= s or start >= e for s, e, _ in kept):
            kept.append((start, end, kind))
    out, at = [], 0
    for start, end, kind in sorted(kept):
        out.append(html.escape(text[at:start]))
        out.append(f'<mark class="term-{kind}">{html.escape(text[start:end])}</mark>')
        at = end
    out.append(html.escape(text[at:]))
    return "".join(out)
