"""MEDLINE / .nbib: PubMed, PubMed Central's MEDLARS display, and ERIC's own .nbib export.

A line is a tag of 2-4 capitals padded to 4 characters, `- `, then the value; lines starting with
spaces continue the previous value. Records are separated by blank lines and also begin at a
repeated `PMID-`, `OWN -` or `PMC -` line. Our own reader, not the `nbib` package: `nbib` rejects
ERIC's `ISSN - ` tags and bare-URL `AID`s, and silently drops a last record with no final newline.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from .citation import Author, Citation, ImportWarning
from .fields import (
    clean_doi,
    clean_isbn,
    clean_issn,
    clean_pmcid,
    clean_pmid,
    collapse_space,
    expand_pages,
    find_doi,
    parse_author,
    parse_year,
)

# JabRef's test files show `PMID-22664220`, `PMC -22664230` and `TI-`, so the space after the
# hyphen and the padding are optional; ERIC writes `ISSN - ` (tag, space, hyphen).
_TAG_RE = re.compile(r"([A-Z]{2,4}) *-")
_SNIFF_RE = re.compile(r"(?:PMID|OWN |PMC |TI  |AU  |FAU )-")
_START_TAGS = frozenset({"PMID", "OWN", "PMC"})
_URL_RE = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
_WRAP_WIDTH = 82


@dataclass(slots=True)
class _Record:
    """Tags and values side by side: two lists, not a pair per line, spare the collector."""

    start: int
    end: int
    tags: list[str] = field(default_factory=list)
    values: list[str] = field(default_factory=list)


def sniff(text: str) -> bool:
    """True when the first non-blank line is a MEDLINE start tag (`PMID-`, `OWN -`, `TI  -`, ...)."""
    for line in text[:4096].split("\n"):
        if line.strip():
            return bool(_SNIFF_RE.match(line))
    return False


def parse(text: str) -> tuple[list[Citation], list[ImportWarning]]:
    """Read every MEDLINE record; skipped stray lines come back as warnings."""
    lines = text.split("\n")
    warnings: list[ImportWarning] = []
    citations = [_citation(record, lines) for record in _records(lines, warnings)]
    return citations, warnings


def _records(lines: list[str], warnings: list[ImportWarning]) -> Iterator[_Record]:
    record: _Record | None = None
    match_tag = _TAG_RE.match
    for index, line in enumerate(lines):
        if not line or line.isspace():
            if record is not None:
                yield record
                record = None
            continue
        if line[0] in " \t":
            _continue(record, line, index, warnings)
            continue
        match = match_tag(line)
        if match is None:
            _stray(record, line, index, warnings)
            continue
        tag = match[1]
        if record is not None and tag in _START_TAGS and tag in record.tags:
            yield record
            record = None
        if record is None:
            record = _Record(start=index, end=index)
        record.tags.append(tag)
        record.values.append(line[match.end() :].strip())
        record.end = index
    if record is not None:
        yield record


def _continue(record: _Record | None, line: str, index: int, warnings: list[ImportWarning]) -> None:
    if record is None:
        warnings.append(
            ImportWarning(line=index + 1, message="skipped an indented line outside any record")
        )
        return
    last = record.values[-1]
    record.values[-1] = f"{last} {line.strip()}" if last else line.strip()
    record.end = index


def _stray(record: _Record | None, line: str, index: int, warnings: list[ImportWarning]) -> None:
    preview = line.strip()[:60]
    if record is None:
        warnings.append(
            ImportWarning(
                line=index + 1, message=f"skipped a line that is not MEDLINE: {preview!r}"
            )
        )
        return
    # An untagged line inside a record is most likely a wrapped value that lost its indent.
    tag = record.tags[-1]
    warnings.append(
        ImportWarning(
            line=index + 1,
            message=f"untagged line read as a continuation of {tag}: {preview!r}",
            field=tag,
        )
    )
    _continue(record, line, index, warnings)


def _citation(record: _Record, lines: list[str]) -> Citation:
    pairs = list(zip(record.tags, record.values, strict=True))
    fields: dict[str, list[str]] = {}
    for tag, value in pairs:
        values = fields.get(tag)
        if values is None:
            fields[tag] = [value]
        else:
            values.append(value)
    citation = Citation(
        raw="\n".join(lines[record.start : record.end + 1]),
        line=record.start + 1,
        title=_joined(fields, "TI") or _joined(fields, "BTI"),
        abstract=_joined(fields, "AB"),
        authors=_authors(pairs),
        year=parse_year(_first(fields, "DP")),
        journal=collapse_space(_first(fields, "JT")),
        journal_abbrev=collapse_space(_first(fields, "TA")),
        volume=_first(fields, "VI"),
        issue=_first(fields, "IP"),
        pmid=clean_pmid(_first(fields, "PMID")),
        pmcid=clean_pmcid(_first(fields, "PMC")),
        issn=_unique(
            v for tag in ("IS", "ISSN") for value in _all(fields, tag) for v in clean_issn(value)
        ),
        isbn=_unique(v for value in _all(fields, "ISBN") for v in clean_isbn(value)),
        keywords=[v for tag, v in pairs if tag in ("MH", "OT") and v],
        language=_first(fields, "LA"),
        publication_type=_first(fields, "PT"),
        doi=_doi(fields),
        url=_url(fields),
        fields=fields,
    )
    citation.start_page, citation.end_page = expand_pages(_first(fields, "PG"))
    citation.pages = _pages(citation.start_page, citation.end_page)
    is_eric = _first(fields, "OWN").upper() == "ERIC"
    citation.source_database = "ERIC" if is_eric else "PubMed"
    oid = _first(fields, "OID")
    citation.accession = oid if is_eric or not citation.pmid else citation.pmid
    return citation


def _first(fields: dict[str, list[str]], tag: str) -> str:
    for value in fields.get(tag, ()):
        if value:
            return value
    return ""


def _all(fields: dict[str, list[str]], tag: str) -> list[str]:
    return [value for value in fields.get(tag, ()) if value]


def _joined(fields: dict[str, list[str]], tag: str) -> str:
    return collapse_space(" ".join(_all(fields, tag)))


def _unique(values: Iterator[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _pages(start: str, end: str) -> str:
    return f"{start}-{end}" if start and end else start or end


def _authors(entries: list[tuple[str, str]]) -> list[Author]:
    """FAU names, each followed by its short AU form; an AU with no FAU before it stands alone."""
    authors: list[Author] = []
    after_full = False
    for tag, value in entries:
        if tag == "FAU":
            after_full = bool(value)
            if value:
                authors.append(parse_author(value))
        elif tag == "AU":
            if not after_full and value and value.lower().rstrip(".") != "et al":
                authors.append(parse_author(value))
            after_full = False
        elif tag == "CN" and value:
            name = collapse_space(value)
            authors.append(Author(family=name, printed=name))
    return authors


def _doi(fields: dict[str, list[str]]) -> str:
    ids = _all(fields, "LID") + _all(fields, "AID")
    for value in ids:
        if value.lower().endswith("[doi]"):
            return clean_doi(value)
    for value in [*(v for v in ids if not v.lower().endswith("[pii]")), *_all(fields, "SO")]:
        doi = find_doi(value)
        if doi:
            return doi
    return ""


def _url(fields: dict[str, list[str]]) -> str:
    """ERIC's AID publisher link, else the eric.ed.gov record page in LID."""
    for tag in ("AID", "LID"):
        for value in _all(fields, tag):
            if _URL_RE.match(value) and not clean_doi(value):
                return value
    return ""


def dump(citations: list[Citation]) -> str:
    """The citations as MEDLINE text that `parse` reads back."""
    return "\n".join("\n".join(_dump_record(citation)) + "\n" for citation in citations)


def _dump_record(citation: Citation) -> list[str]:
    out: list[str] = []
    is_eric = citation.source_database.upper() == "ERIC"
    _put(out, "PMID", citation.pmid)
    _put(out, "OWN", "ERIC" if is_eric else "")
    out.extend(_line("TI", citation.title))
    if is_eric or (citation.accession and citation.accession != citation.pmid):
        _put(out, "OID", citation.accession)
    _put(out, "LID", f"{citation.doi} [doi]" if citation.doi else "")
    _put(out, "AID", citation.url)
    _put(out, "AB", citation.abstract)
    for author in citation.authors:
        _dump_author(out, author)
    _put(out, "LA", citation.language)
    _put(out, "PT", citation.publication_type)
    _put(out, "DP", str(citation.year) if citation.year else "")
    _put(out, "JT", citation.journal)
    _put(out, "TA", citation.journal_abbrev)
    _put(out, "VI", citation.volume)
    _put(out, "IP", citation.issue)
    _put(out, "PG", citation.pages or _pages(citation.start_page, citation.end_page))
    for issn in citation.issn:
        _put(out, "IS", issn)
    for isbn in citation.isbn:
        _put(out, "ISBN", isbn)
    for keyword in citation.keywords:
        _put(out, "OT", keyword)
    _put(out, "PMC", citation.pmcid)
    return out


def _dump_author(out: list[str], author: Author) -> None:
    if not author.given:
        # A name with no given part is a group or a single word: CN keeps it whole.
        _put(out, "CN", author.family)
        return
    _put(out, "FAU", f"{author.family}, {author.given}")
    initials = "".join(part[0] for part in re.split(r"[\s.\-]+", author.given) if part)
    _put(out, "AU", f"{author.family} {initials}".strip())


def _put(out: list[str], tag: str, value: str) -> None:
    if value and value.strip():
        out.extend(_line(tag, value))


def _line(tag: str, value: str) -> list[str]:
    """One tagged value, wrapped like PubMed's own files (continuations indented 6 spaces)."""
    prefix = f"{tag:<4}- "
    parts = _wrap(collapse_space(value), _WRAP_WIDTH - len(prefix))
    return [prefix + parts[0], *("      " + part for part in parts[1:])]


def _wrap(value: str, width: int) -> list[str]:
    """Greedy wrap at spaces; a word longer than the width keeps a line of its own."""
    if len(value) <= width:
        return [value]
    parts: list[str] = []
    words: list[str] = []
    length = -1
    for word in value.split(" "):
        if words and length + 1 + len(word) > width:
            parts.append(" ".join(words))
            words, length = [], -1
        words.append(word)
        length += 1 + len(word)
    parts.append(" ".join(words))
    return parts
