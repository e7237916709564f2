"""Plain data in and out of deduplication, and the per-record features computed once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import normalise, study

AUTO = "auto"
CANDIDATE = "candidate"
DISTINCT = "distinct"


@dataclass
class DedupRecord:
    """One bibliographic record as the deduplicator sees it; every field but `id` may be empty."""

    id: str
    title: str = ""
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    journal: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    issn: list[str] = field(default_factory=list)
    abstract: str = ""
    publication_type: str = ""
    # Trial registration numbers the record's own fields hold beyond its title and abstract
    # (MEDLINE SI, PubMed XML DataBankList, Embase "Clinical Trial Numbers"), as printed.
    registrations: list[str] = field(default_factory=list)


@dataclass
class PairDecision:
    """The verdict on two records: a score in [0, 1], an outcome and the reasons behind it."""

    a: str
    b: str
    score: float
    outcome: str
    reasons: list[str]

    @property
    def summary(self) -> str:
        """The reasons as one line, e.g. `title 0.98, year ±1 (epub vs print), 5/5 authors`."""
        return ", ".join(self.reasons)


@dataclass
class DedupResult:
    """Every pair worth reporting (auto and candidate) and the automatically merged clusters."""

    pairs: list[PairDecision]
    clusters: list[list[str]]

    def to_review(self) -> list[PairDecision]:
        """Candidates a person answers: the strongest one per pair of auto clusters, strongest first."""
        cluster_of = {m: n for n, cluster in enumerate(self.clusters) for m in cluster}
        best: dict[tuple[object, object], PairDecision] = {}
        for pair in self.pairs:
            if pair.outcome != CANDIDATE:
                continue
            left, right = cluster_of.get(pair.a, pair.a), cluster_of.get(pair.b, pair.b)
            if left == right:
                continue
            key = (left, right) if str(left) <= str(right) else (right, left)
            if key not in best or pair.score > best[key].score:
                best[key] = pair
        return sorted(best.values(), key=lambda p: (-p.score, p.a, p.b))


# Whole titles that many different papers carry.
_GENERIC = frozenset(
    {
        "editorial",
        "introduction",
        "preface",
        "foreword",
        "letter",
        "letters",
        "commentary",
        "comment",
        "erratum",
        "errata",
        "correction",
        "corrigendum",
        "reply",
        "response",
        "correspondence",
        "news",
        "abstracts",
        "abstract",
        "index",
        "announcement",
        "obituary",
        "in memoriam",
        "book review",
        "book reviews",
        "reviews",
        "contents",
        "table of contents",
        "editors note",
        "editor s note",
        "guest editorial",
        "editorial board",
        "masthead",
    }
)
# Recurring columns: the same title every issue, by the same editor.
_RECURRING = re.compile(
    r"\b(?:editor s (?:comments?|notes?|introduction|letter)|editorial|from the editors?|"
    r"letter from the editor|in this issue|president s (?:message|column|letter)|"
    r"message from the|year in review|erratum|corrigendum|call for papers)\b"
)
_MARKER = re.compile(
    r"\b(part|phase|stage|study|trial|volume|vol|section|chapter|series|report|no)"
    r"\s+([ivx]{1,4}|\d{1,3}|[a-h])\b"
)
# "10 000" and "10,000" (folded to "10 000") are one number, "10000".
_NUMBER = re.compile(r"\d{1,3}(?: \d{3})+(?!\d)|\d+")
# "phase II" and "phase 2" are one marker.
_ROMAN = {
    r: str(n)
    for n, r in enumerate(["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"], start=1)
}
_ROMAN_TAIL = re.compile(r"\b(?:part|phase)\s+([ivx]{1,4})$")
_ERRATUM = re.compile(
    r"\b(errat(?:um|a)|corrigend(?:um|a)|correction|retraction|retracted|withdrawn|"
    r"expression of concern|notice of (?:retraction|correction))\b"
)
_COMMENT = re.compile(
    r"^(?:re|comment|commentary|reply|response|in reply|letter)\b|"
    r"\b(?:comment on|comments on|commentary on|reply to|response to|responses to|author reply|"
    r"authors reply|authors response|in response|letter to the editor|editorial comment)\b"
)
# "protocol" alone is common in trial titles ("a weaning protocol"); these forms mark a protocol.
_PROTOCOL = re.compile(
    r"(?:^|: |\. )(?:a |the )?(?:study |review |trial )?protocol\b|\bprotocol for (?:a|an|the)\b|"
    r"\b(?:study|trial|review) protocol\b|\bprotocol$"
)
_CONFERENCE = re.compile(
    r"\b(conference|congress|meeting|symposium|abstracts?|workshop|colloquium|suppl|supplement)\b"
)
_STOP = frozenset(
    {
        "a",
        "an",
        "the",
        "of",
        "and",
        "in",
        "on",
        "for",
        "with",
        "to",
        "by",
        "at",
        "from",
        "as",
        "or",
        "is",
        "are",
        "was",
        "were",
        "be",
        "its",
        "their",
        "his",
        "her",
        "into",
        "via",
        "after",
        "before",
        "between",
        "during",
        "under",
        "over",
        "than",
        "that",
        "this",
        "these",
        "those",
        "using",
        "use",
        "study",
        "effect",
        "effects",
        "patients",
    }
)


@dataclass
class Features:
    """Normalised fields of one record, computed once before blocking and comparison."""

    index: int
    id: str
    title: str
    variants: tuple[str, ...]
    tokens: frozenset[str]
    doi: str
    pmid: str
    year: int | None
    authors: list[tuple[tuple[str, str], ...]]
    journal: str
    issn: list[str]
    volume: frozenset[str]
    clean_volume: bool
    volume_issue: frozenset[str]
    first_page: str
    last_page: str
    abstract: str
    markers: frozenset[tuple[str, str]]
    numbers: frozenset[str]
    generic: bool
    issue: str
    erratum: bool
    comment: bool
    protocol: bool
    conference: bool
    kind: str
    preprint: bool
    registrations: frozenset[str]
    people: int | None


def _numbers(value: str) -> frozenset[str]:
    return frozenset(n.lstrip("0") or "0" for n in re.findall(r"\d+", value or ""))


def features(index: int, record: DedupRecord) -> Features:
    """Normalise one record's fields for comparison."""
    # One string holding the whole list ("Adeli K.Lewis G. F.", "A and B") is split here.
    names = record.authors
    if len(names) == 1:
        names = normalise.split_authors(names[0])
    variants = normalise.title_variants(record.title)
    title = variants[0] if variants else ""
    words = title.split()
    first, last = normalise.pages(record.pages)
    kind = normalise.ascii_fold(record.publication_type or "")
    venue = normalise.ascii_fold(f"{record.journal} {record.issue} {record.volume}")
    raw_title = normalise.ascii_fold(normalise.strip_notes(record.title or ""))
    punctuated = normalise.strip_notes(record.title or "").lower()
    markers = {(kind_, _ROMAN.get(value, value)) for kind_, value in _MARKER.findall(title)}
    roman = _ROMAN_TAIL.search(title)
    if roman:
        markers.add(("part", _ROMAN.get(roman.group(1), roman.group(1))))
    return Features(
        index=index,
        id=record.id,
        title=title,
        variants=variants,
        tokens=frozenset(w for w in words if len(w) > 2 and w not in _STOP),
        doi=normalise.doi(record.doi),
        pmid=normalise.pmid(record.pmid),
        year=normalise.year(record.year),
        # The first dozen names decide agreement; comparing 30-author lists pairwise costs more.
        authors=[f for f in (normalise.author_forms(n) for n in names[:12]) if f[0][0]],
        journal=record.journal or "",
        issn=normalise.issns(record.issn),
        volume=_numbers(record.volume),
        clean_volume=(record.volume or "").strip().isdigit(),
        volume_issue=_numbers(f"{record.volume} {record.issue}"),
        first_page=first,
        last_page=last,
        abstract=normalise.ascii_fold((record.abstract or "")[:700])[:600],
        markers=frozenset(markers),
        numbers=frozenset(n.replace(" ", "") for n in _NUMBER.findall(title)),
        generic=len(words) <= 1 or title in _GENERIC or bool(_RECURRING.search(title)),
        issue=(record.issue or "").strip() if (record.issue or "").strip().isdigit() else "",
        erratum=bool(_ERRATUM.search(raw_title))
        or normalise.is_correction_notice(record.title)
        or "errat" in kind
        or "retract" in kind,
        comment=bool(_COMMENT.search(raw_title)) or "comment" in kind or "letter" in kind,
        protocol=bool(_PROTOCOL.search(punctuated)) or "protocol" in kind,
        conference=bool(_CONFERENCE.search(venue))
        or any(k in kind for k in ("conference", "abstract", "proceedings", "inproceedings"))
        # A page "S12" or an abstract number: printed in a supplement, as meeting abstracts are.
        or study.in_supplement(record.volume, record.issue, record.pages),
        kind=study.publication_kind(record.publication_type or ""),
        preprint=study.is_preprint(record.journal, normalise.doi(record.doi)),
        registrations=study.registrations(record.title, record.abstract, *record.registrations),
        people=study.author_count(names),
    )
