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

import bisect
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from . import latex
from .citation import Author, Citation, ExportFormatError, ImportWarning
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
_ENTRY_RE = re.compile(r"@[ \t]*([A-Za-z][\w-]*)[ \t\n]*([{(])")
_NEXT_ENTRY_RE = re.compile(r"^[ \t]*@[A-Za-z][\w-]*[ \t]*[{(]", re.MULTILINE)
_FIELD_NAME_RE = re.compile(r"[^\s=,{}\"#()]+(?:[ \t\xa0]+[^\s=,{}\"#()]+)*")
_LOOSE_FIELD_RE = re.compile(r"^[ \t]*([A-Za-z][^\s=,{}\"#]*(?:[ \t\xa0]\d+)?)[ \t]*=[ \t]*", re.M)
_SKIPPED_TYPES = {"comment", "preamble"}
_MONTHS = {
    m: m.capitalize()
    for m in ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
}


class _Malformed(Exception):
    """The strict reader could not read an entry; the offset says where."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass
class _Entry:
    kind: str
    key: str
    start: int
    end: int
    fields: list[tuple[str, str]] = field(default_factory=list)


def sniff(text: str) -> bool:
    """True when a line starts with `@word{` or `@word(`."""
    return bool(_SNIFF_RE.search(text[: 256 * 1024]))


def parse(text: str) -> tuple[list[Citation], list[ImportWarning]]:
    """Every `@type{key, ...}` entry except `@string`, `@preamble` and `@comment`."""
    lines = _LineIndex(text)
    macros = dict(_MONTHS)
    citations: list[Citation] = []
    warnings: list[ImportWarning] = []
    position = 0
    while match := _ENTRY_RE.search(text, position):
        kind = match.group(1).lower()
        if kind in _SKIPPED_TYPES:
            position = _skip_block(text, match)
            continue
        entry = _read_entry(text, match, macros, lines, warnings)
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


# --- reading entries --------------------------------------------------------------------------


class _LineIndex:
    """Offsets to 1-based line numbers."""

    def __init__(self, text: str) -> None:
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self._starts, offset)


def _skip_block(text: str, match: re.Match[str]) -> int:
    try:
        return _balanced_end(text, match.end() - 1)
    except _Malformed:
        # An unclosed @comment swallows nothing: BibTeX itself reads on to the next line.
        newline = text.find("\n", match.end())
        return len(text) if newline < 0 else newline + 1


def _read_entry(
    text: str,
    match: re.Match[str],
    macros: dict[str, str],
    lines: _LineIndex,
    warnings: list[ImportWarning],
) -> _Entry:
    closer = "}" if match.group(2) == "{" else ")"
    next_entry = _NEXT_ENTRY_RE.search(text, match.end())
    limit = next_entry.start() if next_entry else len(text)
    try:
        entry = _strict_entry(text, match, closer, macros)
        if entry.end <= limit:
            return entry
        problem = "entry runs into the next entry (unbalanced braces)"
    except _Malformed as error:
        problem = str(error)
    return _recovered_entry(text, match, closer, limit, problem, macros, lines, warnings)


def _strict_entry(text: str, match: re.Match[str], closer: str, macros: dict[str, str]) -> _Entry:
    kind = match.group(1).lower()
    position = match.end()
    entry = _Entry(kind=kind, key="", start=match.start(), end=position)
    if kind != "string":
        comma = _find_any(text, position, ",", closer)
        entry.key = text[position:comma].strip()
        position = comma + 1 if text[comma] == "," else comma
    while True:
        position = _skip_space(text, position)
        if position >= len(text):
            raise _Malformed("the file ends before the closing brace", position)
        if text[position] == closer:
            entry.end = position + 1
            return entry
        name_match = _FIELD_NAME_RE.match(text, position)
        if not name_match:
            raise _Malformed(f"expected a field name, found {text[position]!r}", position)
        position = _skip_space(text, name_match.end())
        if position >= len(text) or text[position] != "=":
            raise _Malformed(f"expected `=` after field {name_match.group(0)!r}", position)
        value, position = _read_value(text, position + 1, closer, macros)
        entry.fields.append((collapse_space(name_match.group(0)), value))
        position = _skip_space(text, position)
        if position < len(text) and text[position] == ",":
            position += 1
        elif position < len(text) and text[position] != closer:
            raise _Malformed(f"expected `,` after field {name_match.group(0)!r}", position)


def _read_value(text: str, position: int, closer: str, macros: dict[str, str]) -> tuple[str, int]:
    parts: list[str] = []
    while True:
        position = _skip_space(text, position)
        if position >= len(text):
            raise _Malformed("the file ends inside a value", position)
        char = text[position]
        if char == "{":
            end = _balanced_end(text, position)
            parts.append(text[position + 1 : end - 1])
        elif char == '"':
            end = _quoted_end(text, position)
            parts.append(text[position + 1 : end - 1])
        else:
            word = re.compile(r"[^\s,#{}\"()]+").match(text, position)
            if not word:
                raise _Malformed(f"expected a value, found {char!r}", position)
            end = word.end()
            parts.append(macros.get(word.group(0).lower(), word.group(0)))
        position = _skip_space(text, end)
        if position < len(text) and text[position] == "#":
            position += 1
            continue
        return "".join(parts), position


def _balanced_end(text: str, position: int) -> int:
    """Offset just past the `}` (or entry-closing `)`) that matches the opener at `position`.

    Every brace counts, escaped or not, as BibTeX itself counts them.
    """
    if text[position] == "{":
        depth = 0
        for match in re.compile(r"[{}]").finditer(text, position):
            depth += 1 if match.group(0) == "{" else -1
            if depth == 0:
                return match.end()
    else:
        depth = 0
        for match in re.compile(r"[{})]").finditer(text, position + 1):
            mark = match.group(0)
            if mark == ")" and depth == 0:
                return match.end()
            depth += {"{": 1, "}": -1}.get(mark, 0)
    raise _Malformed("a brace is never closed", len(text))


def _quoted_end(text: str, position: int) -> int:
    depth = 0
    for match in re.compile(r"[{}\"]").finditer(text, position + 1):
        mark = match.group(0)
        if mark == "{":
            depth += 1
        elif mark == "}":
            depth -= 1
        elif mark == '"' and depth <= 0:
            return match.end()
    raise _Malformed("a quoted value is never closed", len(text))


def _find_any(text: str, position: int, *chars: str) -> int:
    found = [i for i in (text.find(c, position) for c in chars) if i >= 0]
    if not found:
        raise _Malformed("the file ends after the citation key", len(text))
    return min(found)


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _recovered_entry(
    text: str,
    match: re.Match[str],
    closer: str,
    limit: int,
    problem: str,
    macros: dict[str, str],
    lines: _LineIndex,
    warnings: list[ImportWarning],
) -> _Entry:
    """Keep an entry whose braces do not balance when a closing line still ends it."""
    line = lines.line(match.start())
    body = text[match.end() : limit]
    closing = list(re.finditer(rf"^[ \t]*\{closer}[ \t]*$", body, re.M))
    if not closing and limit == len(text):
        raise ExportFormatError(
            f"the @{match.group(1)} entry starting on this line is cut off: {problem}", line=line
        )
    end = match.end() + (closing[-1].start() if closing else len(body))
    body = text[match.end() : end]
    key, _, rest = body.partition(",")
    entry = _Entry(kind=match.group(1).lower(), key=key.strip(), start=match.start(), end=end)
    if closing:
        entry.end = match.end() + closing[-1].end()
    names = list(_LOOSE_FIELD_RE.finditer(rest))
    ends = [following.start() for following in names[1:]] + ([len(rest)] if names else [])
    for here, value_end in zip(names, ends, strict=True):
        value = rest[here.end() : value_end].strip()
        entry.fields.append((collapse_space(here.group(1)), _loose_value(value, macros)))
    warnings.append(
        ImportWarning(
            line=line,
            message=f"entry read line by line because its braces do not balance ({problem})",
            field=_unbalanced_field(entry),
        )
    )
    return entry


def _loose_value(value: str, macros: dict[str, str]) -> str:
    value = value.rstrip().removesuffix(",").strip()
    if len(value) >= 2 and (value[0], value[-1]) in (("{", "}"), ('"', '"')):
        return value[1:-1]
    return macros.get(value.lower(), value)


def _unbalanced_field(entry: _Entry) -> str:
    for name, value in entry.fields:
        if value.count("{") != value.count("}"):
            return name
    return ""


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

    def __init__(self, entry: _Entry) -> None:
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


def _citation(
    entry: _Entry, text: str, lines: _LineIndex, warnings: list[ImportWarning]
) -> Citation:
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


# --- writing BibTeX ---------------------------------------------------------------------------

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
    from .ris import ris_type  # ris imports nothing from here; imported late to keep it so

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
