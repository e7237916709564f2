"""Inserting many rows at once: COPY on PostgreSQL, bulk_create elsewhere.

An import of 100k records is 200k rows with long text. Django's bulk_create on PostgreSQL builds
arrays of every value in Python (UNNEST), which costs several times the COPY protocol; COPY
streams the same rows in psycopg's C code. Only plain rows of concrete fields go through here:
no signals, no save() logic (the project has none by design).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

import orjson
from django.db import connection, models
from django.utils import timezone


def insert_rows(
    model: type[models.Model],
    rows: Sequence[dict[str, Any]],
    *,
    common: dict[str, Any] | None = None,
) -> list[int]:
    """Insert rows (column attname -> value) and return their new primary keys, in order.

    `common` holds the values every row shares (the project, the search), given once.
    """
    if not rows:
        return []
    if connection.vendor != "postgresql":
        shared = common or {}
        objects = model.objects.bulk_create([model(**shared, **row) for row in rows])
        return [obj.pk for obj in objects]
    return _copy(model, rows, common or {})


def _copy(
    model: type[models.Model], rows: Sequence[dict[str, Any]], common: dict[str, Any]
) -> list[int]:
    meta = model._meta
    table = connection.ops.quote_name(meta.db_table)
    pk_column = meta.pk.column
    fields = [f for f in meta.concrete_fields if f is not meta.pk]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, pk_column, len(rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        columns = ", ".join(
            connection.ops.quote_name(c) for c in [pk_column, *(f.column for f in fields)]
        )
        # Each row is its values laid over the defaults and the shared values, read in column
        # order by one itemgetter: two C calls per row instead of a Python lookup per column.
        base = _defaults(fields) | common
        values_of = itemgetter(*base)
        json_columns = [i for i, f in enumerate(fields, start=1) if isinstance(f, models.JSONField)]
        # The binary format: psycopg writes each value as it is, with its length, where the text
        # format escapes every character of the long text columns: less work on both sides.
        raw = cursor.cursor  # psycopg's own cursor: COPY is not part of the DB-API
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types([_type_name(f) for f in [meta.pk, *fields]])
            write_row = copy.write_row
            for pk, row in zip(ids, rows, strict=True):
                values = [pk, *values_of(base | row)]
                for i in json_columns:
                    values[i] = _jsonb(values[i])
                write_row(values)
    return ids


# jsonb's binary form is a version byte (1) and the JSON text. Written here as bytes, which
# psycopg sends as they are (see _type_name): its own jsonb dumper is a Python call per value,
# and json.dumps is far slower than orjson on an import's author lists.
_JSONB_VERSION = b"\x01"
_JSONB_EMPTY_LIST = b"\x01[]"


def _jsonb(value: object) -> bytes | None:
    if value is None:
        return None
    if value == []:
        return _JSONB_EMPTY_LIST
    return _JSONB_VERSION + orjson.dumps(value)


def _defaults(fields: list[models.Field]) -> dict[str, object]:
    """Per column, the value when a row has none, as the ORM would fill it."""
    now = timezone.now()
    defaults = {}
    for field in fields:
        if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
            defaults[field.attname] = now
        else:
            defaults[field.attname] = field.get_default()  # "" for a text field, as the ORM
    return defaults


@contextmanager
def foreign_keys_checked_per_statement() -> Iterator[None]:
    """Check foreign keys at the end of each statement inside the block, not at the commit.

    Django's foreign keys are deferred: the 400,000 checks of a 100k import all ran at the
    commit, with nothing else to do meanwhile. Checked as each COPY ends, they run on the
    database's core while the import parses its next batch on ours.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        yield
        # As Django declares every one. Only on success: after an error the transaction is
        # rolled back, which ends the setting too (and would refuse this statement).
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _type_name(field: models.Field) -> str:
    """The column's type for psycopg: `varchar`, not `varchar(500)`; jsonb values go as bytes."""
    if isinstance(field, models.JSONField):
        return "bytea"  # the bytes of _jsonb, sent untouched into the jsonb column
    return field.db_type(connection).split("(")[0]


def update_rows(
    model: type[models.Model], objects: Sequence[models.Model], fields: list[str]
) -> None:
    """Save `fields` of many objects: COPY into a temporary table and one UPDATE on PostgreSQL.

    Django's bulk_update builds a CASE per field per row in Python, too slow for the thousands
    of references a dedup run refreshes; one COPY and one UPDATE are not.
    """
    if not objects:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objects, fields, batch_size=500)
        return
    meta = model._meta
    table = connection.ops.quote_name(meta.db_table)
    columns = [meta.get_field(name) for name in fields]
    names = ", ".join(connection.ops.quote_name(f.column) for f in columns)
    pk = connection.ops.quote_name(meta.pk.column)
    assignments = ", ".join(
        f"{connection.ops.quote_name(f.column)} = t.{connection.ops.quote_name(f.column)}"
        for f in columns
    )
    temporary = connection.ops.quote_name(f"update_{meta.db_table}")
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {temporary} ON COMMIT DROP AS "  # noqa: S608 - names from the model
            f"SELECT {pk}, {names} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {temporary} ({pk}, {names}) FROM STDIN") as copy:
            for obj in objects:
                copy.write_row(
                    [obj.pk]
                    + [
                        orjson.dumps(getattr(obj, f.attname)).decode()
                        if isinstance(f, models.JSONField)
                        else getattr(obj, f.attname)
                        for f in columns
                    ]
                )
        cursor.execute(
            f"UPDATE {table} SET {assignments} FROM {temporary} t WHERE {table}.{pk} = t.{pk}"  # noqa: S608
        )
        cursor.execute(f"DROP TABLE {temporary}")


# PostgreSQL plans from table statistics, which autovacuum refreshes only a while after a bulk
# load. Until then it believes a 100k-reference project holds a dozen rows, and picks plans that
# read all of them, on the screening path too. Below this many new rows the old statistics are
# close enough.
ANALYZE_AFTER_ROWS = 5000


def refresh_statistics(*models_: type[models.Model], rows: int) -> None:
    """After loading `rows` rows, let PostgreSQL's planner see the tables as they now are."""
    if connection.vendor != "postgresql" or rows < ANALYZE_AFTER_ROWS:
        return
    with connection.cursor() as cursor:
        # A sample of 3,000 rows, not the default 30,000: the plans only need the tables' sizes
        # and the spread of their keys (project, reference), which a small sample gives. The
        # default read nearly every page of a 100k-reference table, a large part of an import;
        # autovacuum refines the statistics later with its own full sample.
        cursor.execute("SET default_statistics_target = 10")
        try:
            for model in models_:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        finally:
            cursor.execute("RESET default_statistics_target")
