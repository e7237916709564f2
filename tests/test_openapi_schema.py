"""The OpenAPI schema says what the API answers: every live status is declared, every body fits.

One walk through the API drives every operation at least once to success and through its error
cases (no token, an outsider, a reviewer where a lead is needed, bad input, a clash); each answer
is checked against the operation's declared responses, and a status the schema does not declare
fails the test (the checking client: tests/openapi_checked.py).
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest

from reviewtool.api import api as ninja_api
from tests.extraction import conftest as extraction
from tests.factories import UserFactory
from tests.openapi_checked import ROOT, Checked
from tests.pdfs import pdf_with_text

BASE = "/projects/microcredentials"
TA, FT = "title_abstract", "full_text"
PASSWORD = "correct horse battery staple"
CODEBOOK, A_VALUES = extraction.CODEBOOK, extraction.A_VALUES
# Three references included after full text, with their PDFs (the extraction tests' fixture).
studies = extraction.studies


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return ninja_api.get_openapi_schema(path_prefix=ROOT)


def _pdf(text: str) -> io.BytesIO:
    pdf = io.BytesIO(pdf_with_text(text))
    pdf.name = "study.pdf"
    return pdf


def _ris() -> io.BytesIO:
    data = io.BytesIO(b"TY  - JOUR\nTI  - A hand-searched trial\nPY  - 2021\nER  - \n")
    data.name = "hand.ris"
    return data


@pytest.mark.django_db
def test_every_operation_answers_only_what_the_schema_declares(
    api,
    schema,
    studies,
    admin,
    lead,
    reviewer_a,
    reviewer_b,
    outsider,
    staff,
    django_capture_on_commit_callbacks,
) -> None:
    seen: dict[tuple[str, str], set[int]] = {}

    def as_(user: object = None) -> Checked:
        return Checked(api(user), schema, seen)

    nobody, a, ra, rb = as_(), as_(admin), as_(reviewer_a), as_(reviewer_b)
    ld, out = as_(lead), as_(outsider)

    # Auth and users.
    assert (
        nobody.post("/auth/token", {"username": "admin", "password": PASSWORD}).status_code == 200
    )
    assert nobody.post("/auth/token", {"username": "admin", "password": "no"}).status_code == 401
    assert nobody.post("/auth/token", {"username": "admin"}).status_code == 400
    assert as_(admin).delete("/auth/token").status_code == 204
    assert (
        as_(staff).post("/users", {"username": "newcomer", "password": PASSWORD}).status_code == 201
    )
    assert ld.post("/users", {"username": "other", "password": PASSWORD}).status_code == 403
    assert as_(staff).post("/users", {"username": "x"}).status_code == 400

    # Projects and members.
    assert a.post("/projects", {"name": "Second review", "slug": "second"}).status_code == 201
    assert a.post("/projects", {"name": "Again", "slug": "second"}).status_code == 409
    assert a.post("/projects", {"name": "Bad type", "review_type": "narrative"}).status_code == 400
    assert a.get("/projects").status_code == 200
    assert a.get(BASE).status_code == 200
    assert out.get(BASE).status_code == 404
    UserFactory(username="helper")
    assert a.post(f"{BASE}/members", {"username": "helper"}).status_code == 201
    assert a.post(f"{BASE}/members", {"username": "helper", "role": "lead"}).status_code == 200
    assert a.post(f"{BASE}/members", {"username": "helper", "role": "owner"}).status_code == 400
    assert ra.post(f"{BASE}/members", {"username": "helper"}).status_code == 403
    assert a.get(f"{BASE}/members").status_code == 200
    assert a.delete(f"{BASE}/members/helper").status_code == 204
    assert a.delete(f"{BASE}/members/nobody-at-all").status_code == 400
    assert a.delete("/projects/nowhere/members/helper").status_code == 404

    # Identification and deduplication.
    assert ld.upload(f"{BASE}/searches", {"file": _ris(), "database": "Hand"}).status_code in (
        201,
        202,
    )
    assert ld.upload(f"{BASE}/searches", {"database": "Hand"}).status_code == 400
    assert ld.get(f"{BASE}/searches").status_code == 200
    other = {"title": "A report from a website", "method": "websites"}
    assert ld.post(f"{BASE}/records", other).status_code == 201
    assert ld.post(f"{BASE}/records", {"title": "No method"}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        queued = ld.post(f"{BASE}/dedup")
    assert queued.status_code == 202
    assert ld.get(f"/jobs/{queued.json()['job']}").status_code == 200
    assert ld.get("/jobs/999999").status_code == 404
    assert ld.get("/jobs/not-a-number").status_code == 400
    assert ld.get(f"{BASE}/duplicates", status="everything").status_code == 400
    candidates = ld.get(f"{BASE}/duplicates").json()["items"]
    assert ld.post(f"{BASE}/duplicates/999999", {"action": "reject"}).status_code == 404
    assert candidates, "the demo's nine shared papers are merged automatically"
    answer = ld.post(f"{BASE}/duplicates/{candidates[0]['id']}", {"action": "bogus"})
    assert answer.status_code == 400
    answer = ld.post(f"{BASE}/duplicates/{candidates[-1]['id']}", {"action": "unmerge"})
    assert answer.status_code == 200, answer.content

    # Screening.
    references = [r["id"] for r in ld.get(f"{BASE}/references", limit=20).json()["items"]]
    assert ld.get(f"{BASE}/references", stage="nowhere").status_code == 400
    assert ra.get(f"{BASE}/references/next", stage=TA).status_code in (200, 204)
    assert ra.get(f"{BASE}/references/{references[0]}").status_code == 200
    assert ra.get(f"{BASE}/references/999999").status_code == 404
    fresh = [r for r in references if r not in studies]
    target, other_target = fresh[0], fresh[1]
    assert (
        ra.post(f"{BASE}/references/{target}/votes", {"stage": TA, "vote": "include"}).status_code
        == 201
    )
    assert (
        rb.post(f"{BASE}/references/{target}/votes", {"stage": TA, "vote": "exclude"}).status_code
        == 201
    )
    assert (
        ra.post(f"{BASE}/references/{target}/votes", {"stage": TA, "vote": "perhaps"}).status_code
        == 400
    )
    # The study is settled after full text: another vote on title and abstract clashes.
    settled = ra.post(f"{BASE}/references/{studies[0]}/votes", {"stage": TA, "vote": "exclude"})
    assert settled.status_code in (201, 409)
    assert ld.get(f"{BASE}/conflicts", stage=TA).status_code == 200
    resolution = {"stage": TA, "decision": "include", "note": "Meets the criteria"}
    assert ra.post(f"{BASE}/references/{target}/resolution", resolution).status_code == 403
    assert ld.post(f"{BASE}/references/{target}/resolution", resolution).status_code == 201
    assert ld.post(f"{BASE}/references/{target}/reopen", {"stage": TA}).status_code == 200
    assert ld.post(f"{BASE}/blinding", {"stage": TA, "blind": False}).status_code == 200
    assert ld.post(f"{BASE}/blinding", {"stage": TA}).status_code == 400
    reason = ld.post(f"{BASE}/exclusion-reasons", {"name": "Wrong setting"})
    assert reason.status_code == 201
    assert ld.post(f"{BASE}/exclusion-reasons", {"name": "Wrong setting"}).status_code == 409
    assert ld.get(f"{BASE}/exclusion-reasons").status_code == 200
    reason_id = reason.json()["id"]
    assert (
        ld.patch(f"{BASE}/exclusion-reasons/{reason_id}", {"name": "Wrong place"}).status_code
        == 200
    )
    assert ld.patch(f"{BASE}/exclusion-reasons/999999", {"name": "x"}).status_code == 404

    # Full texts.
    report = f"{BASE}/references/{studies[0]}/report"
    assert ld.get(report).status_code == 200
    assert ra.upload(report, {"file": _pdf("again")}).status_code == 403
    assert ld.post(f"{BASE}/references/{other_target}/report", {"note": "x"}).status_code == 400
    assert ld.get(f"{BASE}/references/{other_target}/report").status_code == 404
    replaced = ld.upload(f"{BASE}/references/{studies[1]}/report", {"file": _pdf("second")})
    assert replaced.status_code == 201, replaced.content

    # Reporting.
    assert ld.get(f"{BASE}/agreement").status_code == 200
    assert ld.get(f"{BASE}/agreement", stage="nowhere").status_code == 400
    assert ld.get(f"{BASE}/prisma").status_code == 200
    assert ra.get(f"{BASE}/prisma").status_code == 403
    assert ld.get(f"{BASE}/prisma.csv").status_code == 200
    assert ld.get(f"{BASE}/prisma.csv", template="2019").status_code == 400
    assert ld.get(f"{BASE}/prisma.svg").status_code == 200
    for format in ("ris", "bib", "csv", "xlsx"):
        assert ld.get(f"{BASE}/export", format=format).status_code == 200
    assert ld.get(f"{BASE}/export", format="doc").status_code == 400
    assert a.get(f"{BASE}/history").status_code == 200
    assert a.get(f"{BASE}/history.csv").status_code == 200
    assert ra.get(f"{BASE}/progress").status_code == 200
    assert ld.get(f"{BASE}/progress").status_code == 200

    # Pilot rounds.
    assert ld.get(f"{BASE}/pilot").status_code == 404
    assert ld.post(f"{BASE}/pilot", {"size": "many"}).status_code == 400
    assert ld.post(f"{BASE}/pilot", {"size": 2}).status_code == 201
    assert ld.post(f"{BASE}/pilot", {"size": 2}).status_code == 409
    assert ra.get(f"{BASE}/pilot").status_code == 200
    assert ld.get(f"{BASE}/pilot").status_code == 200
    assert ld.post(f"{BASE}/pilot/close").status_code == 200
    assert ld.post(f"{BASE}/pilot/close").status_code == 409
    assert ra.get(f"{BASE}/ranking", stage=TA).status_code == 200
    assert ra.get(f"{BASE}/ranking", stage="abstract").status_code == 400
    assert ld.put(f"{BASE}/ranking", {"stage": TA, "order": "best"}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        assert ld.put(f"{BASE}/ranking", {"stage": TA, "order": "ranked"}).status_code == 200
        assert ld.post(f"{BASE}/ranking/retrain", {"stage": TA}).status_code == 202
    assert ld.post(f"{BASE}/ranking/retrain", {"stage": "abstract"}).status_code == 400
    assert ld.get(f"{BASE}/ranking/references", stage=TA).status_code == 200
    assert ld.get(f"{BASE}/ranking/references", stage="abstract").status_code == 400
    # The lead's seed references (reviewers are refused them: a seed is a known include).
    assert ld.post(f"{BASE}/ranking/seeds", {"reference": studies[0]}).status_code == 201
    assert ld.post(f"{BASE}/ranking/seeds", {"reference": "x"}).status_code == 400
    assert ld.get(f"{BASE}/ranking/seeds").status_code == 200
    assert ld.delete(f"{BASE}/ranking/seeds/{studies[0]}").status_code == 204
    assert ld.delete(f"{BASE}/ranking/seeds/{studies[0]}").status_code == 404
    assert ld.put(f"{BASE}/ranking", {"stage": TA, "ranking_retrain_every": 0}).status_code == 400

    # The stopping aid (the stage is ranked now): a sample of one, screened, a stop, reversed.
    assert ld.get(f"{BASE}/stopping", stage=TA).status_code == 200
    assert ld.get(f"{BASE}/stopping", stage="abstract").status_code == 400
    assert ld.post(f"{BASE}/stopping/stop", {"stage": TA, "reason": "x"}).status_code == 409
    assert ld.post(f"{BASE}/stopping/reverse", {"stage": TA, "reason": "x"}).status_code == 409
    assert ld.post(f"{BASE}/stopping/sample", {"stage": TA, "size": 0}).status_code == 400
    assert ld.post(f"{BASE}/stopping/sample", {"stage": TA, "size": 1}).status_code == 201
    assert ld.post(f"{BASE}/stopping/set-aside", {"stage": TA}).status_code == 200
    assert ld.post(f"{BASE}/stopping/set-aside", {"stage": TA}).status_code == 409
    assert ld.post(f"{BASE}/stopping/sample", {"stage": TA, "size": 1}).status_code == 201
    drawn = ra.get(f"{BASE}/references/next", stage=TA).json()["id"]
    for who in (ra, rb):
        vote = {"stage": TA, "vote": "exclude"}
        assert who.post(f"{BASE}/references/{drawn}/votes", vote).status_code == 201
    assert ld.post(f"{BASE}/stopping/stop", {"stage": TA, "reason": "Sampled"}).status_code == 201
    assert ld.post(f"{BASE}/stopping/reverse", {"stage": TA, "reason": "Back"}).status_code == 200

    # A lead's replay of the screening in ranked order (settled includes and excludes exist).
    assert ld.post(f"{BASE}/ranking/replay", {"seed": "x"}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        assert ld.post(f"{BASE}/ranking/replay", {"seed": 1}).status_code == 202

    # Extraction.
    assert ra.get(f"{BASE}/codebook").status_code == 200
    assert ld.put(f"{BASE}/codebook", {"fields": CODEBOOK}).status_code == 200
    assert ld.put(f"{BASE}/codebook", {"fields": [{"name": "Design"}]}).status_code == 400
    assert ra.put(f"{BASE}/codebook", {"fields": CODEBOOK}).status_code == 403
    assert ld.get(f"{BASE}/codebook").status_code == 200
    assert ld.post(f"{BASE}/extractions/sample", {"size": 3}).status_code == 201
    assert ld.post(f"{BASE}/extractions/sample", {"size": "three"}).status_code == 400
    extractors = {"extractors": ["reviewer_a", "reviewer_b"]}
    assert ld.put(f"{BASE}/references/{studies[0]}/extractors", extractors).status_code == 200
    assert ld.put(f"{BASE}/references/{studies[0]}/extractors", {}).status_code == 400
    for who in (ra, rb):
        answer = who.post(f"{BASE}/references/{studies[0]}/extractions", {"values": A_VALUES[0]})
        assert answer.status_code == 201
    bad = {"values": {"Sample size": "many"}}
    assert ra.post(f"{BASE}/references/{studies[0]}/extractions", bad).status_code == 400
    consensus = {"values": A_VALUES[0]}
    assert ld.post(f"{BASE}/references/{studies[0]}/consensus", consensus).status_code == 201
    assert ra.post(f"{BASE}/references/{studies[0]}/consensus", consensus).status_code == 403
    assert ld.get(f"{BASE}/extractions/agreement").status_code == 200
    assert ld.get(f"{BASE}/extractions/summary").status_code == 200
    assert ld.get(f"{BASE}/extractions", format="csv").status_code == 200
    assert ld.get(f"{BASE}/extractions", format="xlsx").status_code == 200
    assert ld.get(f"{BASE}/extractions", format="pdf").status_code == 400

    # The whole review's archive: downloaded by its admin, restored by site staff.
    archive = a.get(f"{BASE}/archive")
    assert archive.status_code == 200
    assert ld.get(f"{BASE}/archive").status_code == 403
    upload = io.BytesIO(b"".join(archive.streaming_content))
    upload.name = "review.zip"
    assert as_(staff).upload("/archives", {"file": upload}).status_code == 409  # slug taken
    upload.seek(0)
    assert as_(staff).upload("/archives", {"file": upload, "slug": "carried"}).status_code == 201
    upload.seek(0)
    assert a.upload("/archives", {"file": upload, "slug": "again"}).status_code == 403
    assert as_(staff).upload("/archives", {"file": _ris()}).status_code == 400

    # The errors every operation shares: no token, and a project the caller is not in.
    ids = {"slug": "microcredentials", "reference_id": str(studies[0]), "job_id": "1"}
    ids |= {"username": "reviewer_b", "candidate_id": "1", "reason_id": str(reason_id)}
    for template, operations in schema["paths"].items():
        for method, operation in operations.items():
            path = template.removeprefix(ROOT)
            filled = re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)
            if operation.get("security"):
                answer = getattr(nobody, method)(filled)
                assert answer.status_code == 401, f"{method} {path}"
            if "{slug}" in path:
                answer = getattr(out, method)(filled)
                # Without its body an operation is refused on the body before the project.
                expected = {400, 404} if "requestBody" in operation else {404}
                assert answer.status_code in expected, f"{method} {path}"

    every = {(m, t) for t, ops in schema["paths"].items() for m in ops}
    succeeded = {key for key, statuses in seen.items() if any(s < 300 for s in statuses)}
    assert every - succeeded == set(), "operations never driven to success"
    errors = {key for key, statuses in seen.items() if any(s >= 400 for s in statuses)}
    assert every - errors == set(), "operations never driven to an error"


# A body each operation accepts, so that a reviewer reaches the role check.
BODIES = {
    ("post", "/projects/{slug}/members"): {"username": "reviewer_b"},
    ("post", "/projects/{slug}/records"): {"title": "T", "method": "websites"},
    ("post", "/projects/{slug}/duplicates/{candidate_id}"): {"action": "reject"},
    ("post", "/projects/{slug}/references/{reference_id}/resolution"): {
        "stage": TA,
        "decision": "include",
    },
    ("post", "/projects/{slug}/references/{reference_id}/reopen"): {"stage": TA},
    ("post", "/projects/{slug}/blinding"): {"stage": TA, "blind": False},
    ("post", "/projects/{slug}/exclusion-reasons"): {"name": "Wrong setting"},
    ("patch", "/projects/{slug}/exclusion-reasons/{reason_id}"): {},
    ("post", "/projects/{slug}/pilot"): {"size": 1},
    ("put", "/projects/{slug}/ranking"): {"stage": TA, "order": "ranked"},
    ("post", "/projects/{slug}/ranking/retrain"): {"stage": TA},
    ("post", "/projects/{slug}/ranking/seeds"): {"reference": 1},
    ("post", "/projects/{slug}/stopping/sample"): {"stage": TA},
    ("post", "/projects/{slug}/stopping/set-aside"): {"stage": TA},
    ("post", "/projects/{slug}/stopping/stop"): {"stage": TA, "reason": "x"},
    ("post", "/projects/{slug}/stopping/reverse"): {"stage": TA, "reason": "x"},
    ("put", "/projects/{slug}/codebook"): {"fields": []},
    ("put", "/projects/{slug}/references/{reference_id}/extractors"): {"extractors": []},
    ("post", "/projects/{slug}/references/{reference_id}/consensus"): {"values": {}},
    ("post", "/projects/{slug}/extractions/sample"): {},
}


@pytest.mark.django_db
def test_a_reviewer_is_refused_exactly_where_403_is_declared(
    api, schema, demo_imports, reviewer_a
) -> None:
    reviewer = api(reviewer_a)
    reference = reviewer.get(f"{BASE}/references").json()["items"][0]["id"]
    ids = {"slug": "microcredentials", "reference_id": str(reference)}
    ids |= {"candidate_id": "1", "reason_id": "1", "username": "reviewer_b"}
    refused = set()
    for template, operations in schema["paths"].items():
        path = template.removeprefix(ROOT)
        if not path.startswith("/projects/{slug}"):
            continue
        for method in operations:
            filled = re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)
            if method == "post" and path.endswith("/searches"):
                answer = reviewer.upload(filled, {"file": _ris(), "database": "Hand"})
            elif method in ("post", "put", "patch"):
                answer = getattr(reviewer, method)(filled, BODIES.get((method, path)))
            else:
                answer = getattr(reviewer, method)(filled)
            if answer.status_code == 403:
                refused.add((method, path))
    declared = {
        (method, template.removeprefix(ROOT))
        for template, operations in schema["paths"].items()
        for method, operation in operations.items()
        if template.removeprefix(ROOT).startswith("/projects/{slug}")
        and 403 in {int(s) for s in operation["responses"]}
    }
    assert refused == declared


def test_every_operation_declares_its_errors_and_bodies(schema) -> None:
    for template, operations in schema["paths"].items():
        for method, operation in operations.items():
            declared = {int(status) for status in operation["responses"]}
            where = f"{method.upper()} {template}"
            if operation.get("security"):
                assert 401 in declared, where
            if "{" in template:
                assert 404 in declared, where
            if method in ("post", "put", "patch") and "{slug}" in template:
                assert 409 in declared, where
            if "requestBody" in operation or any(
                p["in"] == "query" for p in operation.get("parameters", [])
            ):
                assert 400 in declared, where
            for status, response in operation["responses"].items():
                if int(status) in (204,):
                    continue
                content = response.get("content")
                assert content, f"{where} {status} declares no body"
                for kind, body in content.items():
                    schema_of = body.get("schema", {})
                    assert schema_of, f"{where} {status} {kind} has no schema"
                    # A bare {"type": "object"} says nothing of the body.
                    assert schema_of != {"type": "object"}, f"{where} {status} {kind}"


def test_errors_share_one_schema_with_detail_field_and_line(schema) -> None:
    problem = schema["components"]["schemas"]["Problem"]
    assert problem["required"] == ["detail"]
    assert {"detail", "field", "line"} <= set(problem["properties"])
    for operations in schema["paths"].values():
        for operation in operations.values():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    body = response["content"]["application/json"]["schema"]
                    assert body == {"$ref": "#/components/schemas/Problem"}
    upload = schema["paths"][f"{ROOT}/projects/{{slug}}/searches"]["post"]["responses"]
    assert 413 in {int(s) for s in upload}


def test_every_operation_id_is_its_views_name_and_unique(schema) -> None:
    # Clients generate code from these ids: moving a router to another module must not change
    # them, as ninja's default (the module path and the name) did.
    views = {
        (method.lower(), f"{ROOT}{path}"): operation.view_func.__name__
        for _, router in ninja_api._routers
        for path, path_view in router.path_operations.items()
        for operation in path_view.operations
        for method in operation.methods
    }
    ids = {
        (method, template): operation["operationId"]
        for template, operations in schema["paths"].items()
        for method, operation in operations.items()
    }
    assert ids == views
    assert len(set(ids.values())) == len(ids), "two operations share an operationId"
