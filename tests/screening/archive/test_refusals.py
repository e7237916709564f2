"""A restore is all or nothing: every refused archive, and one failing half-way, leaves the
database and the stored files exactly as they were."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from screening.errors import Conflict, InvalidInput
from screening.models import Project, Reference
from screening.services import archive_restore
from screening.services.archive import project_archive_restore, project_archive_write
from screening.services.fulltext import report_attach, report_mark_not_retrieved
from screening.services.screening import vote_cast
from tests.pdfs import pdf_with_text
from tests.screening.archive.test_format import rewritten

pytestmark = pytest.mark.django_db
TA = "title_abstract"


@pytest.fixture
def archive(project, demo_imports, lead, reviewer_a, reviewer_b) -> bytes:
    """A small review (two searches, votes, a PDF, a not-retrieved) as an archive."""
    refs = list(Reference.objects.filter(project=project).order_by("pk"))
    for ref in refs[:2]:
        for who in (reviewer_a, reviewer_b):
            vote_cast(reference=ref, reviewer=who, stage=TA, vote="include")
    report_attach(
        reference=refs[0], data=io.BytesIO(pdf_with_text("A study")), filename="a.pdf", user=lead
    )
    report_mark_not_retrieved(reference=refs[1], user=lead, note="paywall")
    out = io.BytesIO()
    project_archive_write(project=project, out=out)
    return out.getvalue()


def state(media: Path) -> tuple[dict[str, int], set[str]]:
    """Every model's row count and every stored file: what a refused restore must not change."""
    counts = {
        model._meta.label: model._default_manager.count()
        for label in ("auth", "screening", "extraction")
        for model in apps.get_app_config(label).get_models()
    }
    files = {str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()}
    return counts, files


def manifest_of(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        return json.loads(zipped.read("manifest.json"))


def with_manifest(data: bytes, **fields: object) -> bytes:
    manifest = {**manifest_of(data), **fields}
    return rewritten(data, {"manifest.json": json.dumps(manifest).encode()})


def with_rows(data: bytes, table: str, change: callable) -> bytes:
    """The archive with each row of `table` passed through `change` (counts kept)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        lines = zipped.read(f"tables/{table}.jsonl").decode().splitlines()
    rows = [json.dumps(change(json.loads(line))) for line in lines]
    return rewritten(data, {f"tables/{table}.jsonl": ("\n".join(rows) + "\n").encode()})


def refused(data: bytes, settings, error: type = InvalidInput, **options: str) -> str:
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    before = state(media)
    with pytest.raises(error) as refusal:
        project_archive_restore(source=io.BytesIO(data), **options)
    assert state(media) == before, "a refused restore changed something"
    return refusal.value.message


def test_an_archive_of_a_newer_format_is_refused_and_nothing_written(archive, settings) -> None:
    message = refused(with_manifest(archive, format_version=2), settings, slug="copy")
    assert message == (
        "archive format version 2 is newer than this app reads (1): upgrade the app first"
    )


def test_a_corrupt_zip_is_refused(archive, settings) -> None:
    assert refused(archive[: len(archive) // 2], settings, slug="copy").startswith(
        "not a zip archive"
    )


def test_a_tampered_file_is_refused_by_its_hash(archive, settings) -> None:
    pdf = next(name for name in manifest_of(archive)["files"] if name.startswith("files/reports"))
    message = refused(rewritten(archive, {pdf: b"%PDF-1.4 not the one"}), settings, slug="copy")
    assert message == f"{pdf}: its sha256 differs from the manifest's; damaged?"


def test_a_taken_slug_is_refused_with_the_way_out(archive, settings) -> None:
    message = refused(archive, settings, error=Conflict)
    assert "microcredentials" in message
    assert "another slug" in message


def test_a_row_that_does_not_fit_is_refused_naming_line_and_field(archive, settings) -> None:
    bad = with_rows(archive, "votes", lambda row: {**row, "created_at": "yesterday"})
    message = refused(bad, settings, slug="copy")
    assert message.startswith("tables/votes.jsonl line 1, field created_at:")


@pytest.mark.parametrize(
    ("column", "value"),
    [("created_at", 5), ("created_at", ["2026-01-01"]), ("note", {"a": 1}), ("vote", None)],
)
def test_a_value_of_the_wrong_kind_is_refused(archive, settings, column, value) -> None:
    bad = with_rows(archive, "votes", lambda row: {**row, column: value})
    assert refused(bad, settings, slug="copy").startswith(
        f"tables/votes.jsonl line 1, field {column}:"
    )


def test_an_unknown_column_is_refused(archive, settings) -> None:
    bad = with_rows(archive, "records", lambda row: {**row, "colour": "blue"})
    assert refused(bad, settings, slug="copy") == (
        "tables/records.jsonl line 1: unknown columns ['colour']"
    )


def test_a_link_to_a_row_not_in_the_archive_is_refused(archive, settings) -> None:
    bad = with_rows(archive, "votes", lambda row: {**row, "reference_id": 999999})
    assert refused(bad, settings, slug="copy") == (
        "tables/votes.jsonl line 1, field reference_id: no row 999999 in references"
    )


def test_a_row_twice_is_refused(archive, settings) -> None:
    with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
        first = zipped.read("tables/votes.jsonl").decode().splitlines()[0]
    bad = with_rows(archive, "votes", lambda row: json.loads(first))
    assert refused(bad, settings, slug="copy").endswith("is there twice")


def test_a_stored_file_s_path_in_the_archive_is_not_followed(archive, settings) -> None:
    """A report's file named with path parts is put back where reports go, by its last part."""
    bad = with_rows(
        archive, "reports", lambda row: {**row, "file": "../../outside.pdf"} if row["file"] else row
    )
    pdf = next(name for name in manifest_of(archive)["files"] if name.startswith("files/reports"))
    report_id = pdf.split("/")[2]
    with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
        data = zipped.read(pdf)
    moved = rewritten(bad, {pdf: None, f"files/reports/{report_id}/outside.pdf": data})
    manifest = manifest_of(moved)
    files = {name: digest for name, digest in manifest["files"].items() if name != pdf}
    files[f"files/reports/{report_id}/outside.pdf"] = manifest["files"][pdf]
    result = project_archive_restore(
        source=io.BytesIO(with_manifest(moved, files=files)), slug="copy"
    )
    report = result.project.reports.exclude(file="").get()
    assert (
        report.file.name
        == f"projects/{result.project.pk}/reports/{report.reference_id}/outside.pdf"
    )
    assert not (Path(settings.MEDIA_ROOT).parent / "outside.pdf").exists()


def test_an_unknown_table_is_refused(archive, settings) -> None:
    tables = {**manifest_of(archive)["tables"], "secrets": 0}
    data = rewritten(with_manifest(archive, tables=tables), {"tables/secrets.jsonl": b""})
    assert "tables this app does not know: ['secrets']" in refused(data, settings, slug="copy")


def test_a_restore_failing_half_way_leaves_nothing(archive, settings, monkeypatch, project) -> None:
    """The searches' files are written, then the reports' table fails: no row and no file is
    left of it. (Ids are taken here, so the files go to the copy's own new paths.)"""
    real = archive_restore._Restorer.table
    files_written_before_failing = []

    def failing(self: archive_restore._Restorer, table: object) -> int:
        if table.name == "reports":
            files_written_before_failing.append(len(self.written))
            raise RuntimeError("the disk is full")
        return real(self, table)

    monkeypatch.setattr(archive_restore._Restorer, "table", failing)
    media = Path(settings.MEDIA_ROOT)
    before = state(media)
    with pytest.raises(RuntimeError, match="the disk is full"):
        project_archive_restore(source=io.BytesIO(archive), slug="copy")
    assert files_written_before_failing == [2]  # the two searches' exports
    assert state(media) == before
    assert not Project.objects.filter(slug="copy").exists()


def test_a_missing_person_is_created_inactive_and_named(archive, project) -> None:
    get_user_model().objects.filter(username="reviewer_b").update(username="someone_else")
    result = project_archive_restore(source=io.BytesIO(archive), slug="copy")
    assert result.created_users == ["reviewer_b"]
    person = get_user_model().objects.get(username="reviewer_b")
    assert not person.is_active
    assert not person.has_usable_password()
    copy = result.project
    roles = dict(copy.memberships.values_list("user__username", "role"))
    assert roles == {"lead": "lead", "reviewer_a": "reviewer", "reviewer_b": "reviewer"}
    assert set(project.memberships.values_list("user__username", flat=True)) == {
        "lead",
        "reviewer_a",
        "someone_else",
    }
    assert copy.votes.filter(reviewer=person).count() == 2


def test_on_postgresql_the_ids_are_reserved_before_any_is_written(
    archive, settings, tmp_path, monkeypatch
) -> None:
    """Someone adding a vote while the restore runs draws an id past the archived ones."""
    from django.db import connection

    from screening.models import Vote
    from tests.screening.archive.test_round_trip import empty_the_database

    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer at a time: nobody draws an id during a restore")
    archived = max(
        json.loads(line)["id"]
        for line in zipfile.ZipFile(io.BytesIO(archive)).read("tables/votes.jsonl").splitlines()
    )
    empty_the_database()
    settings.MEDIA_ROOT = tmp_path / "new-server-media"
    seen = []
    real = archive_restore._Restorer.people

    def people(self: archive_restore._Restorer) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [Vote._meta.db_table])
            cursor.execute(f"SELECT last_value FROM {cursor.fetchone()[0]}")  # noqa: S608
            seen.append(cursor.fetchone()[0])
        real(self)

    monkeypatch.setattr(archive_restore._Restorer, "people", people)
    result = project_archive_restore(source=io.BytesIO(archive))
    assert result.ids_kept
    assert seen == [archived]


def test_damaged_bytes_anywhere_are_refused_clearly_and_write_nothing(archive, settings) -> None:
    """Forty archives, each with four bytes overwritten at a place drawn with a fixed seed: each
    is refused with a clear message writing nothing, or (bytes nothing reads: a time stamp in a
    zip header) restored whole; never another exception."""
    import random

    from django.db import transaction

    draw = random.Random(19)
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    before = state(media)
    outcomes = {"refused": 0, "restored": 0}
    messages: list[str] = []
    for _ in range(40):
        damaged = bytearray(archive)
        at = draw.randrange(len(damaged) - 4)
        damaged[at : at + 4] = bytes(draw.randrange(256) for _ in range(4))
        with transaction.atomic():
            try:
                result = project_archive_restore(source=io.BytesIO(bytes(damaged)), slug="copy")
            except (InvalidInput, Conflict) as refusal:
                messages.append(refusal.message)
                assert state(media) == before, f"refused at {at} but something was written"
                outcomes["refused"] += 1
            else:
                assert result.project.records.count() == 22, at
                outcomes["restored"] += 1
            transaction.set_rollback(True)
        for stored in set(state(media)[1]) - before[1]:  # a whole restore's files, rolled back
            (media / stored).unlink()
    assert outcomes["refused"] > 30, outcomes
    assert all(messages)
