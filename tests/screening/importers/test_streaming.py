"""Large exports are read a piece at a time: the records, lines and errors must not change."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening import importers
from screening.importers import text
from screening.importers.citation import Author, Citation

RIS_RECORD = "TY  - JOUR\nTI  - Café study {n}\nAU  - Müller, J\nPY  - 2020\nER  - \n\n"
MEDLINE_RECORD = (
    "PMID- {n}\nTI  - Café study {n}\n      continued\nFAU - Müller, Jürgen\nDP  - 2020\n\n"
)


def _whole_and_in_pieces(data: bytes, monkeypatch: pytest.MonkeyPatch, **kwargs: str) -> tuple:
    whole = importers.parse(data, **kwargs)
    monkeypatch.setattr(importers, "PIECE_CHARS", 97)
    monkeypatch.setattr(text, "BLOCK_BYTES", 13)
    pieces = importers.parse(data, **kwargs)
    return whole, pieces


def _summary(result: importers.ParseResult) -> list[tuple]:
    return [(c.line, c.title, c.raw, [a.family for a in c.authors]) for c in result.citations]


@pytest.mark.parametrize(
    ("record", "newline"),
    [(RIS_RECORD, "\n"), (RIS_RECORD, "\r\n"), (MEDLINE_RECORD, "\n"), (MEDLINE_RECORD, "\r")],
)
def test_reading_in_pieces_gives_the_same_records_and_lines(monkeypatch, record, newline) -> None:
    body = "".join(record.format(n=n) for n in range(1, 40)).replace("\n", newline)
    whole, pieces = _whole_and_in_pieces(body.encode(), monkeypatch)
    assert len(whole.citations) == 39
    assert _summary(pieces) == _summary(whole)
    assert [c.line for c in pieces.citations][:3] == [1, 7, 13] if record == RIS_RECORD else True


def test_a_cut_off_record_in_a_later_piece_is_kept_and_named_by_its_line_in_the_file(
    monkeypatch,
) -> None:
    body = "".join(RIS_RECORD.format(n=n) for n in range(1, 30)) + "TY  - JOUR\nTI  - Cut off\n"
    whole, pieces = _whole_and_in_pieces(body.encode(), monkeypatch)
    assert _summary(pieces) == _summary(whole)
    assert pieces.citations[-1].title == "Cut off"
    assert [(w.line, w.field) for w in pieces.warnings] == [(29 * 6 + 1, "ER")]
    assert [(w.line, w.field) for w in whole.warnings] == [(29 * 6 + 1, "ER")]


def test_warnings_keep_their_lines_across_pieces(monkeypatch) -> None:
    body = (
        "".join(RIS_RECORD.format(n=n) + (f"{n}. \n" if n % 7 == 0 else "") for n in range(1, 30))
        + "Link to the full text\n"
    )
    whole, pieces = _whole_and_in_pieces(body.encode(), monkeypatch)
    assert [(w.line, w.message) for w in pieces.warnings] == [
        (w.line, w.message) for w in whole.warnings
    ]


@settings(max_examples=60, deadline=None)
@given(
    block=st.integers(min_value=1, max_value=64),
    words=st.lists(
        st.text(alphabet="a\u00e9\u20ac\U0001d6fc \r\n", min_size=1, max_size=12), max_size=30
    ),
)
def test_decoding_in_blocks_of_any_size_gives_the_same_text(block: int, words: list[str]) -> None:
    data = ("TI  - " + "".join(words) + "\n").encode("utf-8")
    expected = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    original = text.BLOCK_BYTES
    text.BLOCK_BYTES = block
    try:
        decoded = "".join(text.iter_decode(io.BytesIO(data)).chunks)
    finally:
        text.BLOCK_BYTES = original
    assert decoded == expected


def test_a_large_generated_file_reads_in_pieces_with_every_record(monkeypatch) -> None:
    from screening.exporters import ris

    citations = [
        Citation(raw="", line=0, title=f"Title {i}", authors=[Author(family="Doe", given="J")])
        for i in range(300)
    ]
    data = ris.dump(citations).encode()
    monkeypatch.setattr(importers, "PIECE_CHARS", 1000)
    reading = importers.parse_stream(io.BytesIO(data))
    batches = list(reading.batches())
    assert len(batches) > 10
    assert [c.title for batch in batches for c in batch] == [c.title for c in citations]


@pytest.mark.parametrize("block", [1, 2, 3, 4096])
def test_a_cut_character_before_ascii_blocks_is_not_taken_for_utf8(monkeypatch, block) -> None:
    # "Ã" in Windows-1252 is the lone byte 0xC3, which UTF-8 reads as the start of a character,
    # and "©" (0xA9) would complete it: the ASCII block between them must still be decoded, or
    # the file would pass as UTF-8 and fail half-way through.
    monkeypatch.setattr(text, "BLOCK_BYTES", block)
    printed = "TI  - \u00c3a\u00a9 study\n"
    decoded = text.iter_decode(io.BytesIO(printed.encode("cp1252")))
    assert decoded.encoding == "windows-1252"
    assert "".join(decoded.chunks) == printed
