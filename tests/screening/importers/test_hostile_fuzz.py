"""Every importer module, called directly on random text, answers with records or its own
`ExportFormatError`, never another exception (issue 19). 200 examples each in `make test`; the
whole-file path (decoding, detection, pieces) is fuzzed by test_any_bytes.py."""

from __future__ import annotations

from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening import importers
from screening.importers import ExportFormatError, csvfile, text

# Lines of every format, so that random text gets past each parser's first checks.
PIECES = [
    "TY  - JOUR\n", "ER  - \n", "AU  - Smith, J\n", "TI  - A title\n", "PY  - 2020\n",
    "PMID- 123\n", "FAU - Doe, Jane\n", "      continued\n", "DP  - 2020 Jan\n", "PT J\n",
    "ER\n", "EF\n", "FN Clarivate\n", "AU Doe, J\n", "<1. >\n", "<1>\n", "Title\n", "  A title\n",
    "Authors\n", "Document 1 of 2\n", "Title: x\n", "Authors: Doe, J\n", "@article{key,\n",
    "title = {A {nested} title},\n", "author = {Doe, J and {\\'E}mile}\n", "}\n", "@string{",
    "title,authors,year,doi\n", '"a, b",c,2020,10.1/x\n', "<?xml version='1.0'?>",
    "<PubmedArticleSet>", "<PubmedArticle>", "<MedlineCitation>", "<Article>",
    "<ArticleTitle>", "</ArticleTitle>", "<AuthorList><Author><LastName>X</LastName></Author>",
    "</PubmedArticle>", "<xml><records><record>", "<titles><title>x</title></titles>",
    "</record>", "<!DOCTYPE x [<!ENTITY a \"b\">]>", "&a;", "&amp;", "\x00",
    "\ufeff", "\u00e9", "\u0661\u0662", "\r\n", "\n\n", "\t", "{", "}", "\\", '"', "<", ">",
]  # fmt: skip

texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=30)), max_size=40).map("".join)

MODULES: list[tuple[str, ModuleType]] = sorted(importers.FORMATS.items())


@pytest.mark.parametrize(("name", "module"), MODULES, ids=[name for name, _ in MODULES])
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=texts)
def test_an_importer_gives_records_or_its_own_error(
    name: str, module: ModuleType, data: str
) -> None:
    try:
        citations, warnings = module.parse(data)
    except ExportFormatError as error:
        message = error.message
        assert message, f"{name}: an importer error must say what is wrong"
        return
    assert all(isinstance(c.raw, str) and c.line >= 1 for c in citations)
    assert all(isinstance(w.message, str) for w in warnings)


@pytest.mark.parametrize(("name", "module"), MODULES, ids=[name for name, _ in MODULES])
@settings(max_examples=50, deadline=None)
@given(data=texts)
def test_a_sniffer_answers_yes_or_no(name: str, module: ModuleType, data: str) -> None:
    assert module.sniff(data) in {True, False}


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=300))
def test_decoding_any_bytes_gives_text_or_its_own_error(data: bytes) -> None:
    try:
        decoded, encoding, _ = text.decode(data, filename="random.txt")
    except ExportFormatError as error:
        message = error.message
        assert message
        return
    assert isinstance(decoded, str)
    assert encoding
    decoded.encode("utf-8")  # no lone surrogate ever comes out of the decoder


def test_a_header_line_with_a_stray_carriage_return_is_no_error() -> None:
    # Found by the sniffer's fuzz above: the csv module refuses a CR inside an unquoted cell.
    assert csvfile.sniff("title,ab\rstract\nx,y") in {True, False}
    assert csvfile._split_line("a,b\rc", ",") == ["a,b\rc"]
