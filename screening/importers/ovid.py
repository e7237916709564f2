"""Ovid's own text exports: the tagged "direct export" and the field-label display.

Both put a record-number header on a line of its own: `<12. >` in the tagged layout and `<12>` in
the field-label layout; the lines below it decide which layout the record uses.

Tagged: `XX  - value` (Ovid's field codes, not RIS codes), also written `XX - value` and, in one
PsycINFO variant, with one leading space on every line. Continuation lines are indented; Ovid also
wraps a few fields (grant and series notes) onto unindented lines straight below.

Field label: a label on a line of its own (`Title`, `Source`, `Unique Identifier`), then its
values, one per indented line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .citation import Author, Citation, ImportWarning
from .fields import (
    YEAR_RE,
    UnknownTags,
    clean_doi,
    clean_isbn,
    clean_issn,
    clean_pmid,
    clean_text,
    collapse_space,
    expand_pages,
    parse_author,
    parse_year,
    warn_unread,
)

_HEADER_RE = re.compile(r"^\s*<\d+(?:\.\s*)?>\s*$")
_TAG_RE = re.compile(r"^([A-Z][A-Z0-9]{1,5}) {1,2}- ?(.*)$")
_RIS_OR_MEDLINE_RE = re.compile(r"^(?:TY {2}- |PMID- ?\d)")
_URL_RE = re.compile(r"https?://\S+")
_TITLE_NOTE_RE = re.compile(r"\s*\[[A-Za-z][A-Za-z ,&-]*\]\s*\.?\s*$")
_ACCESSION_PREFIX_RE = re.compile(r"^[A-Za-z][A-Za-z ]+:\s+(?=\S*\d)")
# Ovid prints affiliation markers, roles and degrees after a name: `Zhang, Weijia 1,2,+`,
# `Walsdorf, Neill B. [Inventor]`, `Gazic, Barbara MD, PhD *`.
_NAME_NOTE_RE = re.compile(r"\s*\[[^\]]*\]")
_NAME_MARKERS_RE = re.compile(r"(?:[\s,]+(?:\d+|[*+\u2020\u2021#]+))+\s*$")
_NAME_DEGREES_RE = re.compile(
    r"(?:[\s,]+(?:Ph\.?D\.?|M\.?D\.?|FACSM|FRCS|[BM]Sc|MPH|MBBS|RN|DPhil))+\s*$"
)
_MONTH_OR_SEASON = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?|Spring|Summer|Autumn|Fall"
    r"|Winter)\.?(?![A-Za-z])"
)
_JOURNAL_END_RE = re.compile(rf"\.\s+(?=Vol\b|\d)|,?\s*(?=\d)|\s+(?={_MONTH_OR_SEASON})|;")
_VOLUME_ISSUE_RE = re.compile(r"(?:\bVol\.?\s*)?\b(\d+[A-Za-z]?)\s*\(((?:[^()]|\([^()]*\))+)\)")
_VOLUME_ONLY_RE = re.compile(r"(?:;|\bVol\.?)\s*(\d+)\s*:")
_PAGE = r"[A-Za-z]?\d+[A-Za-z]?"
_PAGES_RE = re.compile(rf"(?::|\bpp?\.)\s*({_PAGE}(?:\s*-\s*{_PAGE})?)")
_PAGE_RANGE_RE = re.compile(rf";\s*({_PAGE}\s*-\s*{_PAGE})")
# Ovid's field codes in the tagged layout: those of its MEDLINE, Embase, PsycINFO, BIOSIS,
# Zoological Record, IPSA, Journals@Ovid and Books@Ovid segments (the exports in
# shared/data/exports and Ovid's field guides). A code known but not mapped onto a Citation field
# (UP, VN, CC, ...) stays in `fields` and the raw record without a warning.
_KNOWN_TAG_NAMES = (
    "AB AD AI AN AS AU BC BR BT CB CC CF CI CL CM CN CP CQ CR CY DA DB DC DD DE DG DI DM DO "
    "DP DS DT DV EC ED EM EP ES ET EX FA FO FS GI GN GS GT HW IA IB ID IN IP IR IS IT IU JA "
    "JC JL JN JS JT KF KW LC LG LO LR MA MC MD MH MI MO MQ NM NP NS NT OI OL ON OR OT OU PA "
    "PB PC PE PG PH PI PL PM PN PO PS PT PU RD RF RN RO SB SC SCORE SF SH SI SL SO SR ST SY "
    "TA TD TI TM TN TS TT UI UP UR VI VN VO XL XM XP YR"
)
# Ovid's field labels in the field-label layout (the same fields, spelt out).
_KNOWN_LABELS = (
    "Abbreviated Source|Abstract|Accession Number|Author|Author Initials|Author Keywords"
    "|Authors|Authors Full Name|Book Title|Chemicals and Biochemicals|Classification Code"
    "|Comments|Conference Information|Contributors|Correspondence Address|Country of Publication"
    "|Database|Date Completed|Date Created|Date Delivered|Date of Publication|Date Revised"
    "|Digital Object Identifier|DOI|DOI Number|Document Type|Editors|Electronic Date of Publication"
    "|Electronic ISSN|Embase Section Headings|Emtree Heading|Entry Date|Entry Week|Form/Content"
    "|Grant Information|Identifiers|Institution|ISBN|ISSN|ISSN Electronic|ISSN Linking|ISSN Print"
    "|Issue|Issue/Part|Journal|Journal Abbreviation|Journal Name|Journal Subset|Journal Title"
    "|Keyword Heading|Keywords|Language|Link to the External Link Resolver"
    "|Link to the Ovid Full Text or citation|Major Subject Headings|MeSH Subject Headings"
    "|NLM Journal Code|Number of References|Other Abstract|Page|Pages|Population Group"
    "|Publication Date|Publication History Status|Publication Status|Publication Type"
    "|Publication Year|Publisher|PubMed ID|PubMed Unique Identifier|PMID|References"
    "|Registry Number/Name of Substance|Revision Date|Score|Source|Status|Subject Headings"
    "|Tests & Measures|Title|Unique Identifier|Update Date|URL|Version ID|Volume|Year"
    "|Year of Publication"
)
KNOWN_TAGS = frozenset(_KNOWN_TAG_NAMES.split())
KNOWN_LABELS = frozenset(_KNOWN_LABELS.split("|"))


def sniff(text: str) -> bool:
    """True when an Ovid record header (`<1. >` or `<1>`) comes before any RIS or MEDLINE tag."""
    for line in text.split("\n"):
        if _RIS_OR_MEDLINE_RE.match(line):
            return False
        if _HEADER_RE.match(line):
            return True
    return False


def parse(text: str) -> tuple[list[Citation], list[ImportWarning]]:
    """Every `<n>` record of a tagged or field-label export, with warnings for skipped lines."""
    lines = text.split("\n")
    warnings: list[ImportWarning] = []
    citations: list[Citation] = []
    unknown_tags = UnknownTags(KNOWN_TAGS, what="an Ovid field code")
    unknown_labels = UnknownTags(KNOWN_LABELS, what="an Ovid field label", noun="field")
    for start, end in _record_spans(lines, warnings):
        body = lines[start + 1 : end]
        tagged = _is_tagged(body)
        fields = (_read_tagged if tagged else _read_labelled)(body, start + 2, warnings)
        if not fields:
            warnings.append(ImportWarning(line=start + 1, message="empty record skipped"))
            continue
        (unknown_tags if tagged else unknown_labels).see(fields, start + 1)
        raw = "\n".join(lines[start : _content_end(lines, start, end)])
        citations.append(citation := _to_citation(Citation(raw=raw, line=start + 1, fields=fields)))
        warn_unread(
            citation,
            warnings,
            year=_printed(fields, "year"),
            doi=_printed(fields, "doi"),
            pages=_printed(fields, "pages"),
        )
    warnings.extend(unknown_tags.warnings() + unknown_labels.warnings())
    return citations, warnings


def _printed(fields: dict[str, list[str]], name: str) -> tuple[str, str]:
    """The code or label that gave `name`, and its first value as printed."""
    for key in _KEYS[name]:
        for value in fields.get(key, ()):
            if value.strip():
                return key, value
    return "", ""


def _record_spans(lines: list[str], warnings: list[ImportWarning]) -> list[tuple[int, int]]:
    """(header index, end index) of every record; text before the first header is noise."""
    starts = [i for i, line in enumerate(lines) if _HEADER_RE.match(line)]
    if not starts:
        return []
    _warn_preamble(lines[: starts[0]], warnings)
    ends = [*starts[1:], len(lines)]
    return list(zip(starts, ends, strict=True))


def _content_end(lines: list[str], start: int, end: int) -> int:
    """The end of a record's span without the blank lines that trail it."""
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return end


def _is_tagged(body: list[str]) -> bool:
    for line in body:
        if line.strip():
            return bool(_TAG_RE.match(line.strip()))
    return False


@dataclass(slots=True)
class _Fields:
    values: dict[str, list[str]] = field(default_factory=dict)
    key: str = ""

    def add(self, key: str, value: str) -> None:
        self.key = key
        self.values.setdefault(key, []).append(value)

    def extend_last(self, text: str) -> None:
        values = self.values[self.key]
        values[-1] = f"{values[-1]} {text}".strip()


def _read_tagged(
    body: list[str], first_line: int, warnings: list[ImportWarning]
) -> dict[str, list[str]]:
    indent = _common_indent(body)
    out = _Fields()
    previous_blank = True
    for number, line in enumerate(body, start=first_line):
        text = line[indent:] if line[:indent].isspace() else line
        if not text.strip():
            previous_blank = True
            continue
        match = _TAG_RE.match(text)
        if match:
            out.add(match.group(1), match.group(2).strip())
        elif out.key and (text[0].isspace() or not previous_blank):
            out.extend_last(text.strip())
        else:
            warnings.append(ImportWarning(line=number, message=_noise_message(text)))
        previous_blank = False
    return out.values


def _common_indent(body: list[str]) -> int:
    """The leading spaces every tag line shares (one in a PsycINFO variant, else none)."""
    indents = [len(line) - len(line.lstrip(" ")) for line in body if _TAG_RE.match(line.strip())]
    return min(indents) if indents and min(indents) <= 1 else 0


def _read_labelled(
    body: list[str], first_line: int, warnings: list[ImportWarning]
) -> dict[str, list[str]]:
    out = _Fields()
    label_lines: dict[str, int] = {}
    for number, line in enumerate(body, start=first_line):
        if not line.strip():
            continue
        if not line[0].isspace():
            out.key = collapse_space(line).rstrip(":")
            out.values.setdefault(out.key, [])
            label_lines.setdefault(out.key, number)
        elif out.key:
            out.values[out.key].append(line.strip())
        else:
            warnings.append(ImportWarning(line=number, message=_noise_message(line)))
    for key, values in out.values.items():
        if not values:
            # Ovid prints no empty fields, so a bare line is a stray one, not a label.
            warnings.append(ImportWarning(line=label_lines[key], message=_noise_message(key)))
    return {key: values for key, values in out.values.items() if values}


def _warn_preamble(lines: list[str], warnings: list[ImportWarning]) -> None:
    # One warning for the whole block: a search history can run to hundreds of lines.
    content = [i for i, line in enumerate(lines) if line.strip()]
    if content:
        message = f"{len(content)} line(s) of text before the first record skipped"
        warnings.append(ImportWarning(line=content[0] + 1, message=message))


def _noise_message(text: str) -> str:
    return f"text outside any field skipped: {text.strip()[:60]!r}"


# ---------------------------------------------------------------------------------------------
# Mapping: tag codes and field labels to Citation attributes
# ---------------------------------------------------------------------------------------------

# Tagged codes and field labels with the same meaning, in order of preference.
_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("TI", "Title"),
    "abstract": ("AB", "Abstract"),
    "source": ("SO", "Source"),
    "journal": ("JN", "JT", "Journal Name", "Journal Title", "Journal"),
    "journal_abbrev": ("TA", "JA", "Abbreviated Source", "Journal Abbreviation"),
    "volume": ("VO", "VI", "Volume"),
    "issue": ("IP", "Issue", "Issue/Part"),
    "pages": ("PG", "Pages", "Page"),
    "year": ("YR", "Year of Publication", "Publication Year", "Year"),
    "date": ("DP", "Date of Publication", "Publication Date"),
    "doi": ("DO", "DI", "Digital Object Identifier", "DOI Number", "DOI"),
    "pmid": ("PM", "PubMed Unique Identifier", "PMID", "PubMed ID"),
    "unique_id": ("UI", "Unique Identifier"),
    "accession": ("AN", "Accession Number"),
    "issn": ("IS", "IT", "ISSN", "Electronic ISSN", "ISSN Print", "ISSN Electronic"),
    "isbn": ("IB", "ISBN"),
    "language": ("LG", "LA", "Language"),
    "publication_type": ("PT", "Publication Type"),
    "document_type": ("DT", "Document Type"),
    "url": ("UR", "XL", "XP", "URL", "Link to the Ovid Full Text or citation"),
    "database": ("DB", "Database"),
}
_AUTHOR_KEYS = ("FA", "AU", "Authors Full Name", "Author", "Authors")
_SEMICOLON_KEYWORDS = ("KW", "Author Keywords", "Keywords", "Keyword Heading")
_COMMA_KEYWORDS = ("ID", "DE", "Identifiers")
_HEADING_KEYWORDS = ("MH", "Subject Headings", "MeSH Subject Headings", "Major Subject Headings")


def _values(f: dict[str, list[str]], name: str) -> list[str]:
    return [value for key in _KEYS[name] for value in f.get(key, []) if value.strip()]


def _first(f: dict[str, list[str]], name: str) -> str:
    found = _values(f, name)
    return collapse_space(found[0]) if found else ""


def _joined(f: dict[str, list[str]], name: str) -> str:
    return collapse_space(" ".join(_values(f, name)))


def _to_citation(citation: Citation) -> Citation:
    f = citation.fields
    citation.title = _clean_title(_joined(f, "title"))
    citation.abstract = clean_text(" ".join(_values(f, "abstract")))
    citation.authors = _authors(f)
    citation.source_database = _first(f, "database")
    citation.accession = _clean_accession(_first(f, "accession") or _first(f, "unique_id"))
    citation.pmid = _pmid(f, citation.source_database)
    citation.doi = next(filter(None, map(clean_doi, _values(f, "doi"))), "")
    citation.issn = _unique(clean_issn(" ".join(_values(f, "issn"))))
    citation.isbn = _unique(clean_isbn(" ".join(_values(f, "isbn"))))
    citation.keywords = _keywords(f)
    citation.language = _first(f, "language").rstrip(".")
    citation.publication_type = _publication_type(f)
    citation.url = _url(f)
    _set_source(citation, f)
    return citation


def _clean_title(title: str) -> str:
    # Journals@Ovid appends the article type: `... a systematic review.[Review]`.
    return _TITLE_NOTE_RE.sub("", title) or title


def _authors(f: dict[str, list[str]]) -> list[Author]:
    for key in _AUTHOR_KEYS:
        # Notes go first: `[Author, Reprint Author; E-mail: ...]` holds a semicolon too.
        values = [_NAME_NOTE_RE.sub("", value) for value in f.get(key, [])]
        names = [name for value in values for name in _split_names(value)]
        authors = [parse_author(name) for name in map(_clean_name, names) if name]
        if authors:
            return authors
    return []


def _split_names(value: str) -> list[str]:
    if ";" in value:
        return value.split(";")
    # MEDLINE-style field-label authors: `Smith JA  Jones B` (two spaces between names).
    if "  " in value.strip() and "," not in value:
        return re.split(r"\s{2,}", value.strip())
    return [value]


def _clean_name(name: str) -> str:
    name = _NAME_MARKERS_RE.sub("", name.strip())
    if "," in name:
        # Only after "Family, Given": in `Smith MD` the MD is the initials, not a degree.
        name = _NAME_DEGREES_RE.sub("", name)
        # `AHMED, Mughees.`: a full stop after a whole name, unlike `Werner, S. M.` or `Simon, Ph.`.
        name = re.sub(r"(\w{4,})\.$", r"\1", name.strip())
    return collapse_space(name).strip(" ,;")


def _clean_accession(value: str) -> str:
    # PsycINFO prefixes the publication kind: `Peer Reviewed Journal: 2015-33942-012.`
    return _ACCESSION_PREFIX_RE.sub("", value).rstrip(".").strip()


def _pmid(f: dict[str, list[str]], database: str) -> str:
    pmid = clean_pmid(_first(f, "pmid"))
    if pmid or "medline" not in database.lower():
        return pmid
    # In Ovid MEDLINE the unique identifier (or accession number) is the PMID itself.
    candidate = _first(f, "unique_id") or _first(f, "accession")
    return candidate if candidate.isdigit() else ""


def _keywords(f: dict[str, list[str]]) -> list[str]:
    words: list[str] = []
    for key in _SEMICOLON_KEYWORDS:
        words += [w for value in f.get(key, []) for w in value.split(";")]
    for key in _COMMA_KEYWORDS:
        words += [w for value in f.get(key, []) for w in re.split(r"[;,]", value)]
    for key in _HEADING_KEYWORDS:
        words += [value.lstrip("*") for value in f.get(key, [])]
    return _unique([collapse_space(w).strip(" .") for w in words if w.strip(" .")])


def _publication_type(f: dict[str, list[str]]) -> str:
    kinds = _unique([value.strip().rstrip(".") for value in _values(f, "publication_type")])
    return "; ".join(kinds) or _first(f, "document_type").rstrip(".")


def _url(f: dict[str, list[str]]) -> str:
    for value in _values(f, "url"):
        match = _URL_RE.search(value)
        if match:
            return match.group(0)
    return ""


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


# ---------------------------------------------------------------------------------------------
# The formatted source line
# ---------------------------------------------------------------------------------------------


def _set_source(citation: Citation, f: dict[str, list[str]]) -> None:
    """Journal, volume, issue, pages and year: explicit fields first, then the Source line."""
    source = _first(f, "source")
    if _is_book_source(source):
        # A chapter cites its book: editors, year, book title and the chapter's pages.
        parsed = parse_book_source(source)
        citation.editors = [_editor(name) for name in parsed.pop("editors", "").split(";") if name]
    else:
        parsed = parse_source(source) if source else {}
    citation.editors = citation.editors or _editors(f)
    citation.journal = _first(f, "journal") or parsed.get("journal", "") or _book_title(f)
    citation.journal_abbrev = _first(f, "journal_abbrev")
    citation.volume = _first(f, "volume") or parsed.get("volume", "")
    citation.issue = _first(f, "issue") or parsed.get("issue", "")
    pages = _first(f, "pages") or parsed.get("pages", "")
    if any(ch.isdigit() for ch in pages):
        citation.pages = pages
        citation.start_page, citation.end_page = expand_pages(pages)
    citation.year = _year(f, parsed.get("year", ""))


def _is_book_source(source: str) -> bool:
    # Chapters cite their book: `Neenan, Michael [Ed]; Palmer, Stephen [Ed]. (2012). Title...`
    return bool(re.search(r"\[Ed(?:itor|s?\.?)?\b|^\s*\(\d{4}\)", source, re.IGNORECASE))


_BOOK_SOURCE_RE = re.compile(
    r"^(?P<editors>.*?\[Eds?\.?\][^.(]*?)\.?\s*\((?P<year>\d{4})[a-z]?\)\.\s*"
    r"(?P<book>.+?)\.?\s*\(pp?\.\s*(?P<pages>[^)]+)\)",
    re.IGNORECASE,
)


def parse_book_source(source: str) -> dict[str, str]:
    """Editors, year, book title and pages from a chapter's Source: `Neenan, Michael [Ed];
    Palmer, Stephen [Ed]. (2012). Cognitive behavioural coaching. (pp. 11-31). xvii, 254 pp.`"""
    source = collapse_space(source)
    match = _BOOK_SOURCE_RE.match(source)
    if not match:
        return {"year": str(parse_year(source) or "")}
    return {
        "editors": match.group("editors"),
        "year": match.group("year"),
        "journal": match.group("book").strip(),
        "pages": match.group("pages").replace(" ", ""),
    }


def _editor(printed: str) -> Author:
    editor = parse_author(_clean_name(_NAME_NOTE_RE.sub("", printed)))
    editor.role = "editor"
    return editor


def _editors(f: dict[str, list[str]]) -> list[Author]:
    """Books@Ovid's `ED  - McGarry, John W.;  Elsheikha, Hany M.`."""
    return [_editor(name) for value in f.get("ED", []) for name in value.split(";") if name.strip()]


def _book_title(f: dict[str, list[str]]) -> str:
    """A chapter's book (`BT`, `BTI`), unless it is the record's own title (a whole book)."""
    title = _clean_title(_joined(f, "title")).casefold().rstrip(". ")
    for key in ("BT", "BTI"):
        for value in f.get(key, []):
            book = collapse_space(value)
            if book and not (title and book.casefold().startswith(title)):
                return book
    return ""


def _year(f: dict[str, list[str]], source_year: str) -> int | None:
    return parse_year(_first(f, "year")) or parse_year(_first(f, "date")) or parse_year(source_year)


def parse_source(source: str) -> dict[str, str]:
    """Journal, volume, issue, pages and year read from an Ovid `SO`/`Source` citation line."""
    source = collapse_space(source)
    parsed: dict[str, str] = {}
    journal = _JOURNAL_END_RE.split(source, maxsplit=1)[0].strip(" .,;")
    if journal and not journal[0].isdigit():
        parsed["journal"] = journal
    rest = source[len(journal) :]
    volume_issue = _VOLUME_ISSUE_RE.search(rest)
    if volume_issue:
        parsed["volume"], parsed["issue"] = volume_issue.group(1), volume_issue.group(2).strip()
    elif volume := _VOLUME_ONLY_RE.search(rest):
        parsed["volume"] = volume.group(1)
    pages = _PAGES_RE.search(rest) or _PAGE_RANGE_RE.search(rest)
    if pages:
        parsed["pages"] = re.sub(r"\s+", "", pages.group(1))
        rest = rest[: pages.start(1)] + rest[pages.end(1) :]
    # Pages such as `1998-2005` could pass for years, so the year is looked for without them;
    # it follows the pages in `12(3):123-9, 2010 Mar.`, so the last one found is taken.
    years = YEAR_RE.findall(rest)
    if years:
        parsed["year"] = years[-1]
    return parsed
