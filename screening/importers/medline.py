"""MEDLINE / .nbib: PubMed, PubMed Central's MEDLARS display, and ERIC's own .nbib export.

A line is a tag of 2-4 capitals padded to 4 characters, `- `, then the value; lines starting with
spaces continue the previous value. Records are separated by blank lines and also begin at a
repeated `PMID-`, `OWN -` or `PMC -` line. Our own reader, not the `nbib` package: `nbib` rejects
ERIC's `ISSN - ` tags and bare-URL `AID`s, and silently drops a last record with no final newline.

A block between empty lines whose lines are all tagged or indented (every PubMed record) is read
by the regex engine; only other blocks (a stray line, a line of spaces) are read line by line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import itemgetter

from .citation import Author, Citation, ImportWarning
from .fields import (
    UnknownTags,
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
    warn_unread,
)

# JabRef's test files show `PMID-22664220`, `PMC -22664230` and `TI-`, so the space after the
# hyphen and the padding are optional; ERIC writes `ISSN - ` (tag, space, hyphen).
_TAG_RE = re.compile(r"([A-Z]{2,4}) *-")
_SNIFF_RE = re.compile(r"(?:PMID|OWN |PMC |TI  |AU  |FAU )-")
_START_TAGS = frozenset({"PMID", "OWN", "PMC"})
# A tagged line and the indented lines after it that are not blank. It starts with a "\n", which
# the regex engine finds fast; its quantifiers are possessive (`*+`), so never backtrack.
_FIELD_RE = re.compile(r"\n([A-Z]{2,4}) *-([^\n]*+(?:\n[ \t][^\S\n]*+\S[^\n]*+)*+)")
_URL_RE = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
# NLM's "MEDLINE/PubMed Data Element (Field) Descriptions", with the tags of PubMed Bookshelf
# records (CTDT, CDAT, DRDT), PubMed Central's MEDLARS display (PMCR) and ERIC's .nbib (ISSN,
# OID): a tag known but not mapped onto a Citation field (OWN, STAT, DCOM, LR, ...) stays in
# `fields` and the raw record without a warning; any other tag is reported once per file.
_KNOWN_TAG_NAMES = (
    "AB AD AID AU AUID BTI CDAT CI CIN CN COI COIS CON CP CRDT CRF CRI CTDT CTI DA DCOM "
    "DDIN DEP DP DRDT DRIN ECF ECI ED EDAT EFR EIN EN FAU FED FIR FPS GN GR GS IP IR IRAD "
    "IS ISBN ISSN JID JT LA LID LR MH MHDA MID NM NR OAB OABL OCI OID ORI OT OTO OWN PB PG "
    "PHST PL PMC PMCR PMID PRIN PROF PS PST PT PUBM RF RIN RN ROF RPF RPI SB SFM SI SO "
    "SPIN STAT TA TI TT UIN UOF VI VTI"
)
KNOWN_TAGS = frozenset(_KNOWN_TAG_NAMES.split())
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
    warnings: list[ImportWarning] = []
    citations: list[Citation] = []
    add = citations.append
    unknown = UnknownTags(KNOWN_TAGS, what="a MEDLINE tag")
    line = 0  # lines before the block
    # Blocks between empty lines. A block of lines that are all tagged or indented is one record
    # (unless a start tag repeats): the regex engine reads its fields. Any other block (one with
    # a blank line of spaces, a stray line, or an empty line at its start or end) goes line by line.
    for block in text.split("\n\n"):
        newlines = block.count("\n")
        if block:
            citation = _clean_block(block, line, newlines)
            if citation is not None:
                add(citation)
                _check(citation, unknown, warnings)
            else:
                lines = block.split("\n")
                for record in _records(lines, warnings, line):
                    add(citation := _citation(record, lines, line))
                    _check(citation, unknown, warnings)
        line += newlines + 2  # the block's lines and the empty line after it
    warnings.extend(unknown.warnings())
    return citations, warnings


def _check(citation: Citation, unknown: UnknownTags, warnings: list[ImportWarning]) -> None:
    """Note the record's unknown tags; report a year, DOI or pages printed but not read."""
    fields = citation.fields
    unknown.see(fields, citation.line)
    # The usual PubMed record (a year, a DOI, a numbered first page) passes three comparisons.
    if citation.year is not None and citation.doi and citation.start_page.isdigit():
        return
    doi_field, printed_doi = "", ""
    if not citation.doi:
        for tag in ("LID", "AID"):
            for value in fields.get(tag, ()):
                if value.lower().endswith("[doi]"):
                    doi_field, printed_doi = tag, value[:-5].strip()
                    break
            if printed_doi:
                break
    warn_unread(
        citation,
        warnings,
        year=("DP", _first(fields, "DP")),
        doi=(doi_field, printed_doi),
        pages=("PG", _first(fields, "PG")),
    )


def _clean_block(block: str, line: int, newlines: int) -> Citation | None:
    """The record of a block of tagged and indented lines; None for any other block, or when a
    start tag repeats in it."""
    fields: dict[str, list[str]] = {}
    get = fields.get
    found = _FIELD_RE.findall("\n" + block)  # a leading "\n": a literal start is found fast
    covered = len(found)  # the lines read: one per tag, and the indented lines after it
    for tag, value in found:
        if "\n" in value:
            covered += value.count("\n")
            # map/filter/join at C speed; only the first line can be blank after its tag.
            value = " ".join(filter(None, map(str.strip, value.split("\n"))))
        else:
            value = value.strip()
        known = get(tag)
        if known is None:
            fields[tag] = [value]
        else:
            known.append(value)
    if covered != newlines + 1:
        return None  # a line neither tagged nor indented, or a blank one, skipped by the regex
    for tag in _START_TAGS:
        known = get(tag)
        if known is not None and len(known) > 1:
            return None
    return _mapped(block, line + 1, list(map(itemgetter(0), found)), None, fields)


def _in_order(tags: list[str], fields: dict[str, list[str]]) -> list[str]:
    """The values of `fields` in the order of `tags`, the record's tags as they came."""
    rest = {tag: iter(values) for tag, values in fields.items()}
    return [next(rest[tag]) for tag in tags]


def _records(lines: list[str], warnings: list[ImportWarning], offset: int = 0) -> Iterator[_Record]:
    """The records of `lines`, the first of which is line `offset + 1` of the text."""
    record: _Record | None = None
    match_tag = _TAG_RE.match
    for index, line in enumerate(lines, offset):
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


def _citation(record: _Record, lines: list[str], offset: int = 0) -> Citation:
    """The record of `lines` (the first of them line `offset + 1`) that `_records` found."""
    fields: dict[str, list[str]] = {}
    for tag, value in zip(record.tags, record.values, strict=True):
        values = fields.get(tag)
        if values is None:
            fields[tag] = [value]
        else:
            values.append(value)
    raw = "\n".join(lines[record.start - offset : record.end - offset + 1])
    return _mapped(raw, record.start + 1, record.tags, record.values, fields)


def _mapped(
    raw: str, line: int, tags: list[str], values: list[str] | None, fields: dict[str, list[str]]
) -> Citation:
    """The Citation of one record: its tags in order, their values in the same order (None: found
    from `fields` when needed), and `fields`."""
    get = fields.get
    pmid = clean_pmid(_first(fields, "PMID"))
    start, end = expand_pages(_first(fields, "PG"))
    is_eric = _first(fields, "OWN").upper() == "ERIC"
    oid = _first(fields, "OID")
    if "IS" in fields or "ISSN" in fields:
        issn = _unique(
            v for tag in ("IS", "ISSN") for value in _all(fields, tag) for v in clean_issn(value)
        )
    else:
        issn = []
    isbns = get("ISBN")
    journal = _first(fields, "JT")
    abbreviation = _first(fields, "TA")
    title = _joined(fields, "TI")
    book = _joined(fields, "BTI")
    if book and not journal and title:
        journal = book  # a chapter (PubMed Bookshelf): its own title in TI, its book in BTI
    return Citation(
        raw=raw,
        line=line,
        title=title or book,
        abstract=_joined(fields, "AB"),
        authors=_authors(tags, values, fields),
        editors=_editors(fields) if "FED" in fields or "ED" in fields else [],
        year=_year(_first(fields, "DP")),
        journal=collapse_space(journal) if journal else "",
        journal_abbrev=collapse_space(abbreviation) if abbreviation else "",
        volume=_first(fields, "VI"),
        issue=_first(fields, "IP"),
        pages=_pages(start, end),
        start_page=start,
        end_page=end,
        pmid=pmid,
        pmcid=clean_pmcid(_first(fields, "PMC")) if "PMC" in fields else "",
        accession=oid if is_eric or not pmid else pmid,
        issn=issn,
        isbn=_unique(v for value in isbns if value for v in clean_isbn(value)) if isbns else [],
        keywords=_keywords(tags, values, fields),
        language=_first(fields, "LA"),
        publication_type=_first(fields, "PT"),
        doi=_doi(fields),
        url=_url(fields) if "AID" in fields or "LID" in fields else "",
        source_database="ERIC" if is_eric else "PubMed",
        fields=fields,
    )


def _year(value: str) -> int | None:
    # PubMed's `DP  - 2003 Mar 5`: a plain four-digit year first, without parse_year's regex.
    head = value[:4]
    if head.isascii() and head.isdigit() and value[4:5] in ("", " ") and head[0] in "12":
        year = int(head)
        if 1500 <= year <= 2099:
            return year
    return parse_year(value)


def _keywords(tags: list[str], values: list[str] | None, fields: dict[str, list[str]]) -> list[str]:
    mesh, other = fields.get("MH"), fields.get("OT")
    if mesh is None or other is None:  # one of the two: its values are the keywords, in order
        return [v for v in mesh or other or () if v]
    if values is None:
        values = _in_order(tags, fields)
    return [v for tag, v in zip(tags, values, strict=True) if tag in ("MH", "OT") and v]


def _first(fields: dict[str, list[str]], tag: str) -> str:
    values = fields.get(tag)
    if values:
        if values[0]:
            return values[0]
        for value in values:
            if value:
                return value
    return ""


def _all(fields: dict[str, list[str]], tag: str) -> list[str]:
    return [value for value in fields.get(tag, ()) if value]


def _joined(fields: dict[str, list[str]], tag: str) -> str:
    values = fields.get(tag)
    if not values:
        return ""
    if len(values) == 1:
        return collapse_space(values[0])
    return collapse_space(" ".join([value for value in values if value]))


def _unique(values: Iterator[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _pages(start: str, end: str) -> str:
    return f"{start}-{end}" if start and end else start or end


def _authors(
    tags: list[str], values: list[str] | None, fields: dict[str, list[str]]
) -> list[Author]:
    """FAU names, each followed by its short AU form; an AU with no FAU before it stands alone."""
    if "CN" not in fields:
        full, short = fields.get("FAU"), fields.get("AU")
        if short is None:
            return [parse_author(value) for value in full or () if value]
        if full is None:
            return [
                parse_author(value)
                for value in short
                if value and value.lower().rstrip(".") != "et al"
            ]
        # PubMed's usual FAU, AU, FAU, AU, ... run, every FAU filled: each AU repeats its FAU.
        count = len(full)
        if len(short) == count and all(full):
            first = tags.index("FAU")
            run = tags[first : first + 2 * count]
            if run[::2] == ["FAU"] * count and run[1::2] == ["AU"] * count:
                return [parse_author(value) for value in full]
    if values is None:
        values = _in_order(tags, fields)
    authors: list[Author] = []
    after_full = False
    for tag, value in zip(tags, values, strict=True):
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


def _editors(fields: dict[str, list[str]]) -> list[Author]:
    """A book's editors: FED (full names), else the short ED forms."""
    editors = []
    for value in _all(fields, "FED") or _all(fields, "ED"):
        editor = parse_author(value)
        editor.role = "editor"
        editors.append(editor)
    return editors


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
