# ruff: noqa: RUF001 - the expected texts hold Greek and math letters that look Latin on purpose.
"""BibTeX LaTeX decodes to Unicode; what it cannot decode is kept and reported (issue 15)."""

from __future__ import annotations

import pytest

from screening.importers import bibtex, latex


@pytest.mark.parametrize(
    ("printed", "text"),
    [
        (r"$\alpha$-helix", "α-helix"),
        (r"\textalpha{} and \textOmega", "α and Ω"),
        (r"{\beta}-blockers", "β-blockers"),
        (r"$\Delta$ and $\mu$m", "Δ and μm"),
        (r"{\dh}{\th}{\DH}{\TH}", "ðþÐÞ"),
        (r"Espa\~na Espa\~{n}a", "España España"),
        (r"{\o} {\O} {\ss} {\aa} {\AA} {\ae} {\oe} {\l}", "ø Ø ß å Å æ œ ł"),
        (r"\c{c} \c c \v{s} \H{o} \k{a} \={a} \.{z} \u{g} \r{u}", "ç ç š ő ą ā ż ğ ů"),
        (r"{\i} \'{\i} \'\i", "ı í í"),
        ("1990--2000 and a---b", "1990\u20132000 and a\u2014b"),
        (r"R\&D 50\% \$5 \#1 a\_b", "R&D 50% $5 #1 a_b"),
        (r"5\,mg $\pm$ 2 $\times$ 3 $\leq$ 4 \textdegree C", "5 mg ± 2 × 3 ≤ 4 °C"),
        (r"``quoted''", "\u201cquoted\u201d"),
        (r"{\it in vivo} \emph{in vitro} \textbf{bold}", "in vivo in vitro bold"),
    ],
)
def test_latex_family_decodes_to_unicode_with_nothing_unknown(printed: str, text: str) -> None:
    assert latex.decode(printed) == (text, [])


def test_an_unknown_command_is_kept_as_printed_and_named() -> None:
    assert latex.decode(r"A \foo{bar} and \baz here") == (
        r"A \foo{bar} and \baz here",
        ["foo", "baz"],
    )


def test_an_unknown_command_in_an_entry_is_a_warning_naming_the_field_and_line() -> None:
    source = "\n@article{k,\n  title = {The \\mysterious{x} effect},\n  year = {2020}\n}\n"
    citations, warnings = bibtex.parse(source)
    assert citations[0].title == r"The \mysterious{x} effect"
    assert [(w.line, w.field) for w in warnings] == [(2, "title")]
    assert r"\mysterious" in warnings[0].message


def test_editors_are_kept_in_their_role_and_a_braced_name_stays_whole() -> None:
    source = (
        "@incollection{k, title = {A chapter}, booktitle = {The book},\n"
        '  author = {{World Health Organization} and M{\\"u}ller, J{\\"o}rg},\n'
        "  editor = {Smith, Ann and {The Cochrane Collaboration}}}\n"
    )
    [citation] = bibtex.parse(source)[0]
    assert [(a.family, a.given, a.role) for a in citation.authors] == [
        ("World Health Organization", "", "author"),
        ("Müller", "Jörg", "author"),
    ]
    assert [(a.family, a.given, a.role) for a in citation.editors] == [
        ("Smith", "Ann", "editor"),
        ("The Cochrane Collaboration", "", "editor"),
    ]
    assert citation.journal == "The book"


def test_a_year_and_a_doi_that_cannot_be_read_are_kept_raw_and_reported() -> None:
    source = "@article{k, title = {T}, year = {forthcoming}, doi = {not a doi}}\n"
    citations, warnings = bibtex.parse(source)
    assert (citations[0].year, citations[0].doi) == (None, "")
    assert citations[0].fields["year"] == ["forthcoming"]
    assert [(w.line, w.field) for w in warnings] == [(1, "year"), (1, "doi")]
