"""RIS text to records: where each record starts and ends, its tags and values, and the text
between records. `ris` turns each record into a `Citation`.

A record runs from `TY` to `ER`. Inside it, a line without a valid tag continues the previous
value: Scopus's multi-line `N1`, Web of Science's "Total Times Cited" lines, Rayyan's and
EndNote's one-keyword-per-line `KW`. Between records, Ovid's `1.` and "Link to ..." lines,
Cochrane's `Record #3 of 18` headers and APA's `Provider:` preamble are skipped silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from .citation import ImportWarning

# A tag is two capitals (or capital + digit), two spaces, a hyphen, then a space or the line end,
# as in rispy; APA PsycNet adds a four-letter `PMID  - `. Cochrane's two spaces after the hyphen
# are stripped with the value. Real tools also write a known tag with other spacing: `TY - `,
# `TY -`, `TY- `, `ER  -` with no trailing space, tabs. Those variants are read only for the
# tags of the RIS specification and its dialects, so that a wrapped line such as `US - based
# cohort` inside an abstract stays text. Every pattern below anchors on the "\n" before a line,
# which the regex engine scans for far faster than a `^` in MULTILINE mode.
_KNOWN_TAG_NAMES = (
    "TY A1 A2 A3 A4 AB AD AI AN AU AV BT C1 C2 C3 C4 C5 C6 C7 C8 CA CN CP CT CY DA DB DI DO DP "
    "ED EP ET H1 H2 ID IS J1 J2 J9 JA JF JI JO KW L1 L2 L3 L4 LA LB LK M1 M2 M3 N1 N2 NL NV OP "
    "PB PP PT PY RI RN RP SE SN SP ST T1 T2 T3 TA TI TT U1 U2 U3 U4 U5 UR VL VO Y1 Y2 ER "
    "PMID "
    # Dialects: Cochrane's CC, Scopus's M4 and TS, Web of Science's publisher (PU, PI, PA),
    # edition (WE) and funding (FU, FX).
    "CC M4 TS PU PI PA WE FU FX"
)
KNOWN_TAGS = frozenset(_KNOWN_TAG_NAMES.split())
_KNOWN = "|".join(sorted(KNOWN_TAGS, key=len, reverse=True))
_SEPARATOR = r"[ \t]*-(?:[ \t]|\n|$)"
_TAG = rf"(?:(?:[A-Z][A-Z0-9]|PMID)  -(?: |\n|$)|(?:{_KNOWN}){_SEPARATOR})"
_TAG_RE = re.compile(_TAG)
_BOUNDARY_RE = re.compile(r"\n(?:TY|ER)[ \t]*-(?=[ \t]|\n|$)[^\n]*")
# A tag line's "\n" and tag, up to its value: what lies between two of them is a value, with the
# untagged lines after it.
_FIELD_SPLIT_RE = re.compile(
    rf"\n((?:[A-Z][A-Z0-9]|PMID)(?=  -)|(?:{_KNOWN})(?={_SEPARATOR}))[ \t]*-(?:[ \t]+|(?=\n)|$)"
)
_OVID_NUMBER_RE = re.compile(r"\d+\.\s*")
_NOISE_RE = re.compile(r"Link to |Record #\d+ of \d+|(?:Provider|Content|Database):", re.I)
_LIST_CONTINUATION = frozenset({"KW", "AU", "A1", "A2", "A3", "A4", "UR"})


@dataclass(slots=True)
class Record:
    line: int
    raw: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    numbered: bool = False  # preceded by Ovid's `1.` line, so its ID is an accession
    tags: list[str] = field(default_factory=list)  # in file order: AU and A1 may interleave


class _Lines:
    """1-based line numbers of positions in a text, counted once, front to back."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0
        self.count = 0

    def after(self, newline: int) -> int:
        """The number of the line that starts after the "\\n" at `newline`."""
        self.count += self.text.count("\n", self.position, newline + 1)
        self.position = newline + 1
        return self.count


def records(text: str, warnings: list[ImportWarning]) -> Iterator[Record]:
    text = "\n" + text  # so that the first line, too, follows a "\n"
    lines = _Lines(text)
    start = -1  # the "\n" before the open record's TY; -1 between records
    gap = 0  # the "\n" where the text between records begins
    ended: Record | None = None  # held back: Ovid writes an `NL` line after `ER`
    numbered = False
    for boundary in _BOUNDARY_RE.finditer(text):
        at = boundary.start()
        opens = text[at + 1] == "T"
        if start < 0:
            numbered, orphans = _between(text, gap, at, ended, lines, warnings)
            if ended is not None:
                yield ended
                ended = None
            yield from orphans
            if opens:
                start = at
            else:
                warnings.append(_stray_er(lines.after(at)))
                gap = boundary.end()
        elif opens:
            record = _record(text, start, at, lines, numbered)
            warnings.append(_missing_er(record))
            yield record
            start, numbered = at, False
        else:
            ended = _record(text, start, boundary.end(), lines, numbered)
            start, gap, numbered = -1, boundary.end(), False
    if start >= 0:
        record = _record(text, start, len(text), lines, numbered)
        warnings.append(
            ImportWarning(
                line=record.line,
                message="the record has no ER line: the file looks cut off here; the record "
                "was kept as far as it goes (check its last field, or export it again)",
                field="ER",
            )
        )
        yield record
        return
    _, orphans = _between(text, gap, len(text), ended, lines, warnings)
    if ended is not None:
        yield ended
    yield from orphans


def _record(text: str, start: int, end: int, lines: _Lines, numbered: bool) -> Record:
    fields: dict[str, list[str]] = {}
    get = fields.get
    # Split at every tag: [text before the first tag, tag, value, tag, value, ...]. The record
    # starts with the "\n" before its TY, so nothing comes before the first tag.
    chunk = text[start:end]
    parts = _FIELD_SPLIT_RE.split(chunk)
    tags = parts[1::2]
    if chunk.count("\n") == len(tags):  # no untagged lines: no value holds a "\n"
        for tag, value in zip(tags, map(str.strip, parts[2::2]), strict=True):
            values = get(tag)
            if values is None:
                fields[tag] = [value]
            else:
                values.append(value)
    else:
        for tag, value in zip(tags, parts[2::2], strict=True):
            if "\n" in value:
                _add_wrapped(fields, tag, value)
                continue
            values = get(tag)
            if values is None:
                fields[tag] = [value.strip()]
            else:
                values.append(value.strip())
    fields.pop("ER", None)
    raw = text[start + 1 : end].rstrip()
    return Record(line=lines.after(start), raw=raw, fields=fields, numbered=numbered, tags=tags)


def _add_wrapped(fields: dict[str, list[str]], tag: str, value: str) -> None:
    """A value with untagged lines after it: new items of a list tag, else more of the value."""
    # map/filter/join run at C speed: Scopus's N1 can run to hundreds of reference lines.
    lines = list(filter(None, map(str.strip, value.split("\n"))))
    values = fields.setdefault(tag, [])
    if tag not in _LIST_CONTINUATION:
        values.append("\n".join(lines))
    elif value[: value.index("\n")].strip():
        values.extend(lines)
    else:
        values.extend(["", *lines])


def _between(
    text: str,
    start: int,
    end: int,
    ended: Record | None,
    lines: _Lines,
    warnings: list[ImportWarning],
) -> tuple[bool, list[Record]]:
    """Read the text between two records: True when it holds Ovid's record-number line, and
    the records made of tag lines that no TY opened."""
    if end <= start or not text[start + 1 : end].strip():  # blank lines: nothing to do
        return False, []
    first = lines.after(start)
    numbered = False
    orphans: list[Record] = []
    orphan_end = -1  # the end of the last record made of tag lines with no TY
    position = start  # the "\n" before the line being read
    for offset, line in enumerate(text[start + 1 : end].split("\n")):
        here, position = position, position + len(line) + 1
        if here < orphan_end:
            continue
        tag = _TAG_RE.match(line + "\n")
        if tag:
            if ended is None:
                orphan_end = _orphan_end(text, here, end)
                orphans.append(_orphan(text, here, orphan_end, lines, warnings))
                continue
            name, value = _tag_name(tag.group(0)), line[tag.end() :].strip()
            ended.tags.append(name)
            ended.fields.setdefault(name, []).append(value)
            ended.raw = f"{ended.raw}\n{line}"
            continue
        ended = None  # only the lines right after ER belong to that record
        numbered = _skip(line, first + offset, warnings) if line.strip() else numbered
    return numbered, orphans


def _tag_name(tag: str) -> str:
    return tag.split("-", 1)[0].strip()


def _orphan_end(text: str, start: int, end: int) -> int:
    """Where a run of lines from `start` ends: at the first blank line, or at `end`."""
    blank = text.find("\n\n", start + 1, end)
    return end if blank < 0 else blank


def _orphan(
    text: str, start: int, end: int, lines: _Lines, warnings: list[ImportWarning]
) -> Record:
    record = _record(text, start, end, lines, False)
    tag = next(iter(record.fields), "")
    warnings.append(
        ImportWarning(
            line=record.line,
            message="tag lines outside any record (no TY line opens them) were read as a record "
            "of their own",
            field=tag,
        )
    )
    return record


def _skip(line: str, number: int, warnings: list[ImportWarning]) -> bool:
    """Skip one untagged line between records; True when it is Ovid's record number."""
    stripped = line.strip()
    if _OVID_NUMBER_RE.fullmatch(stripped):
        return True
    if not _NOISE_RE.match(stripped):
        warnings.append(
            ImportWarning(line=number, message=f"skipped text between records: {stripped[:60]!r}")
        )
    return False


def _stray_er(number: int) -> ImportWarning:
    return ImportWarning(line=number, message="skipped an ER line with no record open", field="ER")


def _missing_er(record: Record) -> ImportWarning:
    return ImportWarning(
        line=record.line,
        message="the record has no ER line; it was ended at the next TY",
        field="ER",
    )
