"""Field-by-field comparison of two records: a score, an outcome and readable reasons."""

from __future__ import annotations

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from . import normalise
from .records import AUTO, CANDIDATE, DISTINCT, Features, PairDecision
from .study import ABSTRACT, ARTICLE, PREPRINT

# Thresholds tuned on asysd_diabetes and bibdedupe_respiratory only.
AUTO_TITLE = 0.95
CLOSE_TITLE = 0.90
CANDIDATE_TITLE = 0.85
# Checked on all six sets, not tuned: the bar for a title when authors, journal, volume, first
# page and year all agree.
TRANSLATED_TITLE = 0.75


def _same_family(a: str, b: str) -> bool:
    if a == b:
        return True
    # "vriese" vs "de vriese", "mda" spill-overs: one family name inside the other.
    if len(a) > 3 and len(b) > 3 and (a in b or b in a):
        return True
    if len(a) > 4 and len(b) > 4:
        # A typo, or "Ta?a?aj" for "Talalaj" after a lossy export.
        return Levenshtein.normalized_similarity(a.replace(" ", ""), b.replace(" ", "")) >= 0.7
    return False


def _same_name(a: tuple[str, str], b: tuple[str, str]) -> bool:
    if not _same_family(a[0], b[0]):
        return False
    return not a[1] or not b[1] or a[1][0] == b[1][0]


def _same_author(a: tuple[tuple[str, str], ...], b: tuple[tuple[str, str], ...]) -> bool:
    # Each side's first form is how it was printed; a second form reads "Given, Family" swapped.
    return _same_name(a[0], b[0]) or any(
        _same_name(x, y) for x in a for y in b if x is not a[0] or y is not b[0]
    )


def author_overlap(
    a: list[tuple[tuple[str, str], ...]], b: list[tuple[tuple[str, str], ...]]
) -> tuple[int, int, bool]:
    """(matched, compared, first authors agree) over the shorter list of name readings."""
    if not a or not b:
        return (0, 0, False)
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    used: set[int] = set()
    matched = 0
    for name in short:
        for j, other in enumerate(long_):
            if j not in used and _same_author(name, other):
                used.add(j)
                matched += 1
                break
    first = _same_author(a[0], b[0])
    if not first and len(a) > 1 and len(b) > 1:
        # "De, Vriese A." style splits shift the first family name; accept a swapped first two.
        first = _same_author(a[0], b[1]) or _same_author(a[1], b[0])
    return (matched, len(short), first)


def title_similarity(a: str, b: str) -> float:
    """Similarity of two folded titles in [0, 1]; a truncated title counts as its prefix."""
    if not a or not b:
        return 0.0
    score = fuzz.ratio(a, b) / 100
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) >= 60 and long_.startswith(short[:-3]):
        # One database cut the title at a fixed length.
        score = max(score, 0.96)
    return score


def compare(a: Features, b: Features) -> PairDecision:
    """Score a pair of records and decide auto / candidate / distinct, with reasons."""
    reasons: list[str] = []
    against: list[str] = []
    strong = False

    if a.doi and b.doi:
        if a.doi == b.doi:
            reasons.append("same DOI")
            strong = True
        else:
            against.append("different DOIs")
    if a.pmid and b.pmid:
        if a.pmid == b.pmid:
            reasons.append("same PMID")
            strong = True
        else:
            against.append("different PMIDs")

    title = max((title_similarity(x, y) for x in a.variants for y in b.variants), default=0.0)
    if title:
        reasons.append("same title" if title == 1.0 else f"title {title:.2f}")

    if a.year and b.year:
        gap = abs(a.year - b.year)
        if gap == 0:
            reasons.append("same year")
        elif gap == 1:
            reasons.append("year ±1 (epub vs print)")
        else:
            against.append(f"years {a.year} vs {b.year}")

    matched, compared, first = author_overlap(a.authors, b.authors)
    # Without the first author, three others must agree ("Paschoalini Mda, S." vs "Paschoalini, M. S.").
    authors_agree = compared > 0 and (first or matched >= 3) and matched * 2 >= compared
    if compared:
        reasons.append(f"{matched}/{compared} authors")

    corroborating = 0
    doubt = 0.0
    same_venue = same_volume = False
    if a.issn and b.issn and set(a.issn) & set(b.issn):
        reasons.append("same ISSN")
        corroborating += 1
        same_venue = True
    else:
        journal = normalise.journals_match(a.journal, b.journal)
        if journal:
            reasons.append("same journal")
            corroborating += 1
            same_venue = True
        elif journal is False:
            reasons.append("journal names differ")
            # A journal club or a reprint elsewhere: one more field must agree.
            corroborating -= 1
            doubt += 0.5
    if a.volume and b.volume:
        # Volume fields carry part and supplement numbers too; any shared number agrees.
        if a.volume & b.volume:
            reasons.append("same volume")
            corroborating += 1
            same_volume = True
        elif (
            a.clean_volume
            and b.clean_volume
            and not a.volume & b.volume_issue
            and not b.volume & a.volume_issue
        ):
            # "1)" or "Part 2. 117" are half-parsed fields, not evidence against.
            against.append(f"volume {min(a.volume)} vs {min(b.volume)}")
    same_pages = False
    if a.first_page and b.first_page:
        if _page_digits(a.first_page) == _page_digits(b.first_page):
            same_pages = True
            pages = a.first_page if a.first_page == a.last_page else f"{a.first_page}-{a.last_page}"
            reasons.append(f"same pages {pages}")
            corroborating += 1
        elif a.erratum != b.erratum:  # a correction notice is printed on pages of its own
            reasons.append(f"pages {a.first_page} vs {b.first_page}")
        elif _article_number(a.first_page) != _article_number(b.first_page):
            # PLoS ONE's "e12724" against the PDF's "1-6", the BMJ's "c1804" against the print
            # page: two numberings, no evidence either way.
            reasons.append(f"pages {a.first_page} vs {b.first_page} (article number vs page)")
        else:
            against.append(f"pages {a.first_page} vs {b.first_page}")
    same_abstract = False
    if a.abstract and b.abstract and len(a.abstract) > 100 and len(b.abstract) > 100:
        abstract = fuzz.ratio(a.abstract[:300], b.abstract[:300]) / 100
        if abstract >= 0.9:
            same_abstract = True
            reasons.append(f"abstract {abstract:.2f}")
            corroborating += 1

    same_year = a.year is not None and a.year == b.year
    # The same journal, volume, page range of several pages and year: one paper, whatever else
    # its records print differently (a group author for the authors, "Wright, Jr" for "Wright Jr.,
    # T C"). Not on a single page: an abstract book
    # prints one group's abstracts side by side ("Factor H autoantibodies are associated with
    # MPGN" and "Factor I autoantibodies are associated with atypical haemolytic uraemic
    # syndrome", both on page 2291).
    same_range = same_pages and a.last_page not in ("", a.first_page) and a.last_page == b.last_page
    whole_citation = same_venue and same_volume and same_range and same_year
    if a.markers != b.markers:
        against.append("different part/phase markers")
    elif a.numbers and b.numbers and a.numbers != b.numbers:
        # Even with the whole citation agreeing ("p6INK4a" misprinted for "p16(INK4a)"): "type 1"
        # against "type 2" is the kind of difference this check is for, and a person sees both.
        against.append("different numbers in titles")
    for flag, label in (
        ("erratum", "erratum/correction vs article"),
        ("comment", "comment/reply vs article"),
        ("protocol", "protocol vs review"),
    ):
        if getattr(a, flag) != getattr(b, flag):
            against.append(label)
    report = _another_report(
        a, b, same_pages=same_pages, strong=strong, same_abstract=same_abstract, venue=same_venue
    )
    if report:
        against.append(report)
    apart = bool(a.year and b.year and a.year != b.year)
    people = "" if report or same_pages or strong else _people_differ(a, b, years_apart=apart)
    if a.registrations and b.registrations and not a.registrations & b.registrations:
        # Two trials, whatever else agrees (one group's two trials of one drug share a title).
        against.append(
            f"different trial registrations ({min(a.registrations)} vs {min(b.registrations)})"
        )
    generic = a.generic or b.generic
    if generic and not authors_agree:
        against.append("generic title, authors differ or missing")
    if generic and a.issue and b.issue and a.issue != b.issue:
        # Issue numbers are too unreliable in general (some exports fill them with accession
        # numbers) but are what separates one issue's "Editor's Comments" from the next.
        against.append(f"recurring title, issue {a.issue} vs {b.issue}")

    score = 0.6 * title + 0.15 * (matched / compared if compared else 0.5)
    score += 0.05 * min(corroborating, 3) + (0.1 if strong else 0.0)
    score = min(score, 1.0)

    merge = False
    if strong and (title >= 0.7 or not (a.title and b.title)):
        merge = True
    elif generic:
        merge = title >= AUTO_TITLE and authors_agree and same_pages and bool(a.year and b.year)
    elif title >= AUTO_TITLE and authors_agree:
        merge = (corroborating >= 1 and bool(a.year and b.year)) or corroborating >= 2
    elif title >= CLOSE_TITLE and authors_agree:
        merge = corroborating >= 3
    # Same authors, year, volume and first page: a translated or reworded title of one paper.
    citation = authors_agree and same_volume and same_pages and same_year
    # No author list on one side: the journal, volume, first page and year alone make a question.
    if not compared and same_venue and same_volume and same_pages and same_year and title >= 0.6:
        citation = True
    # With the whole citation agreeing, the first author is enough: the other names may be
    # printed given-name-first by one database.
    loose = first and same_volume and same_pages and same_year and title >= AUTO_TITLE
    # One title, of four words or more, whole at one end of the other: one database dropped the
    # subtitle ("Unilateral neglect in stroke" for "Unilateral neglect in stroke: a comparative
    # study"), or printed a section heading first ("MEDICAL PROGRESS Atypical hemolytic-uremic
    # syndrome", "Thrombotic microangiopathy: can liver-kidney transplantation cure aHUS?").
    # With the whole citation agreeing, the same title.
    within = _title_within(a.title, b.title)
    if within:
        reasons.append(within)
    # With the whole citation agreeing, a translated title ("Indications and contraindications
    # for living kidney donations" for "[Indications and contraindications of living-donor
    # kidney transplantation]") is the same paper's.
    enough = title >= (TRANSLATED_TITLE if whole_citation else CANDIDATE_TITLE)
    if (
        (citation and compared and (enough or bool(within)))
        or loose
        or (whole_citation and title >= AUTO_TITLE)
    ) and not generic:
        merge = True
    if people:
        # Alone, an author list too short to be a cut keeps the pair from an automatic merge;
        # beside a contradiction it is no second one (an erratum's single author, a letter's
        # reply) and the pair stays a question.
        if against:
            reasons.append(people)
        else:
            against.append(people)
    reasons.extend(f"but {reason}" for reason in against)

    # In the same journal and year, by the same people, with nothing against: a letter retitled
    # by one database ("Complement blockade in severe Shiga-toxin-associated HUS" for
    # "Eculizumab in severe Shiga-toxin-associated HUS") is worth a question.
    same_people = first and matched >= 3 and matched == compared
    asked = same_people and same_venue and same_year and title >= TRANSLATED_TITLE
    asked = asked and not against and not generic
    if merge and not against:
        outcome = AUTO
    elif (
        (merge or citation or asked or title >= (0.7 if strong else CANDIDATE_TITLE))
        # Two contradictions, or one about a recurring title: only a different paper to show.
        and len(against) + doubt <= 1
        and not any(r.startswith(("generic title", "recurring title")) for r in against)
    ):
        outcome = CANDIDATE
    else:
        outcome = DISTINCT
    return PairDecision(a.id, b.id, round(score, 4), outcome, reasons)


def _another_report(
    a: Features, b: Features, *, same_pages: bool, strong: bool, same_abstract: bool, venue: bool
) -> str:
    """Why two records look like two reports of one study (a meeting abstract and the article,
    a preprint and its journal version), in words; "" when nothing says so. One contradiction
    however many signs agree: the pair stays a question for a person, not two."""
    signs = []
    kinds = {a.kind, b.kind}
    years_apart = bool(a.year and b.year and a.year != b.year)
    # The same pages or DOI: one place of publication, which two reports never share.
    place = same_pages or strong
    people = _people_differ(a, b, years_apart=years_apart)
    if kinds == {ABSTRACT, ARTICLE}:
        # Both databases printed a type: an Embase "Conference Abstract" against a MEDLINE
        # "Journal Article" is never the same record, whatever the text shares.
        signs.append("conference abstract vs article (publication types)")
    elif a.conference != b.conference:
        article = b if a.conference else a
        abstract = a if a.conference else b
        # Same pages, DOI or abstract, or the "article" is a bare record of the same journal:
        # one database merely left out the supplement. An abstract and its full paper differ in
        # those; but an abstract's text is often the article's, and a bare record stands for
        # either, so a typed abstract against a journal article, another year or another number
        # of authors (2 against 3) leaves only the place itself to excuse them.
        excused = same_pages or strong or same_abstract or (venue and not article.first_page)
        typed = abstract.kind == ABSTRACT and _journal_article(article)
        if typed or years_apart or bool(a.people and b.people and a.people != b.people):
            excused = place
        if not excused:
            signs.append("conference abstract vs article")
    if (a.preprint != b.preprint or kinds == {PREPRINT, ARTICLE}) and not place:
        published = b if a.preprint or a.kind == PREPRINT else a
        if published.kind == ARTICLE or (published.journal and not published.preprint):
            signs.append("preprint vs article")
    if signs and people:
        signs.append(people)
    return " and ".join(signs)


def _journal_article(record: Features) -> bool:
    """A journal article by its type, or by a page range of several pages outside a supplement."""
    if record.kind == ARTICLE:
        return True
    several = record.last_page not in ("", record.first_page)
    return several and not record.conference


# Author lists are cut short by some databases (6 of 30, 10 of 11, the first author alone), so a
# longer list is evidence only where the shorter is too short to be a cut (three names or
# fewer) and at least two names shorter, or where the years differ too.
def _people_differ(a: Features, b: Features, *, years_apart: bool) -> str:
    if a.people is None or b.people is None:
        return ""
    few, many = sorted((a.people, b.people))
    if (few <= 3 and many >= few + 2) or (years_apart and few != many):
        return f"authors {a.people} vs {b.people}"
    return ""


def _title_within(a: str, b: str) -> str:
    """How one folded title, of four words or more, stands whole at one end of the other, in
    words; "" when it does not."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if not short or short == long_ or short.count(" ") < 3:
        return ""
    if long_.startswith(short + " "):
        return "the same title without its subtitle"
    return "one title inside the other" if long_.endswith(" " + short) else ""


def _article_number(page: str) -> bool:
    """An electronic article number ("e12724", "c1804"), not a printed page: a letter, digits."""
    return len(page) > 2 and page[0].isalpha() and page[0] not in "sS" and page[1:].isdigit()


def _page_digits(page: str) -> str:
    # "e0137960" and "137960", "S12" and "12": the same page.
    return "".join(c for c in page if c.isdigit()).lstrip("0") or page
