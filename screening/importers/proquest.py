"""ProQuest's plain-text report ("Report Information from ProQuest").

The report opens with a header and a table of contents, then gives each record as
`Document n of N`, an unlabelled title line, and `Label: value` lines separated by blank lines;
a line of underscores closes each record. An abstract or full text runs over several paragraphs
until the next known label. The report may end with a bibliography and a footer, which are not
records. Labels follow the user's interface language; the English ones are mapped here and every
label is kept in `fields` as printed.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from .citation import Citation, ImportWarning
from .fields import (
    UnknownTags,
    clean_doi,
    clean_isbn,
    clean_issn,
    clean_text,
    collapse_space,
    expand_pages,
    parse_author,
    parse_year,
    warn_unread,
)

_DOCUMENT_RE = re.compile(r"^\s*Document (\d+) of (\d+)\s*$")
_SEPARATOR_RE = re.compile(r"^\s*_{10,}\s*$")
_LABEL_RE = re.compile(r"^([A-Za-z][\w /().,&'-]{0,50}?)\s?:(?:\s+(.*))?$")
_URL_LINE_RE = re.compile(r"^\s*https?://\S+\s*$")
_HEADING_KEY = "Heading"
_URL_KEY = "URL"
_OWN_KEYS = frozenset({_HEADING_KEY, _URL_KEY})  # the unlabelled title and link lines

# Labels whose values run over several paragraphs; any other label's value is a single line.
_PARAGRAPH_LABELS = frozenset(
    {"abstract", "full text", "links", "references", "cited references", "translated abstract"}
)
_LABELS: dict[str, tuple[str, ...]] = {
    "title": ("title", "document title"),
    "authors": ("author", "authors", "author(s)", "corporate author"),
    "abstract": ("abstract", "abstract (english)", "translated abstract"),
    "journal": ("publication title", "journal title"),
    "volume": ("volume",),
    "issue": ("issue",),
    "pages": ("pages",),
    "first_page": ("first page", "start page"),
    "year": ("publication year", "year", "publication date", "degree date", "date"),
    "doi": ("doi",),
    "issn": ("issn", "e-issn", "eissn"),
    "isbn": ("isbn", "e-isbn", "eisbn"),
    "language": ("language of publication", "language"),
    "publication_type": ("document type", "source type"),
    "keywords": ("subject", "identifier / keyword", "mesh", "subject headings", "keywords"),
    "accession": ("proquest document id", "document id"),
    "database": ("database",),
    "url": ("document url",),
}
_KNOWN_LABELS = (
    frozenset(label for labels in _LABELS.values() for label in labels)
    | _PARAGRAPH_LABELS
    | frozenset(
        {
            "advisor",
            "classification",
            "committee member",
            "copyright",
            "country of publication",
            "degree",
            "department",
            "dissertation/thesis number",
            "document feature",
            "number of pages",
            "place of publication",
            "publication info",
            "publication subject",
            "publisher",
            "school code",
            "section",
            "source",
            "university location",
            "university/institution",
            "last updated",
            "accession number",
            "peer reviewed",
            "company / organization",
            "location",
            "people",
            "update",
            "coden",
            # More of the English report's labels, known and kept but not mapped.
            "affiliation",
            "author e-mail address",
            "conference title",
            "contributor",
            "credit",
            "dateline",
            "edition",
            "first posting date",
            "funding body",
            "funding number",
            "illustration",
            "mesh",
            "number of references",
            "online publication date",
            "physical description",
            "publication history",
            "publication note",
            "series",
            "source attribute",
            "sponsor",
            "supplement",
        }
    )
)


def sniff(text: str) -> bool:
    """True for a ProQuest text report: its banner, or `Document 1 of N` then `Label: value`."""
    head = text[:5000]
    if "Report Information from ProQuest" in head:
        return True
    lines = text.split("\n")
    for index, line in enumerate(lines):
        match = _DOCUMENT_RE.match(line)
        if match and match.group(1) == "1":
            return any(_is_known_label(later) for later in lines[index + 1 : index + 60])
    return False


def parse(text: str) -> tuple[list[Citation], list[ImportWarning]]:
    """Every `Document n of N` record, with warnings for stray lines and a short report."""
    lines = text.split("\n")
    warnings: list[ImportWarning] = []
    citations = []
    # Labels are matched whatever their case, so the check is made here, not by a set of tags.
    unknown = UnknownTags(frozenset(), what="a ProQuest label", noun="label")
    for start, end in _record_spans(lines):
        record = _read_record(lines, start, end, warnings)
        citations.append(citation := _to_citation(record))
        f = record.fields
        unknown.see(
            [key for key in f if key not in _OWN_KEYS and key.lower() not in _KNOWN_LABELS],
            record.line,
        )
        warn_unread(
            citation,
            warnings,
            year=_printed(f, "year"),
            doi=_printed(f, "doi"),
            pages=_printed(f, "pages")
            if "pages" in map(str.lower, f)
            else _printed(f, "first_page"),
        )
    _check_total(lines, len(citations), warnings)
    warnings.extend(unknown.warnings())
    return citations, warnings


def _printed(f: dict[str, list[str]], name: str) -> tuple[str, str]:
    """The label that gave `name` as printed, and its first value."""
    for label in _LABELS[name]:
        for key, values in f.items():
            if key.lower() == label and values and values[0].strip():
                return key, values[0]
    return "", ""


def _record_spans(lines: list[str]) -> list[tuple[int, int]]:
    """(header index, end index) of every record; a record ends at a separator or next header."""
    spans: list[tuple[int, int]] = []
    start: int | None = None
    for index, line in enumerate(lines):
        if _DOCUMENT_RE.match(line) or _SEPARATOR_RE.match(line):
            if start is not None:
                spans.append((start, index))
            start = index if _DOCUMENT_RE.match(line) else None
    if start is not None:
        spans.append((start, len(lines)))
    return spans


@dataclass(slots=True)
class _Record:
    line: int
    raw: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    label: str = ""
    blank_before: bool = False

    def add(self, label: str, value: str) -> None:
        self.label = label
        self.fields.setdefault(label, []).append(value.strip())

    def extend(self, text: str) -> None:
        values = self.fields[self.label]
        values[-1] = f"{values[-1]} {text.strip()}".strip()


def _read_record(lines: list[str], start: int, end: int, warnings: list[ImportWarning]) -> _Record:
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    raw = "\n".join(lines[start:end])
    record = _Record(line=start + 1, raw=raw)
    for number, line in enumerate(lines[start + 1 : end], start=start + 2):
        if not line.strip():
            record.blank_before = True
            continue
        _read_line(record, number, line, warnings)
        record.blank_before = False
    return record


def _read_line(record: _Record, number: int, line: str, warnings: list[ImportWarning]) -> None:
    label = _label(record, line)
    if label is not None:
        record.add(label, line.split(":", 1)[1])
    elif _HEADING_KEY not in record.fields and not record.label:
        record.add(_HEADING_KEY, line)
    elif record.label.lower() == "links" and _URL_LINE_RE.match(line):
        record.add(record.label, line)
    elif _URL_LINE_RE.match(line):
        # The old report prints the document link, unlabelled, below the author.
        record.fields.setdefault(_URL_KEY, []).append(line.strip())
    elif not record.blank_before or record.label.lower() in _PARAGRAPH_LABELS:
        record.extend(line)
    else:
        warnings.append(
            ImportWarning(
                line=number, message=f"text outside any field skipped: {line.strip()[:60]!r}"
            )
        )


def _label(record: _Record, line: str) -> str | None:
    """The label a line opens, or None when the line continues the value above it."""
    match = _LABEL_RE.match(line)
    if not match:
        return None
    label = match.group(1).strip()
    if label.lower() in _KNOWN_LABELS:
        return label
    # An unknown label is only believed after a blank line and outside a running abstract,
    # where `Results: ...` is prose.
    if label[0].isupper() and record.blank_before and record.label.lower() not in _PARAGRAPH_LABELS:
        return label if _HEADING_KEY in record.fields else None
    return None


def _is_known_label(line: str) -> bool:
    match = _LABEL_RE.match(line)
    return bool(match and match.group(1).strip().lower() in _KNOWN_LABELS)


def _check_total(lines: list[str], found: int, warnings: list[ImportWarning]) -> None:
    totals = [
        (i, int(m.group(2))) for i, line in enumerate(lines) if (m := _DOCUMENT_RE.match(line))
    ]
    if totals and totals[-1][1] != found:
        warnings.append(
            ImportWarning(
                line=totals[-1][0] + 1,
                message=f"the report says {totals[-1][1]} documents but {found} were found; "
                "the file may be cut off",
            )
        )


# ---------------------------------------------------------------------------------------------
# Mapping labels to Citation attributes
# ---------------------------------------------------------------------------------------------


def _values(f: dict[str, list[str]], name: str) -> list[str]:
    wanted = _LABELS[name]
    return [value for key, values in f.items() if key.lower() in wanted for value in values]


def _first(f: dict[str, list[str]], name: str) -> str:
    # Labels are looked up in the order `_LABELS` lists them, not the order printed.
    for label in _LABELS[name]:
        for key, values in f.items():
            if key.lower() == label and values and values[0].strip():
                return collapse_space(values[0])
    return ""


def _to_citation(record: _Record) -> Citation:
    f = record.fields
    citation = Citation(raw=record.raw, line=record.line, fields=f)
    citation.title = clean_text(_first(f, "title") or collapse_space(f.get(_HEADING_KEY, [""])[0]))
    citation.authors = [
        parse_author(name) for value in _values(f, "authors") for name in value.split(";")
    ]
    citation.authors = [author for author in citation.authors if author.family]
    citation.abstract = clean_text(_first(f, "abstract"))
    citation.year = parse_year(_first(f, "year"))
    citation.journal = _first(f, "journal")
    citation.volume = _first(f, "volume")
    citation.issue = _first(f, "issue")
    _set_pages(citation, _first(f, "pages"), _first(f, "first_page"))
    citation.doi = clean_doi(_first(f, "doi"))
    citation.issn = list(dict.fromkeys(clean_issn(" ".join(_values(f, "issn")))))
    citation.isbn = list(dict.fromkeys(clean_isbn(" ".join(_values(f, "isbn")))))
    citation.language = _first(f, "language")
    citation.publication_type = _first(f, "publication_type")
    citation.keywords = _keywords(_values(f, "keywords"))
    citation.accession = _first(f, "accession")
    citation.source_database = _first(f, "database")
    citation.url = html.unescape(_first(f, "url") or collapse_space(f.get(_URL_KEY, [""])[0]))
    return citation


def _set_pages(citation: Citation, pages: str, first_page: str) -> None:
    if any(ch.isdigit() for ch in pages):
        citation.pages = pages
        citation.start_page, citation.end_page = expand_pages(pages)
    elif any(ch.isdigit() for ch in first_page):
        citation.start_page = citation.pages = first_page


def _keywords(values: list[str]) -> list[str]:
    words: list[str] = []
    for value in values:
        # Subjects are `;`-separated; the older identifier list only has commas.
        separator = ";" if ";" in value else ","
        words += [collapse_space(word).strip(" .") for word in value.split(separator)]
    return list(dict.fromkeys(word for word in words if word))
