"""The use cases. Views, API endpoints and Celery tasks all call these; each is one transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import queue
import secrets
import threading
from collections.abc import Iterator
from typing import Any, BinaryIO, TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from .. import importers
from ..access import as_aware, columns
from .audit import audit_record
from .bulk import foreign_keys_checked_per_statement, insert_rows, refresh_statistics
from ..errors import Conflict, InvalidInput
from .jobs import job_create, job_handler, job_set_progress
from ..models import (
    ApiToken,
    Job,
    JobKind,
    Membership,
    OtherMethod,
    Project,
    Record,
    Reference,
    ReferenceSource,
    Role,
    Search,
)
from ..workflow import REVIEW_TYPE_DEFAULTS, ReviewType

User = get_user_model()
T = TypeVar("T")
Rows = list[dict[str, Any]]


# People -------------------------------------------------------------------------------------


@transaction.atomic
def user_create(
    *, username: str, password: str, email: str = "", actor: AbstractBaseUser | None
) -> AbstractBaseUser:
    """A new user account (made by site staff)."""
    username = username.strip()
    if not username:
        raise InvalidInput("A username is required.", field="username")
    if not password:
        raise InvalidInput("A password is required.", field="password")
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(f"The username {username!r} is taken.", field="username")
    user = User.objects.create_user(username=username, password=password, email=email)
    audit_record(actor=actor, verb="user.create", obj=user, after={"username": username})
    return user


def token_issue(*, user: AbstractBaseUser, name: str = "") -> str:
    """A new API token for the user; only its hash is kept, so this is the one time it is seen."""
    raw = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, key_hash=token_hash(raw), prefix=raw[:8], name=name)
    return raw


def token_hash(raw: str) -> str:
    # A token has 256 random bits, so a fast unsalted hash is enough (no password-style KDF).
    return hashlib.sha256(raw.encode()).hexdigest()


# Every API call asks this first, so it is one query written out (0.6 ms on the benchmark
# machine, against 1.3 ms through the ORM's select_related). `raw` converts the user's columns as
# the ORM would; the token's two come alongside.
_TOKEN_USER_SQL = (
    f"SELECT {columns(User, 'u')}, t.id AS token_id, t.last_used_at AS token_last_used_at "  # noqa: S608 - names from the models
    f"FROM {ApiToken._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id "
    "WHERE t.key_hash = %s AND t.revoked_at IS NULL AND u.is_active"
)


def token_user(raw: str) -> AbstractBaseUser | None:
    """The active user a token belongs to, or None for an unknown or revoked token."""
    user = next(iter(User.objects.raw(_TOKEN_USER_SQL, [token_hash(raw)])), None)
    if user is None:
        return None
    last_used_at = as_aware(user.token_last_used_at)
    now = timezone.now()
    # Touch last_used_at at most once a minute: a hot API path should not write on every call.
    if last_used_at is None or now - last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=user.token_id).update(last_used_at=now)
    return user


def token_revoke(*, raw: str) -> bool:
    """Revoke a token; True when there was an active one."""
    return bool(
        ApiToken.objects.filter(key_hash=token_hash(raw), revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


# Projects and members -----------------------------------------------------------------------


@transaction.atomic
def project_screening_update(
    *,
    project: Project,
    user: AbstractBaseUser,
    eligibility_criteria: str,
    include_terms: str,
    exclude_terms: str,
) -> Project:
    """Change what reviewers see beside each reference: the criteria and the highlighted terms."""
    fields = ["eligibility_criteria", "include_terms", "exclude_terms"]
    before = {field: getattr(project, field) for field in fields}
    project.eligibility_criteria = eligibility_criteria.strip()
    project.include_terms = include_terms.strip()
    project.exclude_terms = exclude_terms.strip()
    project.save(update_fields=fields)
    after = {field: getattr(project, field) for field in fields}
    changed = [field for field in fields if before[field] != after[field]]
    if changed:
        audit_record(
            actor=user,
            verb="project.screening_settings",
            project=project,
            obj=project,
            before={field: before[field] for field in changed},
            after={field: after[field] for field in changed},
        )
    return project


@transaction.atomic
def project_create(
    *,
    name: str,
    creator: AbstractBaseUser,
    slug: str = "",
    review_type: str = ReviewType.SYSTEMATIC,
    reviewers_per_reference: int | None = None,
    second_reviewer_share: int | None = None,
    eligibility_criteria: str = "",
) -> Project:
    """A new project; its creator becomes its admin. The review type sets the defaults."""
    name = name.strip()
    if not name:
        raise InvalidInput("A project needs a name.", field="name")
    if review_type not in {t.value for t in ReviewType}:
        raise InvalidInput("review_type must be systematic, rapid or scoping.", field="review_type")
    default_reviewers, default_share = REVIEW_TYPE_DEFAULTS[ReviewType(review_type)]
    if reviewers_per_reference is None:
        reviewers_per_reference = default_reviewers
    if second_reviewer_share is None:
        second_reviewer_share = default_share if reviewers_per_reference == 1 else 0
    if not 1 <= reviewers_per_reference <= 10:
        raise InvalidInput(
            "reviewers_per_reference must be between 1 and 10.", field="reviewers_per_reference"
        )
    if not 0 <= second_reviewer_share <= 100:
        raise InvalidInput(
            "second_reviewer_share is a percent, 0 to 100.", field="second_reviewer_share"
        )
    slug = slugify(slug or name)[:80]
    if not slug:
        raise InvalidInput("The slug must contain letters or digits.", field="slug")
    if Project.objects.filter(slug=slug).exists():
        raise Conflict(f"A project with the slug {slug!r} exists already.", field="slug")
    try:
        with transaction.atomic():
            project = Project.objects.create(
                name=name,
                slug=slug,
                review_type=review_type,
                reviewers_per_reference=reviewers_per_reference,
                second_reviewer_share=second_reviewer_share,
                eligibility_criteria=eligibility_criteria,
                created_by=creator,
            )
    except IntegrityError as error:  # two creations racing for one slug
        raise Conflict(f"A project with the slug {slug!r} exists already.", field="slug") from error
    Membership.objects.create(project=project, user=creator, role=Role.ADMIN)
    audit_record(
        actor=creator,
        verb="project.create",
        project=project,
        obj=project,
        after={
            "name": name,
            "slug": slug,
            "review_type": review_type,
            "reviewers_per_reference": reviewers_per_reference,
            "second_reviewer_share": second_reviewer_share,
        },
    )
    return project


@transaction.atomic
def membership_set(
    *, project: Project, username: str, role: str, actor: AbstractBaseUser
) -> tuple[Membership, bool]:
    """Add a user to the project with a role, or change their role. Returns (membership, created)."""
    if role not in Role.values:
        raise InvalidInput(f"role must be one of {', '.join(Role.values)}.", field="role")
    user = User.objects.filter(username=username).first()
    if user is None:
        raise InvalidInput(f"There is no user {username!r}.", field="username")
    membership = Membership.objects.select_for_update().filter(project=project, user=user).first()
    before = {"role": membership.role} if membership else {}
    if membership is not None and membership.role == Role.ADMIN and role != Role.ADMIN:
        _refuse_removing_last_admin(project)
    if membership is None:
        membership = Membership.objects.create(project=project, user=user, role=role)
        created = True
    else:
        membership.role = role
        membership.save(update_fields=["role"])
        created = False
    audit_record(
        actor=actor,
        verb="member.add" if created else "member.role",
        project=project,
        obj=membership,
        before=before,
        after={"username": username, "role": role},
    )
    return membership, created


@transaction.atomic
def membership_remove(*, project: Project, username: str, actor: AbstractBaseUser) -> None:
    """Take a user out of the project (their past votes stay, attributed to them)."""
    membership = (
        Membership.objects.select_for_update()
        .filter(project=project, user__username=username)
        .first()
    )
    if membership is None:
        raise InvalidInput(f"{username!r} is not a member of this project.", field="username")
    if membership.role == Role.ADMIN:
        _refuse_removing_last_admin(project)
    membership.delete()
    audit_record(
        actor=actor,
        verb="member.remove",
        project=project,
        before={"username": username, "role": membership.role},
    )


def _refuse_removing_last_admin(project: Project) -> None:
    admins = Membership.objects.select_for_update().filter(project=project, role=Role.ADMIN)
    if admins.count() <= 1:
        raise Conflict("A project must keep at least one admin.", field="role")


# Identification -----------------------------------------------------------------------------


def _record_from_citation(citation: importers.Citation, position: int) -> dict[str, Any]:
    return {
        "position": position,
        "line": citation.line,
        "raw": citation.raw,
        "title": citation.title,
        "abstract": citation.abstract,
        "authors": [
            {"family": a.family, "given": a.given, "printed": a.printed} for a in citation.authors
        ],
        "contributors": [
            {"family": a.family, "given": a.given, "printed": a.printed, "role": a.role}
            for a in citation.editors
        ],
        "year": citation.year,
        "journal": citation.journal[:500],
        "journal_abbrev": citation.journal_abbrev[:200],
        "volume": citation.volume[:50],
        "issue": citation.issue[:50],
        "pages": citation.pages[:50],
        "start_page": citation.start_page[:20],
        "end_page": citation.end_page[:20],
        "doi": citation.doi[:255],
        "pmid": citation.pmid[:20],
        "pmcid": citation.pmcid[:20],
        "accession": citation.accession[:100],
        "issn": citation.issn,
        "isbn": citation.isbn,
        "keywords": citation.keywords,
        "language": citation.language[:60],
        "publication_type": citation.publication_type[:120],
        "url": citation.url,
        "source_database": citation.source_database[:120],
    }


def _reference_summary(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": record["title"],
        "abstract": record["abstract"],
        "authors": [author_display(a) for a in record["authors"]],
        "year": record["year"],
        "journal": record["journal"],
        "volume": record["volume"],
        "issue": record["issue"],
        "pages": record["pages"],
        "doi": record["doi"],
        "pmid": record["pmid"],
        "keywords": record["keywords"],
    }


def author_display(author: dict[str, str]) -> str:
    if author.get("given"):
        return f"{author['family']}, {author['given']}"
    return author.get("family") or author.get("printed", "")


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


@transaction.atomic
def search_import(
    *,
    project: Project,
    data: bytes | BinaryIO,
    filename: str,
    database: str,
    user: AbstractBaseUser | None,
    format: str = "auto",
    searched_on: dt.date | None = None,
    query: str = "",
    platform: str = "",
    new_search: bool = False,
    progress: Job | None = None,
) -> Search:
    """Import one export file as a Search: every record kept, or nothing stored at all.

    The file is read as a stream and stored in batches, so memory stays flat for any size. Each
    record starts as its own reference; deduplication merges them afterwards.
    """
    database = database.strip()
    if not database:
        raise InvalidInput("Name the database this export came from.", field="database")
    if format != "auto" and format not in importers.FORMATS:
        raise InvalidInput(
            f"format must be auto or one of {', '.join(importers.FORMATS)}.", field="format"
        )
    stream = _as_stream(data)
    sha256 = file_sha256(stream)
    if not new_search and Search.objects.filter(project=project, sha256=sha256).exists():
        raise Conflict(
            f"{filename} has been imported into this project already. "
            "Import it again only if it is the result of a new search.",
            field="file",
        )
    search = Search(
        project=project,
        database=database[:120],
        platform=platform[:120],
        searched_on=searched_on,
        query=query,
        filename=filename[:255],
        sha256=sha256,
        created_by=user,
    )
    search.file.save(filename, File(stream), save=False)
    stream.seek(0)
    try:
        _read_into(search, stream, format=format, progress=progress)
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


def _read_into(search: Search, stream: BinaryIO, *, format: str, progress: Job | None) -> None:
    """Parse the stream batch by batch, storing each batch's records and references."""
    reading = importers.parse_stream(stream, format=format, filename=search.filename)
    search.format, search.encoding = reading.format, reading.encoding
    search.save()
    size = max(search.file.size, 1)
    count = 0
    # Parsed records stay alive until stored; collector passes over them would cost more than
    # the inserts themselves.
    with importers.garbage_collector_paused(), foreign_keys_checked_per_statement():
        for references, records in _read_ahead(_rows(reading.batches(), reading.warnings)):
            _store_batch(search, references, records)
            count += len(records)
            if progress is not None:
                job_set_progress(progress, min(stream.tell() / size, 0.99))
    if count == 0:
        raise importers.ExportFormatError(
            f"the file has no records in {reading.format} format", line=1
        )
    refresh_statistics(Reference, Record, rows=count)
    search.record_count = count
    search.warnings = [str(w) for w in reading.warnings]
    search.save(update_fields=["record_count", "warnings", "format", "encoding"])


def _read_ahead(batches: Iterator[T]) -> Iterator[T]:
    """Produce the next batches (parsed, made into rows) in a thread while this one is stored.

    Parsing is Python work and storing waits on the database, so the two overlap: on a large
    file this hides most of the database's time.
    """
    # Up to four batches ahead, so that the parser keeps working while the database finishes a
    # slow batch. Each batch held costs memory: a 100k MEDLINE import peaked at 360 MB with four,
    # 290 MB with two (the goal is under 500).
    ready: queue.Queue[object] = queue.Queue(maxsize=4)
    stop = threading.Event()
    done = object()

    def produce() -> None:
        try:
            for batch in batches:
                while not stop.is_set():
                    try:
                        ready.put(batch, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ready.put(done)
        except BaseException as error:  # noqa: BLE001 - handed to the consumer, which raises it
            ready.put(error)

    producer = threading.Thread(target=produce, name="import-parser", daemon=True)
    producer.start()
    try:
        while (item := ready.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        producer.join()


# The record columns of a fixed width: a longer value is cut there, and the import says so (the
# whole value stays in the record's raw entry).
_WIDTHS = {
    "journal": 500,
    "journal_abbrev": 200,
    "volume": 50,
    "issue": 50,
    "pages": 50,
    "start_page": 20,
    "end_page": 20,
    "doi": 255,
    "pmid": 20,
    "pmcid": 20,
    "accession": 100,
    "language": 60,
    "publication_type": 120,
    "source_database": 120,
}


def _too_long(citation: importers.Citation) -> list[importers.ImportWarning]:
    return [
        importers.ImportWarning(
            citation.line,
            f"{len(getattr(citation, name))} characters, cut to the {width} the field holds; "
            "the whole value stays in the record's raw entry",
            field=name,
        )
        for name, width in _WIDTHS.items()
        if len(getattr(citation, name)) > width
    ]


def _rows(
    batches: Iterator[list[importers.Citation]], warnings: list[importers.ImportWarning]
) -> Iterator[tuple[Rows, Rows]]:
    """The parsed citations as reference and record rows, 5,000 at a time, numbered from the
    file's start; a value cut to its column's width is added to `warnings`.

    Built on the parsing thread (see _read_ahead), so that the storing thread does little but
    wait for the database, and the database's work overlaps with ours.
    """
    position = 0
    for batch in batches:
        for start in range(0, len(batch), 5000):
            part = batch[start : start + 5000]
            for citation in part:
                if cut := _too_long(citation):
                    warnings.extend(cut)
            records = [_record_from_citation(c, position + i) for i, c in enumerate(part)]
            yield [_reference_summary(row) for row in records], records
            position += len(part)


def _store_batch(search: Search, references: Rows, records: Rows) -> None:
    reference_ids = insert_rows(
        Reference,
        references,
        common={"project_id": search.project_id, "source": ReferenceSource.DATABASES},
    )
    for row, reference_id in zip(records, reference_ids, strict=True):
        row["reference_id"] = reference_id
    insert_rows(Record, records, common={"project_id": search.project_id, "search_id": search.pk})


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
    searched_on = job.params.get("searched_on")
    with default_storage.open(upload, "rb") as handle:
        search = search_import(
            project=job.project,
            data=handle,
            filename=job.params["filename"],
            database=job.params["database"],
            user=job.created_by,
            format=job.params.get("format", "auto"),
            searched_on=dt.date.fromisoformat(searched_on) if searched_on else None,
            query=job.params.get("query", ""),
            platform=job.params.get("platform", ""),
            new_search=job.params.get("new_search", False),
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
    database: str,
    user: AbstractBaseUser | None,
    format: str = "auto",
    searched_on: dt.date | None = None,
    query: str = "",
    platform: str = "",
    new_search: bool = False,
) -> Job:
    """Keep the upload and queue its import as a Job, for files too large to wait on."""
    if not database.strip():
        raise InvalidInput("Name the database this export came from.", field="database")
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
                "database": database,
                "format": format,
                "searched_on": searched_on.isoformat() if searched_on else None,
                "query": query,
                "platform": platform,
                "new_search": new_search,
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
    row = _record_from_citation(citation, 0)
    reference = Reference.objects.create(
        project=project, source=ReferenceSource.OTHER, **_reference_summary(row)
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
