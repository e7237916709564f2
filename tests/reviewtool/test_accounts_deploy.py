"""`manage.py check --deploy` in the production settings, in a fresh interpreter (issue 19)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_VARS = {
    "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "MEDIA_ROOT",
    "UPLOAD_MAX_BYTES", "ALLOW_DEV_SECRET_KEY", "VAR_DIR", "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS", "API_TOKEN_TTL_DAYS",
    "LOGIN_FAILURE_LIMIT", "LOGIN_LOCKOUT_MINUTES", "DJANGO_ALLOW_ASYNC_UNSAFE",
}  # fmt: skip

PROBE = """
import json
import django
from django.conf import settings
django.setup()
print(json.dumps({
    "csp": settings.CONTENT_SECURITY_POLICY,
    "middleware": settings.MIDDLEWARE,
    "cookies": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE,
                settings.SESSION_COOKIE_HTTPONLY, settings.CSRF_COOKIE_HTTPONLY],
    "hsts": settings.SECURE_HSTS_SECONDS,
    "failures": settings.AXES_FAILURE_LIMIT,
    "ttl": settings.API_TOKEN_TTL_DAYS,
}))
"""


def _production(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _VARS}
    env.update(
        DJANGO_SETTINGS_MODULE="reviewtool.settings",
        DATABASE_URL="postgres://u:p@db.example:5432/reviews",
        SECRET_KEY="Zq8-long-random-production-key-" + "x7Rk2mP9wL" * 3,
        DEBUG="0",
        ALLOWED_HOSTS="review.example.org",
        VAR_DIR=str(tmp_path),
    )
    env.update(extra)
    return env


def test_check_deploy_has_no_warnings_in_the_production_settings(tmp_path: Path) -> None:
    env = _production(tmp_path)
    assert len(env["SECRET_KEY"]) >= 60
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output
    assert "System check identified no issues" in result.stdout


def test_the_production_settings_send_the_policy_and_secure_cookies(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=_production(tmp_path),
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert "script-src 'self'" in values["csp"]
    assert "reviewtool.security_headers.ContentSecurityPolicyMiddleware" in values["middleware"]
    assert "axes.middleware.AxesMiddleware" in values["middleware"]
    assert values["cookies"] == [True, True, True, True]
    assert values["hsts"] >= 31536000
    assert values["failures"] == 5
    assert values["ttl"] == 90


def test_the_login_limit_and_token_lifetime_come_from_the_environment(tmp_path: Path) -> None:
    env = _production(tmp_path, LOGIN_FAILURE_LIMIT="3", API_TOKEN_TTL_DAYS="0")
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["failures"] == 3
    assert values["ttl"] == 0
