"""The round trip: a review with everything in it, archived, the database flushed (an empty
instance, with new empty storage), restored: every export of the review is the same.

What may differ, and why: only the ranking's "job" (a retrain waiting or running): jobs are a
server's background bookkeeping and are left out of the archive, so none is under way after a
restore. XLSX files are compared by their cells, since the workbook's own metadata stamps the
time it was written. The restore itself is audited as a site event (no project), so the
project's history stays as it was."""

from __future__ import annotations

import io
import json
import zipfile

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection

from screening.models import AuditEvent, Project, RankedReference, Ranking
from screening.services.archive import project_archive_restore, project_archive_write
from tests.screening.archive.review import PEOPLE, SLUG, build_review, clients, exports

pytestmark = pytest.mark.django_db(transaction=False)


def cells(xlsx: bytes) -> list[list[list[object]]]:
    book = openpyxl.load_workbook(io.BytesIO(xlsx), read_only=True)
    return [[list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets]


def comparable(found: dict[str, bytes]) -> dict[str, object]:
    same = {name: cells(body) if name.endswith("xlsx") else body for name, body in found.items()}
    same["ranking"] = {k: v for k, v in json.loads(found["ranking"]).items() if k != "job"}
    return same


def archive_of(project: Project) -> bytes:
    out = io.BytesIO()
    project_archive_write(project=project, out=out)
    return out.getvalue()


def empty_the_database() -> None:
    """`flush`, inside the test's transaction: on PostgreSQL the deferred foreign-key checks
    pending in it are run first, since TRUNCATE refuses a table with checks pending."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.fixture
def review() -> Project:
    return build_review()


def test_a_review_restored_into_an_empty_instance_exports_the_same(
    review, settings, tmp_path
) -> None:
    exports_before = exports(SLUG)
    before = comparable(exports_before)
    archive = archive_of(review)
    ranked_stages = set(Ranking.objects.filter(project=review).values_list("stage", flat=True))

    empty_the_database()
    settings.MEDIA_ROOT = tmp_path / "new-server-media"
    assert not Project.objects.exists()
    assert not get_user_model().objects.exists()

    result = project_archive_restore(source=io.BytesIO(archive))

    assert result.ids_kept
    assert result.project.slug == SLUG
    assert sorted(result.created_users) == sorted(PEOPLE)
    people = get_user_model().objects.filter(username__in=PEOPLE)
    assert not any(p.is_active or p.has_usable_password() for p in people)
    # Someone sets their passwords on the new server; they sign in and read the same review.
    people.update(is_active=True)
    after = comparable(exports(SLUG))
    assert sorted(after) == sorted(before)
    differing = [name for name in before if before[name] != after[name]]
    assert differing == [], differing
    # The one difference: the retrain the source still had queued (jobs are not archived).
    assert json.loads(exports_before["ranking"])["job"] is not None
    # Left out as derived: a ranking's positions, until the next retrain.
    assert set(Ranking.objects.filter(project=result.project).values_list("stage", flat=True)) == (
        ranked_stages
    )
    assert not RankedReference.objects.exists()
    # The new server goes on from there: new rows take ids after the archived ones.
    lead = clients()["lead"]
    answer = lead.post(f"/projects/{SLUG}/exclusion-reasons", {"name": "Wrong setting"})
    assert answer.status_code == 201, answer.content
    restored = AuditEvent.objects.get(verb="archive restored")
    assert restored.project_id is None
    assert restored.after["ids_kept"] is True


def test_the_archive_holds_every_table_and_file_the_manifest_lists(review) -> None:
    archive = archive_of(review)
    with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
        manifest = json.loads(zipped.read("manifest.json"))
        names = set(zipped.namelist())
    assert manifest["format"] == "reviewtool-archive"
    assert manifest["format_version"] == 1
    assert manifest["project"] == SLUG
    for table in (
        "users",
        "project",
        "memberships",
        "searches",
        "records",
        "references",
        "votes",
        "resolutions",
        "reports",
        "exclusion_reasons",
        "duplicate_candidates",
        "pilots",
        "rankings",
        "ranking_seeds",
        "stopping_samples",
        "stopping_sample_references",
        "screening_stops",
        "stopped_references",
        "codebooks",
        "codebook_fields",
        "extractions",
        "double_extractions",
        "consensus",
        "extraction_assignments",
        "audit_events",
    ):
        assert manifest["tables"][table] > 0, table
        assert f"tables/{table}.jsonl" in names
    # Three searches' exports and five PDFs.
    assert sum(name.startswith("files/searches/") for name in manifest["files"]) == 3
    assert sum(name.startswith("files/reports/") for name in manifest["files"]) == 5
    assert set(manifest["files"]) <= names
    assert "left_out" in manifest["notes"]


def test_a_review_restored_beside_itself_is_renumbered_and_counts_the_same(review) -> None:
    """Ids taken (the original is still here): every id and link renumbered, the figures equal."""
    archive = archive_of(review)
    before = exports(SLUG)

    result = project_archive_restore(source=io.BytesIO(archive), slug="carried")

    assert not result.ids_kept
    assert result.created_users == []
    copy = exports("carried")
    for name in (
        "prisma",
        "prisma.csv",
        "prisma.csv 2022",
        f"agreement {'title_abstract'}",
        f"agreement {'full_text'}",
        "extraction agreement",
        "extraction summary",
        "codebook",
        "page report/methods.txt",
    ):
        assert copy[name] == before[name], name
    # The same people, roles, votes and reasons; only ids differ.
    assert copy["members"] == before["members"]
    original, restored = (Project.objects.get(slug=s) for s in (SLUG, "carried"))
    for relation in ("votes", "resolutions", "records", "references", "audit_events"):
        assert getattr(restored, relation).count() == getattr(original, relation).count()
    assert set(restored.references.values_list("pk", flat=True)).isdisjoint(
        original.references.values_list("pk", flat=True)
    )
    # Links inside JSON renumbered with the rows: the merges' references are the copy's own.
    own = set(restored.references.values_list("pk", flat=True))
    for candidate in restored.duplicates.all():
        assert set(candidate.references) <= own
        assert {move["from"] for move in candidate.moves} <= own
    stop = restored.screening_stops.get()
    assert stop.evidence["sample"] == stop.sample_id
    assert stop.sample.project == restored
    # The stored files were put back under the copy's own paths.
    for search in restored.searches.all():
        assert search.file.name.startswith(f"projects/{restored.pk}/")
        assert search.file.read()
