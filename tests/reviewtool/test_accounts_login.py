"""The login page: its failed-login limit, `next=` kept on this site, and the headers and cookie
flags pages are served with (issue 19, "Accounts")."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from pathlib import Path

import django_htmx
import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from reviewtool.security_headers import ContentSecurityPolicyMiddleware
from tests.conftest import PASSWORD

LOGIN = "/login/"


def _login(client: Client, password: str, **extra: str):  # noqa: ANN202
    return client.post(LOGIN, {"username": "lead", "password": password, **extra})


@pytest.mark.django_db
def test_after_five_wrong_passwords_the_page_refuses_even_the_right_one(lead) -> None:
    client = Client()
    for _ in range(4):
        response = _login(client, "wrong")
        assert response.status_code == 200
        assert b"did not match" in response.content
    assert _login(client, "wrong").status_code == 429
    response = _login(client, PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert 'role="alert">Too many failed logins for this username. Try again in 15 minutes' in page
    assert 'name="password"' in page  # the form again, to try later
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("project_list")).status_code == 302  # still logged out


@pytest.mark.django_db
def test_the_page_and_the_api_share_one_count(api, lead) -> None:
    client = Client()
    for _ in range(3):
        _login(client, "wrong")
    for _ in range(2):
        api().post("/auth/token", {"username": "lead", "password": "wrong"})
    assert _login(client, PASSWORD).status_code == 429


@pytest.mark.django_db
def test_a_successful_login_on_the_page_clears_the_count(lead) -> None:
    client = Client()
    for _ in range(4):
        _login(client, "wrong")
    assert _login(client, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="lead").exists()
    client.post(reverse("logout"))
    for _ in range(4):
        assert _login(client, "wrong").status_code == 200
    assert _login(client, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_page_lets_the_right_password_in_once_the_window_has_passed(lead, settings) -> None:
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=2)
    client = Client()
    for _ in range(5):
        _login(client, "wrong")
    response = _login(client, PASSWORD)
    assert response.status_code == 429
    assert b"Try again in 2 minutes" in response.content
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=3))
    assert _login(client, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_locked_page_keeps_a_safe_next_and_drops_an_off_site_one(lead) -> None:
    client = Client()
    for _ in range(5):
        _login(client, "wrong")
    kept = _login(client, PASSWORD, next="/projects/").content.decode()
    assert 'name="next" value="/projects/"' in kept
    dropped = _login(client, PASSWORD, next="https://evil.example/").content.decode()
    assert "evil.example" not in dropped


# next= never leaves the site

OFF_SITE = [
    "//evil.example",
    "https://evil.example",
    "http://evil.example/projects/",
    "/\\evil.example",
    "\\\\evil.example",
    "///evil.example",
    "https:evil.example",
    " //evil.example",
    "javascript:alert(1)",
]


@pytest.mark.django_db
@pytest.mark.parametrize("target", OFF_SITE)
def test_logging_in_never_redirects_off_site(lead, target) -> None:
    response = _login(Client(), PASSWORD, next=target)
    assert response.status_code == 302
    assert response["Location"] == reverse("project_list")


@pytest.mark.django_db
@pytest.mark.parametrize("target", OFF_SITE)
def test_the_login_page_of_someone_logged_in_never_redirects_off_site(lead, target) -> None:
    client = Client()
    client.force_login(lead)
    response = client.get(LOGIN, {"next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("project_list")


@pytest.mark.django_db
@pytest.mark.parametrize("target", OFF_SITE)
def test_the_login_form_does_not_carry_an_off_site_next(db, target) -> None:
    page = Client().get(LOGIN, {"next": target}).content.decode()
    assert 'name="next" value=""' in page


@pytest.mark.django_db
def test_a_next_on_this_site_is_followed(lead, project) -> None:
    response = _login(Client(), PASSWORD, next="/projects/microcredentials/")
    assert response.status_code == 302
    assert response["Location"] == "/projects/microcredentials/"


# Headers and cookies


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_allowing_only_our_own_scripts(lead) -> None:
    client = Client()
    client.force_login(lead)
    for path in [LOGIN, reverse("project_list"), "/projects/microcredentials/"]:
        response = client.get(path, follow=True)
        policy = response["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        assert directives["script-src"] == "'self'"
        assert directives["object-src"] == "'none'"
        assert directives["frame-ancestors"] == "'self'"
        assert directives["base-uri"] == "'self'"
        assert "unsafe-inline" not in directives["style-src"]


@pytest.mark.django_db
def test_json_answers_carry_no_policy(api, lead) -> None:
    response = api(as_=lead).get("/projects/microcredentials")
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response


@pytest.mark.django_db
def test_the_session_and_csrf_cookies_are_http_only_and_same_site(lead) -> None:
    client = Client()
    page = client.get(LOGIN)
    csrf = page.cookies["csrftoken"]
    assert csrf["httponly"]
    assert csrf["samesite"] == "Lax"
    response = client.post(LOGIN, {"username": "lead", "password": PASSWORD})
    session = response.cookies["sessionid"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"


@pytest.mark.django_db
def test_over_https_cookies_are_secure_and_hsts_is_sent(lead, settings) -> None:
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    client = Client()
    page = client.get(LOGIN, secure=True)
    # (with "; preload" in a deployment's settings: the PostgreSQL pass)
    assert page["Strict-Transport-Security"].startswith("max-age=31536000; includeSubDomains")
    assert page.cookies["csrftoken"]["secure"]
    token = page.cookies["csrftoken"].value
    response = client.post(
        LOGIN,
        {"username": "lead", "password": PASSWORD, "csrfmiddlewaretoken": token},
        secure=True,
    )
    assert response.status_code == 302
    assert response.cookies["sessionid"]["secure"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize(
    ("content_type", "policed"),
    [
        ("text/html; charset=utf-8", True),
        ("image/svg+xml", True),
        ("application/pdf", False),  # a full text shown in the screening page's frame
        ("text/csv", False),
    ],
)
def test_the_policy_goes_with_documents_that_can_run_script(content_type, policed) -> None:
    middleware = ContentSecurityPolicyMiddleware(
        lambda request: HttpResponse(b"", content_type=content_type)
    )
    response = middleware(RequestFactory().get("/"))
    assert ("Content-Security-Policy" in response) is policed


def test_the_policy_allows_the_style_htmx_adds_and_no_other_inline_style() -> None:
    # htmx 2 adds one <style> for its indicators (insertIndicatorStyles): the policy names its
    # hash, so an htmx upgrade that changes it fails here rather than in a browser's console.
    source = (Path(django_htmx.__file__).parent / "static/django_htmx/htmx-2.js").read_text()
    body = re.search(r"insertIndicatorStyles\(\) \{(.*?)\n  \}", source, re.DOTALL).group(1)
    parts = [text for text in re.findall(r"`([^`]*)`", body) if text.startswith(".")]
    style = "".join(parts).replace("${indicator}", "htmx-indicator")
    style = style.replace("${request}", "htmx-request")
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    policy = dict(
        part.strip().split(" ", 1) for part in django_settings.CONTENT_SECURITY_POLICY.split(";")
    )
    assert policy["style-src"] == f"'self' 'sha256-{digest}'"
