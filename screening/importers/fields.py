"""Field helpers shared by every importer: DOIs, pages, years, names, ISSNs. Pure functions."""

from __future__ import annotations

import html
import re

from .citation import Author

_DOI_RE = re.compile(r"10\.\d{4,9}/\S+", re.IGNORECASE)
_YEAR_RE = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_ISSN_RE = re.compile(r"\b(\d{4})-?(\d{3}[\dXx])\b")
_PMID_RE = re.compile(r"\b(\d{1,9})\b")
_TAG_RE = re.compile(r"<[^>]+>")


def clean_doi(value: str) -> str:
    """A bare, lower-cased DOI from any printed form (`doi:`, a dx.doi.org URL, trailing dots)."""
    if not value:
        return ""
    match = _DOI_RE.search(html.unescape(value).replace(" ", ""))
    if not match:
        return ""
    # Ovid and some publishers append "[doi]" or a query; neither is part of the DOI. The suffix
    # goes before the trailing punctuation, or "x [doi]" would leave "x[doi".
    doi = re.sub(r"\[doi\]$", "", match.group(0), flags=re.IGNORECASE)
    doi = doi.rstrip(".,;)]}>\"'")
    return doi.lower()


def expand_pages(value: str) -> tuple[str, str]:
    """Start and end page, with a shortened end expanded: `221-8` -> (`221`, `228`)."""
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
    match = _YEAR_RE.search(value or "")
    return int(match.group(1)) if match else None


def clean_issn(value: str) -> list[str]:
    """Every ISSN in a value such as `03064530 (ISSN)` or `1234-5678 (Linking)`, as NNNN-NNNN."""
    return [f"{a}-{b.upper()}" for a, b in _ISSN_RE.findall(value or "")]


def clean_pmid(value: str) -> str:
    match = _PMID_RE.search(value or "")
    return match.group(1) if match else ""


def strip_markup(value: str) -> str:
    """Text without HTML/XML tags or entities, whitespace folded."""
    return collapse_space(html.unescape(_TAG_RE.sub("", value or "")))


def collapse_space(value: str) -> str:
    value = value or ""
    # Splitting and rejoining every word is slow on long abstracts. A printable string with no
    # double space has no whitespace but single plain spaces (isprintable is false for every
    # other whitespace character), and then a strip, at C speed, gives the same result.
    if "  " not in value and value.isprintable():
        return value.strip()
    return " ".join(value.split())


def parse_author(printed: str) -> Author:
    """Split a printed name: `Smith, John A`, `Smith JA`, `Smith J.A.`, `John A. Smith`."""
    printed = collapse_space(printed).strip(" ;")
    if not printed:
        return Author(family="", printed="")
    if "," in printed:
        family, _, given = printed.partition(",")
        return Author(family=family.strip(), given=given.strip(), printed=printed)
    words = printed.split(" ")
    if len(words) > 1 and re.fullmatch(r"(?:[A-Z]\.?-?){1,4}", words[-1]):
        # MEDLINE's "Smith JA" and Scopus's "Phillips J.C.": initials come last.
        return Author(family=" ".join(words[:-1]), given=words[-1], printed=printed)
    if len(words) > 1:
        return Author(family=words[-1], given=" ".join(words[:-1]), printed=printed)
    return Author(family=printed, printed=printed)


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
    match = _DOI_RE.search(text or "")
    return clean_doi(match.group(0)) if match else ""
