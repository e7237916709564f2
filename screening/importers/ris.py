"""RIS in every database dialect: Embase.com, Ovid, EBSCOhost, ProQuest, Scopus, Web of Science,
Cochrane, APA PsycNet, and the reference managers (EndNote, Zotero, Rayyan).

Our own reader, not `rispy`. rispy keeps neither the line a record starts on nor its raw text
(both needed for every warning and for the audit trail), silently drops a last record that has
no `ER` where we must name the line of the cut-off record, cannot read APA's `PMID  - ` tag, and
raises KeyError on any APA PsycNet file of two or more records. Nor is it faster: here the
regex engine, not a Python loop per line, finds the records and their fields, and the mapping
onto `Citation` (authors split, DOI cleaned, pages expanded, identifiers found) weighs about as
much as the reading (benchmarks/bench_import.py; the figures in benchmarks/RESULTS.md).

A record runs from `TY` to `ER`. Inside it, a line without a valid tag continues the previous
value: Scopus's multi-line `N1`, Web of Science's "Total Times Cited" lines, Rayyan's and
EndNote's one-keyword-per-line `KW`. Between records, Ovid's `1.` and "Link to ..." lines,
Cochrane's `Record #3 of 18` headers and APA's `Provider:` preamble are skipped silently.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

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
_SNIFF_RE = re.compile(r"^\s*TY[ \t]*-(?:[ \t]|$)", re.MULTILINE)
_OVID_NUMBER_RE = re.compile(r"\d+\.\s*")
_NOISE_RE = re.compile(r"Link to |Record #\d+ of \d+|(?:Provider|Content|Database):", re.I)
_LIST_CONTINUATION = frozenset({"KW", "AU", "A1", "A2", "A3", "A4", "UR"})
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


@dataclass(slots=True)
class _Record:
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
    citations = [_citation(record, warnings, unknown) for record in _records(text, warnings)]
    warnings.extend(unknown.warnings())
    return citations, warnings


def _records(text: str, warnings: list[ImportWarning]) -> Iterator[_Record]:
    text = "\n" + text  # so that the first line, too, follows a "\n"
    lines = _Lines(text)
    start = -1  # the "\n" before the open record's TY; -1 between records
    gap = 0  # the "\n" where the text between records begins
    ended: _Record | None = None  # held back: Ovid writes an `NL` line after `ER`
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


def _record(text: str, start: int, end: int, lines: _Lines, numbered: bool) -> _Record:
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
    return _Record(line=lines.after(start), raw=raw, fields=fields, numbered=numbered, tags=tags)


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
    ended: _Record | None,
    lines: _Lines,
    warnings: list[ImportWarning],
) -> tuple[bool, list[_Record]]:
    """Read the text between two records: True when it holds Ovid's record-number line, and
    the records made of tag lines that no TY opened."""
    if end <= start or not text[start + 1 : end].strip():  # blank lines: nothing to do
        return False, []
    first = lines.after(start)
    numbered = False
    orphans: list[_Record] = []
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
) -> _Record:
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


def _missing_er(record: _Record) -> ImportWarning:
    return ImportWarning(
        line=record.line,
        message="the record has no ER line; it was ended at the next TY",
        field="ER",
    )


def _citation(record: _Record, warnings: list[ImportWarning], unknown: UnknownTags) -> Citation:
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


def _people(record: _Record) -> tuple[list[Author], list[Author]]:
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
