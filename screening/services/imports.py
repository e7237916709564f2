"""Identification: a search's export imported (inline, or queued as a Job for a large file), and
the records found by other methods."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import secrets
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction

from .. import importers
from ..errors import Conflict, InvalidInput
from ..models import Job, JobKind, OtherMethod, Project, Record, Reference, ReferenceSource, Search
from .audit import audit_record
from .import_batches import read_into, record_from_citation, reference_summary
from .jobs import job_create, job_handler


def file_sha256(source: BinaryIO) -> str:
    """The SHA-256 of a seekable stream, read in blocks, leaving it at its start."""
    digest = hashlib.sha256()
    for block in iter(lambda: source.read(1024 * 1024), b""):
        digest.update(block)
    source.seek(0)
    return digest.hexdigest()


def _as_stream(data: bytes | BinaryIO) -> BinaryIO:
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    stream.seek(0)
    return stream


@dataclass(frozen=True)
class SearchDetails:
    """What the reviewers say about a search beside its file (PRISMA-S): the database, the
    platform it was searched on, when, with which query; how to read the file (`format`, `auto`
    to recognise it); and whether it is a new search, so that the same file may come in again.
    """

    database: str
    platform: str = ""
    searched_on: dt.date | None = None
    query: str = ""
    format: str = "auto"
    new_search: bool = False

    def as_params(self) -> dict[str, Any]:
        """The details as a queued import's JSON keeps them."""
        return {
            "database": self.database,
            "format": self.format,
            "searched_on": self.searched_on.isoformat() if self.searched_on else None,
            "query": self.query,
            "platform": self.platform,
            "new_search": self.new_search,
        }

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> SearchDetails:
        """The details of a queued import, from its JSON (`as_params`); a key it lacks is left
        at its default, as the job always read it."""
        searched_on = params.get("searched_on")
        return cls(
            database=params["database"],
            platform=params.get("platform", ""),
            searched_on=dt.date.fromisoformat(searched_on) if searched_on else None,
            query=params.get("query", ""),
            format=params.get("format", "auto"),
            new_search=params.get("new_search", False),
        )


# The longest texts a search's details hold: the database and platform are names (Search's
# max_length); a search strategy of many pages is tens of thousands of characters, and the limit
# is there so that a runaway paste is refused with a message, not stored.
DETAIL_LIMITS = {"database": 120, "platform": 120, "query": 50_000}
# Record.journal's max_length: an imported record's longer journal is cut with a warning, but a
# record typed in is refused, so that what was typed is what is kept.
JOURNAL_MAX = 500


def _database_named(details: SearchDetails) -> str:
    """The database, refused when blank: a search is told apart by where it was run. Any
    detail longer than it may be is refused too, naming it and its limit."""
    database = details.database.strip()
    if not database:
        raise InvalidInput("Name the database this export came from.", field="database")
    for field, limit in DETAIL_LIMITS.items():
        length = len(database if field == "database" else getattr(details, field))
        if length > limit:
            raise InvalidInput(
                f"The {field} is {length:,} characters; at most {limit:,} are kept.",
                field=field,
            )
    return database


@transaction.atomic
def search_import(
    *,
    project: Project,
    data: bytes | BinaryIO,
    filename: str,
    details: SearchDetails,
    user: AbstractBaseUser | None,
    progress: Job | None = None,
) -> Search:
    """Import one export file as a Search: every record kept, or nothing stored at all.

    The file is read as a stream and stored in batches, so memory stays flat for any size. Each
    record starts as its own reference; deduplication merges them afterwards.
    """
    database = _database_named(details)
    format = details.format
    if format != "auto" and format not in importers.FORMATS:
        raise InvalidInput(
            f"format must be auto or one of {', '.join(importers.FORMATS)}.", field="format"
        )
    stream = _as_stream(data)
    sha256 = file_sha256(stream)
    if not details.new_search and Search.objects.filter(project=project, sha256=sha256).exists():
        raise Conflict(
            f"{filename} has been imported into this project already. "
            "Import it again only if it is the result of a new search.",
            field="file",
        )
    search = Search(
        project=project,
        database=database,
        platform=details.platform,
        searched_on=details.searched_on,
        query=details.query,
        filename=filename[:255],
        sha256=sha256,
        created_by=user,
    )
    search.file.save(filename, File(stream), save=False)
    stream.seek(0)
    try:
        read_into(search, stream, format=format, progress=progress)
    except importers.ExportFormatError as error:
        search.file.delete(save=False)  # the transaction takes the rows back; this is the file
        # Named once: the decoder's own messages already begin with the file's name.
        message = error.message
        if not message.startswith(filename):
            message = f"{filename}: {message}"
        raise InvalidInput(message, line=error.line, field=error.field, file=filename) from error
    except BaseException:
        search.file.delete(save=False)
        raise
    audit_record(
        actor=user,
        verb="search.import",
        project=project,
        obj=search,
        after={
            "database": search.database,
            "filename": search.filename,
            "records": search.record_count,
            "format": search.format,
            "sha256": sha256,
        },
    )
    return search


# search_import is one transaction, and deletes the file it kept when it fails.
@job_handler(JobKind.IMPORT, on_failure="Nothing was stored from this file.")
def search_import_job(job: Job) -> dict[str, Any]:
    """Run an import queued as a Job. Idempotent: a re-run after a lost worker finds its Search."""
    existing = Search.objects.filter(pk=job.result.get("search")).first() if job.result else None
    if existing is None:
        existing = Search.objects.filter(
            project=job.project, sha256=job.params["sha256"], created_at__gte=job.created_at
        ).first()
    if existing is not None:
        return _search_result(existing)
    upload = job.params["upload"]
    with default_storage.open(upload, "rb") as handle:
        search = search_import(
            project=job.project,
            data=handle,
            filename=job.params["filename"],
            details=SearchDetails.from_params(job.params),
            user=job.created_by,
            progress=job,
        )
    default_storage.delete(upload)
    return _search_result(search)


def _search_result(search: Search) -> dict[str, Any]:
    return {
        "search": search.pk,
        "database": search.database,
        "records": search.record_count,
        "format": search.format,
        "warnings": search.warnings,
    }


def search_import_enqueue(
    *,
    project: Project,
    data: bytes | BinaryIO,
    filename: str,
    details: SearchDetails,
    user: AbstractBaseUser | None,
) -> Job:
    """Keep the upload and queue its import as a Job, for files too large to wait on."""
    _database_named(details)
    stream = _as_stream(data)
    sha256 = file_sha256(stream)
    upload = default_storage.save(
        f"uploads/{project.pk}/{sha256[:16]}-{secrets.token_hex(4)}", File(stream)
    )
    with transaction.atomic():
        return job_create(
            kind=JobKind.IMPORT,
            project=project,
            created_by=user,
            params={
                "upload": upload,
                "sha256": sha256,
                "filename": filename,
                **details.as_params(),
            },
        )


@transaction.atomic
def record_add_other(
    *,
    project: Project,
    method: str,
    user: AbstractBaseUser,
    title: str,
    authors: list[str] | None = None,
    year: int | None = None,
    journal: str = "",
    doi: str = "",
    abstract: str = "",
) -> Record:
    """A record found by other methods (citation searching, websites, organisations).

    It becomes a reference of PRISMA's right-hand column, which enters at the full-text stage.
    """
    if method not in OtherMethod.values:
        raise InvalidInput(
            f"method must be one of {', '.join(OtherMethod.values)}.", field="method"
        )
    if not title.strip():
        raise InvalidInput("A record needs a title.", field="title")
    if year is not None and not 1000 <= year <= 2999:
        raise InvalidInput(f"{year} is not a year.", field="year")
    if len(journal.strip()) > JOURNAL_MAX:
        raise InvalidInput(
            f"A journal's name is at most {JOURNAL_MAX} characters.", field="journal"
        )
    parsed_authors = [importers.fields.parse_author(a) for a in authors or [] if a.strip()]
    citation = importers.Citation(
        raw="",
        line=0,
        title=title.strip(),
        abstract=abstract.strip(),
        authors=parsed_authors,
        year=year,
        journal=journal.strip(),
        doi=importers.fields.clean_doi(doi),
    )
    row = record_from_citation(citation, 0)
    reference = Reference.objects.create(
        project=project, source=ReferenceSource.OTHER, **reference_summary(row)
    )
    record = Record.objects.create(project=project, method=method, reference=reference, **row)
    audit_record(
        actor=user,
        verb="record.add_other",
        project=project,
        obj=record,
        after={"method": method, "title": record.title, "doi": record.doi},
    )
    return record
