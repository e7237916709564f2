"""A large import leaves PostgreSQL's planner statistics up to date (screening.services.bulk)."""

from __future__ import annotations

import pytest
from django.db import connection

from benchmarks.corpus import medline_bytes
from screening.services.bulk import ANALYZE_AFTER_ROWS
from screening.services.imports import SearchDetails, search_import

pytestmark = pytest.mark.django_db


def _estimated_rows(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0]


def test_a_large_import_refreshes_the_planner_statistics(project, lead) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's")
    n = ANALYZE_AFTER_ROWS + 500
    search_import(
        project=project,
        data=medline_bytes(n),
        filename="big.nbib",
        details=SearchDetails(database="PubMed"),
        user=lead,
    )
    assert _estimated_rows("screening_reference") == pytest.approx(n, rel=0.05)
    assert _estimated_rows("screening_record") == pytest.approx(n, rel=0.05)
