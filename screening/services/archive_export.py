"""Writing a whole review to one archive file (screening/archive/format.py): every table of the
project streamed row by row, the people its rows name, and the stored files."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from importlib import metadata
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from ..archive.format import ArchiveWriter
from ..errors import Conflict
from ..models import Project
from .archive_tables import NOTES, TABLES, USER_COLUMNS, USERS, Table, user_columns

_ROWS_PER_FETCH = 2000
_FILE_CHUNK = 1024 * 1024


def app_version() -> str:
    try:
        return metadata.version("reviewtool")
    except metadata.PackageNotFoundError:
        return "unknown"


def file_member_path(table: str, row_id: int, stored_name: str) -> str:
    """Where a row's stored file sits in the archive, under files/."""
    return f"{table}/{row_id}/{posixpath.basename(stored_name)}"


def _rows(table: Table, project: Project) -> Iterator[dict[str, Any]]:
    columns = table.columns
    values = table.rows_of(project).values_list(*columns)
    for values_row in values.iterator(chunk_size=_ROWS_PER_FETCH):
        yield dict(zip(columns, values_row, strict=True))


def _people(project: Project) -> Iterator[dict[str, Any]]:
    """Every person a row of the project names (members, voters, authors of audit events...)."""
    ids: set[int] = set()
    for table in TABLES:
        for column in user_columns(table):
            found = table.rows_of(project).exclude(**{f"{column}__isnull": True})
            ids.update(found.order_by().values_list(column, flat=True).distinct())
    people = get_user_model().objects.filter(pk__in=ids).order_by("pk")
    for values_row in people.values_list(*USER_COLUMNS).iterator(chunk_size=_ROWS_PER_FETCH):
        yield dict(zip(USER_COLUMNS, values_row, strict=True))


def _chunks(stored: FieldFile) -> Iterator[bytes]:
    with stored.storage.open(stored.name, "rb") as handle:
        while chunk := handle.read(_FILE_CHUNK):
            yield chunk


def _files(writer: ArchiveWriter, table: Table, project: Project) -> None:
    """Store the file each row of `table` names; a file missing from storage refuses the export."""
    for row in table.rows_of(project).exclude(**{table.file_field: ""}).iterator():
        stored = getattr(row, table.file_field)
        if not stored.storage.exists(stored.name):
            raise Conflict(
                f"The file of {table.model._meta.verbose_name} {row.pk} ({stored.name}) is "
                "missing from storage: the archive would be incomplete.",
            )
        writer.write_file(file_member_path(table.name, row.pk, stored.name), _chunks(stored))


def project_archive_write(*, project: Project, out: IO[bytes]) -> dict[str, Any]:
    """Write the whole review to `out` as one archive; the manifest written."""
    _inside_a_transaction = connection.in_atomic_block
    with transaction.atomic():
        # One snapshot for every table, so that a vote cast during the export cannot name a
        # reason written after the reasons were read. SQLite's read transaction is one already.
        if connection.vendor == "postgresql" and not _inside_a_transaction:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return _write(project, out)


def _write(project: Project, out: IO[bytes]) -> dict[str, Any]:
    writer = ArchiveWriter(out=out, project=project.slug, app_version=app_version(), notes=NOTES)
    try:
        writer.write_table(USERS, _people(project))
        for table in TABLES:
            writer.write_table(table.name, _rows(table, project))
            if table.file_field:
                _files(writer, table, project)
    except BaseException:
        writer.abort()
        raise
    return writer.close(created_at=timezone.now())
