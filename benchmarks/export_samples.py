"""Write the decisions RIS, CSV and Excel, as the app exports them, for other tools to read back.

`python -m benchmarks.export_samples DIR` loads the demo review into a throwaway SQLite database
under DIR/db (never the project's own), screens it through the JSON API as its reviewers and
lead would, so that some references are included, some excluded at either stage and some still
undecided, and saves what `GET .../export?format=ris|csv|xlsx` answers as DIR/decisions.ris,
DIR/decisions.csv and DIR/decisions.xlsx, with DIR/expected.json: each reference's title and
the label its stage and status give (1 included at full text, 0 excluded, null undecided),
from the references list. `make check-asreview` then reads the three files with ASReview's own
loader (benchmarks/asreview_reads_exports.py), in its own environment.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

SLUG = "demo-microcredentials"
# The demo accounts load_demo makes (screening/management/commands/load_demo.py).
PASSWORDS = {
    "lead": "demo-lead-pass",
    "reviewer_a": "demo-reviewer-a-pass",
    "reviewer_b": "demo-reviewer-b-pass",
}
TA, FT = "title_abstract", "full_text"


def main(out: Path) -> None:
    db = out / "db"
    shutil.rmtree(db, ignore_errors=True)  # a fresh review every time: the figures repeat
    os.environ |= {
        "VAR_DIR": str(db),
        "DJANGO_SETTINGS_MODULE": "reviewtool.settings",
        "ALLOWED_HOSTS": "testserver",
    }
    for name in ("DATABASE_URL", "REDIS_URL", "MEDIA_ROOT", "STATIC_ROOT"):
        os.environ.pop(name, None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    api = {who: _Api(who) for who in PASSWORDS}
    _screen(api)

    items = api["lead"].get(f"/projects/{SLUG}/references", limit=1000).json()["items"]
    expected = [{"title": i["title"], "included": _label(i["stage"], i["status"])} for i in items]
    out.mkdir(parents=True, exist_ok=True)
    for format in ("ris", "csv", "xlsx"):
        answer = api["lead"].get(f"/projects/{SLUG}/export", format=format)
        assert answer.status_code == 200, answer.content
        (out / f"decisions.{format}").write_bytes(answer.content)
    (out / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1))
    labels = [e["included"] for e in expected]
    print(
        f"wrote {out}/decisions.ris, .csv and .xlsx: {len(expected)} references, "
        f"{labels.count(1)} included, {labels.count(0)} excluded, {labels.count(None)} undecided"
    )


class _Api:
    """One demo person speaking the JSON API, logged in with their password as a script would."""

    def __init__(self, username: str) -> None:
        from django.test import Client

        self.client = Client()
        answer = self.client.post(
            "/api/v1/auth/token",
            {"username": username, "password": PASSWORDS[username]},
            content_type="application/json",
        )
        assert answer.status_code == 200, answer.content
        self.headers = {"Authorization": f"Bearer {answer.json()['token']}"}

    def get(self, path: str, **params: object) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body: dict[str, object]) -> Any:
        answer = self.client.post(
            f"/api/v1{path}", body, content_type="application/json", headers=self.headers
        )
        assert answer.status_code == 201, (path, answer.content)
        return answer

    def upload(self, path: str, body: dict[str, object]) -> Any:
        answer = self.client.post(f"/api/v1{path}", body, headers=self.headers)
        assert answer.status_code == 201, (path, answer.content)
        return answer


def _screen(api: dict[str, _Api]) -> None:
    """Every outcome a label can have: included at full text; excluded on title and abstract,
    at full text, or by the lead resolving a conflict; undecided (one vote, or none)."""
    items = api["lead"].get(f"/projects/{SLUG}/references", limit=1000).json()["items"]
    pairs = (api["reviewer_a"], api["reviewer_b"])

    def both(reference: int, stage: str, vote: str, **extra: object) -> None:
        for who in pairs:
            body = {"stage": stage, "vote": vote, **extra}
            who.post(f"/projects/{SLUG}/references/{reference}/votes", body)

    def to_full_text(reference: int) -> None:
        both(reference, TA, "include")
        pdf = io.BytesIO(_blank_pdf())
        pdf.name = "report.pdf"
        api["lead"].upload(f"/projects/{SLUG}/references/{reference}/report", {"file": pdf})

    for index, item in enumerate(items):
        reference = item["id"]
        outcome = index % 6
        if outcome == 0:
            to_full_text(reference)
            both(reference, FT, "include")
        elif outcome == 1:
            both(reference, TA, "exclude")
        elif outcome == 2:
            to_full_text(reference)
            both(reference, FT, "exclude", reason="Wrong study design")
        elif outcome == 3:
            path = f"/projects/{SLUG}/references/{reference}"
            pairs[0].post(f"{path}/votes", {"stage": TA, "vote": "include"})
            pairs[1].post(f"{path}/votes", {"stage": TA, "vote": "exclude"})
            api["lead"].post(f"{path}/resolution", {"stage": TA, "decision": "exclude"})
        elif outcome == 4:
            path = f"/projects/{SLUG}/references/{reference}/votes"
            pairs[0].post(path, {"stage": TA, "vote": "include"})


def _label(stage: str, status: str) -> int | None:
    """The label the decisions export promises (README's exports table), from the list's words."""
    if status == "excluded":
        return 0
    return 1 if (stage, status) == (FT, "included") else None


def _blank_pdf() -> bytes:
    from pypdf import PdfWriter

    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=612, height=792)
    writer.write(out)
    return out.getvalue()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "var/asreview"))
