"""Web of Science tagged export ("Plain text" / `.ciw` / ISI), including Zoological Record via WoS.

A file opens with `FN`/`VR`, holds records from `PT x` to `ER`, and ends with `EF`. A tag is two
characters and one space. A line starting with spaces continues the tag above it: for the
list tags (authors, addresses, cited references) each such line is one more value, for every other
tag it is the wrapped rest of the same value. Unknown tags are kept in `fields` as read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .citation import Author, Citation, ImportWarning
from .fields import (
    UnknownTags,
    clean_doi,
    clean_isbn,
    clean_issn,
    clean_pmid,
    collapse_space,
    expand_pages,
    group_author,
    parse_author,
    parse_year,
    warn_unread,
)

_TAG_LINE_RE = re.compile(r"^([A-Z][A-Z0-9])(?: (.*))?$")
_RIS_LINE_RE = re.compile(r"^TY {2}- ", re.MULTILINE)
_STRUCTURE_TAGS = frozenset({"FN", "VR", "EF"})
# Tags whose continuation lines are separate values rather than a wrapped value.
_LIST_TAGS = frozenset({"AU", "AF", "BA", "BF", "BE", "CA", "GP", "C1", "C3", "CR"})
# Tags of Clarivate's field list: a line opening with one of these glued to its value (no space)
# is repaired; any other unreadable line is skipped.
_KNOWN_TAG_NAMES = (
    "AB AF AN AR AU BA BD BE BF BN BP C1 C3 CA CL CR CT CY DA DE DI D2 DT EA EI EM EP FU "
    "FX GA GP HC HO HP ID IS J9 JI LA MA NR OA OI OR PA PD PG PI PM PN PS PT PU PY RI RP "
    "SC SE SI SN SO SP ST SU TC TI TN U1 U2 UR UT VL WC WE Z9 "
    "AW BS EF ER EY FN FP NT VR ZB ZR ZS Z8 "
    # The rest of Clarivate's list: DOI link, funding text parts, open access, hot paper.
    "DL FT HC HP OA Z1 Z2 Z3 Z4 Z5 Z6 Z7 "
)
_KNOWN_TAGS = frozenset(_KNOWN_TAG_NAMES.split())
_UT_DATABASES = {
    "WOS": "Web of Science Core Collection",
    "MEDLINE": "MEDLINE",
    "ZOOREC": "Zoological Record",
    "BCI": "BIOSIS Citation Index",
    "BIOSIS": "BIOSIS Previews",
    "CCC": "Current Contents Connect",
    "CABI": "CAB Abstracts",
    "INSPEC": "Inspec",
    "KJD": "KCI-Korean Journal Database",
    "RSCI": "Russian Science Citation Index",
    "SCIELO": "SciELO Citation Index",
    "DIIDW": "Derwent Innovations Index",
    "FSTA": "FSTA",
    "GRANTS": "Grants Index",
}
# `PT` holds a one-letter code; `DT` (document type) is preferred when present.
_PT_CODES = {"J": "Journal", "B": "Book", "S": "Series", "P": "Patent", "C": "Conference"}
_EMAIL_NOTE_RE = re.compile(r"\s*\([^()]*@[^()]*\)")


def sniff(text: str) -> bool:
    """True for a WoS tagged file: an `FN ` header, or `PT` records with one-space tags and `ER`."""
    if _RIS_LINE_RE.search(text):
        return False
    stripped = text.lstrip()
    if stripped.startswith("FN "):
        return True
    lines = text.split("\n")
    for index, line in enumerate(lines[:-1]):
        if re.match(r"^PT [A-Z]\w*\s*$", line) and re.match(r"^[A-Z][A-Z0-9] \S", lines[index + 1]):
            return any(re.match(r"^ER\s*$", later) for later in lines[index + 1 :])
    return False


def parse(text: str) -> tuple[list[Citation], list[ImportWarning]]:
    """Every record from `PT` to `ER`; raises on a record cut off before its `ER`."""
    reader = _Reader()
    for number, line in enumerate(text.split("\n"), start=1):
        reader.feed(number, line)
    reader.finish()
    citations = []
    for record in reader.records:
        citations.append(citation := _to_citation(record))
        _warn_unread(citation, reader.warnings)
    reader.warnings.extend(reader.unknown.warnings())
    return citations, reader.warnings


def _warn_unread(citation: Citation, warnings: list[ImportWarning]) -> None:
    f = citation.fields
    year_tag = next((tag for tag in ("PY", "EA", "PD") if _first(f, tag)), "PY")
    doi_tag = "DI" if _first(f, "DI") else "D2"
    pages_tag = "BP" if _first(f, "BP") or not _first(f, "PS") else "PS"
    warn_unread(
        citation,
        warnings,
        year=(year_tag, _first(f, year_tag)),
        doi=(doi_tag, _first(f, doi_tag)),
        pages=(pages_tag, _first(f, pages_tag)),
    )


@dataclass(slots=True)
class _Record:
    line: int
    lines: list[str] = field(default_factory=list)
    fields: dict[str, list[str]] = field(default_factory=dict)
    tag: str = ""


@dataclass(slots=True)
class _Reader:
    """Line-by-line state machine: outside a record, inside one, and the tag being continued."""

    records: list[_Record] = field(default_factory=list)
    warnings: list[ImportWarning] = field(default_factory=list)
    current: _Record | None = None
    unknown: UnknownTags = field(
        default_factory=lambda: UnknownTags(_KNOWN_TAGS, what="a Web of Science tag")
    )

    def feed(self, number: int, line: str) -> None:
        if self.current is None:
            self._outside(number, line)
        else:
            self.current.lines.append(line)
            self._inside(self.current, number, line.rstrip())

    def finish(self) -> None:
        if self.current is not None:
            # Its complete fields are worth more than nothing; the warning says which to check.
            self._warn(
                self.current.line,
                "the record has no ER line: the file looks cut off here; the record was kept as "
                "far as it goes (check its last field, or export it again)",
                "ER",
            )
            self.records.append(self.current)
            self.current = None

    def _outside(self, number: int, raw: str) -> None:
        line = raw.rstrip()
        match = _TAG_LINE_RE.match(line)
        if not line or (match and match.group(1) in _STRUCTURE_TAGS):
            return
        if match and match.group(1) == "PT":
            self._start(number, raw)
        elif match and match.group(1) == "ER":
            self._warn(number, "ER with no open record; skipped", "ER")
        else:
            self._warn(number, f"text outside any record skipped: {line.strip()[:60]!r}")

    def _inside(self, record: _Record, number: int, line: str) -> None:
        match = _TAG_LINE_RE.match(line)
        if match and match.group(1) == "ER":
            self.records.append(record)
            self.current = None
        elif match and match.group(1) == "PT":
            self._warn(record.line, "record has no ER before the next PT; closed there", "ER")
            raw = record.lines.pop()
            self.records.append(record)
            self._start(number, raw)
        elif match and match.group(1) == "EF":
            # The file ended properly, so the record is whole; only its ER is missing.
            self._warn(record.line, "record has no ER before EF; closed there", "ER")
            record.lines.pop()
            self.records.append(record)
            self.current = None
        else:
            self._value_line(record, number, line, match)

    def _value_line(
        self, record: _Record, number: int, line: str, match: re.Match[str] | None
    ) -> None:
        if match and (match.group(1) in _KNOWN_TAGS or not record.tag):
            if match.group(1) not in _KNOWN_TAGS:
                self.unknown.see((match.group(1),), number)
            _add_value(record, match.group(1), match.group(2) or "")
        elif not line.strip():
            return
        elif line[0].isspace() or (record.tag and not _glued_tag(line)):
            # A line with no known tag continues the field above, indented or not: exports
            # passed through other tools lose the three spaces of indent.
            if record.tag:
                if match and not line[0].isspace():
                    # `XX value` with a tag not in Clarivate's list: most likely a wrapped
                    # line that lost its indent, but maybe a field this reader does not know.
                    self.unknown.see((match.group(1),), number)
                _continue_value(record, line.strip())
            else:
                self._warn(number, "continuation line with no tag above it; skipped")
        elif _glued_tag(line):
            self._warn(number, f"tag {line[:2]} has no space before its value; read as {line[:2]}")
            _add_value(record, line[:2], line[2:])
        else:
            self._warn(number, f"text with no tag above it skipped: {line.strip()[:60]!r}")

    def _start(self, number: int, raw: str) -> None:
        self.current = _Record(line=number)
        self.current.lines.append(raw)
        match = _TAG_LINE_RE.match(raw.rstrip())
        if match:
            _add_value(self.current, "PT", match.group(2) or "")
            self.current.tag = ""  # a one-letter code: nothing wraps onto it

    def _warn(self, number: int, message: str, tag: str = "") -> None:
        self.warnings.append(ImportWarning(line=number, message=message, field=tag))


def _glued_tag(line: str) -> bool:
    """`AUSmith, J`: a known tag glued to its value, as in metaknowledge's test file."""
    return line[:2] in _KNOWN_TAGS and line[2:3] not in (" ", "") and line[2:3].isupper()


def _add_value(record: _Record, tag: str, value: str) -> None:
    record.tag = tag
    record.fields.setdefault(tag, []).append(value.strip())


def _continue_value(record: _Record, text: str) -> None:
    values = record.fields[record.tag]
    # Zoological Record wraps long addresses; a value ending in a comma carries on below.
    if record.tag in _LIST_TAGS and not values[-1].endswith(","):
        values.append(text)
    else:
        values[-1] = f"{values[-1]} {text}".strip()


def _to_citation(record: _Record) -> Citation:
    f = record.fields
    citation = Citation(raw="\n".join(record.lines), line=record.line, fields=f)
    citation.title = _first(f, "TI")
    citation.abstract = _first(f, "AB")
    citation.authors = _authors(f)
    citation.editors = _people(f, ("BE",), "editor")
    citation.year = (
        parse_year(_first(f, "PY")) or parse_year(_first(f, "EA")) or parse_year(_first(f, "PD"))
    )
    citation.journal = _first(f, "SO")
    citation.journal_abbrev = _first(f, "JI") or _first(f, "J9")
    citation.volume = _first(f, "VL")
    citation.issue = _first(f, "IS")
    begin, end = _first(f, "BP"), _first(f, "EP")
    if not (begin or end) and _first(f, "PS"):
        begin, end = expand_pages(_first(f, "PS"))  # `PS 123-130`: the page span
    _set_pages(citation, begin, end)
    citation.doi = clean_doi(_first(f, "DI")) or clean_doi(_first(f, "D2"))
    citation.pmid = clean_pmid(_first(f, "PM"))
    citation.accession = _first(f, "UT") or _first(f, "AN")
    citation.issn = _unique(clean_issn(" ".join(f.get("SN", []) + f.get("EI", []))))
    citation.isbn = _unique(clean_isbn(" ".join(f.get("BN", []))))
    citation.keywords = _keywords(f)
    citation.language = _first(f, "LA")
    kind = _first(f, "PT")
    citation.publication_type = _first(f, "DT") or _PT_CODES.get(kind, kind)
    citation.url = _first(f, "UR")
    citation.source_database = _database(citation.accession)
    return citation


def _first(f: dict[str, list[str]], tag: str) -> str:
    return collapse_space(f[tag][0]) if f.get(tag) else ""


def _authors(f: dict[str, list[str]]) -> list[Author]:
    """People from AF (else AU, BF, BA), then the group authors of CA and GP, kept whole."""
    authors: list[Author] = []
    for tag in ("AF", "AU", "BF", "BA"):
        authors = _people(f, (tag,), "author")
        if authors:
            break
    groups = [name for tag in ("CA", "GP") for value in f.get(tag, []) for name in value.split(";")]
    known = {author.family.casefold() for author in authors}
    authors += [
        group_author(name)
        for name in groups
        if name.strip() and name.strip().casefold() not in known
    ]
    return authors


def _people(f: dict[str, list[str]], tags: tuple[str, ...], role: str) -> list[Author]:
    """Names of `tags`, one a line or several on one line between semicolons."""
    people = []
    for tag in tags:
        for value in f.get(tag, []):
            for name in value.split(";"):
                name = _EMAIL_NOTE_RE.sub("", name).strip()
                if name:
                    person = parse_author(name)
                    person.role = role
                    people.append(person)
    return people


def _set_pages(citation: Citation, begin: str, end: str) -> None:
    citation.start_page, citation.end_page = begin, end
    citation.pages = f"{begin}-{end}" if begin and end and begin != end else begin or end


def _keywords(f: dict[str, list[str]]) -> list[str]:
    words: list[str] = []
    for tag in ("DE", "ID", "BD"):
        for value in f.get(tag, []):
            words.extend(part.strip(" .") for part in value.split(";"))
    return _unique([word for word in words if word])


def _database(accession: str) -> str:
    prefix, colon, _ = accession.partition(":")
    if colon and prefix.upper() in _UT_DATABASES:
        return _UT_DATABASES[prefix.upper()]
    return "Web of Science"


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))
