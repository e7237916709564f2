"""A file name with path parts ("../../x", "C:\\x", "..") is stored as its last part, inside
the project's folder of the media root, for an export and for a full text; the PDF is then served
as a PDF, inline, under a name the app gives it, never as the sender's type or name."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from screening.models import Report, Search
from tests.pdfs import pdf_with_text
from tests.screening.exports import MEDLINE_TWO_RECORDS

pytestmark = pytest.mark.django_db

BASE = "/projects/microcredentials"
BOUNDARY = "hostile-boundary-7"
HOSTILE_NAMES = [
    ("../../../../etc/cron.d/evil.nbib", "evil.nbib"),
    ("..\\..\\Windows\\evil.nbib", "evil.nbib"),
    ("/absolute/path/evil.nbib", "evil.nbib"),
    ("evil&#47;..&#47;..&#47;x.nbib", "x.nbib"),  # an HTML-escaped slash is a slash too
]


def _multipart(fields: dict[str, str], name: str, content: bytes) -> bytes:
    """The body a hostile client sends: the file name exactly as given (Django's test client
    would cut it to its last part before sending)."""
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def _send(client, path: str, body: bytes):  # noqa: ANN202
    return client.client.post(
        f"/api/v1{path}",
        body,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        headers=client._headers(),
    )


def _inside_media(stored: str) -> bool:
    media = Path(settings.MEDIA_ROOT).resolve()
    return media in (media / stored).resolve().parents


@pytest.mark.parametrize(("sent", "kept"), HOSTILE_NAMES)
def test_an_export_named_with_path_parts_is_stored_under_its_last_part(
    api, lead, sent: str, kept: str
) -> None:
    answer = _send(
        api(lead),
        f"{BASE}/searches",
        _multipart({"database": "PubMed"}, sent, MEDLINE_TWO_RECORDS),
    )
    assert answer.status_code == 201, answer.content
    search = Search.objects.get(pk=answer.json()["id"])
    assert search.filename == kept
    assert Path(search.file.name).name == kept
    assert _inside_media(search.file.name)
    assert ".." not in Path(search.file.name).parts


def test_a_full_text_named_with_path_parts_is_stored_inside_and_served_as_a_pdf(
    api, lead, reviewer_a, reviewer_b, demo_imports
) -> None:
    boss = api(lead)
    reference = boss.get(f"{BASE}/references", limit=1).json()["items"][0]["id"]
    for who in (reviewer_a, reviewer_b):
        voted = api(who).post(
            f"{BASE}/references/{reference}/votes", {"stage": "title_abstract", "vote": "include"}
        )
        assert voted.status_code == 201, voted.content
    content = pdf_with_text("The full text")
    answer = _send(
        boss,
        f"{BASE}/references/{reference}/report",
        _multipart({}, '../../../static/js/screen.js"; x=".html', content),
    )
    assert answer.status_code == 201, answer.content
    report = Report.objects.get(reference_id=reference)
    assert "/" not in report.filename
    assert "\\" not in report.filename
    assert _inside_media(report.file.name)
    assert ".." not in Path(report.file.name).parts
    served = api(reviewer_a).get(f"{BASE}/references/{reference}/report")
    assert served.status_code == 200
    assert served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"] == f'inline; filename="reference-{reference}.pdf"'
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == content


def test_a_file_named_only_dots_is_refused_clearly_and_nothing_stored(api, lead) -> None:
    answer = _send(
        api(lead), f"{BASE}/searches", _multipart({"database": "PubMed"}, "..", MEDLINE_TWO_RECORDS)
    )
    assert answer.status_code in {400, 422}, answer.content
    assert "file" in str(answer.json()["detail"])
    assert not Search.objects.exists()
