"""The PRISMA benchmark's measuring half stays runnable: it finds the seeded project, times GET
/prisma through the whole stack, and names every query the counts make (so `python -m benchmarks
prisma` does not break when the counts change)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from benchmarks import bench_prisma
from screening.models import Reference, Vote
from screening.services.projects import project_create

pytestmark = pytest.mark.django_db


def test_the_measuring_half_times_the_counts_and_names_their_queries() -> None:
    users = get_user_model().objects
    admin, reviewer = users.create_user(username="bench-admin"), users.create_user(username="r1")
    project = project_create(name="Screening benchmark", creator=admin)
    references = Reference.objects.bulk_create([Reference(project=project) for _ in range(4)])
    Vote.objects.create(
        project=project, reference=references[0], stage="title_abstract", reviewer=reviewer,
        vote="exclude",
    )  # fmt: skip
    figures = bench_prisma._measure_here(vacuum=False)
    assert len(figures["times"]) == bench_prisma.CALLS
    assert all(ms > 0 for ms in figures["times"])
    names = [query["name"] for query in figures["queries"]]
    assert names[0] == "1. record, search"  # records per search, then the statuses, ...
    assert any("vote" in name and "reference" in name for name in names)
    assert all(query["ms"] >= 0 for query in figures["queries"])


def test_percentiles_are_read_off_the_sorted_values() -> None:
    values = [float(v) for v in range(1, 21)]
    assert bench_prisma._percentile(values, 0.5) == 11.0
    assert bench_prisma._percentile(values, 0.95) == 19.0
    assert bench_prisma._percentile([3.0], 0.95) == 3.0
