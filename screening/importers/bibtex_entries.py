"""BibTeX text to entries: a strict brace-aware reader, and the line-based recovery of an entry
whose braces do not balance (see `bibtex` for why). `bibtex` turns each entry into a `Citation`."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from .citation import ExportFormatError, ImportWarning
from .fields import collapse_space

ENTRY_RE = re.compile(r"@[ \t]*([A-Za-z][\w-]*)[ \t\n]*([{(])")
_NEXT_ENTRY_RE = re.compile(r"^[ \t]*@[A-Za-z][\w-]*[ \t]*[{(]", re.MULTILINE)
_FIELD_NAME_RE = re.compile(r"[^\s=,{}\"#()]+(?:[ \t\xa0]+[^\s=,{}\"#()]+)*")
_LOOSE_FIELD_RE = re.compile(r"^[ \t]*([A-Za-z][^\s=,{}\"#]*(?:[ \t\xa0]\d+)?)[ \t]*=[ \t]*", re.M)


class _Malformed(Exception):
    """The strict reader could not read an entry; the offset says where."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass
class Entry:
    kind: str
    key: str
    start: int
    end: int
    fields: list[tuple[str, str]] = field(default_factory=list)


class LineIndex:
    """Offsets to 1-based line numbers."""

    def __init__(self, text: str) -> None:
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self._starts, offset)


def skip_block(text: str, match: re.Match[str]) -> int:
    try:
        return _balanced_end(text, match.end() - 1)
    except _Malformed:
        # An unclosed @comment swallows nothing: BibTeX itself reads on to the next line.
        newline = text.find("\n", match.end())
        return len(text) if newline < 0 else newline + 1


def read_entry(
    text: str,
    match: re.Match[str],
    macros: dict[str, str],
    lines: LineIndex,
    warnings: list[ImportWarning],
) -> Entry:
    closer = "}" if match.group(2) == "{" else ")"
    next_entry = _NEXT_ENTRY_RE.search(text, match.end())
    limit = next_entry.start() if next_entry else len(text)
    try:
        entry = _strict_entry(text, match, closer, macros)
        if entry.end <= limit:
            return entry
        problem = "entry runs into the next entry (unbalanced braces)"
    except _Malformed as error:
        problem = str(error)
    return _recovered_entry(text, match, closer, limit, problem, macros, lines, warnings)


def _strict_entry(text: str, match: re.Match[str], closer: str, macros: dict[str, str]) -> Entry:
    kind = match.group(1).lower()
    position = match.end()
    entry = Entry(kind=kind, key="", start=match.start(), end=position)
    if kind != "string":
        comma = _find_any(text, position, ",", closer)
        entry.key = text[position:comma].strip()
        position = comma + 1 if text[comma] == "," else comma
    while True:
        position = _skip_space(text, position)
        if position >= len(text):
            raise _Malformed("the file ends before the closing brace", position)
        if text[position] == closer:
            entry.end = position + 1
            return entry
        name_match = _FIELD_NAME_RE.match(text, position)
        if not name_match:
            raise _Malformed(f"expected a field name, found {text[position]!r}", position)
        position = _skip_space(text, name_match.end())
        if position >= len(text) or text[position] != "=":
            raise _Malformed(f"expected `=` after field {name_match.group(0)!r}", position)
        value, position = _read_value(text, position + 1, closer, macros)
        entry.fields.append((collapse_space(name_match.group(0)), value))
        position = _skip_space(text, position)
        if position < len(text) and text[position] == ",":
            position += 1
        elif position < len(text) and text[position] != closer:
            raise _Malformed(f"expected `,` after field {name_match.group(0)!r}", position)


def _read_value(text: str, position: int, closer: str, macros: dict[str, str]) -> tuple[str, int]:
    parts: list[str] = []
    while True:
        position = _skip_space(text, position)
        if position >= len(text):
            raise _Malformed("the file ends inside a value", position)
        char = text[position]
        if char == "{":
            end = _balanced_end(text, position)
            parts.append(text[position + 1 : end - 1])
        elif char == '"':
            end = _quoted_end(text, position)
            parts.append(text[position + 1 : end - 1])
        else:
            word = re.compile(r"[^\s,#{}\"()]+").match(text, position)
            if not word:
                raise _Malformed(f"expected a value, found {char!r}", position)
            end = word.end()
            parts.append(macros.get(word.group(0).lower(), word.group(0)))
        position = _skip_space(text, end)
        if position < len(text) and text[position] == "#":
            position += 1
            continue
        return "".join(parts), position


def _balanced_end(text: str, position: int) -> int:
    """Offset just past the `}` (or entry-closing `)`) that matches the opener at `position`.

    Every brace counts, escaped or not, as BibTeX itself counts them.
    """
    if text[position] == "{":
        depth = 0
        for match in re.compile(r"[{}]").finditer(text, position):
            depth += 1 if match.group(0) == "{" else -1
            if depth == 0:
                return match.end()
    else:
        depth = 0
        for match in re.compile(r"[{})]").finditer(text, position + 1):
            mark = match.group(0)
            if mark == ")" and depth == 0:
                return match.end()
            depth += {"{": 1, "}": -1}.get(mark, 0)
    raise _Malformed("a brace is never closed", len(text))


def _quoted_end(text: str, position: int) -> int:
    depth = 0
    for match in re.compile(r"[{}\"]").finditer(text, position + 1):
        mark = match.group(0)
        if mark == "{":
            depth += 1
        elif mark == "}":
            depth -= 1
        elif mark == '"' and depth <= 0:
            return match.end()
    raise _Malformed("a quoted value is never closed", len(text))


def _find_any(text: str, position: int, *chars: str) -> int:
    found = [i for i in (text.find(c, position) for c in chars) if i >= 0]
    if not found:
        raise _Malformed("the file ends after the citation key", len(text))
    return min(found)


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _recovered_entry(
    text: str,
    match: re.Match[str],
    closer: str,
    limit: int,
    problem: str,
    macros: dict[str, str],
    lines: LineIndex,
    warnings: list[ImportWarning],
) -> Entry:
    """Keep an entry whose braces do not balance when a closing line still ends it."""
    line = lines.line(match.start())
    body = text[match.end() : limit]
    closing = list(re.finditer(rf"^[ \t]*\{closer}[ \t]*$", body, re.M))
    if not closing and limit == len(text):
        raise ExportFormatError(
            f"the @{match.group(1)} entry starting on this line is cut off: {problem}", line=line
        )
    end = match.end() + (closing[-1].start() if closing else len(body))
    body = text[match.end() : end]
    key, _, rest = body.partition(",")
    entry = Entry(kind=match.group(1).lower(), key=key.strip(), start=match.start(), end=end)
    if closing:
        entry.end = match.end() + closing[-1].end()
    names = list(_LOOSE_FIELD_RE.finditer(rest))
    ends = [following.start() for following in names[1:]] + ([len(rest)] if names else [])
    for here, value_end in zip(names, ends, strict=True):
        value = rest[here.end() : value_end].strip()
        entry.fields.append((collapse_space(here.group(1)), _loose_value(value, macros)))
    warnings.append(
        ImportWarning(
            line=line,
            message=f"entry read line by line because its braces do not balance ({problem})",
            field=_unbalanced_field(entry),
        )
    )
    return entry


def _loose_value(value: str, macros: dict[str, str]) -> str:
    value = value.rstrip().removesuffix(",").strip()
    if len(value) >= 2 and (value[0], value[-1]) in (("{", "}"), ('"', '"')):
        return value[1:-1]
    return macros.get(value.lower(), value)


def _unbalanced_field(entry: Entry) -> str:
    for name, value in entry.fields:
        if value.count("{") != value.count("}"):
            return name
    return ""
