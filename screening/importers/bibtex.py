"""BibTeX (Scopus, Web of Science, EBSCO, JabRef, Zotero), read by a small reader of our own.

bibtexparser 2.1 was tried on the real exports and not used: it drops the second entry of
CoLRev's EBSCO copy (a `Keywords` value with unbalanced braces becomes a ParsingFailedBlock),
turns Scopus entries with a repeated `funding_details` field into DuplicateFieldKeyBlocks that
keep one value, and needs pylatexenc to decode LaTeX. A repair path would be needed anyway, so
this reader handles both: a strict brace-aware parse, and when that fails a line-based recovery
that keeps the entry (with a warning) as long as it ends with a closing `}` line. An entry cut
off at the end of the file is an error naming the line where it starts.

`@string` macros are expanded, `#` concatenates, `@preamble` and `@comment` are skipped, and LaTeX
(accents, special letters, Greek, symbols, escapes, dashes) becomes Unicode through `latex`; a
command it does not know is kept as printed and reported as a warning on the import.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from . import latex
from .bibtex_entries import ENTRY_RE, Entry, LineIndex, read_entry, skip_block
from .citation import Author, Citation, ImportWarning
from .fields import (
    clean_doi,
    clean_isbn,
    clean_issn,
    clean_pmcid,
    clean_pmid,
    clean_text,
    collapse_space,
    expand_pages,
    parse_author,
    parse_year,
    warn_unread,
)

_SNIFF_RE = re.compile(r"^[ \t]*@[A-Za-z][\w-]*[ \t]*[{(]", re.MULTILINE)
_SKIPPED_TYPES = {"comment", "preamble"}
_MONTHS = {
    m: m.capitalize()
    for m in ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
}


def sniff(text: str) -> bool:
    """True when a line starts with `@word{` or `@word(`."""
    return bool(_SNIFF_RE.search(text[: 256 * 1024]))


def parse(text: str) -> tuple[list[Citation], list[ImportWarning]]:
    """Every `@type{key, ...}` entry except `@string`, `@preamble` and `@comment`."""
    lines = LineIndex(text)
    macros = dict(_MONTHS)
    citations: list[Citation] = []
    warnings: list[ImportWarning] = []
    position = 0
    while match := ENTRY_RE.search(text, position):
        kind = match.group(1).lower()
        if kind in _SKIPPED_TYPES:
            position = skip_block(text, match)
            continue
        entry = read_entry(text, match, macros, lines, warnings)
        position = entry.end
        if kind == "string":
            for name, value in entry.fields:
                macros[name.lower()] = value
            continue
        citations.append(_citation(entry, text, lines, warnings))
        if not citations[-1].title:
            warnings.append(
                ImportWarning(line=citations[-1].line, message="entry has no title", field="title")
            )
    return citations, warnings


# --- LaTeX to Unicode -------------------------------------------------------------------------

_ESCAPE_RE = re.compile(r"\\([&%$#_{}])")


def latex_to_text(value: str) -> str:
    """Plain Unicode from a BibTeX value: accents, letters, Greek, symbols, escapes, `--`, `~`."""
    return latex.decode(value)[0]


def _url_text(value: str) -> str:
    return (
        collapse_space(_ESCAPE_RE.sub(lambda m: m.group(1), value))
        .replace("{", "")
        .replace("}", "")
    )


# --- entries to citations ---------------------------------------------------------------------


class _Values:
    """An entry's fields by lower-cased name, decoded on the way out."""

    def __init__(self, entry: Entry) -> None:
        self.by_name: dict[str, list[str]] = {}
        # Commands no table knows, by the field they were met in: reported as warnings.
        self.unknown: dict[str, list[str]] = {}
        for name, value in entry.fields:
            self.by_name.setdefault(name.lower(), []).append(value)

    def decoded(self, name: str, value: str) -> str:
        text, unknown = latex.decode(value)
        for command in unknown:
            known = self.unknown.setdefault(name, [])
            if command not in known:
                known.append(command)
        return text

    def text(self, *names: str) -> str:
        """The first present field, LaTeX decoded."""
        return next((self.decoded(n, self.by_name[n][0]) for n in names if self.by_name.get(n)), "")

    def plain(self, *names: str) -> str:
        """The first present field with only escapes and braces removed (URLs, DOIs, pages)."""
        return next((_url_text(self.by_name[n][0]) for n in names if self.by_name.get(n)), "")

    def every(self, *names: str) -> list[str]:
        return [value for name in names for value in self.by_name.get(name, [])]


def _citation(entry: Entry, text: str, lines: LineIndex, warnings: list[ImportWarning]) -> Citation:
    values = _Values(entry)
    line = lines.line(entry.start)
    url = values.plain("url")
    pages = values.plain("pages")
    start, end = expand_pages(pages)
    fields: dict[str, list[str]] = {"ENTRYTYPE": [entry.kind], "ID": [entry.key]}
    for name, value in entry.fields:
        fields.setdefault(name, []).append(value)
    citation = Citation(
        raw=text[entry.start : entry.end],
        line=line,
        title=clean_text(values.text("title")),
        abstract=clean_text(values.text("abstract")),
        authors=_authors(values, "author"),
        editors=_authors(values, "editor"),
        year=parse_year(values.text("year")) or parse_year(values.text("date")),
        journal=clean_text(values.text("journal", "journaltitle", "booktitle", "series")),
        journal_abbrev=values.text(
            "abbrev_source_title", "journal-iso", "shortjournal", "journalabbrev"
        ),
        volume=values.text("volume"),
        issue=values.text("number", "issue"),
        pages=pages.replace("--", "-"),
        start_page=start,
        end_page=end,
        doi=clean_doi(values.plain("doi")) or (clean_doi(url) if "doi.org/" in url else ""),
        pmid=_pmid(values),
        pmcid=clean_pmcid(values.plain("pmcid")),
        accession=_accession(values, url),
        issn=_unique(issn for v in values.every("issn", "eissn") for issn in clean_issn(v)),
        isbn=_unique(isbn for v in values.every("isbn") for isbn in clean_isbn(v)),
        keywords=_keywords(values),
        language=values.text("language", "langid"),
        publication_type=values.text("document_type", "type") or entry.kind,
        url=url,
        source_database=_source(values, url),
        fields=fields,
    )
    _warn_unread(values, citation, line, warnings)
    return citation


def _warn_unread(
    values: _Values, citation: Citation, line: int, warnings: list[ImportWarning]
) -> None:
    """LaTeX commands kept as printed, and a year, DOI or pages that hold nothing readable."""
    for name, commands in values.unknown.items():
        listed = ", ".join(f"\\{command}" for command in commands)
        warnings.append(
            ImportWarning(
                line=line,
                message=f"unknown LaTeX command(s) {listed} kept as printed",
                field=name,
            )
        )
    warn_unread(
        citation,
        warnings,
        year=("year", values.plain("year"))
        if "year" in values.by_name
        else ("date", values.plain("date")),
        doi=("doi", values.plain("doi")),
        pages=("pages", values.plain("pages")),
    )


def _authors(values: _Values, field_name: str) -> list[Author]:
    """The names of `author` or `editor`, each in that role; a braced name is one group."""
    role = "author" if field_name == "author" else "editor"
    authors = []
    for value in values.every(field_name):
        for name in _split_and(value):
            name = name.strip()
            if not name or name.lower() == "others":
                continue
            if name.startswith("{") and name.endswith("}") and _balanced(name[1:-1]):
                # {World Health Organization}: one name, never split.
                corporate = values.decoded(field_name, name[1:-1])
                authors.append(Author(family=corporate, printed=corporate, role=role))
            else:
                person = parse_author(values.decoded(field_name, name))
                person.role = role
                authors.append(person)
    return authors


def _split_and(value: str) -> list[str]:
    """Names joined by ` and ` outside braces."""
    names, depth, start = [], 0, 0
    for match in re.finditer(r"[{}]|\s+and\s+", value, re.IGNORECASE):
        mark = match.group(0)
        if mark == "{":
            depth += 1
        elif mark == "}":
            depth -= 1
        elif depth == 0:
            names.append(value[start : match.start()])
            start = match.end()
    names.append(value[start:])
    return names


def _balanced(value: str) -> bool:
    depth = 0
    for char in value:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _keywords(values: _Values) -> list[str]:
    terms = []
    for value in values.every("keywords", "author_keywords", "author-keywords", "keywords-plus"):
        text = latex_to_text(value)
        separator = ";" if ";" in text else ","
        terms += [term.strip() for term in text.split(separator) if term.strip()]
    return _unique(terms)


def _pmid(values: _Values) -> str:
    if values.plain("pmid"):
        return clean_pmid(values.plain("pmid"))
    if values.plain("eprinttype").lower() == "pubmed":
        return clean_pmid(values.plain("eprint"))
    return ""


def _accession(values: _Values, url: str) -> str:
    named = values.plain("unique-id", "accession-number", "accession_number", "an")
    if named:
        return named
    scopus = re.search(r"scopus\.com/.*[?&]eid=([^&\s]+)", url)
    if scopus:
        return scopus.group(1)
    ebsco = re.search(r"ebscohost\.com/.*[?&]AN=([^&\s]+)", url, re.IGNORECASE)
    return ebsco.group(1) if ebsco else ""


def _source(values: _Values, url: str) -> str:
    if values.text("source"):
        return values.text("source")
    if values.plain("unique-id").upper().startswith("WOS:"):
        return "Web of Science"
    if "scopus.com/" in url:
        return "Scopus"
    return "EBSCOhost" if "ebscohost.com/" in url else ""


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(value.casefold(), value)
    return list(seen.values())
