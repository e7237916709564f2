"""The fuzzed API (issue 19): every operation of the OpenAPI schema, as each persona (anonymous,
outsider, reviewer, lead, project admin, site staff; bearer tokens), with requests schemathesis
draws from the schema (valid ones and invalid ones), sent through the WSGI app in this process
against a real project: the permission matrix's world (the demo's references with votes, a
report, reasons, a duplicate candidate, a job), a codebook and a study included at full text.

Checks on every answer: no 5xx (schemathesis' `not_a_server_error`), and every 4xx a JSON object
with a "detail" (../shared/API.md, "Errors"). Each request runs in a savepoint rolled back after
it, so one example's writes never reach the next.

Path and query parameters and JSON body fields named like the world's things (slug, ids,
usernames, stage, vote, reason...) are mostly the world's real values, sometimes the drawn one,
so that calls get past "no such project" to the checks behind it.

FUZZ_EXAMPLES examples per operation and persona: 2 in `make test`, more in `make test-slow`
(Makefile). `pytest -s` prints each persona's request count and statuses. In CI (CI=true) the
examples are the same on every run (tests/conftest.py, profile "ci").
"""

from __future__ import annotations

import json
import os
import traceback
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2"))
PERSONAS = ["anonymous", "outsider", "reviewer", "lead", "admin", "staff"]
FIXTURE_OF = {
    "outsider": "outsider",
    "reviewer": "reviewer_a",
    "lead": "lead",
    "admin": "admin",
    "staff": "staff",
}
SLUG = "microcredentials"
OTHER_SLUG = "another"
# Django's test client answers to "testserver", which the test settings always allow.
BASE_URL = "http://testserver"


def _operations() -> list[str]:
    from reviewtool.api import api

    schema = api.get_openapi_schema()
    return [f"{m.upper()} {path}" for path, ops in schema["paths"].items() for m in ops]


OPERATIONS = _operations()

pytestmark = pytest.mark.django_db


# --- the world ---------------------------------------------------------------------------------


CODEBOOK = {
    "fields": [
        {"name": "Design", "type": "text"},
        {"name": "Participants", "type": "number"},
        {"name": "Randomised", "type": "boolean"},
        {"name": "Setting", "type": "choice", "choices": ["School", "University", "Work"]},
        {"name": "Outcomes", "type": "multichoice", "choices": ["Skills", "Jobs", "Pay"]},
    ]
}


@pytest.fixture
def world(project, demo_imports, admin, lead, reviewer_a, reviewer_b, outsider, staff) -> dict:
    """The permission matrix's world, a codebook, and one study included at full text."""
    from django.contrib.auth import get_user_model

    from screening.services.accounts import token_issue
    from screening.services.reasons import exclusion_reason_add
    from screening.services.screening import vote_cast
    from tests.conftest import ApiClient
    from tests.test_permission_matrix import _build_world

    world = _build_world(project, lead, outsider, demo_imports)
    # A name the database lowers otherwise than Python does (services/reasons.py).
    exclusion_reason_add(project=project, name="Étude non randomisée", user=lead)
    answer = ApiClient(token_issue(user=lead)).put(f"/projects/{SLUG}/codebook", CODEBOOK)
    assert answer.status_code == 200, answer.content
    study = project.references.get(pk=world["with_report"])
    for name in ("voter_1", "voter_2"):
        voter = get_user_model().objects.get(username=name)
        vote_cast(reference=study, reviewer=voter, stage="full_text", vote="include")
    return world


# Parameter or body field -> the world's values it is called with, besides the drawn one: real
# slugs, ids and usernames (this project's and the other team's), and the words the API knows.
def _real_values(world: dict[str, Any]) -> dict[str, list[Any]]:
    other = world["other"]
    references = [world[k] for k in ("pending", "conflict", "included", "with_report", "seed")]
    people = [world["member_name"], "reviewer_a", "reviewer_b", "lead", "outsider", "voter_1"]
    return {
        "slug": [SLUG, SLUG, SLUG, OTHER_SLUG],
        "reference_id": [*references, other["pending"]],
        "reference": [*references, other["pending"]],
        "survivor": [*references, other["pending"]],
        "candidate_id": [world["candidate"], other["candidate"]],
        "reason_id": [world["reason"], other["reason"]],
        "job_id": [world["job"], other["job"]],
        "username": people,
        "actor": people,
        "extractors": [["voter_1", "voter_2"], ["reviewer_a"], ["outsider"]],
        "stage": ["title_abstract", "full_text"],
        "status": ["pending", "conflict", "included", "excluded", "awaiting_report"],
        "vote": ["include", "exclude", "maybe"],
        "decision": ["include", "exclude"],
        "reason": ["Other", "Wrong population", "ÉTUDE NON RANDOMISÉE"],
        "name": ["Other", "other", "Étude non randomisée", "ÉTUDE NON RANDOMISÉE"],
        "action": ["merge", "reject", "unmerge", "reopen"],
        "fields": [CODEBOOK["fields"]],
        "values": [
            {"Design": "RCT", "Participants": 40, "Randomised": True, "Setting": "School"},
            {"Outcomes": ["Skills", "Pay"], "Participants": "many", "Setting": "Moon"},
        ],
    }


def _with_real(data: st.DataObject, drawn: Any, real: dict[str, list[Any]]) -> Any:
    """`drawn` (a dict of parameters or a JSON body) with some of its values the world's."""
    if not isinstance(drawn, dict):
        return drawn
    return {
        key: data.draw(st.sampled_from([*real[key], value])) if key in real else value
        for key, value in drawn.items()
    }


# --- the checks --------------------------------------------------------------------------------


def problem_shape(ctx: Any, response: Any, case: Any) -> None:
    """A 4xx answers a JSON object with a "detail" (../shared/API.md, "Errors")."""
    if not 400 <= response.status_code < 500:
        return
    try:
        body = json.loads(response.content)
    except ValueError as error:
        raise AssertionError(
            f"{response.status_code} is not JSON ({response.headers.get('Content-Type')}): "
            f"{response.content[:200]!r}"
        ) from error
    has_detail = isinstance(body, dict) and isinstance(body.get("detail"), str)
    assert has_detail, f"{response.status_code} without a 'detail': {body!r}"[:400]


@pytest.fixture
def server_errors() -> Iterator[list[str]]:
    """The tracebacks of exceptions a request raised, for the failure's message."""
    from django.core.signals import got_request_exception

    found: list[str] = []

    def record(sender: Any, request: Any = None, **kwargs: Any) -> None:
        found.append(traceback.format_exc())

    got_request_exception.connect(record)
    yield found
    got_request_exception.disconnect(record)


@pytest.fixture
def wsgi_app() -> Iterator[Any]:
    """Django's WSGI app, with its connection left open between requests (as the test client does):
    the request-finished signal would otherwise close it inside the test's transaction."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# --- the test ----------------------------------------------------------------------------------


_SCHEMA: dict[str, Any] = {}


def _schema(app: Any) -> Any:
    """The schema the app serves, loaded once (every persona fuzzes the same operations)."""
    if "loaded" not in _SCHEMA:
        _SCHEMA["loaded"] = schemathesis.openapi.from_wsgi(
            "/api/v1/openapi.json", app, base_url=BASE_URL
        )
    return _SCHEMA["loaded"]


def _fuzz(
    operation: Any, headers: dict[str, str], real: dict, server_errors: list[str], sent: Counter
) -> None:
    """EXAMPLES requests drawn for `operation`; fails on the first answer a check refuses."""
    from django.db import transaction

    cases = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )

    @settings(max_examples=EXAMPLES, suppress_health_check=list(HealthCheck))
    @given(case=cases, data=st.data())
    def fuzz(case: Any, data: st.DataObject) -> None:
        case.path_parameters = _with_real(data, case.path_parameters, real)
        case.query = _with_real(data, case.query, real)
        if case.media_type == "application/json":
            case.body = _with_real(data, case.body, real)
        server_errors.clear()
        with transaction.atomic():
            response = case.call(base_url=BASE_URL, headers=headers)
            transaction.set_rollback(True)
        sent[response.status_code] += 1
        try:
            case.validate_response(response, checks=[not_a_server_error, problem_shape])
        except (AssertionError, BaseExceptionGroup) as failure:
            # schemathesis' FailureGroup; the server's traceback says where it came from.
            raise AssertionError(f"{failure}\n{''.join(server_errors)}") from None

    fuzz()


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_server_error_and_every_refusal_has_a_detail(
    request, world, wsgi_app, server_errors, persona: str
) -> None:
    from screening.services.accounts import token_issue

    schema = _schema(wsgi_app)
    headers = {}
    if persona != "anonymous":
        user = request.getfixturevalue(FIXTURE_OF[persona])
        headers["Authorization"] = f"Bearer {token_issue(user=user)}"
    real = _real_values(world)
    failed = []
    sent: Counter = Counter()
    for label in OPERATIONS:
        method, path = label.split(" ", 1)
        try:
            _fuzz(schema[path][method], headers, real, server_errors, sent)
        except (AssertionError, BaseExceptionGroup) as failure:
            notes = "\n".join(getattr(failure, "__notes__", []))
            failed.append(f"--- {persona}: {label}\n{failure}\n{notes}")
    # Seen with `pytest -s`: how many requests, and the answers' statuses.
    print(f"fuzz: {persona}: {sum(sent.values())} requests, {dict(sorted(sent.items()))}")
    assert not failed, f"{len(failed)} of {len(OPERATIONS)} operations failed:\n" + "\n".join(
        failed
    )
