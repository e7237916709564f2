"""On SQLite, the embedded default or a `sqlite:///` DATABASE_URL, 20 identical votes at once
are 20 answers, never "database is locked" as a 500 (issue 19).

Each run is a fresh interpreter (the settings read the environment once) on a database file of
its own; 20 threads, each with its own connection, send the same vote through the whole request
cycle, released together by a barrier.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

RUN = """
import json, sys, threading
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.db import connections
from django.test import Client
from screening.models import Project, Membership, Reference, Vote
from screening.services.accounts import token_issue
from screening.services.imports import SearchDetails, search_import
from django.contrib.auth import get_user_model

user = get_user_model().objects.create_user("reviewer_a", password="a-long-pass-phrase")
lead = get_user_model().objects.create_user("lead", password="a-long-pass-phrase")
project = Project.objects.create(name="P", slug="p")
Membership.objects.create(project=project, user=user, role="reviewer")
Membership.objects.create(project=project, user=lead, role="lead")
search_import(project=project, data=open("screening/demo/embase_microcredentials.ris", "rb").read(),
              filename="e.ris", details=SearchDetails(database="Embase"), user=lead)
reference = Reference.objects.first()
token = token_issue(user=user)
connections.close_all()
barrier = threading.Barrier(20)
statuses = []

def vote():
    client = Client(raise_request_exception=False)
    barrier.wait(timeout=30)
    response = client.post(
        f"/api/v1/projects/p/references/{reference.pk}/votes",
        json.dumps({"stage": "title_abstract", "vote": "include"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    statuses.append(response.status_code)
    connections.close_all()

threads = [threading.Thread(target=vote) for _ in range(20)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join(timeout=120)
print(json.dumps({"statuses": sorted(statuses), "votes": Vote.objects.count()}))
"""


@pytest.mark.parametrize(
    "database_url", ["", "sqlite:///{tmp}/named.sqlite3"], ids=["embedded", "url"]
)
def test_twenty_identical_votes_at_once_on_sqlite_are_no_500(
    tmp_path: Path, database_url: str
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="reviewtool.settings",
        VAR_DIR=str(tmp_path),
        ALLOW_DEV_SECRET_KEY="1",
        DEBUG="0",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
    )
    if database_url:
        env["DATABASE_URL"] = database_url.format(tmp=tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", RUN], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["statuses"] == [201] * 20, result.stderr[-2000:]
    assert outcome["votes"] == 1
