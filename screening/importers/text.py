"""Bytes to text: BOMs, UTF-16, Windows-1252 fallback, double-encoded UTF-8, any line ends.

A file is read as a stream, a few megabytes at a time, so that a 300 MB export never sits in
memory twice: `iter_decode` yields text chunks that each end at a line end.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from .citation import ExportFormatError, ImportWarning

# Mojibake left when UTF-8 bytes were decoded as Windows-1252 and saved again as UTF-8:
# "Ã©" for "é", "â€“" for an en dash. Only repaired when re-encoding round-trips cleanly.
_MOJIBAKE_MARKERS = ("Ã", "â€", "Â")
# Bytes Windows-1252 leaves undefined: a file with any of them is read as Latin-1 instead.
_CP1252_UNDEFINED = bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D])
_BLANK = b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"
BLOCK_BYTES = 4 * 1024 * 1024


@dataclass
class DecodedStream:
    """The encoding found, warnings (appended to while reading) and the text in chunks."""

    encoding: str
    warnings: list[ImportWarning] = field(default_factory=list)
    chunks: Iterator[str] = field(default_factory=lambda: iter(()))


def decode(data: bytes, *, filename: str = "") -> tuple[str, str, list[ImportWarning]]:
    """Text with `\\n` line ends, the encoding used, and warnings for anything repaired."""
    decoded = iter_decode(io.BytesIO(data), filename=filename)
    text = "".join(decoded.chunks)
    return text, decoded.encoding, decoded.warnings


def iter_decode(stream: BinaryIO, *, filename: str = "") -> DecodedStream:
    """Read a seekable binary stream as text chunks, each ending at a line end."""
    name = filename or "the file"
    head = stream.read(64 * 1024)
    stream.seek(0)
    if not _has_content(head, stream):
        raise ExportFormatError(f"{name} is empty", line=1)
    warnings: list[ImportWarning] = []
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding, codec = "utf-16", "utf-16"
        _check_utf16(stream, name)
    elif _looks_binary(head):
        raise ExportFormatError(
            f"{name} is a binary file, not a text export (RIS, MEDLINE, XML, BibTeX or CSV)",
            line=1,
        )
    elif _is_utf8(stream):
        encoding, codec = "utf-8", "utf-8-sig"
    else:
        encoding = codec = "latin-1" if _has_cp1252_undefined(stream) else "cp1252"
        encoding = "windows-1252" if codec == "cp1252" else codec
        warnings.append(ImportWarning(line=1, message=f"{name} is not UTF-8; read as {encoding}"))
    chunks = _chunks(stream, codec, repair=codec == "utf-8-sig", warnings=warnings)
    return DecodedStream(encoding=encoding, warnings=warnings, chunks=chunks)


def _has_content(head: bytes, stream: BinaryIO) -> bool:
    if head.strip(_BLANK):
        return True
    for block in iter(lambda: stream.read(BLOCK_BYTES), b""):
        if block.strip(_BLANK):
            stream.seek(0)
            return True
    stream.seek(0)
    return False


def _is_utf8(stream: BinaryIO) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for block in iter(lambda: stream.read(BLOCK_BYTES), b""):
            # An ASCII block after a whole character is valid UTF-8: no need to decode it.
            if not (block.isascii() and not decoder.getstate()[0]):
                decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        stream.seek(0)
    return True


def _has_cp1252_undefined(stream: BinaryIO) -> bool:
    try:
        return any(
            any(b in block for b in _CP1252_UNDEFINED)
            for block in iter(lambda: stream.read(BLOCK_BYTES), b"")
        )
    finally:
        stream.seek(0)


def _check_utf16(stream: BinaryIO, name: str) -> None:
    decoder = codecs.getincrementaldecoder("utf-16")()
    lines = 1
    try:
        for block in iter(lambda: stream.read(BLOCK_BYTES), b""):
            lines += decoder.decode(block).count("\n")
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        raise ExportFormatError(
            f"{name} starts with a UTF-16 mark but is not valid UTF-16 (cut off?)", line=lines
        ) from error
    finally:
        stream.seek(0)


def _chunks(
    stream: BinaryIO, codec: str, *, repair: bool, warnings: list[ImportWarning]
) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    carry = ""
    first = True
    repaired_any = False
    for block in iter(lambda: stream.read(BLOCK_BYTES), b""):
        text = carry + decoder.decode(block)
        # A CR at the very end may be the first half of a CRLF split across two blocks.
        held = "\r" if text.endswith("\r") else ""
        # Without a 0x0D byte, the block holds no CR in any of our codecs (UTF-16 too: 0D 00):
        # one search of the bytes spares two of the text.
        if held or b"\r" in block or "\r" in carry:
            text = _normalise(text[: len(text) - len(held)])
        cut = text.rfind("\n") + 1
        carry = text[cut:] + held
        if cut:
            piece, repaired_any = _finish(text[:cut], first, repair, repaired_any, warnings)
            first = False
            yield piece
    last = _normalise(carry + decoder.decode(b"", final=True))
    if last:
        piece, _ = _finish(last, first, repair, repaired_any, warnings)
        yield piece


def _finish(
    text: str, first: bool, repair: bool, repaired_any: bool, warnings: list[ImportWarning]
) -> tuple[str, bool]:
    if first:
        text = text.lstrip("\ufeff")
    if repair:
        fixed = _repair_mojibake(text)
        if fixed != text and not repaired_any:
            warnings.append(
                ImportWarning(line=1, message="repaired doubly-encoded UTF-8 characters")
            )
            repaired_any = True
        text = fixed
    return text, repaired_any


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _looks_binary(data: bytes) -> bool:
    head = data[:4096]
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return control > len(head) // 20


def _repair_mojibake(text: str) -> str:
    if text.isascii() or not any(marker in text for marker in _MOJIBAKE_MARKERS):
        return text
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if any(marker in line for marker in _MOJIBAKE_MARKERS):
            try:
                lines[i] = line.encode("cp1252").decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue  # ambiguous: leave the line exactly as printed
    return "\n".join(lines)
