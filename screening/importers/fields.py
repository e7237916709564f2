"""Field helpers shared by every importer: DOIs, pages, years, names, ISSNs. Pure functions.

They keep a value as the database printed it; the text folding dedup shares with them (DOI and
ISSN patterns, whitespace) is in `screening/text.py`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from ..text import DOI_RE, collapse_space, issns
from .citation import Author, Citation, ImportWarning

_DOI_SUFFIX_RE = re.compile(r"\[doi\]$", re.IGNORECASE)
# A publication year as databases print one, 1500 to 2099.
YEAR_RE = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_PMID_RE = re.compile(r"\b(\d{1,9})\b")
_TAG_RE = re.compile(r"<[^>]+>")
_INITIALS_RE = re.compile(r"(?:[A-Z]\.?-?){1,4}")
# Words that make a name without a comma an organisation, never a person ("World Health
# Organization", "ESPGHAN Working Group", "REDUCE-IT Investigators"). A group is kept whole: its
# last word is no family name.
_GROUP_WORDS_RE = re.compile(
    r"\b(?:organi[sz]ations?|associations?|societ(?:y|ies)|institutes?|institutions?"
    r"|universit(?:y|ies)|college|council|committees?|commissions?|consortium|collaborati(?:on|ve)"
    r"|group|groups|network|agency|department|ministry|centers?|centres?|foundation|office"
    r"|board|program(?:me)?|project|service|services|team|trialists|investigators|registry"
    r"|alliance|federation|panel|authority|laboratory|hospital|corporation|company|inc|ltd"
    r"|academy|task force|working party|writing|study|survey|unit|administration|bureau)\b"
    r"|[()&]",
    re.IGNORECASE,
)


def clean_doi(value: str) -> str:
    """A bare, lower-cased DOI from any printed form (`doi:`, a dx.doi.org URL, trailing dots)."""
    if not value:
        return ""
    match = DOI_RE.search(html.unescape(value).replace(" ", ""))
    if not match:
        return ""
    # Ovid and some publishers append "[doi]" or a query; neither is part of the DOI. The suffix
    # goes before the trailing punctuation, or "x [doi]" would leave "x[doi".
    doi = match.group(0)
    if doi[-1] == "]":
        doi = _DOI_SUFFIX_RE.sub("", doi)
    doi = doi.rstrip(".,;)]}>\"'")
    return doi.lower()


def expand_pages(value: str) -> tuple[str, str]:
    """Start and end page, with a shortened end expanded: `221-8` -> (`221`, `228`)."""
    if value:
        start, dash, end = value.partition("-")
        if start.isdigit() and (end.isdigit() or not dash):  # `221-228`, `221-8`, `221`
            if len(end) < len(start) and end:
                end = start[: len(start) - len(end)] + end
            return start, end
    value = (value or "").strip().replace("\u2013", "-").replace("\u2014", "-")
    if not value:
        return "", ""
    parts = [p.strip() for p in re.split(r"\s*-+\s*", value, maxsplit=1)]
    start = parts[0]
    end = parts[1] if len(parts) > 1 else ""
    if start.isdigit() and end.isdigit() and len(end) < len(start):
        end = start[: len(start) - len(end)] + end
    return start, end


def parse_year(value: str) -> int | None:
    match = YEAR_RE.search(value or "")
    return int(match.group(1)) if match else None


def clean_issn(value: str) -> list[str]:
    """Every ISSN in a value such as `03064530 (ISSN)` or `1234-5678 (Linking)`, as NNNN-NNNN."""
    return issns(value or "")


def clean_pmid(value: str) -> str:
    match = _PMID_RE.search(value or "")
    return match.group(1) if match else ""


def strip_markup(value: str) -> str:
    """Text without HTML/XML tags or entities, whitespace folded."""
    return collapse_space(html.unescape(_TAG_RE.sub("", value or "")))


def parse_author(printed: str) -> Author:
    """Split a printed name: `Smith, John A`, `Smith JA`, `Smith J.A.`, `John A. Smith`."""
    if printed and "  " not in printed and printed.isprintable():
        printed = printed.strip().strip(" ;")  # collapse_space's fast path, without the call
    else:
        printed = collapse_space(printed).strip(" ;")
    if not printed:
        return Author(family="", printed="")
    if "," in printed:
        family, _, given = printed.partition(",")
        return Author(family.strip(), given.strip(), printed)  # positional: faster to build
    words = printed.split(" ")
    if len(words) > 1 and is_group_name(printed):
        return Author(family=printed, printed=printed)
    if len(words) > 1 and _INITIALS_RE.fullmatch(words[-1]):
        # MEDLINE's "Smith JA" and Scopus's "Phillips J.C.": initials come last.
        return Author(family=" ".join(words[:-1]), given=words[-1], printed=printed)
    if len(words) > 1:
        return Author(family=words[-1], given=" ".join(words[:-1]), printed=printed)
    return Author(family=printed, printed=printed)


def is_group_name(name: str) -> bool:
    """True for an organisation or study group's name, which is one name, never split."""
    return bool(_GROUP_WORDS_RE.search(name))


def is_family_initials(name: str) -> bool:
    """True for `Smith J`, `van der Berg JA`, `Adler D.G.`: a family name, then initials."""
    words = name.split()
    return 1 < len(words) <= 4 and bool(_INITIALS_RE.fullmatch(words[-1]))


def group_author(name: str, role: str = "author") -> Author:
    """An organisation or group kept whole: its name is the family name, there is no given."""
    name = collapse_space(name).strip(" ;")
    return Author(family=name, printed=name, role=role)


def split_authors(value: str) -> list[Author]:
    """Authors joined in one cell with `;` (or `,` between `Family I.` forms, as old Scopus CSV)."""
    value = (value or "").strip()
    if not value:
        return []
    if ";" in value:
        parts = value.split(";")
    elif re.search(r"[A-Z]\.,\s", value):
        parts = re.split(r"(?<=\.),\s+", value)
    else:
        parts = [value]
    return [parse_author(p) for p in parts if p.strip()]


_ISBN_RE = re.compile(r"(?<![\dXx])(?:97[89]-?)?\d(?:-?\d){8}-?[\dXx](?![\dXx])")
_PMCID_RE = re.compile(r"(?:PMC)?(\d{1,9})", re.IGNORECASE)
_INLINE_TAG_RE = re.compile(
    r"</?(?:i|b|u|em|strong|sup|sub|inf|sc|scp|span|a|mml:[a-z]+)(?:\s[^<>]*)?/?>", re.IGNORECASE
)
_BREAK_TAG_RE = re.compile(r"</?(?:br|p|div)(?:\s[^<>]*)?/?>", re.IGNORECASE)


def clean_isbn(value: str) -> list[str]:
    """Every ISBN-10/13 in a value such as `ISBN-978-1-5985-7192-9`, as bare digits."""
    return [match.replace("-", "").upper() for match in _ISBN_RE.findall(value or "")]


def clean_pmcid(value: str) -> str:
    """A PubMed Central id as `PMC123456`, from `PMC123456` or a bare number."""
    match = _PMCID_RE.search((value or "").strip())
    return f"PMC{match.group(1)}" if match else ""


def clean_text(value: str) -> str:
    """Text with HTML entities decoded and inline tags (`<i>`, `<sup>`) dropped, whitespace folded.

    Unlike `strip_markup`, only known inline tags go, so `p < 0.05 ... > 3` stays intact.
    """
    if "<" in value:
        value = _INLINE_TAG_RE.sub("", _BREAK_TAG_RE.sub(" ", value))
    if "&" in value:
        value = html.unescape(value)
    return collapse_space(value)


def find_doi(text: str) -> str:
    """The first DOI inside free text (a citation line, a note, a URL), cleaned.

    `clean_doi` drops spaces, which is right for a DOI field but would glue the next word of a
    sentence (`doi: 10.7717/peerj.5082. eCollection 2018.`) onto the DOI.
    """
    match = DOI_RE.search(text or "")
    return clean_doi(match.group(0)) if match else ""


# ---------------------------------------------------------------------------------------------
# What could not be read: every importer reports it the same way (issue 15: a field that cannot
# be parsed is kept raw and reported as a warning on the import, never dropped silently).
# ---------------------------------------------------------------------------------------------

UNKNOWN_TAG = "unknown tag"
_ROMAN_PAGE_RE = re.compile(r"[ivxlcdm]+", re.IGNORECASE)
_DIGIT_RE = re.compile(r"\d")
# How databases say a work has no page numbers (Zoological Record `PS Unpaginated`, Embase `No
# pagination specified`): a statement, not an unreadable value.
_NO_PAGES_RE = re.compile(
    r"\s*(?:unpaginated|not paginated|no pagination(?: specified)?|n\.?\s?pag\.?)\s*",
    re.IGNORECASE,
)


class UnknownTags:
    """The tags of a file that its format's tag list does not know, each with the first line it
    was seen on: one warning per tag per file, however many records carry it.

    `see` is on every record's path, so the common case (every tag known) is one C-speed
    `issuperset`, not a Python loop over the tags.
    """

    __slots__ = ("_known", "_noun", "_what", "first_lines")

    def __init__(self, known: frozenset[str], *, what: str, noun: str = "tag") -> None:
        self._known = known
        self._what = what
        self._noun = noun
        self.first_lines: dict[str, int] = {}

    def see(self, tags: Iterable[str], line: int) -> None:
        if self._known.issuperset(tags):
            return
        for tag in tags:
            if tag not in self._known and tag not in self.first_lines:
                self.first_lines[tag] = line

    def warnings(self) -> list[ImportWarning]:
        return [
            ImportWarning(
                line=line,
                message=f"{self._noun} {repr(tag) if ' ' in tag else tag} is not {self._what} the app reads; its values are "
                "kept in the raw record",
                field=tag,
                kind=UNKNOWN_TAG,
            )
            for tag, line in self.first_lines.items()
        ]


def unread(line: int, field: str, printed: str, what: str) -> ImportWarning:
    """The warning for a value that holds something, but nothing readable as `what`."""
    shown = collapse_space(printed)
    return ImportWarning(
        line=line,
        message=f"{shown[:40] if what == 'a year' else shown[:60]!r} is not {what}; kept in the "
        "raw record",
        field=field,
    )


def warn_unread(
    citation: Citation,
    warnings: list[ImportWarning],
    *,
    year: tuple[str, str] | None = None,
    doi: tuple[str, str] | None = None,
    pages: tuple[str, str] | None = None,
) -> None:
    """Report each (field, printed value) the record gave for its year, DOI or pages that was
    not read into `citation`: a year that is no year (`20O1`, `Spring`), a DOI with no
    `10.nnnn/` in it, pages with neither a digit nor a roman numeral."""
    if year is not None and citation.year is None and year[1] and year[1].strip("/ "):
        warnings.append(unread(citation.line, year[0], year[1], "a year"))
    if doi is not None and not citation.doi and doi[1] and not doi[1].isspace():
        warnings.append(unread(citation.line, doi[0], doi[1], "a DOI"))
    if (
        pages is not None
        and pages[1]
        and not readable_pages(citation.start_page or pages[1])
        and not _NO_PAGES_RE.fullmatch(pages[1])
    ):
        warnings.append(unread(citation.line, pages[0], pages[1], "a page or page range"))


def readable_pages(start: str) -> bool:
    """True when a first page holds a page number: digits (`221`, `e1234`, `S12`) or a roman
    numeral (`xii`). Cheap on the usual all-digit page, which never reaches a regex."""
    if start.isdigit():
        return True
    start = start.strip()
    return bool(_DIGIT_RE.search(start) or _ROMAN_PAGE_RE.fullmatch(start))
