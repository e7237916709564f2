"""The text of a printed citation field, folded the ways both of its readers need. Pure: standard
library only, no Django.

Importers (bytes -> Citation) and dedup (comparing records) read the same printed text, so what
they both apply to it is written once, here: the DOI and ISSN patterns, accents, case and
punctuation, whitespace. Each reader keeps the field rules that differ on purpose: an importer
keeps a value as the database printed it, for display and export (`importers/fields.py`), while
dedup folds it further into a key that two printings of one paper share (`dedup/normalise.py`).
"""

from __future__ import annotations

import re
import unicodedata

# A DOI inside any printed form: a bare DOI, `doi:10...`, a doi.org URL, a citation line.
DOI_RE = re.compile(r"10\.\d{4,9}/\S+", re.IGNORECASE)
# An ISSN with or without its hyphen: `0306-4530`, `03064530 (ISSN)`, `1234-567x (Linking)`.
ISSN_RE = re.compile(r"\b(\d{4})-?(\d{3}[\dXx])\b")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_OTHER_SPACE = re.compile(r"[^\S ]")
_DOUBLE_SPACE = re.compile("  ")


def issns(value: str) -> list[str]:
    """Every ISSN in the text, in order and as `NNNN-NNNX`, repeats kept."""
    return [f"{first}-{second.upper()}" for first, second in ISSN_RE.findall(value)]


def strip_accents(text: str) -> str:
    """The text with accents removed (NFKD, combining marks dropped), case kept."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def ascii_fold(text: str) -> str:
    """Lower-case, accents stripped (NFKD), every run of non-alphanumerics a single space."""
    return _NON_ALNUM.sub(" ", strip_accents(text).lower()).strip()


def collapse_space(value: str) -> str:
    """The text with every run of whitespace a single space, and none at either end."""
    value = value or ""
    # Splitting and rejoining every word is slow on long abstracts. A string with no double space
    # and no whitespace but plain spaces gives the same result from a strip, at C speed.
    if len(value) < 256:
        if "  " not in value and (value.isprintable() or not _OTHER_SPACE.search(value)):
            return value.strip()
    elif _single_spaced(value):
        return value.strip()
    return " ".join(value.split())


def _single_spaced(value: str) -> bool:
    """True when a long `value` has no whitespace but single plain spaces (" ")."""
    # On a long string with many spaces (an abstract), the regex engine finds "  " sooner than
    # `in` does. isprintable is false for every whitespace character but " "; on an ASCII
    # string, a search for each other ASCII whitespace (each a memchr) is cheaper still.
    if _DOUBLE_SPACE.search(value):
        return False
    if not value.isascii():
        return value.isprintable() or not _OTHER_SPACE.search(value)
    return not (
        "\n" in value
        or "\t" in value
        or "\r" in value
        or "\x0b" in value
        or "\x0c" in value
        or "\x1c" in value
        or "\x1d" in value
        or "\x1e" in value
        or "\x1f" in value
    )
