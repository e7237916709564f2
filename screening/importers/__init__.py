"""Readers for the export formats of the literature databases: bytes in, `Citation`s out.

Each format lives in its own module exposing `sniff(text) -> bool` (does this text look like the
format?) and `parse(text) -> tuple[list[Citation], list[ImportWarning]]`. Nothing here touches
Django, the network or the disk.
"""

from __future__ import annotations

import gc
import io
import itertools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import BinaryIO

from . import bibtex, csvfile, endnote_xml, medline, ovid, proquest, pubmed_xml, ris, wos
from .citation import Author, Citation, ExportFormatError, ImportWarning, ParseResult, is_empty
from .fields import UNKNOWN_TAG
from .text import iter_decode

__all__ = [
    "FORMATS",
    "Author",
    "Citation",
    "ExportFormatError",
    "ImportWarning",
    "ParseResult",
    "WarningList",
    "detect_format",
    "garbage_collector_paused",
    "is_empty",
    "parse",
    "parse_stream",
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
# head of the file: nine sniffers reading a whole export (hundreds of megabytes) would each read
# it all for nothing.
SNIFF_CHARS = 256 * 1024


def detect_format(text: str) -> str | None:
    head = text[:SNIFF_CHARS]
    for name, module in FORMATS.items():
        if module.sniff(head):
            return name
    return None


# Formats whose records can be read a piece of the file at a time, each split just before a line
# that starts a record, so that memory stays flat however large the export. The other formats
# (XML, CSV, BibTeX, the Ovid, WoS and ProQuest texts) are read whole: their exports are small,
# or a header line governs every record.
RECORD_STARTS: dict[str, tuple[str, ...]] = {
    "ris": ("\nTY  -",),
    "medline": ("\n\nPMID-", "\n\nOWN - ", "\n\nPMC - "),
}
PIECE_CHARS = 8 * 1024 * 1024


# Warnings an import keeps: a 100k-record file with a bad value in every record would store a
# list no one reads (and megabytes of it); past this many, one more warning counts the rest.
WARNINGS_KEPT = 200


class WarningList(list[ImportWarning]):
    """The warnings of one import, capped: the first WARNINGS_KEPT, then one that says how many
    more there were ("and 1,234 more warnings like these"), kept up to date as they come.

    A list, so that it is stored and read like one; `append` and `extend` are where the cap
    holds. Unknown-tag warnings come once per file, even when the file is read in pieces.
    """

    def __init__(self, warnings: Iterable[ImportWarning] = ()) -> None:
        super().__init__()
        self.more = 0
        self._first_more = 0
        self._unknown_tags: set[str] = set()
        self.extend(warnings)

    def append(self, warning: ImportWarning) -> None:
        if warning.kind == UNKNOWN_TAG:
            if warning.field in self._unknown_tags:
                return
            self._unknown_tags.add(warning.field)
        if self.more == 0 and len(self) < WARNINGS_KEPT:
            super().append(warning)
            return
        if self.more == 0:
            self._first_more = warning.line
            super().append(warning)  # replaced by the count just below
        self.more += 1
        self[WARNINGS_KEPT] = ImportWarning(
            line=self._first_more,
            message=f"and {self.more:,} more warning{'s' if self.more > 1 else ''} like these, "
            "not listed (the first of them on this line); every record keeps its raw entry",
        )

    def extend(self, warnings: Iterable[ImportWarning]) -> None:
        for warning in warnings:
            self.append(warning)

    def __iadd__(self, warnings: Iterable[ImportWarning]) -> WarningList:  # type: ignore[override]
        self.extend(warnings)
        return self


@dataclass
class StreamingParse:
    """An export being read: its format and encoding, then its records batch by batch.

    `warnings` grows while `batches()` is consumed; `batches()` raises `ExportFormatError` with
    the line counted from the start of the file.
    """

    format: str
    encoding: str
    warnings: WarningList
    _pieces: Iterator[str]

    def batches(self) -> Iterator[list[Citation]]:
        module = FORMATS[self.format]
        starts = RECORD_STARTS.get(self.format)
        pieces = (
            _split_at_records(self._pieces, starts) if starts else iter(["".join(self._pieces)])
        )
        offset = 0
        for piece in pieces:
            try:
                with garbage_collector_paused():
                    citations, warnings = module.parse(piece)
            except ExportFormatError as error:
                if error.line is not None:
                    error.line += offset
                error.message = error.message.replace(NUL, NUL_SHOWN)
                raise
            if NUL in piece:  # one scan of the text; the records only when it holds one
                citations, warnings = _without_nul(citations, warnings)
            citations, warnings = _without_empty_records(citations, warnings)
            for citation in citations:
                citation.line += offset
            self.warnings.extend(
                ImportWarning(line=w.line + offset, message=w.message, field=w.field, kind=w.kind)
                for w in warnings
            )
            offset += piece.count("\n")
            yield citations


# U+0000: no PostgreSQL text holds it, so a record carrying one once failed its whole import at
# the database (a 500, or the database's own words as a job's error). Past the first 4 KiB
# (where a NUL means a binary file, refused by the decoder) it is removed, and said where.
NUL = "\x00"
NUL_SHOWN = "\\x00"


def _without_nul(
    citations: list[Citation], warnings: list[ImportWarning]
) -> tuple[list[Citation], list[ImportWarning]]:
    """The records with every NUL character removed, and a warning for each record that had
    one, naming its line and the fields that held it."""
    cleaned: list[ImportWarning] = []
    for citation in citations:
        if NUL not in citation.raw:
            continue
        line = citation.line + citation.raw[: citation.raw.index(NUL)].count("\n")
        citation.raw = citation.raw.replace(NUL, "")
        named = _remove_nul(citation)
        cleaned.append(
            ImportWarning(
                line=line,
                message="a NUL character (U+0000), which no text can hold, removed",
                field=", ".join(named),
            )
        )
    warnings = [
        ImportWarning(
            line=w.line,
            message=w.message.replace(NUL, NUL_SHOWN),
            field=w.field.replace(NUL, NUL_SHOWN),
            kind=w.kind,
        )
        if NUL in w.message or NUL in w.field
        else w
        for w in warnings
    ]
    if cleaned:
        warnings = sorted([*warnings, *cleaned], key=lambda warning: warning.line)
    return citations, warnings


def _remove_nul(citation: Citation) -> list[str]:
    """Remove NUL from every text of a record; the names of the fields that held one."""
    named: list[str] = []
    for name in citation.__slots__:  # type: ignore[attr-defined]
        value = getattr(citation, name)
        if isinstance(value, str) and NUL in value:
            setattr(citation, name, value.replace(NUL, ""))
            named.append(name)
        elif isinstance(value, list) and any(_holds_nul(item) for item in value):
            for item in value:
                if isinstance(item, Author):
                    for part in ("family", "given", "printed", "role"):
                        setattr(item, part, getattr(item, part).replace(NUL, ""))
            setattr(
                citation,
                name,
                [item.replace(NUL, "") if isinstance(item, str) else item for item in value],
            )
            named.append(name)
        elif isinstance(value, dict) and any(
            NUL in key or any(NUL in v for v in values) for key, values in value.items()
        ):
            setattr(
                citation,
                name,
                {
                    key.replace(NUL, ""): [v.replace(NUL, "") for v in values]
                    for key, values in value.items()
                },
            )
    return named


def _holds_nul(item: object) -> bool:
    if isinstance(item, Author):
        return NUL in item.family or NUL in item.given or NUL in item.printed or NUL in item.role
    return isinstance(item, str) and NUL in item


def _without_empty_records(
    citations: list[Citation], warnings: list[ImportWarning]
) -> tuple[list[Citation], list[ImportWarning]]:
    """Records with nothing in them are not imported but reported, each by its line; the rest
    of the file imports. Their own "no title" warnings would only repeat it."""
    empty = [citation.line for citation in citations if is_empty(citation)]
    if not empty:
        return citations, warnings
    lines = set(empty)
    warnings = [w for w in warnings if not (w.line in lines and w.field == "title")]
    warnings += [
        ImportWarning(
            line=line,
            message="the record has nothing in it (no title, author, abstract, source or "
            "identifier); not imported",
        )
        for line in empty
    ]
    warnings.sort(key=lambda warning: warning.line)
    return [citation for citation in citations if not is_empty(citation)], warnings


def parse_stream(stream: BinaryIO, *, format: str = "auto", filename: str = "") -> StreamingParse:
    """Start reading an export from a seekable binary stream (decoding, detecting its format)."""
    decoded = iter_decode(stream, filename=filename)
    head, pieces = _head(decoded.chunks)
    name = detect_format(head) if format == "auto" else format
    if name is None:
        raise ExportFormatError(
            f"{filename or 'the file'} is in no export format the app reads "
            "(RIS, MEDLINE/.nbib, PubMed XML, EndNote XML, BibTeX, CSV, Ovid, Web of Science, "
            "ProQuest)",
            line=_first_content_line(head),
        )
    if name not in FORMATS:
        raise ExportFormatError(f"unknown format {name!r}; choose one of {', '.join(FORMATS)}")
    return StreamingParse(
        format=name,
        encoding=decoded.encoding,
        warnings=WarningList(decoded.warnings),
        _pieces=pieces,
    )


def parse(data: bytes, *, format: str = "auto", filename: str = "") -> ParseResult:
    """Read a whole export file. Raises `ExportFormatError` naming the line and field."""
    reading = parse_stream(io.BytesIO(data), format=format, filename=filename)
    with garbage_collector_paused():
        citations = [c for batch in reading.batches() for c in batch]
    if not citations:
        raise ExportFormatError(
            f"{filename or 'the file'} has no records in {reading.format} format",
            line=_first_content_line(data[:SNIFF_CHARS].decode("utf-8", "replace")),
        )
    return ParseResult(
        format=reading.format,
        encoding=reading.encoding,
        citations=citations,
        warnings=list(reading.warnings),
    )


def _head(chunks: Iterator[str]) -> tuple[str, Iterator[str]]:
    """The first SNIFF_CHARS of text, and every chunk again from the start."""
    seen: list[str] = []
    size = 0
    for chunk in chunks:
        seen.append(chunk)
        size += len(chunk)
        if size >= SNIFF_CHARS:
            break
    return "".join(seen)[:SNIFF_CHARS], itertools.chain(seen, chunks)


def _split_at_records(chunks: Iterator[str], starts: tuple[str, ...]) -> Iterator[str]:
    """Pieces of about PIECE_CHARS that each end just before a line starting a record."""
    buffer = ""
    for chunk in chunks:
        buffer += chunk
        while len(buffer) >= PIECE_CHARS:
            cuts = [i for i in (buffer.find(start, PIECE_CHARS) for start in starts) if i >= 0]
            if not cuts:
                break
            cut = min(cuts) + 1
            yield buffer[:cut]
            buffer = buffer[cut:]
    if buffer:
        yield buffer


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
