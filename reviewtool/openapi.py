"""What the OpenAPI schema declares beyond what django-ninja infers from the routers.

Ninja declares only the statuses an operation's `response=` names, so the errors every endpoint
shares (the exception handlers in reviewtool/api.py) and the bodies of endpoints that answer a
plain dict or a file went undeclared. This adds them to the generated schema without changing what
any endpoint answers: declaring them through `response=` would send each body through a schema
and could drop keys. tests/test_openapi_schema.py checks every declaration against live answers.
"""

from __future__ import annotations

from typing import Any, Final

_PROBLEM: Final = "Problem"
_PROBLEM_REF: Final = {"$ref": f"#/components/schemas/{_PROBLEM}"}

# The body of every error the API answers (../shared/API.md): `detail` always; `field` and
# `line` when bad input can be pointed at; `errors` with a validation error's details.
PROBLEM_SCHEMA: Final[dict[str, Any]] = {
    "title": _PROBLEM,
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "field": {"type": "string"},
        "line": {"type": "integer"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["detail"],
}

_ERROR_TEXT: Final = {
    400: "Bad input: the message names the field (and the line of an uploaded file)",
    401: "No valid bearer token",
    403: "The caller's role may not do this",
    404: "No such project (or the caller is not a member), or no such object in it",
    409: "The action clashes with the state of things (a decided reference, a duplicate name)",
    413: "The upload is larger than the limit",
    503: "The task queue could not be reached: the job is marked failed; start it again",
}
# Operations that start a job someone asked for (services.jobs.job_create): with the broker
# down they answer 503 and leave the job failed, never `queued` with no message behind it.
_STARTS_A_JOB: Final = frozenset(
    {
        ("post", "/projects/{slug}/searches"),
        ("post", "/projects/{slug}/dedup"),
        ("post", "/projects/{slug}/ranking/retrain"),
        ("post", "/projects/{slug}/ranking/replay"),
    }
)

_WRITES: Final = frozenset({"post", "put", "patch", "delete"})
# A project's operations open to every member, reviewers included: no role is refused (403).
_MEMBER_OPERATIONS: Final = frozenset(
    {
        ("get", "/projects/{slug}"),
        ("get", "/projects/{slug}/members"),
        ("get", "/projects/{slug}/searches"),
        ("get", "/projects/{slug}/references"),
        ("get", "/projects/{slug}/references/next"),
        ("get", "/projects/{slug}/references/{reference_id}"),
        ("post", "/projects/{slug}/references/{reference_id}/votes"),
        ("get", "/projects/{slug}/exclusion-reasons"),
        ("get", "/projects/{slug}/references/{reference_id}/report"),
        ("get", "/projects/{slug}/history"),
        ("get", "/projects/{slug}/history.csv"),
        ("get", "/projects/{slug}/progress"),
        ("get", "/projects/{slug}/pilot"),
        ("get", "/projects/{slug}/ranking"),
        ("get", "/projects/{slug}/codebook"),
        ("post", "/projects/{slug}/references/{reference_id}/extractions"),
        ("get", "/projects/{slug}/extractions/summary"),
    }
)
# Uploads read from request.FILES by hand (the body is a PDF or JSON), so ninja sees no body.
_UNDECLARED_UPLOADS: Final = frozenset(
    {("post", "/projects/{slug}/references/{reference_id}/report")}
)


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


_INT: Final = {"type": "integer"}
_NUM: Final = {"type": "number"}
_STR: Final = {"type": "string"}
_BOOL: Final = {"type": "boolean"}


def _obj(properties: dict[str, Any], *, optional: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
    }


_COUNTS: Final = {"type": "object", "additionalProperties": _INT}

PRISMA_COUNTS: Final = _obj(
    {
        "database_results": _INT,
        "database_specific_results": _COUNTS,
        "register_results": _INT,
        "website_results": _INT,
        "organisation_results": _INT,
        "citations_results": _INT,
        "duplicates": _INT,
        "excluded_automatic": _INT,
        "excluded_other": _INT,
        "records_screened": _INT,
        "records_excluded": _INT,
        "dbr_sought_reports": _INT,
        "dbr_notretrieved_reports": _INT,
        "other_sought_reports": _INT,
        "other_notretrieved_reports": _INT,
        "dbr_assessed": _INT,
        "dbr_excluded": _COUNTS,
        "other_assessed": _INT,
        "other_excluded": _COUNTS,
        "new_studies": _INT,
        "new_reports": _INT,
        "total_studies": _INT,
        "total_reports": _INT,
        "previous_studies": _INT,
        "previous_reports": _INT,
    }
)

PILOT: Final = _obj(
    {
        "id": _INT,
        "size": _INT,
        "open": _BOOL,
        "started_at": _STR,
        "started_by": _STR,
        "closed_at": _nullable(_STR),
        # Null to reviewers: how far the pilot is would tell them whether the other one voted.
        "screened": _nullable(_INT),
        "agreement": _nullable(
            _obj(
                {
                    "references": _INT,
                    "percent_agreement": _nullable(_NUM),
                    "cohen_kappa": _nullable(_NUM),
                    "maybe_counts_as": _STR,
                }
            )
        ),
        "votes_per_reviewer": _nullable({"type": "object"}),
    }
)

# A member's votes at one stage; null where blinding hides them from the caller.
_STAGE_VOTES: Final = _obj(
    {
        "votes": _nullable(_INT),
        "include": _nullable(_INT),
        "exclude": _nullable(_INT),
        "maybe": _nullable(_INT),
    }
)

PROGRESS: Final = _obj(
    {
        "stages": {"type": "object", "additionalProperties": _COUNTS},
        "reviewers": {
            "type": "array",
            "items": _obj(
                {
                    "reviewer": _STR,
                    "role": _STR,
                    "last_vote_at": _nullable(_STR),
                    "title_abstract": _STAGE_VOTES,
                    "full_text": _STAGE_VOTES,
                }
            ),
        },
        "pilot": _nullable(PILOT),
        "blind_stages": {"type": "array", "items": _STR},
    }
)

CODEBOOK: Final = _obj(
    {
        "version": _nullable(_INT),
        "fields": {
            "type": "array",
            "items": _obj(
                {
                    "name": _STR,
                    "type": _STR,
                    "choices": {"type": "array", "items": _STR},
                    "help": _STR,
                    "section": _STR,
                }
            ),
        },
        "to_check": {"type": "array"},
    }
)

EXTRACTION: Final = _obj(
    {"reference": _INT, "extractor": _STR, "version": _INT, "values": {"type": "object"}}
)
CONSENSUS: Final = _obj({"reference": _INT, "version": _INT, "values": {"type": "object"}})
EXTRACTORS: Final = _obj({"reference": _INT, "extractors": {"type": "array", "items": _STR}})
SAMPLE: Final = _obj({"drawn": {"type": "array", "items": _INT}})

EXTRACTION_AGREEMENT: Final = _obj(
    {
        "references": _INT,
        "fields": _INT,
        "percent_agreement": _nullable(_NUM),
        "per_field": {"type": "object", "additionalProperties": _nullable(_NUM)},
        "pairs": {
            "type": "array",
            "items": _obj(
                {
                    "extractors": {"type": "array", "items": _STR},
                    "references": _INT,
                    "percent_agreement": _nullable(_NUM),
                }
            ),
        },
    }
)

# The review's "Table 2" (extraction/coding.py summary): per codebook field, a number field's
# range and median, any other field's count and percent per value (and "not reported").
_NUMBER_ROW: Final = _obj(
    {
        "type": {"type": "string", "enum": ["number"]},
        "n": _INT,
        "min": _nullable(_NUM),
        "median": _nullable(_NUM),
        "max": _nullable(_NUM),
        "not reported": _INT,
    }
)
_VALUES_ROW: Final = _obj(
    {
        "type": _STR,
        "values": {
            "type": "object",
            "additionalProperties": _obj({"count": _INT, "percent": _nullable(_NUM)}),
        },
    }
)
EXTRACTION_SUMMARY: Final = _obj(
    {
        "studies": _INT,
        "fields": {"type": "object", "additionalProperties": {"anyOf": [_NUMBER_ROW, _VALUES_ROW]}},
    }
)

BLINDING: Final = _obj({"blind_stages": {"type": "array", "items": _STR}})

# Bodies of operations that answer a plain dict: (method, path under the API root) -> status ->
# schema.
JSON_BODIES: Final[dict[tuple[str, str], dict[int, dict[str, Any]]]] = {
    ("post", "/projects/{slug}/blinding"): {200: BLINDING},
    ("get", "/projects/{slug}/prisma"): {200: PRISMA_COUNTS},
    ("get", "/projects/{slug}/progress"): {200: PROGRESS},
    ("post", "/projects/{slug}/pilot"): {201: PILOT},
    ("get", "/projects/{slug}/pilot"): {200: PILOT},
    ("post", "/projects/{slug}/pilot/close"): {200: PILOT},
    ("put", "/projects/{slug}/codebook"): {200: CODEBOOK},
    ("get", "/projects/{slug}/codebook"): {200: CODEBOOK},
    ("post", "/projects/{slug}/references/{reference_id}/extractions"): {201: EXTRACTION},
    ("put", "/projects/{slug}/references/{reference_id}/extractors"): {200: EXTRACTORS},
    ("post", "/projects/{slug}/references/{reference_id}/consensus"): {201: CONSENSUS},
    ("post", "/projects/{slug}/extractions/sample"): {201: SAMPLE},
    ("get", "/projects/{slug}/extractions/agreement"): {200: EXTRACTION_AGREEMENT},
    ("get", "/projects/{slug}/extractions/summary"): {200: EXTRACTION_SUMMARY},
}

_BINARY: Final = {"type": "string", "format": "binary"}
_TEXT: Final = {"type": "string"}

# Downloads: (method, path) -> the content types the file may come in.
FILE_BODIES: Final[dict[tuple[str, str], dict[str, dict[str, Any]]]] = {
    ("get", "/projects/{slug}/references/{reference_id}/report"): {"application/pdf": _BINARY},
    ("get", "/projects/{slug}/prisma.csv"): {"text/csv": _TEXT},
    ("get", "/projects/{slug}/prisma.svg"): {"image/svg+xml": _TEXT},
    ("get", "/projects/{slug}/export"): {
        "application/x-research-info-systems": _TEXT,
        "application/x-bibtex": _TEXT,
        "text/csv": _TEXT,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _BINARY,
    },
    ("get", "/projects/{slug}/history.csv"): {"text/csv": _TEXT},
    ("get", "/projects/{slug}/extractions"): {
        "text/csv": _TEXT,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _BINARY,
    },
}


def error_statuses(method: str, path: str, operation: dict[str, Any]) -> list[int]:
    """The error statuses an operation can answer, by what it takes and what it does."""
    statuses = []
    parameters = operation.get("parameters", [])
    body = operation.get("requestBody", {}).get("content", {})
    # A slug is only ever found or not (404); other path parameters can be refused as bad
    # input too (a job id that is no number, a username who is no member).
    takes_input = any(p["in"] != "path" or p["name"] != "slug" for p in parameters)
    if body or takes_input or (method, path) in _UNDECLARED_UPLOADS:
        statuses.append(400)
    if operation.get("security"):
        statuses.append(401)
    # Creating a user is for staff; a project's endpoints outside _MEMBER_OPERATIONS ask
    # get_project_for_user for a lead or an admin.
    if path == "/users" or (
        path.startswith("/projects/{slug}") and (method, path) not in _MEMBER_OPERATIONS
    ):
        statuses.append(403)
    if any(p["in"] == "path" for p in parameters):
        statuses.append(404)
    if method in _WRITES and operation.get("security") and path != "/auth/token":
        statuses.append(409)
    if "multipart/form-data" in body or (method, path) in _UNDECLARED_UPLOADS:
        statuses.append(413)
    if (method, path) in _STARTS_A_JOB:
        statuses.append(503)
    return statuses


def complete(schema: dict[str, Any], *, root: str) -> dict[str, Any]:
    """`schema` (ninja's) with every operation's errors and every response body declared."""
    schema.setdefault("components", {}).setdefault("schemas", {})[_PROBLEM] = PROBLEM_SCHEMA
    for full_path, operations in schema.get("paths", {}).items():
        path = full_path.removeprefix(root.rstrip("/"))
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status, body in JSON_BODIES.get((method, path), {}).items():
                responses[status] = {
                    "description": responses.get(status, {}).get("description", "OK"),
                    "content": {"application/json": {"schema": body}},
                }
            files = FILE_BODIES.get((method, path))
            if files:
                responses[200] = {
                    "description": "The file, as an attachment",
                    "content": {kind: {"schema": body} for kind, body in files.items()},
                }
            for status, response in responses.items():
                # The routers' own `Error` (detail only) is the same body, said less fully.
                if int(status) >= 400 and "content" in response:
                    response["content"] = {"application/json": {"schema": _PROBLEM_REF}}
            for status in error_statuses(method, path, operation):
                if status not in responses:
                    responses[status] = {
                        "description": _ERROR_TEXT[status],
                        "content": {"application/json": {"schema": _PROBLEM_REF}},
                    }
    return schema
