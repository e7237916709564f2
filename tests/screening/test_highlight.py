from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from screening.highlight import Terms, highlight

INC = '<mark class="term-include">'
EXC = '<mark class="term-exclude">'


def test_words_stems_and_phrases_in_two_colours() -> None:
    terms = Terms.from_lines("microcredential*\ncontinuing  education", "undergraduate;protocol")
    text = "Microcredentials in continuing\neducation: an undergraduate protocol."
    assert highlight(text, terms) == (
        f"{INC}Microcredentials</mark> in {INC}continuing\neducation</mark>: an "
        f"{EXC}undergraduate</mark> {EXC}protocol</mark>."
    )


def test_a_word_is_not_matched_inside_another() -> None:
    terms = Terms.from_lines("badge", "rat")
    assert highlight("Badges and ratings; a badge, a rat.", terms) == (
        f"Badges and ratings; a {INC}badge</mark>, a {EXC}rat</mark>."
    )


def test_the_text_is_escaped_and_marks_are_the_only_markup() -> None:
    terms = Terms.from_lines("a<b", "")
    assert highlight("x a<b <script>", terms) == f"x {INC}a&lt;b</mark> &lt;script&gt;"
    assert highlight("<i>no terms</i>", Terms()) == "&lt;i&gt;no terms&lt;/i&gt;"


def test_overlaps_go_to_the_longer_term_then_to_include() -> None:
    terms = Terms.from_lines("education", "continuing education")
    assert highlight("continuing education", terms) == f"{EXC}continuing education</mark>"
    tie = Terms.from_lines("nurse", "nurse")
    assert highlight("nurse", tie) == f"{INC}nurse</mark>"


def test_empty_and_star_only_terms_are_ignored() -> None:
    terms = Terms.from_lines("\n*\n  \n", ";;")
    assert not terms
    assert highlight("anything", terms) == "anything"


@given(st.text(max_size=80), st.lists(st.text(min_size=1, max_size=8), max_size=4))
def test_removing_the_marks_gives_back_the_escaped_text(text, words) -> None:
    import html

    marked = highlight(text, Terms(include=tuple(words[:2]), exclude=tuple(words[2:])))
    plain = marked.replace(INC, "").replace(EXC, "").replace("</mark>", "")
    assert plain == html.escape(text)
