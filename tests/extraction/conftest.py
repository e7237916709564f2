"""What the extraction tests share: a codebook of every type, A's values, three included studies."""

from __future__ import annotations

import io

import pytest

from tests.pdfs import pdf_with_text

BASE = "/projects/microcredentials"
TA, FT = "title_abstract", "full_text"

CODEBOOK = [
    {"name": "Country", "type": "text", "section": "Study"},
    {"name": "Sample size", "type": "number", "section": "Study", "help": "participants analysed"},
    {"name": "Randomised", "type": "boolean", "section": "Study"},
    {"name": "Design", "type": "choice", "choices": ["RCT", "Cohort", "Qualitative"], "section": "Study"},
    {"name": "Outcomes", "type": "multichoice", "choices": ["Knowledge", "Skills", "Attitudes"], "section": "Findings"},
    {"name": "Setting", "type": "choice", "choices": ["Hospital", "Community"], "section": "Study"},
    {"name": "Profession", "type": "multichoice", "choices": ["Nurses", "Physicians", "Pharmacists"], "section": "Study"},
    {"name": "Notes", "type": "text", "section": "Findings"},
]  # fmt: skip

# What A extracts from the three studies; B extracts the same except the second study's design.
A_VALUES = [
    {"Country": "Canada", "Sample size": 120, "Randomised": True, "Design": "RCT",
     "Outcomes": ["Knowledge", "Skills"], "Setting": "Hospital", "Profession": ["Nurses"],
     "Notes": "online modules"},
    {"Country": "Australia", "Sample size": 45, "Randomised": False, "Design": "Cohort",
     "Outcomes": ["Skills"], "Setting": "Community", "Profession": ["Nurses", "Pharmacists"],
     "Notes": None},
    {"Country": "Canada", "Sample size": 300, "Randomised": False, "Design": "Qualitative",
     "Outcomes": ["Attitudes", "Knowledge"], "Setting": "Hospital", "Profession": ["Physicians"],
     "Notes": ""},
]  # fmt: skip


@pytest.fixture
def studies(api, demo_imports, lead, reviewer_a, reviewer_b) -> list[int]:
    """Three references included after full text by A and B (the lead uploads the PDFs)."""
    refs = [r["id"] for r in api(lead).get(f"{BASE}/references", limit=4).json()["items"]]
    for reference in refs[:3]:
        for who in (reviewer_a, reviewer_b):
            assert (
                api(who)
                .post(f"{BASE}/references/{reference}/votes", {"stage": TA, "vote": "include"})
                .status_code
                == 201
            )
        pdf = io.BytesIO(pdf_with_text(f"Study {reference}"))
        pdf.name = "study.pdf"
        assert (
            api(lead).upload(f"{BASE}/references/{reference}/report", {"file": pdf}).status_code
            == 201
        )
        for who in (reviewer_a, reviewer_b):
            assert (
                api(who)
                .post(f"{BASE}/references/{reference}/votes", {"stage": FT, "vote": "include"})
                .status_code
                == 201
            )
    return refs[:3]
