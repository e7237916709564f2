"""Full texts: a reference's report kept (a PDF, checked and its text extracted for search) or
marked not retrieved (PRISMA's "reports not retrieved").

pypdf, not a C library: it is pure Python (nothing to build in the Docker image or CI), reads
every PDF version, and its text extraction is good enough for searching a report's words.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import transaction
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from ..errors import Conflict, InvalidInput, TooLarge
from ..models import Reference, Report, Vote
from ..selectors.statuses import reference_state
from ..vocabulary import Stage
from .audit import audit_record
from .screening import reference_locked

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


def _reportable(reference: Reference) -> Reference:
    reference = reference_locked(reference)
    if reference_state(reference, reference.project)["stage"] != Stage.FULL_TEXT:
        raise Conflict(
            "Only a reference included on title and abstract has its full text sought.",
            field="reference",
        )
    return reference


def _report_facts(report: Report | None) -> dict[str, Any]:
    if report is None:
        return {}
    return {
        "reference": report.reference_id,
        "file": report.file.name,
        "filename": report.filename,
        "sha256": report.sha256,
        "not_retrieved": report.not_retrieved,
        "note": report.note,
    }


@transaction.atomic
def report_attach(
    *, reference: Reference, data: BinaryIO, filename: str, user: AbstractBaseUser
) -> Report:
    """Keep a PDF as the reference's full text, with its text extracted for search."""
    limit = settings.REPORT_MAX_BYTES
    content = data.read(limit + 1)
    if len(content) > limit:
        raise TooLarge(
            f"{filename} is larger than the {limit / (1024 * 1024):.1f} MB a report may be.",
            field="file",
        )
    try:
        pdf = read_pdf(content)
    except NotAPdf as error:
        raise InvalidInput(f"{filename}: {error}", field="file", file=filename) from error
    reference = _reportable(reference)
    report = Report.objects.filter(reference=reference).first()
    before = _report_facts(report)
    if report is None:
        report = Report(project=reference.project, reference=reference)
    # The old file stays in storage: the audit row names it, and nothing uploaded is lost.
    report.file.save(
        f"{hashlib.sha256(content).hexdigest()[:16]}.pdf", ContentFile(content), save=False
    )
    report.filename = filename[:255]
    report.size = len(content)
    report.sha256 = hashlib.sha256(content).hexdigest()
    report.pages = pdf.pages
    report.text = pdf.text
    report.not_retrieved, report.note = False, ""
    report.created_by = user
    report.save()
    audit_record(
        actor=user,
        verb="report.attach",
        project=reference.project,
        obj=report,
        before=before,
        after=_report_facts(report),
    )
    return report


@transaction.atomic
def report_mark_not_retrieved(
    *, reference: Reference, user: AbstractBaseUser, note: str = ""
) -> Report:
    """Record that the full text could not be obtained (PRISMA's "reports not retrieved")."""
    reference = _reportable(reference)
    if Vote.objects.filter(reference=reference, stage=Stage.FULL_TEXT).exists():
        raise Conflict(
            "Its full text has votes already; reopen it before marking it not retrieved.",
            field="not_retrieved",
        )
    report = Report.objects.filter(reference=reference).first()
    before = _report_facts(report)
    if report is None:
        report = Report(project=reference.project, reference=reference)
    report.file = ""
    report.filename, report.size, report.sha256, report.pages, report.text = "", 0, "", 0, ""
    report.not_retrieved, report.note, report.created_by = True, note, user
    report.save()
    audit_record(
        actor=user,
        verb="report.not_retrieved",
        project=reference.project,
        obj=report,
        before=before,
        after=_report_facts(report),
    )
    return report
