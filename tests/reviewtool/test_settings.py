"""Settings in both modes, read in a fresh interpreter with a controlled environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json
from django.conf import settings
import django
django.setup()
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "name": str(settings.DATABASES["default"]["NAME"]),
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "propagates": settings.CELERY_TASK_EAGER_PROPAGATES,
    "broker": settings.CELERY_BROKER_URL,
    "debug": settings.DEBUG,
    "media": str(settings.MEDIA_ROOT),
    "hosts": settings.ALLOWED_HOSTS,
    "upload": settings.UPLOAD_MAX_BYTES,
    "key_len": len(settings.SECRET_KEY),
    "https": [
        settings.SECURE_SSL_REDIRECT, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE,
        settings.SECURE_HSTS_SECONDS > 0,
    ],
    "static": settings.STORAGES["staticfiles"]["BACKEND"].rsplit(".", 1)[-1],
    "static_from_finders": getattr(settings, "WHITENOISE_USE_FINDERS", False),
}))
"""


def _settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in _VARS}
    clean.update({"DJANGO_SETTINGS_MODULE": "reviewtool.settings", "VAR_DIR": str(tmp_path)})
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True
    )


_VARS = {
    "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "MEDIA_ROOT",
    "UPLOAD_MAX_BYTES", "ALLOW_DEV_SECRET_KEY", "VAR_DIR", "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests (tests/e2e/conftest.py) while they run
}  # fmt: skip


def test_the_embedded_default_uses_sqlite_under_var_and_runs_tasks_inline(tmp_path: Path) -> None:
    result = _settings(tmp_path)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"] == str(tmp_path / "reviewtool.sqlite3")
    assert values["eager"] is True
    assert values["propagates"] is True
    assert values["debug"] is False
    assert values["media"] == str(tmp_path / "media")
    assert values["key_len"] >= 50
    assert (tmp_path / "secret_key").exists()


def test_the_embedded_key_survives_a_restart(tmp_path: Path) -> None:
    first = json.loads(_settings(tmp_path).stdout)
    key = (tmp_path / "secret_key").read_text()
    second = json.loads(_settings(tmp_path).stdout)
    assert first["key_len"] == second["key_len"]
    assert (tmp_path / "secret_key").read_text() == key


def test_with_database_and_redis_urls_it_runs_on_postgres_with_workers(tmp_path: Path) -> None:
    result = _settings(
        tmp_path,
        DATABASE_URL="postgres://u:p@db.example:5432/reviews",
        REDIS_URL="redis://cache.example:6379/3",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="review.example.org, www.review.example.org",
        UPLOAD_MAX_BYTES="1234",
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["name"] == "reviews"
    assert values["eager"] is False
    assert values["broker"] == "redis://cache.example:6379/3"
    assert values["debug"] is False
    assert values["hosts"] == ["review.example.org", "www.review.example.org"]
    assert values["upload"] == 1234
    assert values["https"] == [True, True, True, True]
    assert values["static"] == "CompressedManifestStaticFilesStorage"
    assert values["static_from_finders"] is False


def test_make_run_serves_plain_http_with_debug_off_and_its_own_static_files(
    tmp_path: Path,
) -> None:
    # The embedded `make run` on 127.0.0.1: a secure-only cookie would never come back over http
    # (no login), and with DEBUG off runserver serves no static files, so WhiteNoise does.
    values = json.loads(_settings(tmp_path).stdout)
    assert values["debug"] is False
    assert values["https"] == [False, False, False, False]
    assert values["static"] == "StaticFilesStorage"
    assert values["static_from_finders"] is True
    assert (tmp_path / "staticfiles").is_dir()  # else WhiteNoise warns at each start


def test_debug_is_on_only_when_asked_for(tmp_path: Path) -> None:
    assert json.loads(_settings(tmp_path, DEBUG="1").stdout)["debug"] is True
    production = json.loads(
        _settings(
            tmp_path, DATABASE_URL="postgres://u:p@db:5432/reviews", SECRET_KEY="x" * 60
        ).stdout
    )
    assert production["debug"] is False


def test_an_embedded_server_behind_https_can_still_ask_for_each_protection(tmp_path: Path) -> None:
    values = json.loads(
        _settings(
            tmp_path,
            SECURE_SSL_REDIRECT="1",
            SESSION_COOKIE_SECURE="1",
            CSRF_COOKIE_SECURE="1",
            SECURE_HSTS_SECONDS="3600",
        ).stdout
    )
    assert values["https"] == [True, True, True, True]


def test_production_mode_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = _settings(tmp_path, DATABASE_URL="postgres://u:p@db:5432/reviews")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(("name", "value"), [("DEBUG", "maybe"), ("UPLOAD_MAX_BYTES", "lots")])
def test_a_bad_value_fails_loudly_naming_the_variable(
    tmp_path: Path, name: str, value: str
) -> None:
    result = _settings(tmp_path, **{name: value})
    assert result.returncode != 0
    assert f"{name}={value!r}" in result.stderr


def test_check_deploy_is_clean_with_production_values(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in _VARS}
    env.update(
        DATABASE_URL="postgres://u:p@db.example:5432/reviews",
        REDIS_URL="redis://cache.example:6379/0",
        SECRET_KEY="a-long-random-production-key-" + "k7Qp2xZ9" * 6,
        ALLOWED_HOSTS="review.example.org",
        VAR_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_there_is_no_model_change_without_a_migration(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in _VARS}
    env["VAR_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
