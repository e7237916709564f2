"""The archive's ways in and out: the API (an admin downloads, site staff restore), the project
page's link, and the two management commands."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command

from screening.models import Project
from tests.screening.archive.test_format import rewritten

pytestmark = pytest.mark.django_db
BASE = "/projects/microcredentials"


@pytest.fixture
def archive(api, admin, demo_imports) -> bytes:
    answer = api(admin).get(f"{BASE}/archive")
    assert answer.status_code == 200
    return b"".join(answer.streaming_content)


def upload(data: bytes, name: str = "review.zip") -> io.BytesIO:
    file = io.BytesIO(data)
    file.name = name
    return file


def newer(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        manifest = json.loads(zipped.read("manifest.json"))
    manifest["format_version"] = 2
    return rewritten(data, {"manifest.json": json.dumps(manifest).encode()})


def test_an_admin_downloads_the_archive_as_an_attachment(api, admin, demo_imports) -> None:
    answer = api(admin).get(f"{BASE}/archive")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/zip"
    assert answer["Content-Disposition"] == ('attachment; filename="microcredentials-archive.zip"')
    with zipfile.ZipFile(io.BytesIO(b"".join(answer.streaming_content))) as zipped:
        manifest = json.loads(zipped.read("manifest.json"))
    assert manifest["project"] == "microcredentials"
    assert manifest["tables"]["records"] == 22


def test_an_archive_missing_a_stored_file_is_refused_not_sent_incomplete(
    api, admin, demo_imports
) -> None:
    search = Project.objects.get(slug="microcredentials").searches.first()
    search.file.storage.delete(search.file.name)
    answer = api(admin).get(f"{BASE}/archive")
    assert answer.status_code == 409
    assert search.file.name in answer.json()["detail"]
    assert "missing from storage" in answer.json()["detail"]


def test_a_lead_may_not_download_the_archive(api, lead, demo_imports) -> None:
    assert api(lead).get(f"{BASE}/archive").status_code == 403


def test_the_project_page_links_the_archive_for_admins_only(
    browser_client, admin, lead, demo_imports
) -> None:
    link = f'href="/api/v1{BASE}/archive"'
    page = browser_client(admin).get(f"{BASE}/")
    assert link in page.content.decode()
    assert "Download the whole review (archive)" in page.content.decode()
    assert link not in browser_client(lead).get(f"{BASE}/").content.decode()
    # The link works with the page's own session, no token needed.
    answer = browser_client(admin).get(f"/api/v1{BASE}/archive")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/zip"


def test_site_staff_restore_an_archive_under_a_new_slug(api, staff, archive) -> None:
    answer = api(staff).upload("/archives", {"file": upload(archive), "slug": "carried"})
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["slug"] == "carried"
    assert body["ids_kept"] is False  # the original is still here
    assert body["created_users"] == []
    assert body["tables"]["records"] == 22
    assert Project.objects.get(slug="carried").records.count() == 22


@pytest.mark.parametrize(
    ("change", "status", "detail"),
    [
        (newer, 400, "archive format version 2 is newer than this app reads (1)"),
        (lambda data: data[:100], 400, "not a zip archive"),
        (lambda data: b"TY  - JOUR\nER  - \n", 400, "not a zip archive"),
        (lambda data: data, 409, "exists already"),
    ],
    ids=["newer version", "truncated", "not a zip", "slug taken"],
)
def test_a_refused_archive_answers_the_error_shape(
    api, staff, archive, change, status, detail
) -> None:
    answer = api(staff).upload("/archives", {"file": upload(change(archive))})
    assert answer.status_code == status
    assert detail in answer.json()["detail"]


def test_only_site_staff_restore(api, admin, archive) -> None:
    answer = api(admin).upload("/archives", {"file": upload(archive), "slug": "carried"})
    assert answer.status_code == 403
    assert not Project.objects.filter(slug="carried").exists()


def test_the_commands_export_and_restore(project, demo_imports, tmp_path) -> None:
    out = tmp_path / "review.zip"
    written = io.StringIO()
    call_command("export_archive", "microcredentials", str(out), stdout=written)
    assert "Wrote" in written.getvalue()
    assert not (tmp_path / "review.zip.part").exists()
    said = io.StringIO()
    call_command("restore_archive", str(out), "--slug", "carried", stdout=said)
    assert "as carried" in said.getvalue()
    assert "renumbered" in said.getvalue()
    assert Project.objects.get(slug="carried").records.count() == 22


def test_the_commands_refuse_clearly(project, demo_imports, tmp_path) -> None:
    with pytest.raises(CommandError, match="No project with the slug 'nowhere'"):
        call_command("export_archive", "nowhere", str(tmp_path / "x.zip"))
    out = tmp_path / "review.zip"
    call_command("export_archive", "microcredentials", str(out), stdout=io.StringIO())
    out.write_bytes(newer(out.read_bytes()))
    with pytest.raises(CommandError, match="newer than this app reads"):
        call_command("restore_archive", str(out), "--slug", "carried")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("restore_archive", str(tmp_path / "missing.zip"))
