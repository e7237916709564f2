"""Migration 0009 numbers each project's existing reasons in the alphabetical order the lists
showed before it, so that no key a reviewer learnt moves when it runs; and it can be undone."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("screening", "0008_highlight_terms")]
AFTER = [("screening", "0009_exclusion_reason_order_and_retirement")]


def _migrate(targets: list[tuple[str, str]]):  # noqa: ANN202 - the historical Apps
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_existing_reasons_are_numbered_alphabetically_per_project_and_it_reverses() -> None:
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        apps = _migrate(BEFORE)
        project_model = apps.get_model("screening", "Project")
        reason_model = apps.get_model("screening", "ExclusionReason")
        projects = [
            project_model.objects.create(name=f"Review {n}", slug=f"review-{n}") for n in (1, 2)
        ]
        # Created out of alphabetical order; a proposed one among them, as the lists showed it.
        for project, names in zip(projects, (["Wrong outcome", "Abstract only", "Protocol"],
                                             ["Not a trial", "Animal study"]), strict=True):  # fmt: skip
            for name in names:
                reason_model.objects.create(project=project, name=name, proposed=name == "Protocol")

        apps = _migrate(AFTER)
        reason_model = apps.get_model("screening", "ExclusionReason")
        numbered = {
            (r.project.slug, r.name): r.position
            for r in reason_model.objects.select_related("project")
        }
        assert numbered == {
            ("review-1", "Abstract only"): 1,
            ("review-1", "Protocol"): 2,
            ("review-1", "Wrong outcome"): 3,
            ("review-2", "Animal study"): 1,
            ("review-2", "Not a trial"): 2,
        }
        assert not reason_model.objects.filter(retired_at__isnull=False).exists()

        apps = _migrate(BEFORE)
        with connection.cursor() as cursor:
            columns = [
                c.name
                for c in connection.introspection.get_table_description(
                    cursor, "screening_exclusionreason"
                )
            ]
        assert "position" not in columns
        assert apps.get_model("screening", "ExclusionReason").objects.count() == 5
    finally:
        _migrate(latest)
