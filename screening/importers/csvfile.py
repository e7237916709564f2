"""CSV and tab-separated exports, and the app's own CSV template.

Layouts recognised from the header (column names match case-insensitively over a table of
aliases, so a column order or an unknown extra column never matters):

- Embase.com: the full 49-column export with its search-query preamble above the header, and the
  older 20-column layout (also ASReview's edited copy with a lower-case `keywords` column). When
  there is no `Source title` column the compound `Source` cell ("Journal (2014) 3:3 (152-160).
  Date of Publication: 2014") fills the journal, year, volume, issue and pages.
- Scopus: 41 to 46 columns. Rows with more cells than the header (a second funding text in
  litstudy's export) are re-aligned: the extra cells are placed where the typed columns (year,
  DOI, ISSN, PubMed ID, EID, links) read correctly, kept in `fields`, and reported as a warning.
- EBSCOhost (CINAHL): 18 columns, `; `-joined authors, Excel-guarded cells such as `="19326203"`.
- Cochrane CENTRAL: `CENTRAL ID`, `PubMed ID` ("PUBMED 21314913"), `Embase ID`, ...
- PubMed "Save > CSV": `PMID`, `Title`, `Authors` ("Smith J, Doe A."), `Citation`, `Journal/Book`,
  `Publication Year`, `PMCID`, `DOI`; the PMID is also the accession number.
- Web of Science tab-delimited: two-letter field tags as the header (`TI`, `AU`, `SO`, `UT`, ...).

The app's template (one row per record; every column except `title` may be left empty or left out):

    title,abstract,authors,year,journal,volume,issue,pages,doi,pmid,accession,keywords,url,
    issn,isbn,publication_type,language,pmcid,journal_abbrev,editors

`authors`, `editors`, `keywords`, `issn` and `isbn` hold several values separated by `;`
("Smith, John; Doe, A."). An editor who played another part says so after the name: "Lee, K
(translator)", "Ruiz, P (series editor)". `pages` is a range such as `221-228` or a single page
or article number. Commas, semicolons or tabs may separate the columns; quote a cell that
contains the separator or a line break. The columns after `url` carry the rest of what the app
holds, so that the app's own CSV export reads back as its RIS and BibTeX exports do.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .citation import Author, Citation, ExportFormatError, ImportWarning
from .csv_columns import (
    ALIASES,
    KEYWORD_COLUMNS,
    OTHER_ROLES,
    SOURCE_DATABASE,
    TEMPLATE_COLUMNS,
    TYPED_CHECKS,
    UNREAD_FROM_DATABASES,
    WOS_ALIASES,
    WOS_KEYWORD_COLUMNS,
)
from .fields import (
    clean_doi,
    clean_isbn,
    clean_issn,
    clean_pmcid,
    clean_pmid,
    clean_text,
    collapse_space,
    expand_pages,
    find_doi,
    parse_author,
    parse_year,
    split_authors,
    warn_unread,
)

_EMBASE_PREAMBLE_RE = re.compile(r'^\s*"?SEARCH QUERY"?\s*[,;\t]', re.IGNORECASE)
_EXCEL_GUARD_RE = re.compile(r'^="(.*)"$', re.DOTALL)
_EMBASE_SOURCE_RE = re.compile(
    r"^(?P<journal>.+?)\s+\((?P<year>\d{4})\)\s*(?P<volume>[^\s:(.]+)?"
    r"(?::(?P<issue>[^\s(.]+))?\s*(?:\((?P<pages>[^)]*)\))?"
)
_PUBMED_CITATION_RE = re.compile(
    r"\.\s+\d{4}[^;]*;(?P<volume>[^(:.;]*)(?:\((?P<issue>[^)]*)\))?(?::(?P<pages>[^.\s;]+))?"
)
_HEADER_SEARCH_LINES = 30
_DELIMITERS = (",", "\t", ";")


@dataclass
class _Layout:
    """Where the header is and what the columns mean."""

    delimiter: str
    header_index: int
    header: list[str]
    flavour: str
    columns: dict[str, list[int]] = field(default_factory=dict)
    keyword_columns: list[int] = field(default_factory=list)


def sniff(text: str) -> bool:
    """True for an Embase preamble or a delimited first line with a title-like column."""
    first = next((line for line in text.split("\n", 50)[:50] if line.strip()), "")
    if _EMBASE_PREAMBLE_RE.match(first):
        return True
    return any(_title_column(_split_line(first, d)) is not None for d in _DELIMITERS)


def parse(text: str) -> tuple[list[Citation], list[ImportWarning]]:
    """One Citation per non-empty row after the header; warnings name each row's line."""
    # Scopus reference lists can exceed the csv module's default 128 KiB cell limit.
    csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))
    if "\r" in text:  # the decoder has made every line end "\n"; text from elsewhere may not
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    layout = _layout(lines)
    citations: list[Citation] = []
    warnings: list[ImportWarning] = []
    last_line = max((i for i, line in enumerate(lines) if line.strip()), default=0) + 1
    for row, first_line, raw in _rows(lines, layout):
        if not any(cell.strip() for cell in row):
            continue
        values, extra = _align(layout, row, first_line, warnings)
        if raw.count('"') % 2 and first_line + raw.count("\n") >= last_line > first_line:
            warnings.append(
                ImportWarning(
                    line=first_line,
                    message="a quoted cell is never closed; the rest of the file was read "
                    "into this row",
                )
            )
        citation = _citation(layout, values, extra, raw, first_line)
        _warn_if_unidentified(citation, warnings)
        if citation.year is None or not citation.doi or not citation.start_page.isdigit():
            warn_unread(
                citation,
                warnings,
                year=_printed(layout, values, "year"),
                doi=_printed(layout, values, "doi"),
                pages=_printed(layout, values, "pages") or _printed(layout, values, "start_page"),
            )
        citations.append(citation)
    return citations, warnings


# --- header and rows --------------------------------------------------------------------------


def _normalise(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").strip().strip('"').lower().split())


def _split_line(line: str, delimiter: str) -> list[str]:
    if delimiter not in line:
        return [line]
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:  # a stray carriage return: no header the csv module can read
        return [line]


def _title_column(cells: list[str]) -> int | None:
    if len(cells) < 2:
        return None
    names = [_normalise(cell) for cell in cells]
    for alias in (*ALIASES["title"], *WOS_ALIASES["title"]):
        if alias in names:
            if alias == "ti" and "py" not in names:
                continue  # a lone "TI" column is too weak a sign of a WoS header
            return names.index(alias)
    return None


def _layout(lines: list[str]) -> _Layout:
    """The header row: the first line with a title column, after at most a short preamble.

    A preamble line (Embase's `"SEARCH QUERY","..."`, a line of dashes) has at most two cells;
    the first wider line is the header, so a data table without a title column is an error
    rather than a search through its rows.
    """
    for index, line in enumerate(lines[:_HEADER_SEARCH_LINES]):
        if not line.strip():
            continue
        candidates = [(d, _split_line(line, d)) for d in _DELIMITERS]
        found = [
            (len(cells), d, cells) for d, cells in candidates if _title_column(cells) is not None
        ]
        if found:
            _, delimiter, header = max(found)
            return _describe(delimiter, index, header)
        if max(len(cells) for _, cells in candidates) > 2:
            break
    first = next(((i, line) for i, line in enumerate(lines) if line.strip()), (0, ""))
    raise ExportFormatError(
        f"the CSV header has no title column (expected one of: title, article title, "
        f"document title); header read: {first[1][:300]!r}",
        line=first[0] + 1,
        field="title",
    )


def _describe(delimiter: str, index: int, header: list[str]) -> _Layout:
    names = [_normalise(cell) for cell in header]
    flavour = _flavour(set(names))
    aliases = WOS_ALIASES if flavour == "wos" else ALIASES
    keyword_names = WOS_KEYWORD_COLUMNS if flavour == "wos" else KEYWORD_COLUMNS
    layout = _Layout(delimiter=delimiter, header_index=index, header=header, flavour=flavour)
    for key, options in aliases.items():
        if key in UNREAD_FROM_DATABASES and flavour not in ("template", "generic"):
            continue
        if flavour == "cochrane" and key == "journal":
            options = (*options, "source")
        layout.columns[key] = [names.index(option) for option in options if option in names]
    layout.keyword_columns = [i for i, name in enumerate(names) if name in keyword_names]
    return layout


def _flavour(names: set[str]) -> str:
    if {"ti", "py", "ut"} <= names or {"ti", "so", "au", "pt"} <= names:
        return "wos"
    if "central id" in names:
        return "cochrane"
    if any(name.startswith("emtree") for name in names) or "embase link" in names:
        return "embase"
    if "eid" in names or {"source title", "link"} <= names:
        return "scopus"
    if "plink" in names or {"article title", "accession number"} <= names:
        return "ebsco"
    if {"pmid", "citation"} <= names or "journal/book" in names:
        return "pubmed"
    if names <= set(TEMPLATE_COLUMNS):
        return "template"
    return "generic"


def _rows(lines: list[str], layout: _Layout) -> Iterator[tuple[list[str], int, str]]:
    """Data rows with their first 1-based line and their original text."""
    offset = layout.header_index + 1
    source = (line + "\n" for line in lines[offset:])
    reader = csv.reader(source, delimiter=layout.delimiter)
    consumed = 0
    for row in reader:
        first, consumed = consumed, reader.line_num
        if row:
            yield row, offset + first + 1, "\n".join(lines[offset + first : offset + consumed])


def _align(
    layout: _Layout, row: list[str], line: int, warnings: list[ImportWarning]
) -> tuple[list[str], dict[str, str]]:
    """The row's cells in header order, and any surplus cells by a descriptive name."""
    cells = [_cell(value) for value in row]
    width = len(layout.header)
    if len(cells) <= width:
        if len(cells) < width:
            warnings.append(
                ImportWarning(
                    line=line,
                    message=f"row has {len(cells)} cells but the header has {width}; "
                    "the missing cells were read as empty",
                )
            )
        return cells + [""] * (width - len(cells)), {}
    surplus = len(cells) - width
    split = _best_split(layout, cells, surplus)
    after = layout.header[split - 1] if split else "(start of row)"
    extra = {
        f"{after} (extra cell {n})": cells[split + n - 1]
        for n in range(1, surplus + 1)
        if cells[split + n - 1]
    }
    warnings.append(
        ImportWarning(
            line=line,
            message=f"row has {len(cells)} cells but the header has {width}; "
            f"{surplus} extra cell(s) after column {after!r} were kept apart and the later "
            "columns shifted back into place",
        )
    )
    return cells[:split] + cells[split + surplus :], extra


def _best_split(layout: _Layout, cells: list[str], surplus: int) -> int:
    """Where the surplus cells sit: the position that makes typed columns read correctly."""
    names = [_normalise(name) for name in layout.header]
    width = len(names)

    def score(split: int) -> tuple[int, int, int]:
        aligned = cells[:split] + cells[split + surplus :]
        fit = 0
        for name, value in zip(names, aligned, strict=True):
            check = TYPED_CHECKS.get(name)
            if check and value:
                fit += 1 if check.fullmatch(value) else -1
        # Ties: Scopus writes a second funding text next to the first; otherwise at the end.
        after_funding = split > 0 and names[split - 1].startswith("funding text")
        return fit, int(after_funding), split

    return max(range(width + 1), key=score)


def _cell(value: str) -> str:
    value = value.strip()
    guarded = _EXCEL_GUARD_RE.match(value)
    if guarded:
        return guarded.group(1).strip()
    # A quote before a formula's first character is the guard spreadsheet exports (ours among
    # them, screening/reports/spreadsheet.py) write so that "=1+2" or "-based" is not run as a
    # formula.
    if value[:1] == "'" and value[1:2] in _FORMULA_STARTS:
        return value[1:]
    return value


_FORMULA_STARTS = frozenset("=+-@\t\r")


# --- rows to citations ------------------------------------------------------------------------


def _citation(
    layout: _Layout, values: list[str], extra: dict[str, str], raw: str, line: int
) -> Citation:
    def get(key: str) -> str:
        return next((values[i] for i in layout.columns.get(key, []) if values[i]), "")

    fields: dict[str, list[str]] = {}
    for name, value in zip(layout.header, values, strict=True):
        if value:
            fields.setdefault(name.strip(), []).append(value)
    for name, value in extra.items():
        fields.setdefault(name, []).append(value)
    pages, start, end = _pages(get("pages"), get("start_page"), get("end_page"))
    citation = Citation(
        raw=raw,
        line=line,
        title=clean_text(get("title")),
        abstract=clean_text(get("abstract")),
        authors=_authors(get("authors"), layout.flavour),
        editors=_editors(get("editors")),
        year=parse_year(get("year")),
        journal=clean_text(get("journal")),
        journal_abbrev=collapse_space(get("journal_abbrev")),
        volume=get("volume"),
        issue=get("issue"),
        pages=pages,
        start_page=start,
        end_page=end,
        doi=clean_doi(get("doi")),
        pmid=clean_pmid(get("pmid")),
        pmcid=clean_pmcid(get("pmcid")),
        accession=get("accession"),
        issn=_unique(issn for i in layout.columns["issn"] for issn in clean_issn(values[i])),
        isbn=_unique(isbn for i in layout.columns["isbn"] for isbn in clean_isbn(values[i])),
        keywords=_unique(
            clean_text(term.lstrip("*"))
            for i in layout.keyword_columns
            for term in _split_list(values[i])
            if term.lstrip("*").strip()
        ),
        language=get("language"),
        publication_type=get("publication_type"),
        url=get("url"),
        source_database=SOURCE_DATABASE.get(layout.flavour, ""),
        fields=fields,
    )
    _fill_from_source(citation, layout, fields)
    return citation


def _printed(layout: _Layout, values: list[str], key: str) -> tuple[str, str] | None:
    """The column that gave `key` (as its header prints it) and its value; None if empty."""
    for index in layout.columns.get(key, []):
        if values[index].strip():
            return layout.header[index].strip(), values[index]
    return None


def _pages(pages: str, start: str, end: str) -> tuple[str, str, str]:
    # Cochrane writes ranges with U+2010 (hyphen), which expand_pages does not split on.
    pages = re.sub(r"[\u2010\u2011\u2212]", "-", pages)
    if pages:
        first, last = expand_pages(pages)
        return pages, first, last
    printed = f"{start}-{end}" if start and end else start
    return printed, start, end


def _authors(value: str, flavour: str) -> list[Author]:
    value = re.sub(r"\s*\(\d{5,}\)", "", value).strip()  # Scopus author ids after full names
    if not value or (value.startswith("[") and value.endswith("]")):
        return []  # "[No author name available]"
    if ";" in value:
        return [parse_author(part) for part in value.split(";") if part.strip()]
    if re.search(r"[A-Z]\.,\s", value):
        return split_authors(value)  # Embase and old Scopus: "Yang Z., Jiang B."
    parts = [part.strip() for part in value.rstrip(".").split(",")]
    medline_style = [re.fullmatch(r"\S.* [A-Z]{1,4}", part) for part in parts]
    if len(parts) > 1 and (flavour == "pubmed" or all(medline_style)):
        return [parse_author(part) for part in parts if part]  # PubMed: "Griffin DK, Larkin DM."
    return [parse_author(value)]


def _editors(value: str) -> list[Author]:
    """`; `-joined names as the template writes them, a role other than editor after the name."""
    people = []
    for part in value.split(";"):
        name, role = part.strip(), "editor"
        match = _ROLE_SUFFIX_RE.search(name)
        if match:
            name, role = name[: match.start()], match.group(1)
        if name.strip(" ,"):
            person = parse_author(name)
            person.role = role
            people.append(person)
    return people


_ROLE_SUFFIX_RE = re.compile(r"\s*\((" + "|".join(OTHER_ROLES) + r")\)$")


def _split_list(value: str) -> list[str]:
    """Items of a `;`-joined cell, or of a `,`-joined one outside parentheses (Emtree)."""
    if not value:
        return []
    if ";" in value:
        return [item.strip() for item in value.split(";") if item.strip()]
    items, depth, current = [], 0, []
    for char in value:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth <= 0:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


def _fill_from_source(citation: Citation, layout: _Layout, fields: dict[str, list[str]]) -> None:
    """Complete missing parts from compound citation cells (Embase `Source`, PubMed `Citation`)."""
    by_name = {_normalise(name): values[0] for name, values in fields.items()}
    if layout.flavour == "embase" and (match := _EMBASE_SOURCE_RE.match(by_name.get("source", ""))):
        citation.journal = citation.journal or collapse_space(match.group("journal"))
        citation.year = citation.year or parse_year(match.group("year"))
        _fill_numbers(citation, match)
    if layout.flavour == "pubmed":
        match = _PUBMED_CITATION_RE.search(by_name.get("citation", ""))
        if match:
            _fill_numbers(citation, match)
        citation.doi = citation.doi or find_doi(by_name.get("citation", ""))
        citation.accession = citation.accession or citation.pmid
    if not citation.doi:
        links = [v for k, v in by_name.items() if "link" in k or k == "url"]
        citation.doi = next((find_doi(v) for v in links if "doi.org/" in v), "")


def _fill_numbers(citation: Citation, match: re.Match[str]) -> None:
    citation.volume = citation.volume or (match.group("volume") or "").strip()
    citation.issue = citation.issue or (match.group("issue") or "").strip()
    if not citation.pages and match.group("pages"):
        citation.pages = re.sub(r"[\u2010\u2011\u2212]", "-", match.group("pages").strip())
        citation.start_page, citation.end_page = expand_pages(citation.pages)


def _warn_if_unidentified(citation: Citation, warnings: list[ImportWarning]) -> None:
    if citation.title:
        return
    identified = citation.doi or citation.pmid or citation.accession
    message = "row has no title" if identified else "row has no title, no DOI and no identifier"
    warnings.append(ImportWarning(line=citation.line, message=message, field="title"))


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(value.casefold(), value)
    return list(seen.values())
