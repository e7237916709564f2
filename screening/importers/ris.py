"""RIS in every database dialect: Embase.com, Ovid, EBSCOhost, ProQuest, Scopus, Web of Science,
Cochrane, APA PsycNet, and the reference managers (EndNote, Zotero, Rayyan).

Our own reader, not `rispy`. rispy keeps neither the line a record starts on nor its raw text
(both needed for every warning and for the audit trail), silently drops a last record that has
no `ER` where we must name the line of the cut-off record, cannot read APA's `PMID  - ` tag, and
raises KeyError on any APA PsycNet file of two or more records. Nor is it faster: here the
regex engine, not a Python loop per line, finds the records and their fields, and the mapping
onto `Citation` (authors split, DOI cleaned, pages expanded, identifiers found) weighs about as
much as the reading (benchmarks/bench_import.py; the figures in benchmarks/RESULTS.md).

Finding the records and their tags is `ris_records`' part; here each record becomes a `Citation`.
"""

from __future__ import annotations

import html
import re

from . import medline
from .citation import Author, Citation, ImportWarning
from .fields import (
    UnknownTags,
    clean_doi,
    clean_isbn,
    clean_issn,
    clean_text,
    collapse_space,
    expand_pages,
    find_doi,
    group_author,
    is_family_initials,
    parse_author,
    parse_year,
    warn_unread,
)
from .ris_records import KNOWN_TAGS, Record, records

_SNIFF_RE = re.compile(r"^\s*TY[ \t]*-(?:[ \t]|$)", re.MULTILINE)
_ERIC_ID_RE = re.compile(r"E[DJ]\d{4,}")
_APA_ID_RE = re.compile(r"\d{4}-\d{5}-\d{3}")
_DIGITS_RE = re.compile(r"\d{1,9}")
_NOTE_ACCESSION_RE = re.compile(r"Accession Number:\s*([^;\s]+)", re.IGNORECASE)
_NOTE_PMID_RE = re.compile(r"\bPMID:?\s*(\d{1,9})\b")
_NOTE_PMCID_RE = re.compile(r"\bPMCID:?\s*(PMC\d+)\b", re.IGNORECASE)
_PUBMED_URL_RE = re.compile(r"(?:ncbi\.nlm\.nih\.gov/pubmed|pubmed\.ncbi\.nlm\.nih\.gov)/(\d{1,9})")
_URL_ACCESSION_RE = re.compile(r"[?&](?:eid|AN)=([^&#\s]+)", re.IGNORECASE)
_NO_PAGES_RE = re.compile(r"no(?: pagination)? specified", re.IGNORECASE)
_CLASSIFICATION_RE = re.compile(r"\[\d{3,5}\]$")
_PUBMED_SOURCE_RE = re.compile(r"medline|pubmed|\bnlm\b", re.IGNORECASE)
_EBSCO_COPYRIGHT = "Copyright of "

TYPE_NAMES: dict[str, str] = {
    "JOUR": "Journal Article",
    "ABST": "Abstract",
    "BOOK": "Book",
    "CHAP": "Book Section",
    "CONF": "Conference Proceeding",
    "CPAPER": "Conference Paper",
    "RPRT": "Report",
    "THES": "Thesis",
    "ELEC": "Web Page",
    "NEWS": "Newspaper Article",
    "MGZN": "Magazine Article",
    "UNPB": "Unpublished Work",
    "DATA": "Dataset",
    "GEN": "Generic",
}


def sniff(text: str) -> bool:
    """True when a `TY  -` line comes near the start and the text is not MEDLINE."""
    return bool(_SNIFF_RE.search(text[:8192])) and not medline.sniff(text)


def parse(text: str) -> tuple[list[Citation], list[ImportWarning]]:
    """Read every record from `TY` to `ER`, reporting what could not be read as warnings.

    A record cut off before its `ER` (a file that ends mid-record) is kept as far as it goes,
    with a warning: its complete fields are worth more than nothing, and the warning says which
    record to check. Tag lines outside any record become a record of their own, with a warning.
    """
    warnings: list[ImportWarning] = []
    unknown = UnknownTags(KNOWN_TAGS, what="a RIS tag")
    citations = [_citation(record, warnings, unknown) for record in records(text, warnings)]
    warnings.extend(unknown.warnings())
    return citations, warnings


def _citation(record: Record, warnings: list[ImportWarning], unknown: UnknownTags) -> Citation:
    fields = record.fields
    get = fields.get
    unknown.see(fields, record.line)
    start, end = _pages(fields)
    # BT: the book a chapter is in, in the older RIS that Ovid and Reference Manager write.
    journal = _first(fields, "JF", "T2", "JO", "BT")
    abbreviation = _abbreviation(fields, journal)
    accession = _accession(fields, record.numbered)
    source = _source(fields)
    issn, isbn = _standard_numbers(fields) if "SN" in fields else ([], [])
    notes = "\n".join(get("N1", ()))
    journal = journal or abbreviation  # Cochrane gives only JA: better than no journal at all.
    keywords = get("KW")
    authors, editors = _people(record)
    year = _year(fields)
    doi = _doi(fields)
    citation = Citation(
        raw=record.raw,
        line=record.line,
        title=clean_text(_first(fields, "TI", "T1", "CT")),
        abstract=_abstract(fields),
        authors=authors,
        editors=editors,
        year=year,
        journal=clean_text(journal) if journal else "",
        journal_abbrev=clean_text(abbreviation) if abbreviation else "",
        volume=_first(fields, "VL"),
        issue=_first(fields, "IS"),
        pages=f"{start}-{end}" if start and end else start or end,
        start_page=start,
        end_page=end,
        doi=doi,
        pmid=_pmid(fields, notes, accession, source),
        pmcid=_note(notes, "PMCID", _NOTE_PMCID_RE).upper() if notes else "",
        accession=accession or _note(notes, "Accession Number", _NOTE_ACCESSION_RE),
        issn=issn,
        isbn=isbn,
        keywords=_keywords(keywords) if keywords else [],
        language=_first(fields, "LA"),
        publication_type=_publication_type(fields),
        url=_url(fields),
        source_database=source,
        fields=fields,
    )
    if year is None or not doi:
        warn_unread(
            citation,
            warnings,
            year=("PY" if "PY" in fields else "Y1", _first(fields, "PY", "Y1")),
            doi=("DO", _first(fields, "DO")),
        )
    return citation


def _first(fields: dict[str, list[str]], *tags: str) -> str:
    get = fields.get
    for tag in tags:
        values = get(tag)
        if values:
            if values[0]:
                return values[0]
            for value in values:
                if value:
                    return value
    return ""


def _abstract(fields: dict[str, list[str]]) -> str:
    for tag in ("AB", "N2"):
        values = fields.get(tag)
        if not values:
            continue
        if len(values) == 1:
            value = values[0]
            if value and not value.startswith(_EBSCO_COPYRIGHT):
                return clean_text(value)
            continue
        # EBSCO adds its copyright notice as a second AB; it is not part of the abstract.
        parts = [v for v in values if v and not v.startswith(_EBSCO_COPYRIGHT)]
        if parts:
            return clean_text(" ".join(parts))
    return ""


# The tags naming people, and the part each played (RIS specification: A2 secondary author, the
# editor of a book or chapter; A3 tertiary, the series editor; A4 subsidiary, the translator).
_ROLES = {
    "AU": "author",
    "A1": "author",
    "A2": "editor",
    "ED": "editor",
    "A3": "series editor",
    "A4": "translator",
}
_SURNAME_LIST_RE = re.compile(r"[^,\s]+(?:\s[^,\s]+)?(?:,\s*[^,\s]+(?:\s[^,\s]+)?){3,}")


def _people(record: Record) -> tuple[list[Author], list[Author]]:
    """Authors and editors in file order, every person tag kept (AU and A1 may interleave)."""
    fields = record.fields
    present = [tag for tag in _ROLES if tag in fields]
    if not present:
        return [], []
    if len(present) == 1:
        ordered = [(present[0], value) for value in fields[present[0]]]
    else:
        rest = {tag: iter(fields[tag]) for tag in present}
        ordered = [(tag, next(rest[tag], "")) for tag in record.tags if tag in rest]
        ordered += [(tag, value) for tag in present for value in rest[tag]]
    authors: list[Author] = []
    editors: list[Author] = []
    for tag, value in ordered:
        if not value:
            continue
        role = _ROLES[tag]
        if role != "author" and _SURNAME_LIST_RE.fullmatch(value):
            # Ovid PsycInfo's A2 on a journal article lists the first authors of the works it
            # cites (`Andres, Bucchianeri, Buote, ...`): no editor of this work, and no one name.
            # Known and expected, so no warning; it stays in `fields` and the raw record.
            continue
        person = ris_author(html.unescape(value) if "&" in value else value)
        person.role = role
        (authors if role == "author" else editors).append(person)
    return authors, editors


def ris_author(printed: str) -> Author:
    """A RIS name: `Family, Given`, or `Family Initials`, else a group kept whole.

    RIS writes a person as `Family, Given`; the exports in shared/data/exports show a name with
    no comma only as `Family Initials` (Embase 2014 `Adler D.G.`, Scopus `Babur O.`), as an
    organisation (ERIC via EBSCO `Regional Educational Laboratory Midwest (ED)`, Scopus
    `EndoReCo`) or as a name whose order cannot be told (EBSCO `CAIZHI SHEN`, `熊 玮`). Splitting
    the last of those at the last space would invent a family name; kept whole, nothing is lost.
    """
    name = collapse_space(printed).strip(" ;")
    if "," in name or is_family_initials(name):
        return parse_author(name)
    return group_author(name)


def _keywords(values: list[str]) -> list[str]:
    return [clean_text(v) if "&" in v or "<" in v else v for v in values if v]


def _year(fields: dict[str, list[str]]) -> int | None:
    for tag in ("PY", "Y1", "DA"):
        for value in fields.get(tag, ()):
            if len(value) == 4 and value.isascii() and value.isdigit() and value[0] in "12":
                year = int(value)  # the usual `PY  - 2003`, without parse_year's regex
                if 1500 <= year <= 2099:
                    return year
            year = parse_year(value)
            if year:
                return year
    return None


def _abbreviation(fields: dict[str, list[str]], journal: str) -> str:
    abbreviation = _first(fields, "J2", "JA", "JI", "J9", "NL")
    if abbreviation:
        return abbreviation
    # Embase writes the full title in JF and the abbreviation in JO.
    jo = _first(fields, "JO")
    return jo if jo and jo != journal else ""


def _pages(fields: dict[str, list[str]]) -> tuple[str, str]:
    first, last = _first(fields, "SP"), _first(fields, "EP")
    if first.isdigit() and last.isdigit() and len(last) >= len(first):
        return first, last  # the usual case, without a regex
    # Ovid PsycInfo splits "No Pagination Specified" into `SP  - No` and `EP  - Specified`.
    if last and _NO_PAGES_RE.fullmatch(f"{first} {last}"):
        return "", ""
    start, end = expand_pages(first)
    if last:
        start, end = expand_pages(f"{start}-{last}") if start else (last, "")
    return start, end


def _doi(fields: dict[str, list[str]]) -> str:
    for tag in ("DO", "L3", "DI"):
        for value in fields.get(tag, ()):
            doi = clean_doi(value)
            if doi:
                return doi
    # Not N1: Scopus puts the reference list there, full of other papers' DOIs.
    for tag in ("M3", "L2", "UR", "L1"):
        for value in fields.get(tag, ()):
            # Only resolver links: Cochrane's record URL has `/doi/10.1002/central/...` in it.
            lower = value.lower()
            if lower.startswith(("10.", "doi:")) or "doi.org/10." in lower:
                doi = find_doi(value)
                if doi:
                    return doi
    return ""


def _publication_type(fields: dict[str, list[str]]) -> str:
    for tag in ("M3", "PT"):
        for value in fields.get(tag, ()):
            # APA's M3 holds a DOI and Ovid PsycInfo's a classification ("... [3300]").
            if (
                value
                and not ("10." in value and find_doi(value))
                and not _CLASSIFICATION_RE.search(value)
            ):
                return value
    code = _first(fields, "TY").upper()
    return TYPE_NAMES.get(code, code)


def _url(fields: dict[str, list[str]]) -> str:
    for value in fields.get("UR", ()):
        if value.lower().startswith(("http", "www.")):
            return value
    return ""


def _source(fields: dict[str, list[str]]) -> str:
    database = _first(fields, "DB")
    provider = _first(fields, "DP")
    if not (database or provider):
        return ""
    database, provider = collapse_space(database), collapse_space(provider)
    # EBSCO's DB is a short code (`psyh`, `eric`) that only makes sense next to its provider.
    if database and provider and " " not in database and database.islower():
        return f"{provider} ({database})"
    return database or provider


def _standard_numbers(fields: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    issns: dict[str, None] = {}
    isbns: dict[str, None] = {}
    for value in fields.get("SN", ()):
        for part in value.replace(";", ",").split(","):
            # An ISBN also holds ISSN-shaped digit runs, so ISSNs are only sought in non-ISBNs.
            found = clean_isbn(part)
            isbns.update(dict.fromkeys(found))
            if not found:
                issns.update(dict.fromkeys(clean_issn(part)))
    return list(issns), list(isbns)


def _accession(fields: dict[str, list[str]], numbered: bool) -> str:
    # ProQuest writes `AN  - 2214991469; 51887`: the document id comes first.
    accession = _first(fields, "AN", "U2").split(";")[0].strip()
    if accession:
        return accession
    record_id = _first(fields, "ID")
    if record_id and _id_is_accession(fields, record_id, numbered):
        return record_id
    return _url_accession(fields)


def _id_is_accession(fields: dict[str, list[str]], record_id: str, numbered: bool) -> bool:
    """Ovid and APA put the accession in ID; EndNote and Rayyan put their own record number."""
    if _ERIC_ID_RE.fullmatch(record_id) or _APA_ID_RE.fullmatch(record_id):
        return True
    return numbered or "ovid" in _first(fields, "DB").lower() or "ovid.com" in _first(fields, "L2")


def _url_accession(fields: dict[str, list[str]]) -> str:
    """Scopus's EID (`eid=2-s2.0-…`) or EBSCO's `AN=` inside the record URL."""
    for value in fields.get("UR", ()):
        if "scopus.com" in value or "ebscohost.com" in value:
            match = _URL_ACCESSION_RE.search(value)
            if match:
                return match.group(1)
    return ""


def _pmid(fields: dict[str, list[str]], notes: str, accession: str, source: str) -> str:
    """APA's PMID, Embase's C5, Cochrane's `C3  - PUBMED …`, EBSCO's `PMID:` note, and so on."""
    for tag in ("PMID", "C5", "C3"):
        for value in fields.get(tag, ()):
            match = _DIGITS_RE.search(value)
            if match and (tag != "C3" or value.upper().startswith("PUBMED")):
                return match.group(0)
    pmid = _note(notes, "PMID", _NOTE_PMID_RE)
    if pmid:
        return pmid
    if _DIGITS_RE.fullmatch(accession) and _PUBMED_SOURCE_RE.search(source):
        return accession
    for value in fields.get("UR", ()):
        match = _PUBMED_URL_RE.search(value)
        if match:
            return match.group(1)
    return ""


def _note(notes: str, marker: str, pattern: re.Pattern[str]) -> str:
    # The substring test first: notes can hold a whole reference list.
    if marker not in notes:
        return ""
    match = pattern.search(notes)
    return match.group(1) if match else ""
