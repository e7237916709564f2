"""Restoring a whole review from its archive: everything checked first, then written in one
transaction (all or nothing), the stored files put back, people matched by username."""

from __future__ import annotations

import contextlib
import hashlib
import posixpath
import re
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.management.color import no_style
from django.db import DatabaseError, IntegrityError, connection, models, transaction

from ..archive.format import FILES_DIR, ArchiveError, ArchiveReader, table_member
from ..errors import Conflict, InvalidInput
from ..models import Project
from .archive_export import file_member_path
from .archive_tables import (
    MOVE_KEYS,
    TABLE_NAMES,
    TABLE_OF_OBJECT_TYPE,
    TABLES,
    USER_COLUMNS,
    USERS,
    Table,
    links,
)
from .audit import audit_record

_BATCH = 1000
_ID_CHUNK = 2000
_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,80}$")


@dataclass
class RestoreResult:
    project: Project
    # People the archive names who had no account here: created inactive, no usable password.
    created_users: list[str]
    # False when some archived id was taken here and every id was renumbered.
    ids_kept: bool
    tables: dict[str, int]


@dataclass
class _Checked:
    """What the check of an archive found: each table's ids, to decide whether they can be kept."""

    ids: dict[str, set[int]] = field(default_factory=dict)


def _refuse(error: ArchiveError) -> InvalidInput:
    return InvalidInput(str(error), field="file")


def _fields(table: Table) -> dict[str, models.Field]:
    return {f.attname: f for f in table.model._meta.concrete_fields}


def _convert(f: models.Field, value: object, where: str) -> object:
    if value is None:
        if not f.null and not f.has_default():
            raise ArchiveError(f"{where}: may not be empty")
        return None
    if isinstance(value, dict | list) and not isinstance(f, models.JSONField):
        raise ArchiveError(f"{where}: a JSON {type(value).__name__} where a value belongs")
    try:
        return f.to_python(value)
    except ValidationError as error:
        raise ArchiveError(f"{where}: {'; '.join(error.messages)}") from None
    except (TypeError, ValueError) as error:
        raise ArchiveError(f"{where}: {error}") from None


def _check_users(reader: ArchiveReader, checked: _Checked) -> None:
    ids: set[int] = set()
    for number, row in reader.rows(USERS):
        where = f"{table_member(USERS)} line {number}"
        if set(row) - set(USER_COLUMNS):
            raise ArchiveError(f"{where}: unknown columns {sorted(set(row) - set(USER_COLUMNS))}")
        username, pk = row.get("username"), row.get("id")
        if not isinstance(username, str) or not 0 < len(username) <= 150:
            raise ArchiveError(f"{where}, field username: must be a username")
        if not isinstance(pk, int) or isinstance(pk, bool):
            raise ArchiveError(f"{where}, field id: must be a whole number")
        if pk in ids:
            raise ArchiveError(f"{where}, field id: {pk} is there twice")
        ids.add(pk)
    checked.ids[USERS] = ids


def _check_table(reader: ArchiveReader, table: Table, checked: _Checked) -> None:
    """Every row of `table` fits its model, and every id it names is a row of the archive."""
    fields, targets = _fields(table), links(table)
    member = table_member(table.name)
    ids: set[int] = set()
    own: list[tuple[str, int]] = []
    for number, row in reader.rows(table.name):
        where = f"{member} line {number}"
        unknown = set(row) - set(fields)
        if unknown:
            raise ArchiveError(f"{where}: unknown columns {sorted(unknown)}")
        if not isinstance(row.get("id"), int) or isinstance(row.get("id"), bool):
            raise ArchiveError(f"{where}, field id: must be a whole number")
        if row["id"] in ids:
            raise ArchiveError(f"{where}, field id: {row['id']} is there twice")
        for column, value in row.items():
            converted = _convert(fields[column], value, f"{where}, field {column}")
            target = targets.get(column)
            if converted is None or target is None:
                continue
            if target == table.name:
                own.append((f"{where}, field {column}", converted))
            elif converted not in checked.ids.get(target, ()):
                raise ArchiveError(f"{where}, field {column}: no row {converted} in {target}")
        if table.file_field and row.get(table.file_field):
            if not isinstance(row[table.file_field], str):
                raise ArchiveError(f"{where}, field {table.file_field}: must be a file's name")
            path = FILES_DIR + file_member_path(table.name, row["id"], row[table.file_field])
            if path not in reader.manifest.files:
                raise ArchiveError(f"{where}: its file {path} is not in the archive")
        ids.add(row["id"])
    for where, value in own:
        if value not in ids:
            raise ArchiveError(f"{where}: no row {value} in {table.name}")
    checked.ids[table.name] = ids


def archive_check(reader: ArchiveReader) -> _Checked:
    """The whole archive read through and checked, before anything is written."""
    reader.verify()
    unknown = set(reader.manifest.tables) - TABLE_NAMES
    if unknown:
        raise ArchiveError(f"manifest.json: tables this app does not know: {sorted(unknown)}")
    if reader.manifest.tables.get("project") != 1 or USERS not in reader.manifest.tables:
        raise ArchiveError("manifest.json: an archive holds one project and its people")
    checked = _Checked()
    _check_users(reader, checked)
    for table in TABLES:
        if table.name in reader.manifest.tables:
            _check_table(reader, table, checked)
        else:
            checked.ids[table.name] = set()
    return checked


def _any_id_taken(checked: _Checked) -> bool:
    for table in TABLES:
        ids = sorted(checked.ids[table.name])
        for start in range(0, len(ids), _ID_CHUNK):
            chunk = ids[start : start + _ID_CHUNK]
            if table.model._default_manager.filter(pk__in=chunk).exists():
                return True
    return False


def _reserve_ids(checked: _Checked) -> None:
    """On PostgreSQL, move each table's id sequence past the archived ids before they are
    written (setval is not rolled back: other sessions see it at once), so that a row someone
    else adds during the restore never draws an id the restore is writing. SQLite lets one
    writer at a time, so nobody else writes until the restore commits."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in TABLES:
            if not checked.ids[table.name]:
                continue
            cursor.execute(
                "SELECT pg_get_serial_sequence(%s, %s)",
                [table.model._meta.db_table, table.model._meta.pk.column],
            )
            (sequence,) = cursor.fetchone()
            if sequence is None:
                continue
            cursor.execute(
                f"SELECT setval(%s, GREATEST(last_value, %s)) FROM {sequence}",  # noqa: S608 - the name PostgreSQL gave
                [sequence, max(checked.ids[table.name])],
            )


def _insert_as_archived(
    model: type[models.Model], objs: list[models.Model], *, with_ids: bool
) -> list[int]:
    """Insert the rows exactly as archived: a raw insert (what `loaddata` does, row by row)
    skips the fields' pre_save, so created_at and updated_at keep their archived times instead
    of auto_now's. The new ids, in order."""
    meta = model._meta
    fields = [f for f in meta.local_concrete_fields if with_ids or f is not meta.pk]
    queryset = model._default_manager.all()
    size = max(connection.ops.bulk_batch_size(fields, objs), 1)
    ids: list[int] = []
    for start in range(0, len(objs), size):
        batch = objs[start : start + size]
        if with_ids:
            queryset._insert(batch, fields=fields, raw=True)
            ids += [obj.pk for obj in batch]
            continue
        if not connection.features.can_return_rows_from_bulk_insert:
            raise DatabaseError("This database cannot say the ids of rows inserted together.")
        rows = queryset._insert(
            batch, fields=fields, raw=True, returning_fields=meta.db_returning_fields
        )
        ids += [row[0] for row in rows]
    return ids


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _Restorer:
    def __init__(self, reader: ArchiveReader, *, keep_ids: bool, slug: str) -> None:
        self.reader, self.keep_ids, self.slug = reader, keep_ids, slug
        self.maps: dict[str, dict[int, int]] = {}
        self.created_users: list[str] = []
        self.written: list[tuple[Storage, str]] = []

    def people(self) -> None:
        user_model = get_user_model()
        rows = [row for _, row in self.reader.rows(USERS)]
        here = dict(
            user_model._default_manager.filter(
                username__in=[r["username"] for r in rows]
            ).values_list("username", "pk")
        )
        mapping: dict[int, int] = {}
        for row in rows:
            if row["username"] not in here:
                person = user_model(
                    username=row["username"],
                    email=str(row.get("email") or ""),
                    first_name=str(row.get("first_name") or ""),
                    last_name=str(row.get("last_name") or ""),
                    is_active=False,
                )
                person.set_unusable_password()
                person.save()
                here[row["username"]] = person.pk
                self.created_users.append(row["username"])
            mapping[row["id"]] = here[row["username"]]
        self.maps[USERS] = mapping

    def table(self, table: Table) -> int:
        fields, targets = _fields(table), links(table)
        mapping: dict[int, int] = {}
        self.maps[table.name] = mapping
        batch: list[tuple[int, models.Model]] = []
        later: list[tuple[int, str, int]] = []  # links within the table, set once all are in
        count = 0
        rows = self.reader.rows(table.name) if table.name in self.reader.manifest.tables else ()
        for _, row in rows:
            values = {column: fields[column].to_python(raw) for column, raw in row.items()}
            old = values.pop("id")
            for column, target in targets.items():
                value = values.get(column)
                if value is None:
                    continue
                if target is None:
                    values[column] = None
                elif target == table.name:
                    later.append((old, column, value))
                    values[column] = None
                else:
                    values[column] = self.maps[target][value]
            self._renumber_inside(table, values)
            if table.name == "project":
                values["slug"] = self.slug
            if self.keep_ids:
                values["id"] = old
            instance = table.model(**values)
            if table.file_field and row.get(table.file_field):
                self._file_back(table, instance, old, row[table.file_field])
            batch.append((old, instance))
            if len(batch) >= _BATCH:
                count += self._insert(table, batch, mapping)
        count += self._insert(table, batch, mapping)
        if later:
            table.model._default_manager.bulk_update(
                [table.model(pk=mapping[old], **{c: mapping[v]}) for old, c, v in later],
                sorted({c for _, c, _ in later}),
                batch_size=_BATCH,
            )
        return count

    def _insert(
        self, table: Table, batch: list[tuple[int, models.Model]], mapping: dict[int, int]
    ) -> int:
        if not batch:
            return 0
        made = _insert_as_archived(
            table.model, [instance for _, instance in batch], with_ids=self.keep_ids
        )
        for (old, _), pk in zip(batch, made, strict=True):
            mapping[old] = pk
        size = len(batch)
        batch.clear()
        return size

    def _renumber_inside(self, table: Table, values: dict[str, Any]) -> None:
        """Ids kept inside JSON and text columns, renumbered with the rows they name. An id of a
        row gone since (a deleted resolution a merge once moved) names nothing and is dropped."""
        if self.keep_ids:
            return
        if table.name == "duplicate_candidates":
            refs = self.maps["references"]
            values["references"] = [refs[r] for r in values.get("references", []) if r in refs]
            moves = []
            for move in values.get("moves", []):
                renumbered = {
                    key: self.maps[MOVE_KEYS[key]].get(value) if key in MOVE_KEYS else value
                    for key, value in move.items()
                }
                if None not in renumbered.values():
                    moves.append(renumbered)
            values["moves"] = moves
        if table.name == "screening_stops" and isinstance(values.get("evidence"), dict):
            sample = values["evidence"].get("sample")
            if isinstance(sample, int) and sample in self.maps["stopping_samples"]:
                values["evidence"] = {
                    **values["evidence"],
                    "sample": self.maps["stopping_samples"][sample],
                }
        if table.name == "audit_events":
            target = TABLE_OF_OBJECT_TYPE.get(values.get("object_type", ""))
            object_id = values.get("object_id", "")
            if target in self.maps and object_id.isascii() and object_id.isdigit():
                found = self.maps[target].get(int(object_id))
                values["object_id"] = str(found) if found is not None else object_id

    def _file_back(self, table: Table, instance: models.Model, old: int, stored: str) -> None:
        """Put the row's file back in storage where the field files it (its old name, when the
        ids are kept), its name's last part only: an archive names no path of its own. An
        identical file there already is used as it is."""
        data = self.reader.read_file(FILES_DIR + file_member_path(table.name, old, stored))
        file_field = instance._meta.get_field(table.file_field)
        storage = file_field.storage
        name = file_field.generate_filename(instance, posixpath.basename(stored))
        if storage.exists(name):
            with storage.open(name, "rb") as existing:
                if _sha256(existing.read()) == _sha256(data):
                    setattr(instance, table.file_field, name)
                    return
        saved = storage.save(name, ContentFile(data))
        self.written.append((storage, saved))
        setattr(instance, table.file_field, saved)

    def forget_files(self) -> None:
        for storage, name in self.written:
            with contextlib.suppress(OSError):
                storage.delete(name)


def _reset_sequences() -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), [t.model for t in TABLES])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def project_archive_restore(
    *, source: IO[bytes], slug: str = "", actor: AbstractBaseUser | None = None
) -> RestoreResult:
    """Restore a whole review from an archive, as a new project (slug: the archive's, or `slug`).

    Refused with a clear message, writing nothing, for an archive that is not one, of a newer
    format, damaged (row counts, file hashes, a row that does not fit) or of a slug taken here.
    """
    try:
        reader = ArchiveReader(
            source, max_file_bytes=max(settings.UPLOAD_MAX_BYTES, settings.REPORT_MAX_BYTES)
        )
        checked = archive_check(reader)
    except ArchiveError as error:
        raise _refuse(error) from None
    slug = slug or reader.manifest.project
    if not _SLUG.match(slug):
        raise InvalidInput("The slug must be letters, digits, - and _ only.", field="slug")
    if Project.objects.filter(slug=slug).exists():
        raise Conflict(
            f"A project with the slug {slug!r} exists already: restore under another slug.",
            field="slug",
        )
    restorer = _Restorer(reader, keep_ids=not _any_id_taken(checked), slug=slug)
    try:
        with transaction.atomic():
            if restorer.keep_ids:
                _reserve_ids(checked)
            restorer.people()
            tables = {table.name: restorer.table(table) for table in TABLES}
            project = Project.objects.get(slug=slug)
            if restorer.keep_ids:
                _reset_sequences()
            audit_record(
                actor=actor,
                verb="archive restored",
                obj=project,
                after={
                    "slug": slug,
                    "from": reader.manifest.project,
                    "app_version": reader.manifest.app_version,
                    "ids_kept": restorer.keep_ids,
                    "created_users": restorer.created_users,
                },
            )
    except ArchiveError as error:
        restorer.forget_files()
        raise _refuse(error) from None
    except IntegrityError as error:
        restorer.forget_files()
        if Project.objects.filter(slug=slug).exists():
            raise Conflict(
                f"A project with the slug {slug!r} was made meanwhile.", field="slug"
            ) from None
        raise InvalidInput(
            f"The archive's rows do not fit this app's database: {error}", field="file"
        ) from None
    except SuspiciousFileOperation as error:
        restorer.forget_files()
        raise InvalidInput(f"A stored file's name is refused: {error}", field="file") from None
    except (DatabaseError, ValidationError, ValueError) as error:
        restorer.forget_files()
        raise InvalidInput(
            f"The archive's rows do not fit this app's database: {error}", field="file"
        ) from None
    except BaseException:
        restorer.forget_files()
        raise
    return RestoreResult(
        project=project,
        created_users=restorer.created_users,
        ids_kept=restorer.keep_ids,
        tables=tables,
    )
