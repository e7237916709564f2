"""Compress the long text of records and references with lz4 on PostgreSQL.

pglz, PostgreSQL's default, spent a quarter of a large import's time compressing raw entries and
abstracts; lz4 (PostgreSQL 14+) is several times faster for a similar size. Other databases are
left as they are.
"""

from django.db import migrations

COLUMNS = {
    "screening_record": ["raw", "abstract", "title"],
    "screening_reference": ["abstract", "title"],
}


def set_compression(method: str):  # noqa: ANN201 - a migration callable factory
    def apply(apps, schema_editor) -> None:  # noqa: ANN001
        if schema_editor.connection.vendor != "postgresql":
            return
        for table, columns in COLUMNS.items():
            changes = ", ".join(f"ALTER COLUMN {c} SET COMPRESSION {method}" for c in columns)
            schema_editor.execute(f"ALTER TABLE {table} {changes}")

    return apply


class Migration(migrations.Migration):
    dependencies = [("screening", "0002_fewer_indexes_on_imports")]

    operations = [migrations.RunPython(set_compression("lz4"), set_compression("pglz"))]
