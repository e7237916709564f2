"""What every importer returns: plain dataclasses, no Django."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Author:
    """One author as the database printed the name, and split into family and given names.

    Not frozen: a frozen dataclass sets each field through object.__setattr__, the slow path,
    and a large import builds millions of authors.
    """

    family: str
    given: str = ""
    printed: str = ""
    # "author", or the part a contributor played: "editor", "series editor", "translator".
    role: str = "author"

    def display(self) -> str:
        return f"{self.family}, {self.given}" if self.given else self.family


@dataclass(slots=True)
class Citation:
    """One record of an export, with the fields the app reads and the raw entry exactly as read.

    `line` is the 1-based line (or, for XML, the line of the element) where the entry starts, so
    that every warning and error can point the user at it.
    """

    raw: str
    line: int
    title: str = ""
    abstract: str = ""
    authors: list[Author] = field(default_factory=list)
    # Everyone else named on the work, in file order, each with its role: a book's editors (RIS
    # A2/ED, MEDLINE FED, BibTeX editor), series editors (A3), translators (A4).
    editors: list[Author] = field(default_factory=list)
    year: int | None = None
    journal: str = ""
    journal_abbrev: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    start_page: str = ""
    end_page: str = ""
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""
    accession: str = ""
    issn: list[str] = field(default_factory=list)
    isbn: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    language: str = ""
    publication_type: str = ""
    url: str = ""
    source_database: str = ""
    notes: list[str] = field(default_factory=list)  # written out as RIS N1 (screening decisions)
    fields: dict[str, list[str]] = field(default_factory=dict)


def is_empty(citation: Citation) -> bool:
    """True for a record with nothing to screen or find it by: no title, people, abstract,
    container or identifier (an empty `<PubmedArticle/>`, a `TY`/`ER` pair alone)."""
    return not (
        citation.title
        or citation.abstract
        or citation.authors
        or citation.editors
        or citation.journal
        or citation.doi
        or citation.pmid
        or citation.pmcid
        or citation.accession
        or citation.isbn
        or citation.issn
        or citation.url
        or citation.keywords
    )


@dataclass(frozen=True, slots=True)
class ImportWarning:
    """Something skipped or repaired while reading; never a lost record."""

    line: int
    message: str
    field: str = ""
    # What kind of warning it is, where the import treats some kinds apart: "unknown tag" is
    # given once per file, however many pieces the file is read in.
    kind: str = ""

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", field {self.field}" if self.field else "")
        return f"{where}: {self.message}"


@dataclass(slots=True)
class ParseResult:
    format: str
    encoding: str
    citations: list[Citation]
    warnings: list[ImportWarning] = field(default_factory=list)


class ExportFormatError(ValueError):
    """The file cannot be read as an export: names the line and, where known, the field."""

    def __init__(self, message: str, *, line: int | None = None, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.field = field

    def __str__(self) -> str:
        parts = []
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.field:
            parts.append(f"field {self.field}")
        return f"{', '.join(parts)}: {self.message}" if parts else self.message
