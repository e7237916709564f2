"""Text for the SVG: cleaned for XML, wrapped to a width with counts kept whole."""

from __future__ import annotations

import pytest

from screening.reports.svg_text import clean, text_width, wrap


def test_clean_replaces_what_xml_cannot_carry_and_joins_lines() -> None:
    assert clean("Bad\x00name\x1b\n  here\ufffe") == "Bad name here"


def test_wider_text_measures_wider() -> None:
    assert text_width("mmmm") > text_width("iiii")
    assert text_width("中文") > text_width("ab")
    assert text_width("abc", 22) == pytest.approx(2 * text_width("abc", 11))


def test_wrap_keeps_a_count_on_one_line() -> None:
    lines = wrap("Reports excluded for a reason (n = 1,234)", 120)
    assert len(lines) > 1
    assert any("(n = 1,234)" in line for line in lines)
    assert all(text_width(line) <= 120 for line in lines)


def test_wrap_breaks_a_word_wider_than_the_box() -> None:
    word = "Supercalifragilisticexpialidocious" * 3
    lines = wrap(word, 100)
    assert "".join(lines) == word
    assert all(text_width(line) <= 100 for line in lines)


def test_wrap_of_nothing_is_one_empty_line() -> None:
    assert wrap("", 100) == [""]
