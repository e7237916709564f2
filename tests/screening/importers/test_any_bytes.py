"""Whatever bytes arrive, the importers answer with records or with their own error, never a crash."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening import importers
from screening.importers import ExportFormatError

# Fragments of every format, so that random files get past the sniffers and into the parsers.
FRAGMENTS = [
    b"TY  - JOUR\n", b"ER  - \n", b"AU  - Smith, J\n", b"TI  - A title\n", b"PMID- 123\n",
    b"OWN - ERIC\n", b"FAU - Doe, Jane\n", b"      continued\n", b"PT J\n", b"ER\n", b"EF\n",
    b"FN Clarivate\n", b"<1. >\n", b"<1>\n", b"Title\n", b"  A title\n", b"@article{key,\n",
    b"title = {A {nested} title},\n", b"}\n", b"title,authors,year\n", b'"a, b",c,2020\n',
    b"<?xml version='1.0'?>", b"<PubmedArticleSet>", b"<PubmedArticle>", b"<ArticleTitle>",
    b"</PubmedArticle>", b"<xml><records><record>", b"<title>x</title>", b"</record>",
    b"Document 1 of 2\n", b"Title: x\n", b"\xef\xbb\xbf", b"\xff\xfe", b"\r", b"\r\n", b"\x00",
    b"\xc3\xa9", b"\xe9", b"&amp;", b"\n\n",
]  # fmt: skip

files = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.binary(max_size=40)), max_size=30).map(
    b"".join
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=files)
def test_random_files_give_records_or_the_importer_s_own_error(data: bytes) -> None:
    result, message = None, ""
    try:
        result = importers.parse(data, filename="random.txt")
    except ExportFormatError as error:
        message = str(error)
    if result is None:
        assert message, "an importer error must say what is wrong"
    else:
        assert result.citations
        assert all(isinstance(c.raw, str) for c in result.citations)


@pytest.mark.parametrize("format_name", sorted(importers.FORMATS))
@settings(max_examples=60, deadline=None)
@given(data=files)
def test_a_forced_format_never_crashes_either(format_name: str, data: bytes) -> None:
    with contextlib.suppress(ExportFormatError):
        importers.parse(data, format=format_name, filename="random.txt")
