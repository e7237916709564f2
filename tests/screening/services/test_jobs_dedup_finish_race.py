"""Two finishing steps of one dedup run at the same moment (a redelivered chord beside the
reaper's re-run) on PostgreSQL: the job's row lock in services/dedup.py's dedup_finish puts them
one after the other, and the second finds the run applied."""

from __future__ import annotations

import threading
import time
from dataclasses import asdict

import pytest
from django.db import connection, connections

from screening import dedup
from screening.models import AuditEvent, Job, JobKind, JobStatus, Reference
from screening.services import dedup as service

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _postgres_only(db) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite runs one writer at a time anyway")


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        # Inside a transaction the statistics views keep their first snapshot: take a new one.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def test_two_finishes_of_one_dedup_run_at_once_apply_it_once(
    project, lead, demo_imports, monkeypatch
) -> None:
    records = service.dedup_records(list(Reference.objects.filter(project=project).order_by("pk")))
    decisions = [asdict(d) for d in dedup.compare_pairs(records, dedup.blocked_pairs(records))]
    expected = dedup.find_duplicates(records)
    merged = sum(len(c) - 1 for c in expected.clusters)
    assert merged > 0
    job = Job.objects.create(kind=JobKind.DEDUP, project=project, created_by=lead)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    ids = [r.id for r in records]

    def finish() -> None:
        service.dedup_finish(job_id=job.pk, chunks=[decisions], ids=ids)

    def second() -> None:
        try:
            finish()
        finally:
            connections.close_all()

    racer = threading.Thread(target=second)
    real_apply = service.dedup_apply

    def apply_while_another_finishes(**kwargs: object) -> dict:
        if not racer.is_alive() and racer.ident is None:
            racer.start()
            # The other finish either waits for this one's lock, or (without it) runs through.
            deadline = time.monotonic() + 30
            while racer.is_alive() and not _waiting_on_a_lock():
                assert time.monotonic() < deadline, "the second finish neither waited nor ended"
                time.sleep(0.01)
        return real_apply(**kwargs)

    monkeypatch.setattr(service, "dedup_apply", apply_while_another_finishes)
    finish()
    racer.join(timeout=60)
    assert not racer.is_alive()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.result["merged"] == merged
    assert AuditEvent.objects.filter(verb="dedup.run").count() == 1  # applied once
