"""Abstract then article (issue 15): generated studies reported first as a meeting abstract and
then as the full article, each report printed by two databases, and how dedup treats them."""

from __future__ import annotations

import random
import time

from screening.dedup import DedupRecord, find_duplicates

from .dedup_sets import cluster_pairs, true_pairs

# Abstract-then-article (issue 15): studies reported first as a meeting abstract (2021, in a
# journal supplement, one or two authors) and then as the full article (2022, three to eight
# authors, mostly the same title), each report printed by two databases. Written here, by
# rules, not copied from anywhere.
_SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "sa",
    "to",
    "ve",
    "ri",
    "na",
    "be",
    "do",
    "fu",
    "ga",
    "he",
    "jo",
    "ku",
    "ol",
    "an",
    "er",
    "ys",
    "ta",
]
_ENDINGS = ["s", "n", "ez", "ov", "ski", "son", "berg", "i", "a", "ra", "elli", "ström"]
_GIVEN = [
    "Maria",
    "Rafael",
    "Yu",
    "Wei",
    "John",
    "Petra",
    "Kenji",
    "Anna",
    "Luca",
    "Jonas",
    "Claire",
    "Ana",
    "Min",
    "Linh",
    "Priya",
]
_DRUG_START = [
    "Vel",
    "Tor",
    "Ami",
    "Ceru",
    "Dapo",
    "Ela",
    "Fino",
    "Gavi",
    "Iru",
    "Lume",
    "Mira",
    "Nexo",
    "Orbi",
    "Pela",
    "Rano",
    "Suto",
]
_DRUG_END = ("tinib", "parib", "ciclib", "lisib", "zumab", "limab")
_COMPARATORS = ("placebo", "standard care", "docetaxel", "best supportive care", "observation")
# Who was enrolled: trials of one condition in one review differ in this more than in anything.
_GROUPS = (
    "older adults",
    "Asian patients",
    "patients with high-risk features",
    "women",
    "patients with renal impairment",
    "a community setting",
    "patients previously treated with immunotherapy",
    "outpatients",
    "patients with obesity",
    "low-income countries",
    "frail patients",
    "patients with brain metastases",
)
_OPENINGS = (
    "{name} versus {comparator} in {condition} {setting} among {group}",
    "Efficacy and safety of {name} compared with {comparator} for {group} with {condition}",
    "{name} or {comparator} for {condition} in {group} {setting}",
)
_DESIGNS = (
    "a randomised, double-blind, phase 3 trial",
    "a randomised, open-label, phase 2 trial",
    "a multicentre randomised controlled trial",
    "results of a randomised trial",
)
# (condition, setting, endpoint, area); each area has its journals and its meetings.
_CONDITIONS = (
    ("advanced gastric cancer", "after first-line chemotherapy", "overall survival", 0),
    ("metastatic colorectal cancer", "with RAS wild-type tumours", "progression-free survival", 0),
    ("relapsed multiple myeloma", "after two prior lines", "progression-free survival", 0),
    ("early breast cancer", "with residual disease", "invasive disease-free survival", 0),
    ("non-small-cell lung cancer", "with EGFR mutations", "progression-free survival", 0),
    ("chronic heart failure", "with reduced ejection fraction", "cardiovascular death", 1),
    ("atrial fibrillation", "after catheter ablation", "recurrence of arrhythmia", 1),
    ("type 2 diabetes", "inadequately controlled on metformin", "change in HbA1c", 2),
    ("type 1 diabetes", "in adolescents", "time in range", 2),
)
_JOURNALS = (
    (("The Lancet Oncology", "Lancet Oncol"), ("Journal of Clinical Oncology", "J Clin Oncol")),
    (("European Heart Journal", "Eur Heart J"), ("Circulation", "Circulation")),
    (("Diabetes Care", "Diabetes Care"), ("Diabetologia", "Diabetologia")),
)
# (journal, volume, issue, page or abstract number) of a meeting's supplement.
_MEETINGS = (
    (
        ("Annals of Oncology", "32", "Suppl 5", "S{page}"),
        ("Journal of Clinical Oncology", "39", "15_suppl", "{number}"),
    ),
    (("European Heart Journal", "42", "Supplement_1", "ehab724.{number}"),),
    (("Diabetologia", "64", "Suppl 1", "S{page}"),),
)


def _people(rng: random.Random, count: int) -> list[tuple[str, str]]:
    def family() -> str:
        return (rng.choice(_SYLLABLES) + rng.choice(_SYLLABLES) + rng.choice(_ENDINGS)).title()

    return [
        (family(), rng.choice(_GIVEN) + " " + rng.choice("ABCDEFGHJKLMNPRST")) for _ in range(count)
    ]


def _vancouver(person: tuple[str, str]) -> str:
    return f"{person[0]} {''.join(w[0] for w in person[1].split())}"


def _comma(person: tuple[str, str], full: bool) -> str:
    given = person[1] if full else " ".join(f"{w[0]}." for w in person[1].split())
    return f"{person[0]}, {given}"


def abstracts_then_articles(
    studies: int = 120, seed: int = 15
) -> tuple[list[DedupRecord], dict[str, str]]:
    """Records of `studies` trials, each a meeting abstract and an article printed by two
    databases apiece, shuffled; each record's true group ("abstract 3", "article 3")."""
    rng = random.Random(seed)
    records, group = [], {}
    for n in range(studies):
        drug = _DRUG_START[n % 16] + ("", "a", "o", "e", "i", "u", "ra", "lo")[n // 16 % 8]
        drug += _DRUG_END[n % 6]
        condition, setting, endpoint, area = rng.choice(_CONDITIONS)
        comparator = rng.choice(_COMPARATORS)
        acronym = "".join(rng.choice("ABCDEFGHIKLMNOPRSTUVXZ") for _ in range(rng.randint(4, 6)))
        registration = f"NCT0{rng.randrange(1_000_000, 9_999_999)}"
        authors = _people(rng, rng.randint(3, 8))
        # The abstract is signed by the first author, or the first and the last.
        presenters = authors[:1] if rng.random() < 0.5 else [authors[0], authors[-1]]
        name = drug.capitalize()
        opening = rng.choice(_OPENINGS).format(
            name=name,
            comparator=comparator,
            condition=condition,
            setting=setting,
            group=rng.choice(_GROUPS),
        )
        title = f"{opening} ({acronym}): {rng.choice(_DESIGNS)}"
        early = rng.choice(
            [
                title,
                f"{opening}: the {acronym} trial",
                title.replace("randomised", "randomized").replace(" versus ", " vs "),
            ]
        )
        patients, centres = rng.randrange(180, 900), rng.randrange(12, 160)
        text = (
            f"Background: {name} showed activity in {condition} in early studies; we compared "
            f"it with {comparator} in patients {setting}. Methods: In this trial at {centres} "
            f"centres, {patients} patients were randomly assigned (1:1) to {drug} or "
            f"{comparator}. The primary endpoint was {endpoint}. Results: After a median "
            f"follow-up of {rng.randrange(8, 40)} months, the hazard ratio was "
            f"0.{rng.randrange(51, 89)} (95% CI 0.{rng.randrange(30, 50)}-0.{rng.randrange(90, 99)}"
            f"); grade 3 or worse adverse events occurred in {rng.randrange(10, 60)}% of patients."
        )
        named = f" Trial registration: ClinicalTrials.gov, {registration}."
        article_text = text + (named if rng.random() < 0.7 else "")
        # Half the abstracts are the article's own text; the others a shorter, earlier one.
        abstract_text = (
            text if rng.random() < 0.5 else text.split(" Results:")[0] + " Results: pending."
        )
        abstract_text += named if rng.random() < 0.5 else ""
        meeting, volume, issue, form = rng.choice(_MEETINGS[area])
        # Half the articles appear in the journal whose supplement printed the abstract.
        journals = [j for j in _JOURNALS[area] if j[0] == meeting] or list(_JOURNALS[area])
        journal, abbreviation = rng.choice(journals if rng.random() < 0.5 else _JOURNALS[area])
        article_volume = str(rng.randrange(20, 45))
        first = rng.randrange(100, 2000)
        pages = (first, first + rng.randrange(8, 14))
        doi = f"10.1000/art.2022.{n}"
        pmid = str(35_000_000 + n)
        epub = rng.random() < 0.25  # Embase prints the year of the electronic issue
        page = form.format(page=rng.randrange(100, 1500), number=rng.randrange(1000, 9999))
        # How Embase printed the abstract: its whole supplement citation, or the journal alone,
        # typed or not (the case seen in real use: no type, no supplement, no page).
        printing = rng.choices(("supplement", "typed", "bare"), weights=(4, 3, 3))[0]
        full = printing == "supplement"
        copies = [
            (
                f"article {n}",
                DedupRecord(
                    id=f"{n}-article-medline",
                    title=title,
                    authors=[_vancouver(p) for p in authors],
                    year=2022,
                    journal=abbreviation,
                    volume=article_volume,
                    issue=str(rng.randrange(1, 12)),
                    pages=f"{pages[0]}-{str(pages[1])[-2:]}",
                    doi=doi,
                    pmid=pmid,
                    abstract=article_text,
                    publication_type="Journal Article; Randomized Controlled Trial",
                ),
            ),
            (
                f"article {n}",
                DedupRecord(
                    id=f"{n}-article-embase",
                    title=title.replace("randomised", "randomized") + ".",
                    authors=[_comma(p, full=True) for p in authors],
                    year=2021 if epub else 2022,
                    journal=journal,
                    volume=article_volume,
                    pages=f"{pages[0]}-{pages[1]}",
                    doi=doi if rng.random() < 0.8 else "",
                    abstract=article_text,
                    publication_type="Article",
                ),
            ),
            (
                f"abstract {n}",
                DedupRecord(
                    id=f"{n}-abstract-embase",
                    title=early,
                    authors=[_comma(p, full=True) for p in presenters],
                    year=2021,
                    journal=meeting,
                    volume=volume if full else "",
                    issue=issue if full else "",
                    pages=page if full else "",
                    abstract=abstract_text,
                    publication_type="" if printing == "bare" else "Conference Abstract",
                ),
            ),
            (
                f"abstract {n}",
                DedupRecord(
                    id=f"{n}-abstract-wos",
                    title=early.upper() if rng.random() < 0.3 else early,
                    authors=[_comma(p, full=False) for p in presenters],
                    year=2021,
                    journal=meeting.upper(),
                    volume=volume if printing != "bare" else "",
                    issue=issue.replace("Suppl ", "Suppl. ") if printing != "bare" else "",
                    pages=page if printing != "bare" else "",
                    abstract=abstract_text,
                    publication_type="" if printing == "bare" else "Meeting Abstract",
                ),
            ),
        ]
        for label, record in copies:
            records.append(record)
            group[record.id] = label
    rng.shuffle(records)
    return records, group


def evaluate_reports(studies: int = 120, seed: int = 15) -> dict[str, float]:
    """The abstract-then-article case: abstract/article pairs merged automatically (goal 0),
    and precision and recall on the true duplicates (each report's two printings)."""
    records, group = abstracts_then_articles(studies, seed)
    started = time.perf_counter()
    result = find_duplicates(records)
    seconds = time.perf_counter() - started
    truth = true_pairs(group)
    auto_pairs = cluster_pairs(result.clusters)
    study_of = {r: label.split()[1] for r, label in group.items()}

    def reports_of_one_study(a: str, b: str) -> bool:
        return study_of[a] == study_of[b] and group[a] != group[b]

    crossed = {(a, b) for a, b in auto_pairs if reports_of_one_study(a, b)}
    asked = [p for p in result.to_review() if reports_of_one_study(p.a, p.b)]
    return {
        "records": len(records),
        "studies": studies,
        "true_pairs": len(truth),
        "report_pairs_merged": len(crossed),
        "studies_merged": len({study_of[a] for a, _ in crossed}),
        "report_pairs_asked": len(asked),
        "auto_precision": len(auto_pairs & truth) / len(auto_pairs) if auto_pairs else 1.0,
        "auto_recall": len(auto_pairs & truth) / len(truth) if truth else 1.0,
        "candidates": len(result.to_review()),
        "seconds": seconds,
    }
