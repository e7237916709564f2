"""Bytes to text: BOMs, UTF-16, Windows-1252 fallback, double-encoded UTF-8, any line ends."""

from __future__ import annotations

from .citation import ExportFormatError, ImportWarning

# Mojibake left when UTF-8 bytes were decoded as Windows-1252 and saved again as UTF-8:
# "Ã©" for "é", "â€“" for an en dash. Only repaired when re-encoding round-trips cleanly.
_MOJIBAKE_MARKERS = ("Ã", "â€", "Â")


def decode(data: bytes, *, filename: str = "") -> tuple[str, str, list[ImportWarning]]:
    """Text with `\\n` line ends, the encoding used, and warnings for anything repaired."""
    name = filename or "the file"
    if not data or not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise ExportFormatError(f"{name} is empty", line=1)
    warnings: list[ImportWarning] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text, encoding = data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as error:
            line = data[: error.start].decode("utf-16", errors="replace").count("\n") + 1
            raise ExportFormatError(
                f"{name} starts with a UTF-16 mark but is not valid UTF-16 (cut off?)", line=line
            ) from error
    else:
        if _looks_binary(data):
            raise ExportFormatError(
                f"{name} is a binary file, not a text export (RIS, MEDLINE, XML, BibTeX or CSV)",
                line=1,
            )
        try:
            text, encoding = data.decode("utf-8-sig"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = data.decode("cp1252", errors="replace"), "windows-1252"
            if "\ufffd" in text:
                text, encoding = data.decode("latin-1"), "latin-1"
            warnings.append(
                ImportWarning(line=1, message=f"{name} is not UTF-8; read as {encoding}")
            )
    text = text.lstrip("\ufeff")
    repaired = _repair_mojibake(text)
    if repaired != text:
        warnings.append(ImportWarning(line=1, message="repaired doubly-encoded UTF-8 characters"))
        text = repaired
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, encoding, warnings


def _looks_binary(data: bytes) -> bool:
    head = data[:4096]
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return control > len(head) // 20


def _repair_mojibake(text: str) -> str:
    if not any(marker in text for marker in _MOJIBAKE_MARKERS):
        return text
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if any(marker in line for marker in _MOJIBAKE_MARKERS):
            try:
                lines[i] = line.encode("cp1252").decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue  # ambiguous: leave the line exactly as printed
    return "\n".join(lines)
