"""Who may call each screening and reporting endpoint: one row per endpoint of the screening and
reporting routers (screening/api/: references, votes, conflicts, reasons, fulltext, reports, pilots).

Roles nest (admin ⊇ lead ⊇ reviewer). Outsiders (members of another project only) get 404 on
every project endpoint, a request without a token 401, and a member below an endpoint's minimum
role 403. A member at or above it gets the endpoint's own answer, asserted exactly.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from screening.models import ExclusionReason, Pilot, Reference, Report, Resolution, Vote
from screening.services.fulltext import report_attach
from screening.services.pilots import pilot_start
from screening.services.reasons import exclusion_reason_add
from screening.services.screening import vote_cast
from tests.factories import MembershipFactory
from tests.pdfs import pdf_with_text

pytestmark = pytest.mark.django_db

BASE = "/projects/microcredentials"
TA = "title_abstract"
RANK = {"reviewer": 1, "lead": 2, "admin": 3}
PERSONAS = ["anonymous", "outsider", "reviewer", "lead", "admin"]
FIXTURE_OF = {"outsider": "outsider", "reviewer": "reviewer_a", "lead": "lead", "admin": "admin"}


def _pdf(name: str = "report.pdf") -> io.BytesIO:
    pdf = io.BytesIO(pdf_with_text("The full text of a microcredential study"))
    pdf.name = name
    return pdf


@dataclass(frozen=True)
class Endpoint:
    """One endpoint: `{ref}` in the path names which of the world's references it is called on."""

    name: str
    method: str  # "get", "post" (JSON) or "upload" (multipart)
    path: str
    min_role: str
    allowed: int  # the exact status a member at or above min_role gets
    body: Callable[[], Any] | None = None
    ref: str = ""  # key into the world fixture: pending, conflict, included, with_report
    params: dict[str, str] | None = None
    needs_pilot: bool = False  # an open pilot round is started before the call


ENDPOINTS = [
    Endpoint("references list", "get", "/references", "reviewer", 200),
    Endpoint(
        "references list at a stage", "get", "/references", "reviewer", 200, params={"stage": TA}
    ),
    Endpoint("references next", "get", "/references/next", "reviewer", 200),
    Endpoint("reference detail", "get", "/references/{ref}", "reviewer", 200, ref="pending"),
    Endpoint(
        "vote",
        "post",
        "/references/{ref}/votes",
        "reviewer",
        201,
        body=lambda: {"stage": TA, "vote": "include"},
        ref="pending",
    ),
    Endpoint("conflicts", "get", "/conflicts", "lead", 200),
    Endpoint(
        "unblind a stage",
        "post",
        "/blinding",
        "lead",
        200,
        body=lambda: {"stage": TA, "blind": False},
    ),
    Endpoint(
        "resolution",
        "post",
        "/references/{ref}/resolution",
        "lead",
        201,
        body=lambda: {"stage": TA, "decision": "include"},
        ref="conflict",
    ),
    Endpoint(
        "reopen",
        "post",
        "/references/{ref}/reopen",
        "lead",
        200,
        body=lambda: {"stage": TA},
        ref="included",
    ),
    Endpoint("exclusion reasons list", "get", "/exclusion-reasons", "reviewer", 200),
    Endpoint(
        "exclusion reason add",
        "post",
        "/exclusion-reasons",
        "lead",
        201,
        body=lambda: {"name": "Wrong population"},
    ),
    Endpoint(
        "exclusion reason change",
        "patch",
        "/exclusion-reasons/{ref}",
        "lead",
        200,
        body=lambda: {"name": "Wrong comparator", "position": 1},
        ref="reason",
    ),
    Endpoint(
        "report marked not retrieved",
        "post",
        "/references/{ref}/report",
        "lead",
        201,
        body=lambda: {"not_retrieved": True, "note": "Interlibrary loan failed"},
        ref="included",
    ),
    Endpoint(
        "report uploaded",
        "upload",
        "/references/{ref}/report",
        "lead",
        201,
        body=lambda: {"file": _pdf()},
        ref="included",
    ),
    Endpoint("report file", "get", "/references/{ref}/report", "reviewer", 200, ref="with_report"),
    Endpoint("agreement", "get", "/agreement", "lead", 200),
    Endpoint("prisma", "get", "/prisma", "lead", 200),
    Endpoint("prisma.csv", "get", "/prisma.csv", "lead", 200),
    Endpoint("prisma.svg", "get", "/prisma.svg", "lead", 200),
    Endpoint("export", "get", "/export", "lead", 200),
    # Every member reads the history; what a reviewer sees of it is tests/screening/selectors/test_history.py.
    Endpoint("history", "get", "/history", "reviewer", 200),
    Endpoint("history.csv", "get", "/history.csv", "reviewer", 200),
    Endpoint("progress", "get", "/progress", "reviewer", 200),
    Endpoint("pilot start", "post", "/pilot", "lead", 201, body=lambda: {"size": 2}),
    Endpoint("pilot", "get", "/pilot", "reviewer", 200, needs_pilot=True),
    Endpoint("pilot close", "post", "/pilot/close", "lead", 200, needs_pilot=True),
]

REFERENCE_ENDPOINTS = [e for e in ENDPOINTS if e.ref]


@pytest.fixture
def world(project, demo_imports, lead) -> dict[str, int]:
    """Four references of the demo import in the states the endpoints act on.

    Two voters who are none of the personas cast the votes, so that every persona still has its
    own vote to give.
    """
    first, second = (
        MembershipFactory(project=project, user__username=f"voter_{n}").user for n in (1, 2)
    )
    refs = list(Reference.objects.filter(project=project).order_by("id"))
    pending, conflict, included, with_report = refs[:4]
    for reference, votes in [
        (conflict, ("include", "exclude")),
        (included, ("include", "include")),
        (with_report, ("include", "include")),
    ]:
        for voter, vote in zip((first, second), votes, strict=True):
            vote_cast(reference=reference, reviewer=voter, stage=TA, vote=vote)
    report_attach(reference=with_report, data=_pdf(), filename="with-report.pdf", user=lead)
    return {
        "pending": pending.pk,
        "conflict": conflict.pk,
        "included": included.pk,
        "with_report": with_report.pk,
        "reason": exclusion_reason_add(project=project, name="Other", user=lead).pk,
    }


def _call(client, endpoint: Endpoint, slug_base: str, ref: int | None):  # noqa: ANN202
    path = slug_base + endpoint.path.format(ref=ref)
    if endpoint.method == "get":
        return client.get(path, **(endpoint.params or {}))
    if endpoint.method == "upload":
        return client.upload(path, endpoint.body())
    if endpoint.method == "patch":
        return client.patch(path, endpoint.body())
    return client.post(path, endpoint.body() if endpoint.body else None)


def _expected(persona: str, endpoint: Endpoint) -> int:
    if persona == "anonymous":
        return 401
    if persona == "outsider":
        return 404
    return endpoint.allowed if RANK[persona] >= RANK[endpoint.min_role] else 403


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_each_endpoint_answers_each_role_as_the_table_says(
    api,
    request,
    project,
    world,
    admin,
    lead,
    reviewer_a,
    outsider,
    endpoint: Endpoint,
    persona: str,
) -> None:
    user = None if persona == "anonymous" else request.getfixturevalue(FIXTURE_OF[persona])
    if endpoint.needs_pilot:
        pilot_start(project=project, size=2, user=lead)
    response = _call(api(user), endpoint, BASE, world.get(endpoint.ref))
    assert response.status_code == _expected(persona, endpoint), response.content


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_refused_calls_change_nothing(
    api,
    project,
    world,
    lead,
    reviewer_a,
    outsider,
    endpoint: Endpoint,
) -> None:
    if endpoint.needs_pilot:
        pilot_start(project=project, size=2, user=lead)

    def state() -> tuple:
        return (
            Vote.objects.count(),
            Resolution.objects.count(),
            Report.objects.count(),
            list(Pilot.objects.values_list("id", "closed_at")),
            list(ExclusionReason.objects.values_list("id", "name", "position", "retired_at")),
        )

    before = state()
    for client in (api(), api(outsider)):
        assert _call(client, endpoint, BASE, world.get(endpoint.ref)).status_code in {401, 404}
    if endpoint.min_role != "reviewer":
        assert _call(api(reviewer_a), endpoint, BASE, world.get(endpoint.ref)).status_code == 403
    assert state() == before


def test_the_role_table_covers_every_route_of_the_screening_router() -> None:
    from screening.api import conflicts, fulltext, pilots, reasons, references, reports, votes

    routes = {
        (method.lower(), path.removeprefix("/projects/{slug}"))
        for module in (references, votes, conflicts, reasons, fulltext, reports, pilots)
        for path, operations in module.router.path_operations.items()
        for operation in operations.operations
        for method in operation.methods
    }
    covered = {
        (
            e.method if e.method in {"get", "patch"} else "post",
            e.path.replace("{ref}", "{reason_id}" if e.ref == "reason" else "{reference_id}"),
        )
        for e in ENDPOINTS
    }
    assert routes == covered


def test_the_references_list_takes_no_post(api, world, lead) -> None:
    response = api(lead).post(f"{BASE}/references", {"title": "A paper"})
    assert response.status_code == 405


# A reference of another project -----------------------------------------------------------


@pytest.fixture
def other_reference(api, outsider) -> int:
    """A reference of the outsider's own project ("another"), found by citation searching."""
    response = api(outsider).post(
        "/projects/another/records",
        {"title": "A paper only the other team has", "method": "citation searching"},
    )
    assert response.status_code == 201, response.content
    return response.json()["reference"]


@pytest.mark.parametrize("endpoint", REFERENCE_ENDPOINTS, ids=lambda e: e.name)
def test_a_reference_of_another_project_is_404_even_to_that_project_s_admin(
    api,
    world,
    outsider,
    other_reference: int,
    endpoint: Endpoint,
) -> None:
    # The outsider is admin of "another": they may call every endpoint there, but this
    # reference belongs to microcredentials.
    before = (Vote.objects.count(), Resolution.objects.count(), Report.objects.count())
    response = _call(api(outsider), endpoint, "/projects/another", world[endpoint.ref])
    assert response.status_code == 404, response.content
    assert (Vote.objects.count(), Resolution.objects.count(), Report.objects.count()) == before


@pytest.mark.parametrize("endpoint", REFERENCE_ENDPOINTS, ids=lambda e: e.name)
def test_a_reference_of_another_project_is_404_through_this_project_s_slug(
    api,
    world,
    admin,
    other_reference: int,
    endpoint: Endpoint,
) -> None:
    response = _call(api(admin), endpoint, BASE, other_reference)
    assert response.status_code == 404, response.content
    assert not Vote.objects.filter(reference_id=other_reference).exists()


def test_the_other_project_s_admin_reaches_their_own_reference(
    api,
    outsider,
    other_reference: int,
) -> None:
    detail = api(outsider).get(f"/projects/another/references/{other_reference}")
    assert detail.status_code == 200
    assert detail.json()["stage"] == "full_text"
