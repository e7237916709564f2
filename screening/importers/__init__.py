"""Readers for the export formats of the literature databases: bytes in, `Citation`s out.

Each format lives in its own module exposing `sniff(text) -> bool` (does this text look like the
format?) and `parse(text) -> tuple[list[Citation], list[ImportWarning]]`. Nothing here touches
Django, the network or the disk.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

from . import bibtex, csvfile, endnote_xml, medline, ovid, proquest, pubmed_xml, ris, wos
from .citation import Author, Citation, ExportFormatError, ImportWarning, ParseResult
from .text import decode

__all__ = [
    "FORMATS",
    "Author",
    "Citation",
    "ExportFormatError",
    "ImportWarning",
    "ParseResult",
    "detect_format",
    "garbage_collector_paused",
    "parse",
]

# Detection order matters: the most specific layouts first. WoS tagged and Ovid tagged files can
# contain lines that look like RIS or MEDLINE, and a PubMed file may carry a `.ris` name, so the
# content decides, never the extension.
FORMATS: dict[str, ModuleType] = {
    "pubmed_xml": pubmed_xml,
    "endnote_xml": endnote_xml,
    "wos": wos,
    "proquest": proquest,
    "ovid": ovid,
    "medline": medline,
    "ris": ris,
    "bibtex": bibtex,
    "csv": csvfile,
}

FORMAT_LABELS: dict[str, str] = {
    "auto": "Detect from the content",
    "ris": "RIS (Embase, Ovid, EBSCO, Scopus, Web of Science, Cochrane, ProQuest, APA, ...)",
    "medline": "MEDLINE / .nbib (PubMed, PubMed Central, ERIC)",
    "pubmed_xml": "PubMed XML",
    "endnote_xml": "EndNote XML",
    "bibtex": "BibTeX",
    "csv": "CSV (Embase, Scopus, EBSCO, Cochrane, PubMed, or the app's template)",
    "ovid": "Ovid tagged or field-label text",
    "wos": "Web of Science tagged (.ciw / plain text)",
    "proquest": "ProQuest plain-text report",
}


# Every format shows itself in its first lines (after at most a preamble), so the sniffers see a
# head of the file: on a 300 MB export, scanning it whole nine times would cost seconds.
SNIFF_CHARS = 256 * 1024


def detect_format(text: str) -> str | None:
    head = text[:SNIFF_CHARS]
    for name, module in FORMATS.items():
        if module.sniff(head):
            return name
    return None


def parse(data: bytes, *, format: str = "auto", filename: str = "") -> ParseResult:
    """Read an export file. Raises `ExportFormatError` naming the line and field on bad input."""
    text, encoding, warnings = decode(data, filename=filename)
    name = detect_format(text) if format == "auto" else format
    if name is None:
        raise ExportFormatError(
            f"{filename or 'the file'} is in no export format the app reads "
            "(RIS, MEDLINE/.nbib, PubMed XML, EndNote XML, BibTeX, CSV, Ovid, Web of Science, "
            "ProQuest)",
            line=_first_content_line(text),
        )
    if name not in FORMATS:
        raise ExportFormatError(f"unknown format {name!r}; choose one of {', '.join(FORMATS)}")
    with garbage_collector_paused():
        citations, format_warnings = FORMATS[name].parse(text)
    if not citations:
        raise ExportFormatError(
            f"{filename or 'the file'} has no records in {name} format",
            line=_first_content_line(text),
        )
    return ParseResult(
        format=name, encoding=encoding, citations=citations, warnings=warnings + format_warnings
    )


@contextmanager
def garbage_collector_paused() -> Iterator[None]:
    # Parsing makes millions of small objects that all stay alive until the import is stored;
    # the cyclic collector rescanning them again and again costs a third of a large file's parse.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _first_content_line(text: str) -> int:
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            return number
    return 1
