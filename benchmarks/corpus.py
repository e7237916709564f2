"""Generated exports for the benchmarks: realistic field lengths, deterministic, any size."""

from __future__ import annotations

import random

from screening.exporters import ris
from screening.importers import Author, Citation, medline

WORDS = [
    "education",
    "continuing",
    "professional",
    "nurses",
    "physicians",
    "pharmacists",
    "microcredentials",
    "digital",
    "badges",
    "competency",
    "assessment",
    "online",
    "learning",
    "outcomes",
    "randomised",
    "trial",
    "cohort",
    "survey",
    "qualitative",
    "interviews",
    "workforce",
    "training",
    "simulation",
    "curriculum",
    "evaluation",
    "effectiveness",
    "knowledge",
    "retention",
    "practice",
    "change",
    "patient",
    "care",
    "primary",
    "secondary",
    "rural",
    "urban",
    "hospital",
    "community",
    "mixed",
    "methods",
    "systematic",
    "review",
    "scoping",
    "protocol",
    "framework",
    "implementation",
]
FAMILIES = [
    "Smith",
    "Okafor",
    "Lindqvist",
    "Haddad",
    "Chen",
    "Moreau",
    "Kim",
    "Brennan",
    "Singh",
    "Walsh",
    "Rossi",
    "Alvarez",
]
JOURNALS = [
    ("Nurse Education Today", "Nurse Educ Today"),
    ("Medical Education", "Med Educ"),
    ("BMJ Open", "BMJ Open"),
    ("Journal of Continuing Education in the Health Professions", "J Contin Educ Health Prof"),
]


def citations(n: int, seed: int = 2026) -> list[Citation]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        journal, abbrev = rng.choice(JOURNALS)
        start = rng.randint(1, 900)
        out.append(
            Citation(
                raw="",
                line=0,
                title=" ".join(rng.choices(WORDS, k=rng.randint(8, 18))).capitalize(),
                abstract=" ".join(rng.choices(WORDS, k=rng.randint(150, 260))).capitalize() + ".",
                authors=[
                    Author(family=rng.choice(FAMILIES), given=f"{chr(65 + rng.randint(0, 25))}")
                    for _ in range(rng.randint(1, 8))
                ],
                year=rng.randint(1995, 2025),
                journal=journal,
                journal_abbrev=abbrev,
                volume=str(rng.randint(1, 120)),
                issue=str(rng.randint(1, 12)),
                start_page=str(start),
                end_page=str(start + rng.randint(3, 15)),
                doi=f"10.{rng.randint(1000, 9999)}/bench.{i}",
                pmid=str(20000000 + i),
                keywords=rng.choices(WORDS, k=rng.randint(2, 8)),
                language="eng",
            )
        )
    return out


def medline_bytes(n: int) -> bytes:
    return medline.dump(citations(n)).encode()


def ris_bytes(n: int) -> bytes:
    return ris.dump(citations(n)).encode()
