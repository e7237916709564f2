"""Bytes to text: every encoding and line ending the databases write."""

from __future__ import annotations

import pytest

from screening.importers import ExportFormatError, detect_format, parse
from screening.importers.text import decode
from tests.shared_data import requires_shared_data, shared_file

RIS = "TY  - JOUR\nTI  - Café au lait spots \u2013 a review\nAU  - Müller, Jürgen\nER  - \n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (RIS.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + RIS.encode("utf-8"), "utf-8"),
        (RIS.encode("utf-16"), "utf-16"),
        (RIS.encode("cp1252"), "windows-1252"),
    ],
    ids=["utf-8", "utf-8 with BOM", "utf-16 with BOM", "windows-1252"],
)
def test_every_encoding_reads_to_the_same_text(data: bytes, encoding: str) -> None:
    text, used, _ = decode(data)
    assert text == RIS
    assert used == encoding


def test_a_bom_never_costs_the_first_record() -> None:
    result = parse(b"\xef\xbb\xbf" + RIS.encode() + RIS.encode())
    assert len(result.citations) == 2
    assert result.citations[0].title.startswith("Café")


def test_a_non_utf8_file_is_read_with_a_warning() -> None:
    _, _, warnings = decode(RIS.encode("cp1252"), filename="old.ris")
    assert any("not UTF-8" in w.message for w in warnings)


def test_doubly_encoded_utf8_is_repaired_with_a_warning() -> None:
    mojibake = RIS.encode("utf-8").decode("cp1252").encode("utf-8")
    text, _, warnings = decode(mojibake)
    assert "Müller, Jürgen" in text
    assert "Café au lait spots \u2013 a review" in text
    assert any("doubly-encoded" in w.message for w in warnings)


def test_text_that_only_looks_doubly_encoded_is_left_as_printed() -> None:
    # "Ã" followed by a character that cannot be a UTF-8 continuation: not mojibake.
    text, _, warnings = decode("TI  - Ã la carte\n".encode())
    assert "Ã la carte" in text
    assert not warnings


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_any_line_ending_gives_the_same_records(newline: str) -> None:
    data = ("\n\n" + RIS + "\n" + RIS.rstrip("\n")).replace("\n", newline).encode()
    result = parse(data)
    assert [c.title for c in result.citations] == ["Café au lait spots \u2013 a review"] * 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\n\r\n  \t\n", "empty"),
        (b"\xef\xbb\xbf", "empty"),
        (b"%PDF-1.7\n\x00\x01\x02binary", "binary"),
    ],
)
def test_empty_and_binary_files_are_refused_on_line_1(data: bytes, message: str) -> None:
    with pytest.raises(ExportFormatError) as caught:
        parse(data, filename="upload.ris")
    assert caught.value.line == 1
    assert message in caught.value.message
    assert "upload.ris" in caught.value.message


def test_a_file_in_no_known_format_says_so_at_its_first_line() -> None:
    with pytest.raises(ExportFormatError) as caught:
        parse(b"\n\nMinutes of the review team meeting\nAttendees: all\n", filename="notes.txt")
    assert caught.value.line == 3
    assert "no export format" in caught.value.message


@requires_shared_data
def test_a_pubmed_file_named_ris_is_read_as_medline() -> None:
    data = shared_file("exports", "pubmed_medline", "citation-file-formatting_baseline_pubmed.ris")
    assert detect_format(decode(data.read_bytes())[0]) == "medline"
    assert len(parse(data.read_bytes(), filename="x.ris").citations) == 50


@requires_shared_data
def test_a_wos_tagged_file_named_ris_is_read_as_wos() -> None:
    data = shared_file("exports", "wos_tagged", "rispy_example_wos.ris").read_bytes()
    assert detect_format(decode(data)[0]) == "wos"
