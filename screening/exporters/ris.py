"""RIS out: the citations as standard RIS that our reader, rispy and the reference managers
read back, and the RIS type a publication type names (the BibTeX writer uses it too)."""

from __future__ import annotations

import re

from ..importers.citation import Author, Citation
from ..importers.fields import collapse_space, expand_pages
from ..importers.ris import TYPE_NAMES

_TYPE_CODES = {name.lower(): code for code, name in TYPE_NAMES.items()}
# The words the importers keep as a publication type (MEDLINE's PT, Embase's and Scopus's
# document type, BibTeX's entry type, EndNote's reference type), tried in order: the first
# whose pattern matches names the RIS type. "Case Reports" and "Review" are journal articles
# in MEDLINE, so the journal words come before `report`.
_TYPE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (code, re.compile(pattern, re.IGNORECASE))
    for code, pattern in (
        ("ABST", r"abstract"),
        ("CHAP", r"chapter|book section|incollection|inbook"),
        ("CPAPER", r"conference|proceeding|congress|symposium|meeting|inproceedings"),
        ("THES", r"thesis|dissertation"),
        ("JOUR", r"case report|journal|article|review|letter|editorial|comment|erratum|trial"),
        ("RPRT", r"report"),
        ("UNPB", r"preprint|unpublished|manuscript"),
        ("DATA", r"data ?set"),
        ("ELEC", r"web|electronic|online|internet"),
        ("BOOK", r"book"),
    )
)


def ris_type(publication_type: str, *, journal: str = "") -> str:
    """The RIS `TY` for a publication type as the importers keep it; JOUR for a type-less
    record in a journal, GEN when nothing says what it is."""
    kind = publication_type.strip()
    if not kind:
        return "JOUR" if journal else "GEN"
    if kind.upper() in TYPE_NAMES or kind.upper() == "CPAPER":
        return kind.upper()
    code = _TYPE_CODES.get(kind.lower())
    if code:
        return code
    return next((code for code, pattern in _TYPE_PATTERNS if pattern.search(kind)), "GEN")


# Contributors by role, as RIS numbers them (A2 editor, A3 series editor, A4 translator).
_ROLE_TAGS = {"editor": "A2", "series editor": "A3", "translator": "A4"}


def dump(citations: list[Citation]) -> str:
    """The citations as standard RIS that `parse`, rispy and the reference managers read back.

    Text is written exactly as the app holds it: no HTML escaping, which other tools would read
    literally (`&lt;i&gt;`). A tag that may hold several values but that rispy (and so ASReview)
    reads once (AN, SN, DB) is written once with the values joined by `; `: rispy keeps only
    the first line of a repeated single-value tag, and `parse` splits SN at `;` and takes the
    first AN, as it does for ProQuest's `AN  - 2214991469; 51887`.
    """
    return "".join("\n".join(_dump_record(citation)) + "\n\n" for citation in citations)


def _dump_record(citation: Citation) -> list[str]:
    kind = citation.publication_type
    out = [f"TY  - {ris_type(kind, journal=citation.journal)}"]
    out.extend(f"AU  - {_printed(author)}" for author in citation.authors if author.family)
    for person in citation.editors:
        if person.family:
            out.append(f"{_ROLE_TAGS.get(person.role, 'A2')}  - {_printed(person)}")
    _put(out, "TI", citation.title)
    _put(out, "T2", citation.journal)
    _put(out, "J2", citation.journal_abbrev)
    _put(out, "PY", str(citation.year) if citation.year else "")
    _put(out, "VL", citation.volume)
    _put(out, "IS", citation.issue)
    start, end = citation.start_page, citation.end_page
    if not start and citation.pages:
        start, end = expand_pages(citation.pages)
    _put(out, "SP", start)
    _put(out, "EP", end)
    _put(out, "DO", citation.doi)
    _put(out, "AN", citation.accession)
    _put(out, "AB", citation.abstract)
    out.extend(
        f"KW  - {collapse_space(keyword)}" for keyword in citation.keywords if keyword.strip()
    )
    _put(out, "SN", "; ".join([*citation.issn, *citation.isbn]))
    _put(out, "LA", citation.language)
    _put(out, "UR", citation.url)
    _put(out, "DB", citation.source_database)
    # M3 keeps the type as the app holds it ("Conference Abstract", "Case Reports"), which TY
    # alone cannot; `parse` reads M3 before TY.
    if kind and TYPE_NAMES.get(ris_type(kind, journal=citation.journal)) != kind:
        _put(out, "M3", kind)
    # The app's notes first: the first of them is the label ASReview reads in a decisions export.
    for note in citation.notes:
        _put(out, "N1", note)
    _put(out, "N1", f"PMID: {citation.pmid}" if citation.pmid else "")
    _put(out, "N1", f"PMCID: {citation.pmcid}" if citation.pmcid else "")
    out.append("ER  - ")
    return out


def _put(out: list[str], tag: str, value: str) -> None:
    value = collapse_space(value)
    if value:
        out.append(f"{tag}  - {value}")


def _printed(author: Author) -> str:
    if author.given:
        return f"{author.family}, {author.given}"
    # A trailing comma keeps a several-word family name ("Van Dyke,") from being split.
    return f"{author.family}," if " " in author.family.strip() else author.family
