"""BibTeX out: the citations as BibTeX that our reader and bibtexparser read back, with keys
that stay the same from one export to the next."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from ..importers import latex
from ..importers.citation import Author, Citation
from ..importers.fields import collapse_space
from .ris import ris_type

# Entry types by RIS type (ris.ris_type names the publication type once for both writers).
_ENTRY_TYPES = {
    "JOUR": "article",
    "ABST": "inproceedings",
    "BOOK": "book",
    "CHAP": "incollection",
    "CONF": "proceedings",
    "CPAPER": "inproceedings",
    "THES": "phdthesis",
    "RPRT": "techreport",
    "UNPB": "unpublished",
}
_CONTAINER_IN_BOOKTITLE = {"incollection", "inproceedings"}
_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_SPECIAL_RE = re.compile(r"[\\{}&%$#_~^]")
# A word with a capital after its first letter (MRI, COVID-19, mHealth) or a capital after a
# digit: BibTeX styles lower-case titles, so such words are braced to keep their case.
_CASED_WORD_RE = re.compile(r"\S*[^\W\d_]\S*?[A-Z]\S*|\S*\d\S*[A-Z]\S*")
_KEY_WORD_RE = re.compile(r"[A-Za-z]+")
_MATH_SIGN_RE = re.compile(r"[\\^_]")


def dump(citations: Iterable[Citation]) -> str:
    """The citations as BibTeX that `parse` and bibtexparser read back.

    Text is UTF-8 as the app holds it (BibTeX 0.99, biber and bibtexparser read UTF-8), with
    LaTeX's special characters escaped; a name with no given name is braced so that it stays
    one name (`{World Health Organization}`). Keys are `family` + year + first title word,
    with a, b, ... on a clash, so the same records give the same keys on every export.
    """
    keys: set[str] = set()
    entries = []
    for citation in citations:
        kind = _ENTRY_TYPES.get(ris_type(citation.publication_type, journal=citation.journal))
        entries.append(_dump_entry(citation, kind or "misc", _key(citation, keys)))
    return "".join(entries)


def _key(citation: Citation, keys: set[str]) -> str:
    family = _KEY_WORD_RE.findall(_ascii(citation.authors[0].family if citation.authors else ""))
    title = next(
        (w.lower() for w in _KEY_WORD_RE.findall(_ascii(citation.title)) if len(w) > 3), ""
    )
    base = f"{family[0].lower() if family else 'anon'}{citation.year or ''}{title}"
    key, suffix = base, 0
    while key in keys:
        key = base + _letters(suffix)
        suffix += 1
    keys.add(key)
    return key


def _ascii(value: str) -> str:
    return unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()


def _letters(number: int) -> str:
    letters = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def _dump_entry(citation: Citation, kind: str, key: str) -> str:
    fields: list[tuple[str, str]] = []

    def put(name: str, value: str, *, escape: bool = True) -> None:
        value = collapse_space(value)
        if value:
            fields.append((name, _escape(value) if escape else value))

    put("author", _names(citation.authors), escape=False)
    put("editor", _names([p for p in citation.editors if p.role == "editor"]), escape=False)
    put("title", _protect_case(_escape(collapse_space(citation.title))), escape=False)
    container = "booktitle" if kind in _CONTAINER_IN_BOOKTITLE else "journal"
    put(container, citation.journal)
    put("shortjournal", citation.journal_abbrev)
    put("year", str(citation.year or ""))
    put("volume", citation.volume)
    put("number", citation.issue)
    pages = "--".join(p for p in (citation.start_page, citation.end_page) if p) or citation.pages
    put("pages", pages.replace("--", "-").replace("-", "--"))
    put("doi", citation.doi, escape=False)
    put("pmid", citation.pmid)
    put("pmcid", citation.pmcid)
    put("accession-number", citation.accession)
    put("issn", ", ".join(citation.issn))
    put("isbn", ", ".join(citation.isbn))
    put("keywords", "; ".join(k for k in citation.keywords if k.strip()))
    put("abstract", citation.abstract)
    put("language", citation.language)
    # Scopus's field name for the publication type, which our reader prefers to the entry type.
    put("document_type", citation.publication_type)
    put("url", citation.url, escape=False)
    put("source", citation.source_database)
    # Screening decisions (the decisions export): Zotero and JabRef keep `note`; our reader
    # leaves it in the raw entry.
    put("note", "; ".join(citation.notes))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{key},\n{body}\n}}\n\n"


def _escape(value: str) -> str:
    """LaTeX's special characters escaped, except in math the import kept as printed
    (`$x^{ab}$`), which is written back as math so that every reader sees the same."""
    parts = []
    position = 0
    for math in latex.MATH_RE.finditer(value):
        if not _MATH_SIGN_RE.search(math.group(1)):
            continue
        parts.append(
            _SPECIAL_RE.sub(lambda m: _SPECIAL[m.group(0)], value[position : math.start()])
        )
        parts.append(math.group(0))
        position = math.end()
    parts.append(_SPECIAL_RE.sub(lambda m: _SPECIAL[m.group(0)], value[position:]))
    return "".join(parts)


def _protect_case(value: str) -> str:
    return _CASED_WORD_RE.sub(lambda m: "{" + m.group(0) + "}", value)


def _names(people: list[Author]) -> str:
    names = []
    for person in people:
        family = _escape(collapse_space(person.family))
        if not family:
            continue
        if person.given:
            names.append(f"{family}, {_escape(collapse_space(person.given))}")
        else:
            names.append("{" + family + "}")
    return " and ".join(names)
