"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Screenshots go to test-artifacts/screenshots/ (kept by CI as artefacts, ignored by git).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


PLAIN_HTTP = {
    "SECURE_SSL_REDIRECT": False,
    "SESSION_COOKIE_SECURE": False,
    "CSRF_COOKIE_SECURE": False,
    "SECURE_HSTS_SECONDS": 0,
}


@pytest.fixture(scope="session", autouse=True)
def _plain_http():  # noqa: ANN202 - a generator fixture
    """The live server speaks plain HTTP, also in the pass with production settings (CI's
    PostgreSQL pass sets SECRET_KEY, which turns on the HTTPS redirect and secure cookies).
    Set on the settings themselves, before the live server builds its middleware, which reads
    them once; put back when the session ends."""
    from django.conf import settings

    before = {name: getattr(settings, name) for name in PLAIN_HTTP}
    for name, value in PLAIN_HTTP.items():
        setattr(settings, name, value)
    yield
    for name, value in before.items():
        setattr(settings, name, value)


@pytest.fixture(scope="session")
def chromium(django_db_setup):  # noqa: ANN201 - a Playwright Browser
    # The test database is made first: Django refuses to build it beside a running event loop.
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip(f"no Chromium at {CHROMIUM}: `apt-get install -y chromium` (.ci/run does)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in the test's thread, which Django takes for async
    # code; the tests' own ORM calls (and the database's flush between them) are still
    # synchronous and safe. Set while the browser runs, and only then.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def log_in(chromium, live_server):  # noqa: ANN201 - a function
    """A fresh browser page logged in as `user`, on the live server."""
    pages = []

    def make(user: object, *, width: int = 1280, height: int = 900):  # noqa: ANN202
        page = chromium.new_page(viewport={"width": width, "height": height})
        page.set_default_timeout(10_000)
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/projects/**")
        _count_requests_in_flight(page)
        pages.append(page)
        return page

    yield make
    for page in pages:
        _wait_for_requests_in_flight(page)
        page.close()


def _count_requests_in_flight(page) -> None:  # page: a Playwright Page
    """Keep on the page how many of its requests have not been answered yet."""
    page.in_flight = 0

    def started(_request) -> None:
        page.in_flight += 1

    def ended(_request) -> None:
        page.in_flight -= 1

    page.on("request", started)
    page.on("requestfinished", ended)
    page.on("requestfailed", ended)


def _wait_for_requests_in_flight(page) -> None:  # page: a Playwright Page
    """Let the live server answer what the page still asked before the test ends: the database
    is emptied after the test, and on PostgreSQL a request still in its transaction then meets
    the flush's TRUNCATE ("deadlock detected" at teardown). At most 5 s."""
    for _ in range(100):
        if page.in_flight <= 0:
            return
        page.wait_for_timeout(50)


def screenshot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
