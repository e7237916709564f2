"""Personas and fixtures shared by every test: admin, lead, reviewer_a, reviewer_b, outsider."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from django.test import Client
from hypothesis import settings as hypothesis_settings

from tests.factories import MembershipFactory, ProjectFactory, UserFactory

PASSWORD = "correct horse battery staple"

# No per-example deadline for property tests: on a shared 2-core machine running PostgreSQL,
# a Celery worker and Chromium beside them, a deadline measures the machine, not the code.
hypothesis_settings.register_profile("shared-machine", deadline=None)
# In CI the examples are the same on every run (derandomize): a run lands or not on the code, not
# on the draw. Exploring new examples is for a developer's `make test`, where a find is a bug to
# fix and an example to keep (as the CSV sniffer's stray carriage return was).
hypothesis_settings.register_profile("ci", deadline=None, derandomize=True, database=None)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "shared-machine")


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def worker_media_root(tmp_path_factory) -> object:
    """Uploads shared by the test process and the worker process."""
    return tmp_path_factory.mktemp("worker-media")


@pytest.fixture(autouse=True)
def _media_root(request, settings, tmp_path) -> None:
    if request.node.get_closest_marker("worker") is not None:
        settings.MEDIA_ROOT = request.getfixturevalue("worker_media_root")
    else:
        settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _static_files_without_a_manifest(settings) -> None:
    # Production serves hashed names from collectstatic's manifest; tests do not collect.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _own_cache(settings) -> None:
    """A fresh in-memory cache per test: screening hints and claims name ids a rollback reuses."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{uuid.uuid4().hex}",
        }
    }


@pytest.fixture(autouse=True)
def _plain_http(settings) -> None:
    # The test client speaks plain HTTP; production's redirect to HTTPS is tested in test_settings.
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture
def project(db) -> object:
    return ProjectFactory(name="Microcredentials review", slug="microcredentials")


@pytest.fixture
def admin(project) -> object:
    return MembershipFactory(project=project, user__username="admin", role="admin").user


@pytest.fixture
def lead(project) -> object:
    return MembershipFactory(project=project, user__username="lead", role="lead").user


@pytest.fixture
def reviewer_a(project) -> object:
    return MembershipFactory(project=project, user__username="reviewer_a", role="reviewer").user


@pytest.fixture
def reviewer_b(project) -> object:
    return MembershipFactory(project=project, user__username="reviewer_b", role="reviewer").user


@pytest.fixture
def demo_imports(project, lead) -> list[int]:
    """The demo's PubMed (12 records) and Embase (10) exports imported: 9 papers are in both."""
    from pathlib import Path

    from screening.services.imports import SearchDetails, search_import

    demo = Path(__file__).resolve().parents[1] / "screening" / "demo"
    exports = [
        ("pubmed_microcredentials.nbib", "PubMed"),
        ("embase_microcredentials.ris", "Embase"),
    ]
    return [
        search_import(
            project=project,
            data=(demo / name).read_bytes(),
            filename=name,
            details=SearchDetails(database=database),
            user=lead,
        ).pk
        for name, database in exports
    ]


@pytest.fixture
def outsider(db) -> object:
    other = ProjectFactory(name="Another team's review", slug="another")
    return MembershipFactory(project=other, user__username="outsider", role="admin").user


@pytest.fixture
def staff(db) -> object:
    return UserFactory(username="staff", is_staff=True)


class ApiClient:
    """A test client that speaks the JSON API with a bearer token."""

    def __init__(self, token: str | None = None) -> None:
        self.client = Client()
        self.token = token

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, **params: object):  # noqa: ANN201
        return self.client.get(f"/api/v1{path}", params, headers=self._headers())

    def post(self, path: str, data: object = None, **extra: object):  # noqa: ANN201
        return self.client.post(
            f"/api/v1{path}", data or {}, content_type="application/json", headers=self._headers()
        )

    def upload(self, path: str, data: dict[str, object]):  # noqa: ANN201
        return self.client.post(f"/api/v1{path}", data, headers=self._headers())

    def patch(self, path: str, data: object = None):  # noqa: ANN201
        return self.client.patch(
            f"/api/v1{path}", data or {}, content_type="application/json", headers=self._headers()
        )

    def put(self, path: str, data: object = None):  # noqa: ANN201
        return self.client.put(
            f"/api/v1{path}", data or {}, content_type="application/json", headers=self._headers()
        )

    def delete(self, path: str):  # noqa: ANN201
        return self.client.delete(f"/api/v1{path}", headers=self._headers())


@pytest.fixture
def api() -> object:
    """Log in through the API as any persona: `api(as_=reviewer_a)`."""
    from screening.services.accounts import token_issue

    def make(as_: object = None) -> ApiClient:
        return ApiClient(token_issue(user=as_) if as_ is not None else None)

    return make


@pytest.fixture
def browser_client() -> object:
    def make(user: object) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


def redis_configured() -> bool:
    return bool(os.environ.get("REDIS_URL"))


@pytest.fixture(autouse=True)
def _tasks_inline_unless_worker(request) -> Iterator[None]:
    """Tasks run inline in every test, except those marked `worker`, which use the real one."""
    from reviewtool.celery import app

    eager = request.node.get_closest_marker("worker") is None
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager or previous
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(scope="session")
def celery_worker_process(
    django_db_setup, django_db_blocker, worker_media_root
) -> Iterator[object]:
    """A real `celery worker` process on REDIS_URL, using the test database; stopped after."""
    import subprocess
    import sys
    import time
    from pathlib import Path

    from django.db import connection

    from reviewtool.celery import app

    if not redis_configured():
        pytest.skip("REDIS_URL is not set: the worker tests run in the PostgreSQL + Redis pass")
    if connection.vendor != "postgresql":
        pytest.skip("a worker process shares the test database only on PostgreSQL")
    with django_db_blocker.unblock():
        test_db = connection.settings_dict["NAME"]
    env = dict(os.environ)
    base = env["DATABASE_URL"].rsplit("/", 1)[0]
    env["DATABASE_URL"] = f"{base}/{test_db}"
    env["MEDIA_ROOT"] = str(worker_media_root)
    # Small chunks, so that a dedup run of a few dozen references is split over the workers.
    env["DEDUP_CHUNK_PAIRS"] = "10"
    app.control.purge()
    log = Path(os.environ.get("WORKER_LOG", "var/test-worker.log"))
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as handle:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "reviewtool", "worker",
             "--pool=prefork", "--concurrency=2", "--loglevel=INFO",
             "--without-mingle", "--without-gossip", "-n", f"test-{os.getpid()}@%h"],
            env=env, stdout=handle, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=1.0):
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the celery worker did not start; see {log}")
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
