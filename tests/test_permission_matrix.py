"""The permission matrix: every URL pattern of the site and every operation of the OpenAPI schema,
with the answer each persona gets, in one table (`MATRIX`), walked with real requests and real ids.

Personas: anonymous, outsider (admin of another project only), reviewer (reviewer_a), second
reviewer (reviewer_b), lead, project admin, site staff (is_staff, member of no project).

A row's rule (`min_role`) gives every persona's answer; `exceptions` spell out the rest:
- "public": everyone gets `ok`.
- "user": anonymous is refused (401 on the API, 302 to /login/ on pages); every signed-in user
  gets `ok`.
- "reviewer" / "lead" / "admin": anonymous refused as above; outsider and staff (not members) get
  404; a member below the role 403; a member at or above it `ok`.
- "staff-api": site staff get `ok`, anonymous 401, everyone else 403.
- "staff" (the Django admin): anonymous and non-staff users get 302 to the admin's login page;
  staff get `ok`. ADMIN_MODELS lists the models registered with the admin.

Where a member's answer is not a 2xx (a form sent back, a state check), the row's note says why;
the refusals still come from the role check, before any state check.

A page that takes both GET and POST has a row for each. Rows naming a project object in their
path (`{reference_id}`, `{reason_id}`, ...) or body ("@pending") are also called by this
project's admin with another project's object id through this project's slug: 404 (IDOR). Every
refused unsafe call (POST/PUT/PATCH/DELETE) must change no row of the database. Each call runs in
a savepoint rolled back after it, so one world serves every persona of a row.

A URL pattern or OpenAPI operation without a row fails `test_every_url_pattern_has_a_row` /
`test_every_openapi_operation_has_a_row`: a new endpoint must be added to `MATRIX`.

docs/permissions.md is generated from `MATRIX`:
    ALLOW_DEV_SECRET_KEY=1 .venv/bin/python -m tests.test_permission_matrix --write-docs
and `test_the_permissions_doc_is_up_to_date` fails when it is out of date.
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

PERSONAS = ["anonymous", "outsider", "reviewer", "second reviewer", "lead", "admin", "staff"]
FIXTURE_OF = {
    "outsider": "outsider",
    "reviewer": "reviewer_a",
    "second reviewer": "reviewer_b",
    "lead": "lead",
    "admin": "admin",
    "staff": "staff",
}
RANK = {"reviewer": 1, "second reviewer": 1, "lead": 2, "admin": 3}
SLUG = "microcredentials"
OTHER_SLUG = "another"
TA = "title_abstract"
UNSAFE = {"post", "put", "patch", "delete"}
DOC = Path(__file__).resolve().parents[1] / "docs" / "permissions.md"


def _pdf() -> io.BytesIO:
    from tests.pdfs import pdf_with_text

    pdf = io.BytesIO(pdf_with_text("The full text of a microcredential study"))
    pdf.name = "report.pdf"
    return pdf


def _ris() -> io.BytesIO:
    data = io.BytesIO(b"TY  - JOUR\nTI  - A paper on microcredentials\nPY  - 2020\nER  - \n")
    data.name = "search.ris"
    return data


class _ArchiveUpload:
    """Another project's archive, written when the client reads it to send it: MATRIX is listed
    at import, before there is a database to export from."""

    name = "another-archive.zip"

    def read(self) -> bytes:
        from screening.models import Project
        from screening.services.archive import project_archive_write

        out = io.BytesIO()
        project_archive_write(project=Project.objects.get(slug=OTHER_SLUG), out=out)
        return out.getvalue()


@dataclass(frozen=True)
class Row:
    """One URL pattern (kind "page" or "admin") or one OpenAPI operation (kind "api").

    `path` is the resolver's route for pages ("projects/<slug:slug>/screen/") and the schema's
    path for the API ("/api/v1/projects/{slug}/references"). `ids` maps a path parameter to the
    world's object it is called with. `ok` is the answer of a persona the rule lets through.
    """

    kind: str
    method: str
    path: str
    min_role: str
    ok: int
    body: Callable[[], Any] | None = None
    upload: bool = False  # multipart instead of JSON
    ids: dict[str, str] = field(default_factory=dict)
    exceptions: dict[str, int] = field(default_factory=dict)
    note: str = ""
    call: str = ""  # the path called, for a regex pattern
    setup: str = ""  # "pilot": an open pilot round is started before the calls

    @property
    def key(self) -> str:
        return f"{self.method.upper()} {self.path}"


def api(method: str, path: str, min_role: str, ok: int, **kw: Any) -> Row:
    return Row("api", method, f"/api/v1{path}", min_role, ok, **kw)


def page(method: str, path: str, min_role: str, ok: int, **kw: Any) -> Row:
    return Row("page", method, path, min_role, ok, **kw)


# Every model registered with the Django admin, and the pages the admin gives each.
ADMIN_MODELS = [
    "auth/group",
    "auth/user",
    "axes/accessattempt",
    "axes/accesslog",
    "axes/accessfailurelog",
    "screening/project",
    "screening/search",
    "screening/job",
    "screening/auditevent",
]
ADMIN_MODEL_PAGES = [
    "",
    "add/",
    "<path:object_id>/history/",
    "<path:object_id>/delete/",
    "<path:object_id>/change/",
    "<path:object_id>/",
]
P = "/projects/{slug}"
PP = "projects/<slug:slug>/"
REF = {"reference_id": "pending"}

MATRIX: list[Row] = [
    # --- the API ---------------------------------------------------------------------------
    api(
        "post",
        "/auth/token",
        "public",
        401,
        body=lambda: {"username": "lead", "password": "wrong"},
        note="a wrong password: 401 for everyone",
    ),
    api("delete", "/auth/token", "user", 204),
    api(
        "post",
        "/users",
        "staff-api",
        201,
        body=lambda: {"username": "newcomer", "password": "a long enough passphrase 42"},
    ),
    api("post", "/projects", "user", 201, body=lambda: {"name": "A new review"}),
    api("get", "/projects", "user", 200),
    api("get", P, "reviewer", 200),
    api("post", f"{P}/members", "admin", 201, body=lambda: {"username": "staff"}),
    api("get", f"{P}/members", "reviewer", 200),
    api("delete", f"{P}/members/{{username}}", "admin", 204, ids={"username": "member_name"}),
    api("get", "/jobs/{job_id}", "reviewer", 200, ids={"job_id": "job"}),
    api(
        "post",
        f"{P}/searches",
        "lead",
        201,
        upload=True,
        body=lambda: {"file": _ris(), "database": "Scopus"},
    ),
    api("get", f"{P}/searches", "reviewer", 200),
    api(
        "post",
        f"{P}/records",
        "lead",
        201,
        body=lambda: {"title": "A paper from a colleague", "method": "citation searching"},
    ),
    api("post", f"{P}/dedup", "lead", 202),
    api("get", f"{P}/duplicates", "lead", 200),
    api(
        "post",
        f"{P}/duplicates/{{candidate_id}}",
        "lead",
        200,
        body=lambda: {"action": "reject"},
        ids={"candidate_id": "candidate"},
    ),
    api("get", f"{P}/references", "reviewer", 200),
    api("get", f"{P}/references/next", "reviewer", 200),
    api("get", f"{P}/references/{{reference_id}}", "reviewer", 200, ids=REF),
    api("get", f"{P}/export", "lead", 200),
    api(
        "post",
        f"{P}/references/{{reference_id}}/votes",
        "reviewer",
        201,
        body=lambda: {"stage": TA, "vote": "include"},
        ids=REF,
    ),
    api("get", f"{P}/conflicts", "lead", 200),
    api(
        "post",
        f"{P}/references/{{reference_id}}/resolution",
        "lead",
        201,
        body=lambda: {"stage": TA, "decision": "include"},
        ids={"reference_id": "conflict"},
    ),
    api(
        "post",
        f"{P}/references/{{reference_id}}/reopen",
        "lead",
        200,
        body=lambda: {"stage": TA},
        ids={"reference_id": "included"},
    ),
    api("post", f"{P}/blinding", "lead", 200, body=lambda: {"stage": TA, "blind": False}),
    api("post", f"{P}/exclusion-reasons", "lead", 201, body=lambda: {"name": "Wrong population"}),
    api("get", f"{P}/exclusion-reasons", "reviewer", 200),
    api(
        "patch",
        f"{P}/exclusion-reasons/{{reason_id}}",
        "lead",
        200,
        body=lambda: {"name": "Wrong comparator"},
        ids={"reason_id": "reason"},
    ),
    api(
        "post",
        f"{P}/references/{{reference_id}}/report",
        "lead",
        201,
        upload=True,
        body=lambda: {"file": _pdf()},
        ids={"reference_id": "included"},
    ),
    api(
        "get",
        f"{P}/references/{{reference_id}}/report",
        "reviewer",
        200,
        ids={"reference_id": "with_report"},
    ),
    api("get", f"{P}/agreement", "lead", 200),
    api("get", f"{P}/prisma", "lead", 200),
    api("get", f"{P}/prisma.csv", "lead", 200),
    api("get", f"{P}/prisma.svg", "lead", 200),
    api("get", f"{P}/history", "reviewer", 200),
    api("get", f"{P}/history.csv", "reviewer", 200),
    api("get", f"{P}/progress", "reviewer", 200),
    api("post", f"{P}/pilot", "lead", 201, body=lambda: {"size": 2}),
    api("get", f"{P}/pilot", "reviewer", 200, setup="pilot", note="with a pilot round open"),
    api("post", f"{P}/pilot/close", "lead", 200, setup="pilot", note="with a pilot round open"),
    api("get", f"{P}/ranking", "reviewer", 200),
    api("put", f"{P}/ranking", "lead", 200, body=lambda: {"stage": TA, "order": "ranked"}),
    api("post", f"{P}/ranking/retrain", "lead", 202, body=lambda: {"stage": TA}),
    api("get", f"{P}/ranking/references", "lead", 200),
    api("get", f"{P}/ranking/seeds", "lead", 200),
    api(
        "post",
        f"{P}/ranking/seeds",
        "lead",
        201,
        body=lambda: {"reference": "@pending"},
    ),
    api(
        "delete",
        f"{P}/ranking/seeds/{{reference_id}}",
        "lead",
        204,
        ids={"reference_id": "seed"},
    ),
    api("post", f"{P}/ranking/replay", "lead", 202, body=lambda: {"seed": 1}),
    api("get", f"{P}/stopping", "lead", 200),
    api(
        "post",
        f"{P}/stopping/sample",
        "lead",
        201,
        setup="ranked",
        body=lambda: {"size": 2},
    ),
    api(
        "post",
        f"{P}/stopping/set-aside",
        "lead",
        200,
        setup="sample",
        body=lambda: {"stage": TA},
    ),
    api(
        "post",
        f"{P}/stopping/stop",
        "lead",
        201,
        setup="settled",
        body=lambda: {"stage": TA, "reason": "Enough"},
    ),
    api(
        "post",
        f"{P}/stopping/reverse",
        "lead",
        200,
        setup="stopped",
        body=lambda: {"stage": TA, "reason": "Not enough"},
    ),
    api(
        "put",
        f"{P}/codebook",
        "lead",
        200,
        body=lambda: {"fields": [{"name": "Design", "type": "text"}]},
    ),
    api("get", f"{P}/codebook", "reviewer", 200),
    api(
        "post",
        f"{P}/references/{{reference_id}}/extractions",
        "reviewer",
        201,
        body=lambda: {"values": {"Design": "RCT"}},
        ids={"reference_id": "with_report"},
        setup="extraction",
    ),
    api(
        "put",
        f"{P}/references/{{reference_id}}/extractors",
        "lead",
        200,
        body=lambda: {"extractors": ["reviewer_a"]},
        ids={"reference_id": "with_report"},
        setup="extraction",
    ),
    api(
        "post",
        f"{P}/references/{{reference_id}}/consensus",
        "lead",
        201,
        body=lambda: {"values": {"Design": "RCT"}},
        ids={"reference_id": "with_report"},
        setup="extraction",
    ),
    api("post", f"{P}/extractions/sample", "lead", 201, body=lambda: {"size": 1}),
    api("get", f"{P}/extractions/agreement", "lead", 200),
    api("get", f"{P}/extractions/summary", "reviewer", 200),
    api("get", f"{P}/extractions", "lead", 200),
    api("get", f"{P}/archive", "admin", 200),
    api(
        "post",
        "/archives",
        "staff-api",
        201,
        upload=True,
        body=lambda: {"file": _ArchiveUpload(), "slug": "carried"},
        note="another project's archive, restored under a new slug",
    ),
    # --- pages -----------------------------------------------------------------------------
    page(
        "get",
        "login/",
        "public",
        200,
        exceptions=dict.fromkeys(PERSONAS[1:], 302),
        note="a signed-in user is sent to /projects/",
    ),
    page("post", "logout/", "public", 302),
    page("get", "api/v1/openapi.json", "public", 200),
    page("get", "api/v1/docs", "public", 200),
    page("get", "api/v1/", "public", 404, note="the API has no root page"),
    page("get", "", "public", 302),
    page("get", "projects/", "user", 200),
    page("get", PP, "reviewer", 200),
    page("get", f"{PP}jobs/", "reviewer", 200),
    page("get", f"{PP}members/", "reviewer", 200),
    page("get", f"{PP}import/", "lead", 200),
    page("get", f"{PP}searches/", "reviewer", 200),
    page("get", f"{PP}duplicates/", "lead", 200),
    page("post", f"{PP}pilot/", "lead", 302),
    page("post", f"{PP}blinding/", "lead", 302),
    page("post", f"{PP}ranking/", "lead", 302, body=lambda: {"stage": TA, "order": "ranked"}),
    page("get", f"{PP}ranking/progress/", "reviewer", 200),
    page("get", f"{PP}ranking/seeds/", "lead", 200),
    page("get", f"{PP}ranking/replay/", "lead", 200),
    page("get", f"{PP}stopping/", "lead", 200),
    page("get", f"{PP}screen/", "reviewer", 200),
    page("get", f"{PP}screen/team/", "reviewer", 200),
    page("get", f"{PP}references/", "reviewer", 200),
    page(
        "post",
        f"{PP}screen/<int:reference_id>/vote/",
        "reviewer",
        302,
        body=lambda: {"stage": TA, "vote": "include"},
        ids=REF,
    ),
    page(
        "get",
        f"{PP}references/<int:reference_id>/report.pdf",
        "reviewer",
        200,
        ids={"reference_id": "with_report"},
    ),
    page("get", f"{PP}full-texts/", "lead", 200),
    page("get", f"{PP}reasons/", "reviewer", 200),
    page("get", f"{PP}conflicts/", "lead", 200),
    page("get", f"{PP}settings/", "lead", 200),
    page("get", f"{PP}exports/", "lead", 200),
    page("get", f"{PP}report/", "lead", 200),
    page("get", f"{PP}report/methods.txt", "lead", 200),
    page("get", f"{PP}downloads/<str:name>", "lead", 200, ids={"name": "download"}),
    page("get", f"{PP}history/", "reviewer", 200),
    page("get", "jobs/<int:job_id>/", "reviewer", 200, ids={"job_id": "job"}),
    page("get", f"{PP}extraction/", "reviewer", 200),
    page("get", f"{PP}extraction/codebook/", "reviewer", 200),
    page("get", f"{PP}extraction/summary/", "reviewer", 200),
    page("get", f"{PP}extraction/progress/", "reviewer", 200),
    page("get", f"{PP}extraction/next/", "reviewer", 302),
    page(
        "get",
        f"{PP}extraction/<int:reference_id>/",
        "reviewer",
        200,
        ids={"reference_id": "included"},
    ),
    page(
        "get",
        f"{PP}extraction/<int:reference_id>/consensus/",
        "lead",
        200,
        ids={"reference_id": "included"},
    ),
    # Pages that take a POST as well as a GET: the POST's own row.
    page(
        "post",
        "projects/",
        "user",
        200,
        body=lambda: {"name": "A new review"},
        note="the form again, incomplete",
    ),
    page(
        "post",
        f"{PP}members/",
        "admin",
        302,
        body=lambda: {"username": "staff", "role": "reviewer"},
    ),
    page("post", f"{PP}settings/", "lead", 302, body=lambda: {"eligibility_criteria": "Adults"}),
    page("post", f"{PP}import/", "lead", 200),
    page("post", f"{PP}duplicates/", "lead", 302, body=lambda: {"action": "run"}),
    page(
        "post",
        f"{PP}full-texts/",
        "lead",
        302,
        body=lambda: {"reference": "@included", "action": "not_retrieved"},
    ),
    page("post", f"{PP}reasons/", "lead", 302, body=lambda: {"name": "Wrong population"}),
    page(
        "post",
        f"{PP}conflicts/",
        "lead",
        302,
        body=lambda: {"reference": "@conflict", "stage": TA, "decision": "include"},
    ),
    page("post", f"{PP}ranking/seeds/", "lead", 302, body=lambda: {"reference": "@pending"}),
    page("post", f"{PP}ranking/replay/", "lead", 302),
    page("post", f"{PP}stopping/", "lead", 400, note="an empty form, refused after the role check"),
    page("post", f"{PP}extraction/codebook/", "lead", 200, note="the form again, empty"),
    page(
        "post",
        f"{PP}extraction/",
        "lead",
        302,
        body=lambda: {"action": "assign", "reference": "@with_report", "extractor": "reviewer_a"},
        setup="extraction",
    ),
    page(
        "post",
        f"{PP}extraction/<int:reference_id>/",
        "reviewer",
        200,
        note="the form again (no codebook yet)",
        ids={"reference_id": "included"},
    ),
    page(
        "post",
        f"{PP}extraction/<int:reference_id>/consensus/",
        "lead",
        200,
        note="the form again (no codebook yet)",
        ids={"reference_id": "included"},
    ),
    # The Django admin (site staff who hold no model permission: see the index, 403 on models).
    Row("admin", "get", "admin/", "staff", 200),
    Row(
        "admin",
        "get",
        "admin/login/",
        "public",
        200,
        exceptions={"staff": 302},
        note="staff are sent on to the admin's index",
    ),
    Row("admin", "post", "admin/logout/", "staff", 302, note="staff: logged out, to /login/"),
    Row("admin", "get", "admin/password_change/", "staff", 200),
    Row("admin", "get", "admin/password_change/done/", "staff", 200),
    Row("admin", "get", "admin/autocomplete/", "staff", 403, note="no model to complete"),
    Row("admin", "get", "admin/jsi18n/", "staff", 200),
    Row(
        "admin",
        "get",
        "admin/r/<path:content_type_id>/<path:object_id>/",
        "staff",
        404,
        ids={"content_type_id": "admin:project_type", "object_id": "admin:screening/project"},
        note="a project has no public URL",
    ),
    Row(
        "admin",
        "get",
        "admin/^(?P<app_label>auth|axes|screening)/$",
        "staff",
        404,
        call="admin/screening/",
        note="an app's index: 404 to staff with no model of it",
    ),
    Row(
        "admin",
        "get",
        "admin/(?P<url>.*)$",
        "staff",
        404,
        call="admin/no-such-page/",
        note="the admin's catch-all",
    ),
    *(
        Row(
            "admin",
            "get",
            f"admin/{model}/{suffix}",
            "staff",
            302 if suffix == "<path:object_id>/" else 403,
            ids={"object_id": f"admin:{model}"} if "object_id" in suffix else {},
            note="redirects to the change page" if suffix == "<path:object_id>/" else "",
        )
        for model in ADMIN_MODELS
        for suffix in ADMIN_MODEL_PAGES
    ),
    Row(
        "admin",
        "get",
        "admin/auth/user/<id>/password/",
        "staff",
        403,
        ids={"id": "admin:auth/user"},
    ),
]


# --- expected answers ------------------------------------------------------------------------


def expected(row: Row, persona: str) -> int:
    if persona in row.exceptions:
        return row.exceptions[persona]
    refused_anonymous = 401 if row.kind == "api" else 302
    rule = row.min_role
    if rule == "public":
        return row.ok
    if rule == "staff":
        return row.ok if persona == "staff" else 302
    if persona == "anonymous":
        return refused_anonymous
    if rule == "user":
        return row.ok
    if rule == "staff-api":
        return row.ok if persona == "staff" else 403
    if persona in {"outsider", "staff"}:
        return 404
    return row.ok if RANK[persona] >= RANK[rule] else 403


def refused(row: Row, persona: str) -> bool:
    """Whether the row's rule turns the persona away (its unsafe calls must then change nothing)."""
    rule = row.min_role
    if rule == "public":
        return False
    if rule in {"staff", "staff-api"}:
        return persona != "staff"
    if persona == "anonymous":
        return True
    if rule == "user":
        return False
    return persona in {"outsider", "staff"} or RANK[persona] < RANK[rule]


# --- the world ---------------------------------------------------------------------------------


def _build_world(project: Any, lead: Any, outsider: Any, demo_imports: list[int]) -> dict[str, Any]:
    from screening.models import DuplicateCandidate, Job, Project, Reference
    from screening.services.fulltext import report_attach
    from screening.services.ranking_seeds import ranking_seed_mark
    from screening.services.reasons import exclusion_reason_add
    from screening.services.screening import vote_cast
    from tests.factories import MembershipFactory

    first, second = (
        MembershipFactory(project=project, user__username=f"voter_{n}").user for n in (1, 2)
    )
    member = MembershipFactory(project=project, user__username="leaving", role="reviewer").user
    refs = list(Reference.objects.filter(project=project).order_by("id"))
    pending, conflict, included, with_report, seed, excluded = refs[:6]
    for reference, votes in [
        (conflict, ("include", "exclude")),
        (included, ("include", "include")),
        (with_report, ("include", "include")),
        (excluded, ("exclude", "exclude")),
    ]:
        for voter, vote in zip((first, second), votes, strict=True):
            vote_cast(reference=reference, reviewer=voter, stage=TA, vote=vote)
    report_attach(reference=with_report, data=_pdf(), filename="with-report.pdf", user=lead)
    ranking_seed_mark(project=project, reference_id=seed.pk, user=lead)
    other = Project.objects.get(slug=OTHER_SLUG)
    other_ref = Reference.objects.create(project=other, title="A paper only the other team has")
    world = {
        "pending": pending.pk,
        "conflict": conflict.pk,
        "included": included.pk,
        "with_report": with_report.pk,
        "seed": seed.pk,
        "reason": exclusion_reason_add(project=project, name="Other", user=lead).pk,
        "candidate": DuplicateCandidate.objects.create(
            project=project, references=[refs[6].pk, refs[7].pk], score=0.9
        ).pk,
        "job": Job.objects.create(project=project, kind="dedup", created_by=lead).pk,
        "member_name": member.username,
        "download": "prisma.csv",
    }
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType

    from screening.models import AuditEvent, Search

    admin_objects = {
        "auth/group": Group.objects.create(name="Editors"),
        "auth/user": lead,
        "axes/accessattempt": AccessAttempt.objects.create(username="x", failures_since_start=1),
        "axes/accesslog": AccessLog.objects.create(username="x"),
        "axes/accessfailurelog": AccessFailureLog.objects.create(username="x"),
        "screening/project": project,
        "screening/search": Search.objects.filter(project=project).first(),
        "screening/job": Job.objects.get(pk=world["job"]),
        "screening/auditevent": AuditEvent.objects.filter(project=project).first(),
    }
    world.update({f"admin:{name}": found.pk for name, found in admin_objects.items()})
    world["admin:project_type"] = ContentType.objects.get_for_model(Project).pk
    world["other"] = {
        "pending": other_ref.pk,
        "conflict": other_ref.pk,
        "included": other_ref.pk,
        "with_report": other_ref.pk,
        "seed": other_ref.pk,
        "reason": exclusion_reason_add(project=other, name="Other", user=outsider).pk,
        "candidate": DuplicateCandidate.objects.create(
            project=other, references=[other_ref.pk], score=0.9
        ).pk,
        "job": Job.objects.create(project=other, kind="dedup", created_by=outsider).pk,
        "member_name": outsider.username,
        "download": "prisma.csv",
    }
    return world


@pytest.fixture
def world(project, demo_imports, admin, lead, reviewer_a, reviewer_b, outsider, staff) -> dict:
    return _build_world(project, lead, outsider, demo_imports)


def _extraction_ready(request: pytest.FixtureRequest, world: dict[str, Any]) -> None:
    """A codebook, and the reference with a report included at full text by the two voters."""
    from django.contrib.auth import get_user_model

    from screening.services.screening import vote_cast
    from tests.conftest import ApiClient

    project = request.getfixturevalue("project")
    lead = request.getfixturevalue("lead")
    from screening.services.accounts import token_issue

    answer = ApiClient(token_issue(user=lead)).put(
        f"{P.format(slug=SLUG)}/codebook", {"fields": [{"name": "Design", "type": "text"}]}
    )
    assert answer.status_code == 200, answer.content
    reference = project.references.get(pk=world["with_report"])
    for name in ("voter_1", "voter_2"):
        voter = get_user_model().objects.get(username=name)
        vote_cast(reference=reference, reviewer=voter, stage="full_text", vote="include")


STOPPING_SETUPS = ["ranked", "sample", "settled", "stopped"]
SETUP_TEXT = {
    "pilot": "",
    "extraction": "called with a codebook and the study included at full text",
    "ranked": "called with title/abstract in ranked order",
    "sample": "called with a stopping sample open",
    "settled": "called with the stopping sample settled",
    "stopped": "called with screening stopped",
}


def _stopping_ready(request: pytest.FixtureRequest, setup: str) -> None:
    """Title/abstract in ranked order; then a stopping sample drawn; settled; screening stopped."""
    from django.contrib.auth import get_user_model

    from screening.models import Project
    from screening.services import stopping
    from tests.screening.stopping_setup import settle_open_sample

    project = request.getfixturevalue("project")
    lead = request.getfixturevalue("lead")
    Project.objects.filter(pk=project.pk).update(title_abstract_order="ranked")
    project.refresh_from_db()
    level = STOPPING_SETUPS.index(setup)
    if level >= 1:
        stopping.stopping_sample_draw(project=project, stage=TA, user=lead, size=2)
    if level >= 2:
        voters = get_user_model().objects.filter(username__in=["voter_1", "voter_2"])
        settle_open_sample(project, voters)
    if level >= 3:
        stopping.screening_stop(project=project, stage=TA, user=lead, reason="Enough")


# --- calling a row -----------------------------------------------------------------------------

_PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\{(\w+)\}")


def url_of(row: Row, world: dict[str, Any], slug: str = SLUG, ids: dict | None = None) -> str:
    ids = world if ids is None else ids

    def fill(match: re.Match) -> str:
        name = match.group(1) or match.group(2)
        return slug if name == "slug" else str(ids[row.ids[name]])

    path = row.call or _PARAM.sub(fill, row.path)
    return path if row.kind == "api" else "/" + path


def _body(row: Row, world: dict[str, Any]) -> Any:
    body = row.body() if row.body else {}
    if isinstance(body, dict):
        body = {
            k: world[v[1:]] if isinstance(v, str) and v.startswith("@") else v
            for k, v in body.items()
        }
    return body


def call(client: Any, row: Row, url: str, world: dict[str, Any]) -> Any:
    body = _body(row, world)
    if row.method == "get":
        return client.get(url)
    if row.upload or row.kind != "api":
        return client.post(url, body)
    return getattr(client, row.method)(url, body, content_type="application/json")


def _state() -> dict[str, int]:
    from django.apps import apps

    models = [
        m
        for label in ("auth", "screening", "extraction")
        for m in apps.get_app_config(label).get_models()
    ]
    return {m._meta.label: m.objects.count() for m in models}


def _client(request: pytest.FixtureRequest, row: Row, persona: str) -> Any:
    from django.test import Client

    from screening.services.accounts import token_issue

    if persona == "anonymous":
        return Client()
    user = request.getfixturevalue(FIXTURE_OF[persona])
    if row.kind == "api":
        return Client(headers={"Authorization": f"Bearer {token_issue(user=user)}"})
    client = Client()
    client.force_login(user)
    return client


def _answer(
    request: pytest.FixtureRequest,
    row: Row,
    persona: str,
    url: str,
    world: dict,
    *,
    count: bool = True,
) -> tuple[int, bool, str, bytes]:
    """(status, whether the database changed, Location, body) of one call, rolled back after.
    The rows are counted before and after an unsafe call when `count` is set."""
    from django.db import transaction

    client = _client(request, row, persona)
    with transaction.atomic():
        before = _state() if count and row.method in UNSAFE else None
        response = call(client, row, url, world)
        changed = before is not None and _state() != before
        transaction.set_rollback(True)
    return (
        response.status_code,
        changed,
        response.get("Location", ""),
        getattr(response, "content", b""),
    )


# --- the tests ---------------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("row", MATRIX, ids=lambda r: f"{r.kind}:{r.key}")
def test_each_persona_gets_the_answer_of_the_table(request, world, row: Row) -> None:
    if row.setup == "pilot":
        from screening.services.pilots import pilot_start

        pilot_start(
            project=request.getfixturevalue("project"), size=2, user=request.getfixturevalue("lead")
        )
    if row.setup == "extraction":
        _extraction_ready(request, world)
    if row.setup in STOPPING_SETUPS:
        _stopping_ready(request, row.setup)
    url = url_of(row, world)
    wrong = []
    for persona in PERSONAS:
        want = expected(row, persona)
        turned_away = refused(row, persona)
        status, changed, location, content = _answer(
            request, row, persona, url, world, count=turned_away
        )
        if status != want:
            wrong.append(f"{persona}: {status} (table: {want}) {location} {content[:200]!r}")
        if turned_away and changed:
            wrong.append(f"{persona}: refused with {status} but the database changed")
        if (
            status == want == 302
            and persona == "anonymous"
            and row.min_role not in {"public", "staff"}
            and not location.startswith("/login/")
        ):
            wrong.append(f"anonymous: redirected to {location}, not /login/")
    assert not wrong, f"{row.key} at {url}:\n" + "\n".join(wrong)


# Rows naming a project object in their path or body; usernames, download names and the
# admin's objects are not objects of a project.
def _names_an_object(row: Row) -> bool:
    in_body = isinstance(body := row.body() if row.body else None, dict) and any(
        isinstance(v, str) and v.startswith("@") for v in body.values()
    )
    return row.kind != "admin" and (in_body or bool(set(row.ids) - {"name", "username"}))


IDOR_ROWS = [r for r in MATRIX if _names_an_object(r)]


@pytest.mark.parametrize("row", IDOR_ROWS, ids=lambda r: f"{r.kind}:{r.key}")
def test_another_project_s_object_through_this_project_s_slug_is_404(
    request, world, row: Row
) -> None:
    url = url_of(row, world, ids=world["other"])
    # Ids in the body ("@pending") name the other project's objects too.
    status, changed, _, _ = _answer(request, row, "admin", url, {**world, **world["other"]})
    assert (status, changed) == (404, False), url


def test_the_no_change_check_sees_a_change(request, world) -> None:
    """The check the refused calls pass would catch a write: an allowed one is seen."""
    row = next(r for r in MATRIX if r.key == "POST /api/v1/projects/{slug}/exclusion-reasons")
    status, changed, _, _ = _answer(request, row, "lead", url_of(row, world), world)
    assert (status, changed) == (201, True)


def _url_patterns() -> set[str]:
    from django.urls import URLResolver, get_resolver

    def walk(resolver: URLResolver, prefix: str) -> set[str]:
        found: set[str] = set()
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                found |= walk(pattern, prefix + str(pattern.pattern))
            else:
                found.add(prefix + str(pattern.pattern))
        return found

    return walk(get_resolver(), "")


def _openapi_operations() -> set[str]:
    from reviewtool.api import api as ninja_api

    schema = ninja_api.get_openapi_schema()
    return {f"{m.upper()} {path}" for path, ops in schema["paths"].items() for m in ops}


def _api_pattern(path: str) -> str:
    return re.sub(r"\{(\w+)\}", r"<\1>", path.removeprefix("/"))


def test_every_url_pattern_has_a_row() -> None:
    covered = {r.path for r in MATRIX if r.kind in {"page", "admin"}}
    covered |= {_api_pattern(r.path) for r in MATRIX if r.kind == "api"}
    missing = _url_patterns() - covered
    assert not missing, f"URL patterns without a row in MATRIX: {sorted(missing)}"


def test_every_openapi_operation_has_a_row() -> None:
    rows = {r.key for r in MATRIX if r.kind == "api"}
    operations = _openapi_operations()
    assert operations - rows == set(), "operations without a row in MATRIX"
    assert rows - operations == set(), "rows for operations the schema does not have"


# --- the document ------------------------------------------------------------------------------


def render_doc() -> str:
    lines = [
        "# Permission matrix",
        "",
        "Generated from `MATRIX` in tests/test_permission_matrix.py; do not edit by hand.",
        "Regenerate with",
        "`ALLOW_DEV_SECRET_KEY=1 .venv/bin/python -m tests.test_permission_matrix --write-docs`.",
        "The test walks every cell with real requests; `test_the_permissions_doc_is_up_to_date`",
        "fails when this file is out of date.",
        "",
        "Anonymous callers get 401 on the API and 302 to /login/ on pages; members of another",
        "project and site staff (members of no project) get 404 on a project's URLs; a member",
        "below a row's role 403. Each row naming a project object is also called with another",
        "project's object id through this project's slug: 404.",
        "",
        "Rules: `public` everyone gets the row's answer; `user` any signed-in user;",
        "`staff-api` site staff only (others 403); `reviewer`, `lead`, `admin` that project role",
        "or above (roles nest: admin > lead > reviewer); `staff` the Django admin (others 302 to",
        "its login; staff hold no model permission). Cells that differ from the rule are the",
        "row's exceptions, spelt out in its note; so is the state a row is called in.",
        "",
        "| kind | method | path | rule | " + " | ".join(PERSONAS) + " | note |",
        "|" + "---|" * (5 + len(PERSONAS)),
    ]
    for row in MATRIX:
        cells = [str(expected(row, p)) for p in PERSONAS]
        path = row.path.replace("|", "\\|")
        lines.append(
            f"| {row.kind} | {row.method.upper()} | `{path or '/'}` | {row.min_role} | "
            + " | ".join(cells)
            + f" | {'; '.join(filter(None, [row.note, SETUP_TEXT.get(row.setup, '')]))} |"
        )
    lines.append("")
    return "\n".join(lines)


def test_the_permissions_doc_is_up_to_date() -> None:
    assert DOC.exists(), "docs/permissions.md is missing"
    assert DOC.read_text() == render_doc(), (
        "docs/permissions.md is out of date; regenerate it with "
        "`ALLOW_DEV_SECRET_KEY=1 .venv/bin/python -m tests.test_permission_matrix --write-docs`"
    )


if __name__ == "__main__" and "--write-docs" in sys.argv:
    DOC.write_text(render_doc())
    print(f"wrote {DOC}")
