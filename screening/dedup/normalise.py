"""Field normalisation for deduplication: DOIs, titles, authors, journals, pages, years.

Each field is folded into the key two printings of one paper share. The text folding the
importers apply too (DOI and ISSN patterns, accents, case and punctuation) is `screening/text.py`,
re-exported here as `strip_accents` and `ascii_fold`.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from urllib.parse import unquote

from ..text import DOI_RE, ascii_fold, strip_accents
from ..text import issns as _all_issns

_TAG = re.compile(r"<[^>]{0,200}>")
# "[Title in English]" (a translated title) and "... [Chinese]" (a language note).
_LANGUAGE_NOTE = re.compile(r"\s*[\[(][A-Za-z ,;'-]{3,40}[\])]\s*\.?\s*$")
_PMID = re.compile(r"\d{1,9}")
_MONTH = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\b", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(?:1[6-9]|20)\d\d(?!\d)")
_LANGUAGES = frozenset(
    {
        "chinese",
        "japanese",
        "german",
        "french",
        "spanish",
        "italian",
        "russian",
        "polish",
        "turkish",
        "portuguese",
        "dutch",
        "korean",
        "czech",
        "hungarian",
        "danish",
        "swedish",
        "norwegian",
        "finnish",
        "greek",
        "hebrew",
        "persian",
        "croatian",
        "serbian",
        "romanian",
        "slovak",
        "slovenian",
        "bulgarian",
        "ukrainian",
        "lithuanian",
        "arabic",
        "english",
        "author s transl",
        "authors transl",
    }
)


def doi(value: str | None) -> str:
    """Bare lower-case DOI from any form (URL, `doi:` prefix, surrounding text); '' if none."""
    if not value:
        return ""
    found = DOI_RE.search(unquote(html.unescape(value)))
    if not found:
        return ""
    return found.group(0).lower().rstrip(".,;)]}>")


def pmid(value: str | None) -> str:
    """PubMed id as digits without leading zeros; '' if none."""
    if not value:
        return ""
    found = _PMID.search(value)
    return found.group(0).lstrip("0") if found else ""


def issns(values: list[str] | str | None) -> list[str]:
    """ISSNs found in the value(s), as `NNNN-NNNX`, deduplicated, in order."""
    if not values:
        return []
    text = values if isinstance(values, str) else " ".join(values)
    return list(dict.fromkeys(_all_issns(text)))


# MEDLINE notes appended to a title: "[Erratum appears in ...]", "[Comment in: ...]".
_NOTE = re.compile(
    r"\s*\[(?:published )?(?:erratum|comment|retraction|corrected|update|republished|"
    r"summary for patients)"
    r"[^\]]*(?:\]|$)",
    re.IGNORECASE,
)
_ORIGINAL = re.compile(r"<original>|\s;\s|;\s+(?=[A-Z\[])|\s=\s", re.IGNORECASE)


# Ovid MEDLINE's note on a review: "... research. [Review] [53 refs]". Its count of references
# is not part of the title (and must not read as a number that differs between two titles).
_REVIEW_NOTE = re.compile(r"\s*\[review\]|\s*\[\d+ refs?(?:\]|\s*$)", re.I)


def strip_notes(value: str) -> str:
    """The title without MEDLINE notes such as `[Erratum appears in ...]` or `[Review] [53 refs]`."""
    return _REVIEW_NOTE.sub("", _NOTE.sub("", value))


# A correction notice carries the title of the article it corrects, and then cites that article:
# Web of Science's "(vol 360, pg 542, 2009)", Embase's "(New England Journal of Medicine (2009)
# 360 (542-544))"; or it names itself first: "Erratum: ...", "Correction to: ...".
_CITES_CORRECTED = re.compile(
    r"\s*\((?:vol\.? ?\d+[^()]*\bpgs? [^()]*\d{4}"
    r"|[^()]{3,200}\((?:1[89]|20)\d\d\)\s*\d+[\d\s:/-]*\(\s*[A-Za-z]?\d+[\w\s.-]*\))\)"
    r"\s*\.?\s*$",
    re.IGNORECASE,
)
_NAMES_ITSELF_CORRECTION = re.compile(
    r"^\s*(?:errat(?:um|a)|corrigend(?:um|a)|correction(?: to)?|notice of (?:correction|retraction)"
    r"|retraction(?: note)?(?: to)?)\s*[:.]\s*",
    re.IGNORECASE,
)


@lru_cache(maxsize=65536)  # asked once per record and chunk, as `title` is
def is_correction_notice(value: str | None) -> bool:
    """True for a title written the way correction notices are (see `_CITES_CORRECTED`)."""
    return bool(value) and bool(
        _CITES_CORRECTED.search(value) or _NAMES_ITSELF_CORRECTION.match(value)
    )


def strip_correction(value: str) -> str:
    """The title a correction notice carries, without its citation or its "Erratum:"."""
    return _NAMES_ITSELF_CORRECTION.sub("", _CITES_CORRECTED.sub("", value))


@lru_cache(maxsize=65536)
def title(value: str | None) -> str:
    """Folded title: tags, entities, translation brackets, language notes, case, punctuation gone."""
    if not value:
        return ""
    # A correction notice folds to the title of the article it corrects, so that the two are
    # compared; its `erratum` feature (records.py) then keeps them from merging automatically.
    text = strip_correction(strip_notes(html.unescape(value)))
    # Inline markup (`K<inf>Ca</inf>3.1`) joins its neighbours, as the plain form does.
    text = _TAG.sub("", text).strip().strip('"').strip()
    # "[Translated title]. [Romanian]": the language note first, then the brackets.
    note = _LANGUAGE_NOTE.search(text)
    if note and ascii_fold(note.group(0)) in _LANGUAGES:
        text = text[: note.start()]
    if text.startswith("[") and text.rstrip(". ").endswith("]"):
        text = text.strip("[]. ")
    return ascii_fold(text)


def title_variants(value: str | None) -> tuple[str, ...]:
    """The folded title and, for `Original; [English]` or `English <ORIGINAL> original`, each part."""
    full = title(value)
    if not value:
        return ()
    parts = [title(p) for p in _ORIGINAL.split(html.unescape(value)) if len(p) > 15]
    return tuple(dict.fromkeys([full, *[p for p in parts if p and p != full]]))


def year(value: object) -> int | None:
    """Four-digit publication year from an int or any string holding one; None if absent."""
    if isinstance(value, int):
        return value or None
    if not value:
        return None
    found = _YEAR.search(str(value))
    return int(found.group(0)) if found else None


_PAGE = re.compile(r"([a-z]{0,3})(\d+)")


def pages(value: str | None) -> tuple[str, str]:
    """First and last page, the last expanded (`221-8` -> `221`, `228`); ('', '') if none."""
    if not value or _MONTH.search(value):
        # "Nov-19": a spreadsheet turned the range into a date; the pages are lost.
        return ("", "")
    parts = re.split(r"\s*(?:-+|\u2013|\u2014|\bto\b)\s*", value.strip().lower(), maxsplit=1)
    head = _PAGE.search(parts[0])
    if not head:
        roman = [p.strip(" .,;") for p in parts]
        if all(re.fullmatch(r"[ivxlc]+", p) for p in roman):
            return (roman[0], roman[-1])
        return ("", "")
    prefix, digits = head.group(1), head.group(2).lstrip("0") or "0"
    first = prefix + digits
    tail = _PAGE.match(parts[1].strip()) if len(parts) > 1 else None
    if not tail:
        return (first, first)
    end = tail.group(2).lstrip("0") or "0"
    if len(end) < len(digits):
        end = digits[: len(digits) - len(end)] + end
    # "S12-14" -> "s12", "s14": the prefix carries over like the digits do.
    return (first, (tail.group(1) or prefix) + end)


def pages_text(value: str | None) -> str:
    """Expanded page range as one string (`221-8` -> `221-228`, `12` -> `12`)."""
    first, last = pages(value)
    return first if first == last else f"{first}-{last}"


_CONCATENATED = re.compile(r"(?<=[A-Z]\.)(?=[A-Z][a-z])")
_INITIALS_ONLY = re.compile(r"^(?:[A-Z]\.?[ -]?){1,4}$")


def split_authors(value: str | None) -> list[str]:
    """One string of authors (`A and B`, `A; B`, `Adeli K.Lewis G. F.`) as a list of names."""
    if not value:
        return []
    if " and " in value:
        parts = value.split(" and ")
    elif ";" in value:
        parts = value.split(";")
    elif "\n" in value:
        parts = value.splitlines()
    else:
        parts = _CONCATENATED.split(value)
        if len(parts) == 1 and value.count(",") > 1:
            # "Smith JA, Jones B, Lee C" (the Vancouver list form)
            parts = value.split(",")
    return [p.strip() for p in parts if p.strip(" .,")]


def _initials(given: str) -> str:
    words = re.findall(r"[^\W\d_]+", strip_accents(given))
    out = ""
    for word in words:
        # "JA" in "Smith JA" is two initials; "John" is one.
        out += word if word.isupper() and len(word) <= 3 else word[0]
    return ascii_fold(out).replace(" ", "")


@lru_cache(maxsize=65536)
def author(name: str) -> tuple[str, str]:
    """(family name, initials), folded: `Smith, John A`, `Smith JA`, `Smith J.A.` -> ('smith', 'ja')."""
    # "Si Hyun Kang, null": an export wrote a missing given name as "null".
    name = re.sub(r",\s*null$", "", name.strip(" .,;"), flags=re.IGNORECASE)
    if not name:
        return ("", "")
    if "," in name:
        family, given = name.split(",", 1)
        return (ascii_fold(family), _initials(given))
    words = name.split()
    if len(words) == 1:
        return (ascii_fold(name), "")
    # "Smith JA" / "Smith J.A." / "van der Berg J": initials come last.
    tail = []
    while len(words) > 1 and _INITIALS_ONLY.match(words[-1]):
        tail.insert(0, words.pop())
    if tail:
        return (ascii_fold(" ".join(words)), _initials(" ".join(tail)))
    # "John A Smith": the family name comes last.
    return (ascii_fold(words[-1]), _initials(" ".join(words[:-1])))


@lru_cache(maxsize=65536)
def author_forms(name: str) -> tuple[tuple[str, str], ...]:
    """`author(name)` and, for `Given, Family` printed the wrong way round, the swapped reading."""
    main = author(name)
    name = re.sub(r",\s*null$", "", name.strip(" .,;"), flags=re.IGNORECASE)
    if "," not in name or not main[0]:
        return (main,)
    family, given = name.split(",", 1)
    swapped = (ascii_fold(given), _initials(family))
    return (main, swapped) if swapped[0] and swapped != main else (main,)


_JOURNAL_STOP = frozenset(
    {
        "the",
        "of",
        "and",
        "in",
        "for",
        "on",
        "de",
        "la",
        "der",
        "und",
        "et",
        "d",
        "l",
        "journal",
        "j",
    }
)


@lru_cache(maxsize=65536)
def journal_tokens(value: str | None, keep_journal: bool = False) -> tuple[str, ...]:
    """Journal name tokens, folded, without stop words (`journal` kept on request) and notes."""
    if not value:
        return ()
    # "fran?aises": a lossy export dropped a letter; keep the word whole. Notes in brackets go,
    # as Ovid's "Trials [Electronic Resource]" or "BMJ (Clinical research ed.)".
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", value.replace("&", " and ").replace("?", ""))
    text = re.split(r"\.\s*(?:Conference|Congress|Meeting)\b", text)[0]
    return tuple(
        t
        for t in ascii_fold(text).split()
        if t not in _JOURNAL_STOP or (keep_journal and t == "journal")
    )


def _shortens(short: str, word: str) -> bool:
    """`Med` for `Medizinische`, `Dtsch` for `Deutsche`: same first letter, letters in order."""
    if not word.startswith(short[0]):
        return False
    rest = iter(word[1:])
    return all(c in rest for c in short[1:])


def _abbreviates(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    """Every token of `short` shortens the next unused token of `full`, in order."""
    i = 0
    for token in short:
        while i < len(full) and not _shortens(token, full[i]):
            i += 1
        if i == len(full):
            return False
        i += 1
    return True


_VENUE_WORDS = frozenset(
    {"proceedings", "proc", "conference", "conf", "annual", "international", "intl"}
)


def _acronym(short: str, words: tuple[str, ...]) -> bool:
    """`amcis` for Americas Conference Information Systems: a leading slice of every word."""
    if not words:
        return not short
    if not short:
        return False
    word = words[0]
    return any(
        short[:n] == word[:n] and _acronym(short[n:], words[1:])
        for n in range(1, min(len(word), len(short)) + 1)
    )


def journals_match(a: str | None, b: str | None) -> bool | None:
    """True if one journal name abbreviates the other (or they are equal), None if one is missing."""
    ta, tb = journal_tokens(a), journal_tokens(b)
    if not ta or not tb:
        return None
    if ta == tb:
        return True
    short, full = (ta, tb) if len("".join(ta)) <= len("".join(tb)) else (tb, ta)
    if len(short) >= min(2, len(full)) and _abbreviates(short, full):
        return True
    # "JAMA", "BMJ", "AMCIS": initial letters (or slices) of every word, `journal` included.
    longer = b if full == tb else a
    words = tuple(t for t in journal_tokens(longer, keep_journal=True) if not t.isdigit())
    return any(
        3 <= len(t) <= len(words) * 3
        and t.isalpha()
        and t not in _VENUE_WORDS
        and _acronym(t, words)
        for t in short
    )
