"""locust's users for bench_load: reviewers screening in the browser and through the API, and leads
watching the dashboard and PRISMA, on one seeded project (benchmarks/screening_seed.py).

Read by `locust -f benchmarks/load_locustfile.py`; bench_load starts it and sets, in the
environment: LOAD_SETUP (the seed's JSON: slug and tokens), LOAD_PASSWORD, LOAD_PAGE_REVIEWERS,
LOAD_API_REVIEWERS, LOAD_LEADS and LOAD_THINK ("low,high" seconds between two actions of one
person).

A page reviewer does what static/js/screen.js does: it opens the screening page once, holds the
cards it was given, and for each vote POSTs /screen/<id>/vote/ (htmx) with the card now shown
and the ids it holds, asking for as many cards as it is short of (the answer carries them). An
API reviewer asks GET /references/next, then votes with POST /references/{id}/votes; the pair is
also recorded as one entry, "next + vote (API)".
"""

from __future__ import annotations

import itertools
import json
import os
import re
import time

from locust import HttpUser, between, task

SETUP = json.loads(os.environ.get("LOAD_SETUP", '{"slug": "", "tokens": {}}'))
SLUG = SETUP["slug"]
PASSWORD = os.environ.get("LOAD_PASSWORD", "")
THINK = tuple(float(s) for s in os.environ.get("LOAD_THINK", "3,15").split(","))
STAGE = "title_abstract"
AHEAD = 5  # as SCREEN_AHEAD in screening/views/screening.py
CARD = re.compile(r'<article class="reference" data-reference="(\d+)"')
SAVED = re.compile(r'<output id="vote-saved"[^>]*data-reference="(\d+)"')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Each simulated person takes the next account: one account, one person, as in a real team.
_reviewer_numbers = itertools.count()


def _next_reviewer() -> str:
    return f"reviewer{next(_reviewer_numbers):02d}"


def _log_in(user: HttpUser, username: str) -> None:
    form = user.client.get("/login/", name="login page")
    token = CSRF_FIELD.search(form.text).group(1)
    answer = user.client.post(
        "/login/",
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{user.host}/login/"},
        name="log in",
    )
    if "/login/" in answer.url:
        raise RuntimeError(f"{username} could not log in")


class PageReviewer(HttpUser):
    """A reviewer screening on the page."""

    fixed_count = int(os.environ.get("LOAD_PAGE_REVIEWERS", "40"))
    wait_time = between(*THINK)

    def on_start(self) -> None:
        _log_in(self, _next_reviewer())
        page = self.client.get(f"/projects/{SLUG}/screen/?stage={STAGE}", name="screening page")
        self.held = [int(n) for n in CARD.findall(page.text)]  # the card shown, then those ahead

    @task
    def vote(self) -> None:
        if not self.held:
            return
        voted, *ahead = self.held
        body = {"stage": STAGE, "vote": "include" if voted % 4 else "exclude"}
        if ahead:  # the key showed the next card at once: it is claimed, the rest are skipped
            body |= {"shown": str(ahead[0]), "skip": ",".join(map(str, ahead[1:]))}
        body["ahead"] = str(max(AHEAD - len(ahead[1:]), 0))
        with self.client.post(
            f"/projects/{SLUG}/screen/{voted}/vote/",
            body,
            headers={"HX-Request": "true", "X-CSRFToken": self.client.cookies.get("csrftoken", "")},
            name="vote + next cards (page, htmx)",
            catch_response=True,
        ) as answer:
            saved = SAVED.search(answer.text or "")
            if answer.status_code != 200 or not saved or int(saved.group(1)) != voted:
                answer.failure(f"{answer.status_code}: {answer.text[:200]!r}")
                return
            self.held = ahead + [int(n) for n in CARD.findall(answer.text)]


class ApiReviewer(HttpUser):
    """A reviewer screening through the API (a plug-in, a script): next, then the vote."""

    fixed_count = int(os.environ.get("LOAD_API_REVIEWERS", "10"))
    wait_time = between(*THINK)

    def on_start(self) -> None:
        token = SETUP["tokens"][_next_reviewer()]
        self.client.headers["Authorization"] = f"Bearer {token}"

    @task
    def next_and_vote(self) -> None:
        started = time.perf_counter()
        answer = self.client.get(
            f"/api/v1/projects/{SLUG}/references/next?stage={STAGE}", name="next (API)"
        )
        if answer.status_code != 200:
            return
        reference = answer.json()["id"]
        vote = self.client.post(
            f"/api/v1/projects/{SLUG}/references/{reference}/votes",
            json={"stage": STAGE, "vote": "include" if reference % 4 else "exclude"},
            name="vote (API)",
        )
        self.environment.events.request.fire(
            request_type="PAIR",
            name="next + vote (API)",
            response_time=(time.perf_counter() - started) * 1000,
            response_length=0,
            exception=None if vote.status_code == 201 else RuntimeError(vote.status_code),
            context={},
        )


class Lead(HttpUser):
    """A lead (or admin) looking at where the review stands."""

    fixed_count = int(os.environ.get("LOAD_LEADS", "3"))
    wait_time = between(THINK[0] * 2, THINK[1] * 2)

    def on_start(self) -> None:
        _log_in(self, "bench-lead")
        self.token = SETUP["tokens"]["bench-lead"]

    @task(3)
    def dashboard(self) -> None:
        self.client.get(f"/projects/{SLUG}/", name="dashboard page")

    @task(2)
    def prisma_page(self) -> None:
        self.client.get(f"/projects/{SLUG}/report/", name="PRISMA report page")

    @task(2)
    def prisma_counts(self) -> None:
        self.client.get(
            f"/api/v1/projects/{SLUG}/prisma",
            headers={"Authorization": f"Bearer {self.token}"},
            name="PRISMA counts (API)",
        )

    @task(1)
    def conflicts(self) -> None:
        self.client.get(f"/projects/{SLUG}/conflicts/", name="conflicts page")
