"""The text folding importers and dedup share (screening/text.py): table-driven, no database."""

from __future__ import annotations

import pytest

from screening import text


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("0306-4530", ["0306-4530"]),
        ("03064530 (ISSN)", ["0306-4530"]),
        ("1234-567x (Linking); 1234-567X", ["1234-567X", "1234-567X"]),
        ("no issn here 123", []),
    ],
)
def test_issns_are_written_one_way_and_kept_in_order(printed: str, expected: list[str]) -> None:
    assert text.issns(printed) == expected


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("Émile Durkheim", "emile durkheim"),
        ("K<inf>Ca</inf>3.1 -- a review!", "k inf ca inf 3 1 a review"),
        ("  Ünïcödé  ", "unicode"),
    ],
)
def test_ascii_fold_drops_accents_case_and_punctuation(printed: str, expected: str) -> None:
    assert text.ascii_fold(printed) == expected


def test_strip_accents_keeps_case() -> None:
    assert text.strip_accents("Müller-Lyer") == "Muller-Lyer"


@pytest.mark.parametrize(
    "printed",
    [" a  b ", "a\tb\nc", "a b", "x" * 300 + "  y", "x " * 300, "x\u00a0" * 200 + "\n", "é " * 300],
)
def test_collapse_space_is_split_and_join(printed: str) -> None:
    assert text.collapse_space(printed) == " ".join(printed.split())


def test_the_doi_pattern_finds_a_doi_in_any_printed_form() -> None:
    found = text.DOI_RE.search("https://doi.org/10.1000/ABC.123")
    assert found is not None
    assert found.group(0) == "10.1000/ABC.123"
