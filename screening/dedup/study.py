"""Signs that two records are two reports of one study, not one report printed twice.

A meeting abstract and the article of the same trial, a preprint and its journal version: two
records and two references, linked later, never merged. What tells them apart here: the
publication type each database printed, a journal supplement, the number of authors, and the
trial registration numbers in the text. Pure: no Django.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import normalise

ABSTRACT = "meeting abstract"
CONFERENCE = "conference paper"
ARTICLE = "article"
PREPRINT = "preprint"
ERRATUM = "erratum"
PROTOCOL = "protocol"

# What each importer keeps as the type: RIS TY (ABST, CONF, JOUR) or M3 ("Conference Abstract"
# from Embase), MEDLINE and PubMed XML PT ("Journal Article", "Congress"), WoS DT ("Meeting
# Abstract", "Article; Proceedings Paper"), BibTeX entry types, Ovid and ProQuest document types.
_ABSTRACT_TYPE = re.compile(
    r"\b(?:meeting|conference|congress) abstracts?\b|^(?:abstracts?|published abstract|abst)$"
)
# A paper given at a meeting: its full text is in the proceedings, and one database may file
# the same paper as a book chapter (Springer's LNCS) or an article of the proceedings.
_CONFERENCE_TYPE = re.compile(
    r"\b(?:conference|congress|proceedings?|inproceedings|conf|cpaper|symposium)\b"
)
_PREPRINT_TYPE = re.compile(r"\b(?:preprints?|posted content|working paper)\b")
_ERRATUM_TYPE = re.compile(r"\b(?:errat(?:um|a)|correction|corrigendum|retraction)\b")
_PROTOCOL_TYPE = re.compile(r"\bprotocol\b")
_ARTICLE_TYPE = re.compile(
    r"\b(?:article|jour|journal|review|randomi[sz]ed controlled trial|clinical trial|"
    r"research support|comparative study|observational study|multicenter study|case reports?)\b"
)
# Preprint servers by name and by DOI prefix (bioRxiv and medRxiv, Research Square, arXiv, SSRN,
# Preprints.org, JMIR Preprints).
_PREPRINT_VENUE = re.compile(
    r"\b(?:biorxiv|medrxiv|arxiv|ssrn|research square|preprints org|jmir preprints|"
    r"chemrxiv|psyarxiv|socarxiv|osf preprints|authorea)\b"
)
_PREPRINT_DOI = ("10.1101/", "10.21203/", "10.48550/", "10.2139/", "10.20944/", "10.2196/preprints")
# A journal supplement and an abstract number: where meeting abstracts are printed.
_SUPPLEMENT = re.compile(r"\b(?:suppl|supplement|supplementum|abstracts?|abstr|poster)\b")
# "S12" and "S12-S14", "abstract no. 9000", a poster's "P63" or an oral's "O12" (not "p. 12").
_SUPPLEMENT_PAGE = re.compile(
    r"^s\d+(?: s?\d+)?$|^(?:abstract|abstr|abs|poster)\s*(?:no)?\s*\d|^(?:p|o|op)\d+$"
)


@lru_cache(maxsize=4096)
def publication_kind(publication_type: str) -> str:
    """The kind a database printed ("Conference Abstract" -> `ABSTRACT`); "" when it says none
    of these (a letter, a book chapter, or no type at all)."""
    kind = normalise.ascii_fold(publication_type or "")
    if not kind:
        return ""
    if _ERRATUM_TYPE.search(kind):
        return ERRATUM
    if _PROTOCOL_TYPE.search(kind):
        return PROTOCOL
    if _PREPRINT_TYPE.search(kind):
        return PREPRINT
    if _ABSTRACT_TYPE.search(kind):
        return ABSTRACT
    # WoS prints "Article; Proceedings Paper" for a journal article given at a meeting first,
    # and MEDLINE "Journal Article; Congress": the record itself is the journal article.
    if _ARTICLE_TYPE.search(kind):
        return ARTICLE
    if _CONFERENCE_TYPE.search(kind):
        return CONFERENCE
    return ""


def is_preprint(journal: str, doi: str) -> bool:
    """A preprint server, by its name or the prefix of its DOIs."""
    return bool(_PREPRINT_VENUE.search(normalise.ascii_fold(journal or ""))) or (
        doi or ""
    ).startswith(_PREPRINT_DOI)


def in_supplement(volume: str, issue: str, pages: str) -> bool:
    """Printed in a journal supplement or under an abstract number ("Suppl 5", "S1120",
    "abstract no. 9000"): where meeting abstracts are printed, and some full articles too."""
    if _SUPPLEMENT.search(normalise.ascii_fold(f"{volume} {issue}")):
        return True
    page = normalise.ascii_fold(pages or "")
    return bool(page) and bool(_SUPPLEMENT_PAGE.match(page))


# Registers a trial is given a number by, as printed ("NCT01234567", "ISRCTN 12345678",
# "ACTRN12610000123456", "EudraCT 2004-000123-45", "DRKS00012345", "ChiCTR-TRC-12002345",
# "ChiCTR2000029953", "CTRI/2018/05/013722", "UMIN000012345", "jRCT1031180123", "KCT0001234",
# "PACTR201801002911191", "IRCT20100101003012N1", "NTR1234"). Case-sensitive, as the registers
# print them (a case-blind pattern is slower still).
_REGISTRATION = re.compile(
    r"\b(?:"
    r"(?P<nct>NCT)\s?(?P<nct_n>\d{8})"
    r"|(?P<isrctn>ISRCTN)\s?(?P<isrctn_n>\d{8})"
    r"|(?P<actrn>ACTRN)\s?(?P<actrn_n>\d{14})"
    r"|(?P<eudract>EudraCT|EUDRACT|Eudract)[\s:#nNoumber.]{0,12}(?P<eudract_n>(?:19|20)\d\d-\d{6}-\d\d)"
    r"|(?P<drks>DRKS)\s?(?P<drks_n>\d{8})"
    r"|(?P<chictr>ChiCTR|CHICTR)-?(?P<chictr_n>(?:[A-Z]{2,4}-)?\d{8,10})"
    r"|(?P<ctri>CTRI)/(?P<ctri_n>\d{4}/\d{2,3}/\d{5,6})"
    r"|(?P<umin>UMIN)\s?(?P<umin_n>\d{9})"
    r"|(?P<jrct>jRCT)(?P<jrct_n>[a-z]?\d{9,10})"
    r"|(?P<kct>KCT)\s?(?P<kct_n>\d{7})"
    r"|(?P<pactr>PACTR)\s?(?P<pactr_n>\d{15})"
    r"|(?P<irct>IRCT)\s?(?P<irct_n>\d{8,14}N\d{1,3})"
    r"|(?P<ntr>NTR)\s?(?P<ntr_n>\d{3,5})"
    r")\b"
)
# EudraCT numbers are also printed without the register's name ("2004-000123-45").
_EUDRACT_BARE = re.compile(r"(?<![\d-])((?:19|20)\d\d-\d{6}-\d\d)(?![\d-])")
# Flat alternations of literals that the regex engine scans for quickly: most abstracts name no
# register, and the patterns above, with their groups and lookarounds, cost far more to run over
# every one of them. Only a text these find is read with the patterns above.
_ANY_REGISTER = re.compile(
    r"NCT|ISRCTN|ACTRN|EudraCT|EUDRACT|Eudract|DRKS|ChiCTR|CHICTR|CTRI|UMIN|jRCT|KCT|PACTR|IRCT|NTR"
)
_ANY_EUDRACT = re.compile(r"-\d{6}-")


def registrations(*texts: str) -> frozenset[str]:
    """Every trial registration number in `texts`, written one way ("NCT01234567",
    "EUDRACT2004-000123-45", "CHICTRTRC12002345")."""
    found = set()
    for text in texts:
        if not text:
            continue
        for match in _REGISTRATION.finditer(text) if _ANY_REGISTER.search(text) else ():
            # Each branch's number group closes last: it names the register and holds the number.
            group = match.lastgroup or ""
            number = match.group(group)
            if group != "eudract_n":
                number = number.upper().replace("-", "").replace("/", "")
            found.add(group.removesuffix("_n").upper() + number)
        if _ANY_EUDRACT.search(text):
            found.update("EUDRACT" + number for number in _EUDRACT_BARE.findall(text))
    return frozenset(found)


# A collaboration, not a person: "ALTS Group", "Study Group of Tohoku Hematology, Forum",
# "Investigators", "Writing Committee for the X Trial".
_GROUP = re.compile(
    r"\b(?:group|groups|investigators?|consortium|collaborat\w*|society|committee|trial|"
    r"trialists|study|network|association|team|council|foundation|institute|organi[sz]ation|"
    r"program|programme|alliance|registry|working|panel|centre|center|university|hospital)\b"
)
_TRUNCATED = re.compile(r"\bet\.?\s*al\b|\.\.\.|\u2026|\band others\b")


def author_count(names: list[str]) -> int | None:
    """How many people a list names; None when the list may be cut short or stand for a
    group ("et al.", "...", a collaboration named among the people), so that a count says
    nothing about another record's."""
    people = 0
    for name in names:
        # Lower case is enough for these English words, and cheaper than folding every name.
        lower = name.lower()
        if _TRUNCATED.search(lower) or _GROUP.search(lower):
            return None
        if lower.strip(" .,;"):
            people += 1
    return people or None
