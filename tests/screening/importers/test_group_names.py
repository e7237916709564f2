"""A group's name is one name in every format: never split into a family and a given name."""

from __future__ import annotations

import pytest

from screening.importers import csvfile, endnote_xml, medline, ovid
from screening.importers.fields import parse_author


@pytest.mark.parametrize(
    "name",
    [
        "World Health Organization",
        "ESPGHAN Working Group",
        "REDUCE-IT Investigators",
        "National Institute for Health and Care Excellence",
        "Cochrane Collaboration",
    ],
)
def test_parse_author_keeps_an_organisation_whole(name: str) -> None:
    author = parse_author(name)
    assert (author.family, author.given, author.printed) == (name, "", name)


@pytest.mark.parametrize(
    ("printed", "family", "given"),
    [("John A. Smith", "Smith", "John A."), ("Smith JA", "Smith", "JA")],
)
def test_parse_author_still_splits_a_person(printed: str, family: str, given: str) -> None:
    author = parse_author(printed)
    assert (author.family, author.given) == (family, given)


def test_group_authors_stay_whole_in_medline_ovid_endnote_and_csv() -> None:
    name = "World Health Organization"
    [m] = medline.parse(f"PMID- 1\nTI  - T\nCN  - {name}\n")[0]
    [o] = ovid.parse(f"<1. >\nVN  - Ovid Technologies\nTI  - T\nAU  - {name}\n")[0]
    [e] = endnote_xml.parse(
        "<xml><records><record><contributors><authors>"
        f"<author>{name}</author></authors></contributors>"
        "<titles><title>T</title></titles></record></records></xml>"
    )[0]
    [c] = csvfile.parse(f'Title,Authors\nT,"{name}"\n')[0]
    for citation in (m, o, e, c):
        assert [(a.family, a.given) for a in citation.authors] == [(name, "")], citation
