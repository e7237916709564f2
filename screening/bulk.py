"""Inserting many rows at once: COPY on PostgreSQL, bulk_create elsewhere.

An import of 100k records is 200k rows with long text. Django's bulk_create on PostgreSQL builds
arrays of every value in Python (UNNEST), which costs several times the COPY protocol; COPY
streams the same rows in psycopg's C code. Only plain rows of concrete fields go through here:
no signals, no save() logic (the project has none by design).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone


def insert_rows(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert rows (column attname -> value) and return their new primary keys, in order."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objects = model.objects.bulk_create([model(**row) for row in rows])
        return [obj.pk for obj in objects]
    return _copy(model, rows)


def _copy(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> list[int]:
    meta = model._meta
    table = connection.ops.quote_name(meta.db_table)
    pk_column = meta.pk.column
    fields = [f for f in meta.concrete_fields if f is not meta.pk]
    plan = _plan(fields)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, pk_column, len(rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        columns = ", ".join(
            connection.ops.quote_name(c) for c in [pk_column, *(f.column for f in fields)]
        )
        raw = cursor.cursor  # psycopg's own cursor: COPY is not part of the DB-API
        pairs = [(attname, default) for attname, default, _ in plan]
        json_columns = [i for i, (_, _, is_json) in enumerate(plan, start=1) if is_json]
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            write_row = copy.write_row
            for pk, row in zip(ids, rows, strict=True):
                get = row.get
                values = [pk, *[get(attname, default) for attname, default in pairs]]
                for i in json_columns:
                    values[i] = _json(values[i])
                write_row(values)
    return ids


# One encoder, built once: json.dumps would check its keyword arguments on each of the 600k
# values a 100k import writes. Most of those values are empty lists, written without a call.
_encode_json = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode


def _json(value: object) -> str | None:
    if value is None:
        return None
    if value == []:
        return "[]"
    return _encode_json(value)


def _plan(fields: list[models.Field]) -> list[tuple[str, object, bool]]:
    """Per column: the row key, the value when the row has none (as the ORM would fill it), JSON?"""
    now = timezone.now()
    plan = []
    for field in fields:
        if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
            default: object = now
        else:
            default = field.get_default()  # "" for a text field without a default, as the ORM
        plan.append((field.attname, default, isinstance(field, models.JSONField)))
    return plan


def update_rows(
    model: type[models.Model], objects: Sequence[models.Model], fields: list[str]
) -> None:
    """Save `fields` of many objects: COPY into a temporary table and one UPDATE on PostgreSQL.

    Django's bulk_update builds a CASE per field per row in Python, which took 18 s for 4,000
    references of a 30k dedup run; this takes a fraction of a second.
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
                        json.dumps(getattr(obj, f.attname))
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
# read all of them (the next reference took 230 ms instead of 2). Below this many new rows the
# old statistics are close enough.
ANALYZE_AFTER_ROWS = 5000


def refresh_statistics(*models_: type[models.Model], rows: int) -> None:
    """After loading `rows` rows, let PostgreSQL's planner see the tables as they now are."""
    if connection.vendor != "postgresql" or rows < ANALYZE_AFTER_ROWS:
        return
    with connection.cursor() as cursor:
        for model in models_:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
