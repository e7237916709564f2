"""Reading an uploaded full text: is it a PDF, how many pages, and its text for search. Pure.

pypdf, not a C library: it is pure Python (nothing to build in the Docker image or CI), reads
every PDF version, and its text extraction is good enough for searching a report's words.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.errors import PdfReadError

# pypdf logs every repaired cross-reference table as a warning; the upload succeeds regardless.
logging.getLogger("pypdf").setLevel(logging.ERROR)

MAX_TEXT_CHARS = 2_000_000


class NotAPdf(ValueError):
    """The upload is not a PDF that can be read."""


@dataclass(frozen=True, slots=True)
class PdfText:
    pages: int
    text: str


def read_pdf(content: bytes) -> PdfText:
    """Check the bytes are a readable PDF and extract its text (empty for a scanned image)."""
    if not content:
        raise NotAPdf("the file is empty")
    if not content[:1024].lstrip().startswith(b"%PDF-"):
        raise NotAPdf("the file is not a PDF (it does not start with %PDF-)")
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            raise NotAPdf("the PDF is encrypted; upload a copy without a password")
        pages = len(reader.pages)
        parts: list[str] = []
        size = 0
        for page in reader.pages:
            if size >= MAX_TEXT_CHARS:
                break
            try:
                text = page.extract_text() or ""
            except Exception:  # noqa: BLE001 - one unreadable page must not refuse the report
                text = ""
            parts.append(text)
            size += len(text)
    except NotAPdf:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise NotAPdf(f"the PDF cannot be read ({error.__class__.__name__}: {error})") from error
    return PdfText(pages=pages, text="\n".join(parts)[:MAX_TEXT_CHARS].replace("\x00", ""))
