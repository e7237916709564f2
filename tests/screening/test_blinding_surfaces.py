"""Blinding through every surface (issue 19): reviewer B's answers are the same whatever
reviewer A's open votes are.

The surfaces are not listed here: they are the permission matrix's GET rows
(tests/test_permission_matrix.py MATRIX), every page and API operation, called as the "second
reviewer" persona with the world's real ids (the references under test and the matrix world's
other objects), each page also as its htmx partial (HX-Request: true), and every query-parameter
variant that selects different content (API variants read from the OpenAPI schema, page variants
from PAGE_PARAMS, which `test_every_page_query_parameter_has_values` keeps complete). A GET row
added to MATRIX is driven without a change here; `test_every_reviewer_get_row_is_driven` fails if
one a reviewer may call is not. Rows refused to a reviewer are driven too: the refusal must be the
same in every world.

Worlds differ only in A's OPEN votes (none, include, exclude, maybe; with and without a note;
with and without a new reason A proposed; at title/abstract and at full text). B's answers are
compared after normalising CSRF tokens, timestamps and the audit events' own ids (they count
everyone's events, in any project); an Excel file is compared by its cells, an archive by its
members. Each row is called as the matrix calls it and, for time (about a minute on SQLite),
with a deterministic sample of its other variants (MAX_VARIANTS), the same in every world. A's note, A's proposed reason and A's username are searched for, raw, in everything B
receives (A's username may show only where the project's members are listed).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client

from screening.models import Reference
from tests.pdfs import pdf_with_text
from tests.test_permission_matrix import (
    MATRIX,
    STOPPING_SETUPS,
    Row,
    _build_world,
    _extraction_ready,
    _stopping_ready,
    expected,
    url_of,
)

pytestmark = pytest.mark.django_db

B = "second reviewer"  # the matrix's persona B is: the reviewer who did not cast the open votes
TA, FT = "title_abstract", "full_text"
STATUSES = ["pending", "conflict", "included", "excluded", "awaiting_report", "not_retrieved"]
A_NOTE = "Zanzibar-7 pilot in Table 3 convinced me"
A_REASON = "Quokka outcome measured only once"
B_REASON = "Measured by self-report alone"  # a reason B proposes: B sees it, their own
# B names it new in every world. (Had A's open vote named it first, B would get A's row, its
# older id showing it: test_blinding_leaks.py checks all but the id; reported, not fixed.)
B_LATER = "Dose never reported"
A_NAME = "reviewer_a"
ROOT = Path(__file__).resolve().parents[2]

# Query-parameter values, by name, for the API (the schema names the parameters; an enum gives its
# own values) and for pages (PAGE_PARAMS names each page's). "@refs": each reference under test;
# "@kinds": each kind of event in the project's history. Parameters in PRODUCT select content
# together (every combination is called); the others are called one at a time.
VALUES: dict[str, list[str]] = {
    "stage": ["", TA, FT],
    "status": ["", *STATUSES],
    "limit": ["1000"],
    "offset": ["0"],
    "kind": ["@kinds"],
    "actor": ["", A_NAME, "reviewer_b"],
    "reference": ["", "@refs"],
    "mine": ["", "include", "exclude", "maybe", "none"],
    "vote_stage": [TA, FT],
    "q": ["", "microcredential"],
    "year": ["", "2020"],
    "tab": ["awaiting", "not_retrieved"],
    "pair": ["", f"{A_NAME},reviewer_b"],
    "template": ["current", "2022"],
    "format": ["", "csv", "xlsx"],
    "csv_formulas": ["escape", "keep"],
    "unmerged": [""],
}
PRODUCT = {"stage", "status", "format", "tab", "template", "limit", "offset"}
# Each page's query parameters that select content (the route as in MATRIX). Parameters that only
# move the page's focus, page through a list, or say what the page's script already holds are in
# NOT_CONTENT.
PAGE_PARAMS: dict[str, list[str]] = {
    "projects/<slug:slug>/screen/": ["stage", "reference"],
    "projects/<slug:slug>/screen/team/": ["stage"],
    "projects/<slug:slug>/references/": ["stage", "status", "mine", "vote_stage", "q", "year"],
    "projects/<slug:slug>/history/": ["kind", "actor", "reference", "format", "csv_formulas"],
    "projects/<slug:slug>/full-texts/": ["tab"],
    "projects/<slug:slug>/conflicts/": ["stage", "pair"],
    "projects/<slug:slug>/duplicates/": ["status", "q", "unmerged"],
    "projects/<slug:slug>/downloads/<str:name>": ["stage", "status", "template", "csv_formulas"],
    "projects/<slug:slug>/extraction/summary/": ["format", "csv_formulas"],
}
NOT_CONTENT = {"page", "moved", "by", "previous", "skip", "ahead", "survivor"}
# Surfaces that list the project's members: A's username is shown there, as a member.
MEMBER_LISTS = {
    "GET /api/v1/projects/{slug}/members",
    "GET /api/v1/projects/{slug}/progress",  # each member's own counts: none but B's to B
    "GET projects/<slug:slug>/members/",
    "GET projects/<slug:slug>/",  # the dashboard's progress, as the API's
}
# At most this many (ids, query) variants of a row are called besides the matrix's own call: a
# sample chosen by a stable hash, the same in every world and every run. Every variant in every
# world took over three minutes on SQLite (350 calls a pass). The sample must be the same in all
# worlds: B's earlier calls change B's later answers (the screening page holds cards ahead).
MAX_VARIANTS = 6


@dataclass(frozen=True)
class Call:
    row: Row
    url: str
    params: tuple[tuple[str, str], ...] = ()
    htmx: bool = False
    first: bool = False  # the row called as the matrix calls it (and its htmx partial)

    @property
    def primary(self) -> bool:
        """The matrix's own call: its answer is the table's."""
        return self.first and not self.htmx

    @property
    def key(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.params)
        return f"{self.row.kind}:{self.row.key} {self.url}?{query}{' (htmx)' if self.htmx else ''}"


def _driven_rows() -> list[Row]:
    """Every GET row of the matrix but the Django admin's (staff only, outside any project),
    and those of the admin's a reviewer may call."""
    return [
        r for r in MATRIX if r.method == "get" and (r.kind != "admin" or expected(r, B) == r.ok)
    ]


def _reviewer_rows() -> list[Row]:
    """The GET rows the matrix's reviewer persona may call with the row's `ok`."""
    return [r for r in MATRIX if r.method == "get" and expected(r, "reviewer") == r.ok]


def _api_params() -> dict[str, list[tuple[str, list[str] | None]]]:
    """Each GET operation's query parameters, with the schema's enum when it has one."""
    from reviewtool.api import api as ninja_api

    found: dict[str, list[tuple[str, list[str] | None]]] = {}
    for path, ops in ninja_api.get_openapi_schema()["paths"].items():
        if "get" in ops:
            found[path] = [
                (p["name"], p.get("schema", {}).get("enum"))
                for p in ops["get"].get("parameters", [])
                if p["in"] == "query"
            ]
    return found


def _values(name: str, enum: list[str] | None, world: dict[str, Any]) -> list[str]:
    values = enum if enum is not None else VALUES[name]
    out: list[str] = []
    for value in values:
        if value == "@refs":
            out += [str(r) for r in world["under_test"]]
        elif value == "@kinds":
            out += ["", *world["kinds"]]
        else:
            out.append(value)
    return out


def _variants(
    params: list[tuple[str, list[str] | None]], world: dict[str, Any]
) -> list[tuple[tuple[str, str], ...]]:
    """The product of the content-selecting parameters, then each other one alone."""
    together = [(n, _values(n, e, world)) for n, e in params if n in PRODUCT]
    alone = [(n, _values(n, e, world)) for n, e in params if n not in PRODUCT]
    base = [
        tuple((n, v) for (n, _), v in zip(together, combo, strict=True) if v != "")
        for combo in itertools.product(*(vs for _, vs in together))
    ]
    variants = list(base)
    for name, values in alone:
        variants += [(*base[0], (name, v)) for v in values if v != ""]
    return list(dict.fromkeys(variants))


def _sampled(variants: list, salt: str) -> list:
    """All variants, or the first (the matrix's call) and MAX_VARIANTS others by a stable hash."""
    if len(variants) <= MAX_VARIANTS + 1:
        return variants
    ranked = sorted(variants[1:], key=lambda v: zlib.crc32(f"{salt}{v}".encode()))
    return [variants[0], *ranked[:MAX_VARIANTS]]


def _id_choices(row: Row, world: dict[str, Any]) -> list[dict[str, Any]]:
    """The ids a row's path is called with: the matrix world's, then each reference under test
    a row naming a reference may be called with (those with a report for a report's row)."""
    choices = [dict(world)]
    if "reference_id" in row.ids:
        fitting = (
            world["at_full"] if row.ids["reference_id"] == "with_report" else world["under_test"]
        )
        choices += [{**world, row.ids["reference_id"]: r} for r in fitting]
    return choices


def surface_calls(world: dict[str, Any]) -> list[Call]:
    """Every driven row: as the matrix calls it, then, when B may call it, its variants (the
    references under test for its ids, its queries; `_sampled`); each page also as its htmx
    partial."""
    api_params = _api_params()
    calls: list[Call] = []
    for row in _driven_rows():
        allowed = 200 <= expected(row, B) < 400
        if row.kind == "api":
            params = api_params.get(row.path, [])
        else:
            params = [(p, None) for p in PAGE_PARAMS.get(row.path, [])]
        variants = [
            (url_of(row, world, ids=ids), query)
            for ids in (_id_choices(row, world) if allowed else [world])
            for query in (_variants(params, world) if allowed else [()])
        ]
        for n, (url, query) in enumerate(_sampled(variants, row.key)):
            calls.append(Call(row, url, query, first=n == 0))
            if row.kind != "api":
                calls.append(Call(row, url, query, htmx=True, first=n == 0))
    return calls


# --- what B received, normalised ---------------------------------------------------------------

CSRF = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")  # a masked CSRF token
WHEN = re.compile(rb"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(\+00:00|Z)?")
EVENT_ID = re.compile(rb'"id": ?\d+')


def _text(body: bytes) -> bytes:
    return WHEN.sub(b"-", CSRF.sub(b"-", body))


def _content(answer: Any) -> bytes:
    return b"".join(answer.streaming_content) if answer.streaming else answer.content


def normalised(body: bytes, content_type: str = "") -> Any:
    """An answer's body as compared: an Excel workbook as its cells, an archive as its members
    (each normalised), anything else as text with CSRF tokens and times blanked."""
    if body[:2] == b"PK":
        archive = zipfile.ZipFile(io.BytesIO(body))
        names = archive.namelist()
        if "xl/workbook.xml" in names:
            import openpyxl

            book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
            return {
                sheet.title: [
                    [_text(str(v).encode()).decode() if v is not None else None for v in row]
                    for row in sheet.iter_rows(values_only=True)
                ]
                for sheet in book.worksheets
            }
        return {name: normalised(archive.read(name)) for name in sorted(names)}
    if "csv" in content_type:
        return list(csv.reader(io.StringIO(_text(body).decode("utf-8-sig"))))
    return _text(body)


def _searchable(seen: Any) -> str:
    return seen.decode("utf-8", "replace") if isinstance(seen, bytes) else json.dumps(seen)


def render(calls: list[Call], api_b: Client, page_b: Client) -> dict[str, tuple[int, Any]]:
    seen: dict[str, tuple[int, Any]] = {}
    for call in calls:
        client = api_b if call.row.kind == "api" else page_b
        headers = {"HX-Request": "true"} if call.htmx else {}
        answer = client.get(call.url, dict(call.params), headers=headers)
        body = normalised(_content(answer), answer.get("Content-Type", ""))
        # The audit events' ids count everyone's events, in any project.
        if call.row.path.endswith("/history") and isinstance(body, bytes):
            body = EVENT_ID.sub(b'"id": -', body)
        seen[call.key] = (answer.status_code, body)
    return seen


def _changes(api_b: Client, page_b: Client, world: dict[str, Any]) -> dict[str, Any]:
    """B changes votes (one A's vote may have decided, one undecided, one at full text) through
    the API and the page's script, and what each answered."""
    seen: dict[str, Any] = {}
    slug = "/projects/microcredentials"
    at_title, at_full = world["at_title"], world["at_full"]
    for reference, stage, body in [
        (at_title[0], TA, {"vote": "exclude"}),
        (at_title[1], TA, {"vote": "include"}),
        (at_full[0], FT, {"vote": "exclude", "reason": B_LATER}),  # new, unless A named it
    ]:
        answer = api_b.post(
            f"/api/v1{slug}/references/{reference}/votes",
            {"stage": stage, **body},
            content_type="application/json",
        )
        seen[f"vote {reference} {body}"] = (answer.status_code, normalised(answer.content))
        page = page_b.post(
            f"{slug}/screen/{reference}/vote/", {"stage": stage, **body}, HTTP_HX_REQUEST="true"
        )
        seen[f"page vote {reference} {body}"] = (page.status_code, normalised(_content(page)))
    return seen


# --- the worlds ----------------------------------------------------------------------------------


def _setup_world(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The matrix's world, and beside it the references A and B screen: six at title/abstract,
    two at full text (both included them; the lead uploaded their reports), one nobody voted on.
    B has voted on all eight; B proposed a reason of their own."""
    from screening.services.fulltext import report_attach
    from screening.services.reasons import exclusion_reason_add
    from screening.services.screening import vote_cast

    project = request.getfixturevalue("project")
    lead = request.getfixturevalue("lead")
    a = request.getfixturevalue("reviewer_a")
    b = request.getfixturevalue("reviewer_b")
    world = _build_world(
        project, lead, request.getfixturevalue("outsider"), request.getfixturevalue("demo_imports")
    )
    request.getfixturevalue("admin")
    request.getfixturevalue("staff")
    refs = list(Reference.objects.filter(project=project).order_by("id"))
    assert len(refs) >= 17, "the demo import has too few references for the worlds"
    at_title, at_full, untouched = refs[8:14], refs[14:16], refs[16]
    exclusion_reason_add(project=project, name="Wrong population", user=lead)
    for reference in at_full:
        for voter in (a, b):
            vote_cast(reference=reference, reviewer=voter, stage=TA, vote="include")
        pdf = io.BytesIO(pdf_with_text("Full text"))
        report_attach(reference=reference, data=pdf, filename=f"{reference.pk}.pdf", user=lead)
    for reference, vote in zip(at_title, ["include", "exclude", "maybe"] * 2, strict=True):
        vote_cast(reference=reference, reviewer=b, stage=TA, vote=vote, note="B's own note")
    # B excluded both at full text: no world's votes settle an inclusion there, which extraction
    # shows every member by design (a study of the review; tests/screening/test_blinding_leaks.py).
    for reference in at_full:
        vote_cast(reference=reference, reviewer=b, stage=FT, vote="exclude", reason=B_REASON)
    _extraction_ready(request, world)  # a codebook; the matrix's `with_report` included by two
    from screening.selectors.history import history_kinds

    world.update(
        at_title=[r.pk for r in at_title],
        at_full=[r.pk for r in at_full],
        under_test=[r.pk for r in (*at_title, *at_full, untouched)],
        kinds=[*history_kinds(project), "reason"],
    )
    return world


# A's open votes in each world: (vote, note, reason) per reference (None: A has not voted).
# At title/abstract for the six `at_title`, at full text for the two `at_full`.
Open = tuple[str, str, str] | None
WORLDS: dict[str, tuple[list[Open], list[Open]]] = {
    "none": ([None] * 6, [None, None]),
    "include": ([("include", "", "")] * 6, [("include", "", "")] * 2),
    "exclude, noted, a new reason": (
        [("exclude", A_NOTE, "")] * 6,
        [("exclude", A_NOTE, A_REASON), ("exclude", A_NOTE, "Wrong population")],
    ),
    "mixed": (
        [
            ("include", A_NOTE, ""),
            ("exclude", "", ""),
            ("maybe", A_NOTE, ""),
            None,
            ("include", "", ""),
            ("exclude", A_NOTE, ""),
        ],
        [("exclude", "", A_REASON), ("include", A_NOTE, "")],  # a new reason, no note
    ),
}


def _a_votes(world: dict[str, Any], a: Any, opens: tuple[list[Open], list[Open]]) -> None:
    from screening.services.screening import vote_cast

    for stage, references, votes in [
        (TA, world["at_title"], opens[0]),
        (FT, world["at_full"], opens[1]),
    ]:
        for reference, vote in zip(references, votes, strict=True):
            if vote is not None:
                choice, note, reason = vote
                vote_cast(
                    reference=Reference.objects.get(pk=reference),
                    reviewer=a,
                    stage=stage,
                    vote=choice,
                    note=note,
                    reason=reason,
                )


@dataclass
class Clients:
    api_b: Client
    page_b: Client


def _clients(request: pytest.FixtureRequest) -> Clients:
    from screening.services.accounts import token_issue

    b = request.getfixturevalue("reviewer_b")
    api_b = Client(headers={"Authorization": f"Bearer {token_issue(user=b)}"})
    page_b = Client()
    page_b.force_login(b)
    return Clients(api_b, page_b)


def _with_setup(request: pytest.FixtureRequest, setup: str, world: dict[str, Any]) -> None:
    if setup == "pilot":
        from screening.services.pilots import pilot_start

        with mock.patch("screening.services.pilots.secrets.randbits", return_value=7):
            pilot_start(  # the same draw in every world
                project=request.getfixturevalue("project"),
                size=2,
                user=request.getfixturevalue("lead"),
            )
    elif setup == "extraction":
        _extraction_ready(request, world)
    elif setup in STOPPING_SETUPS:
        _stopping_ready(request, setup)
    elif setup:
        raise AssertionError(f"a row's setup this test does not know: {setup}")


def _same_ids_in_every_world() -> None:
    """Each world's new rows take the ids the first world's took: a rolled-back insert frees its
    id on SQLite, while PostgreSQL's sequences outlive the rollback."""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    models = [
        m for label in ("screening", "extraction") for m in apps.get_app_config(label).get_models()
    ]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


def _new_reasons_numbered_from(start: int) -> None:
    """The next reason created gets id `start` + 1, whatever reasons A proposed before it.

    Not compared, and not fixed: a new reason's id counts every reason created before it, so B,
    proposing one, could tell from its id that someone proposed another meanwhile (the same holds
    for every row's id)."""
    from django.db import connection

    from screening.models import ExclusionReason

    table = ExclusionReason._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, start])
        else:
            cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [start, table])


def b_sees(
    request: pytest.FixtureRequest,
    world: dict[str, Any],
    clients: Clients,
    calls: list[Call],
    opens: tuple[list[Open], list[Open]],
) -> dict[str, tuple[int, Any]]:
    """B's answers on every surface with A's open votes set so, then rolled back: before B
    changes votes, B's changes, and after them (every surface as the matrix calls it)."""
    by_setup: dict[str, list[Call]] = {}
    for call in calls:
        by_setup.setdefault(call.row.setup, []).append(call)

    def every_surface(*, first_only: bool = False) -> dict[str, tuple[int, Any]]:
        seen: dict[str, tuple[int, Any]] = {}
        for setup, these in by_setup.items():
            these = [c for c in these if c.first or not first_only]
            with transaction.atomic():
                _with_setup(request, setup, world)
                seen |= render(these, clients.api_b, clients.page_b)
                transaction.set_rollback(True)
        return seen

    cache.clear()
    _same_ids_in_every_world()
    with transaction.atomic():
        _a_votes(world, request.getfixturevalue("reviewer_a"), opens)
        seen = every_surface()
        _new_reasons_numbered_from(1000)
        seen |= _changes(clients.api_b, clients.page_b, world)
        seen |= {f"after: {k}": v for k, v in every_surface(first_only=True).items()}
        transaction.set_rollback(True)
    return seen


def _a_shows(seen: dict[str, tuple[int, Any]]) -> list[str]:
    """The answers carrying A's note or A's reason, or A's username outside a member list."""
    found = []
    for key, (_, body) in seen.items():
        text = _searchable(body)
        # Where the project's members are listed, or B asked for A's events (the filter's echo).
        member_list = any(f"{r} " in key for r in MEMBER_LISTS) or f"={A_NAME}" in key
        for needle in (A_NOTE, A_REASON, *([] if member_list else [A_NAME])):
            if needle in text:
                found.append(f"{key}: {needle}")
    return found


# --- the tests -----------------------------------------------------------------------------------


def test_every_answer_b_gets_on_every_surface_is_the_same_whatever_a_s_open_votes(
    request, project
) -> None:
    world = _setup_world(request)
    clients = _clients(request)
    calls = surface_calls(world)
    started = time.monotonic()
    baseline = b_sees(request, world, clients, calls, WORLDS["none"])
    took = time.monotonic() - started
    print(f"{len(calls)} calls a pass; one world in {took:.1f} s")
    # Each surface answered B as the matrix says, when called as the matrix calls it.
    wrong = [
        f"{c.key}: {baseline[c.key][0]} (matrix: {expected(c.row, B)})"
        for c in calls
        if c.primary and baseline[c.key][0] != expected(c.row, B)
    ]
    assert not wrong, "\n".join(wrong)
    leaks = [f"none: {shown}" for shown in _a_shows(baseline)]
    for name, opens in list(WORLDS.items())[1:]:
        other = b_sees(request, world, clients, calls, opens)
        assert other.keys() == baseline.keys()
        leaks += [f"{name}: {k}" for k in baseline if baseline[k] != other[k]]
        leaks += [f"{name}: {shown}" for shown in _a_shows(other)]
    assert not leaks, "B's answers differ by A's open votes:\n" + "\n".join(leaks)


def test_every_reviewer_get_row_is_driven(request, project) -> None:
    """A GET row of the matrix a reviewer may call, page or API, is called by the test above;
    so is every row's refusal."""
    world = _setup_world(request)
    called = {c.row.key for c in surface_calls(world) if c.primary}
    missing = [r.key for r in _reviewer_rows() if r.key not in called]
    assert not missing, f"reviewer GET rows not driven: {missing}"
    refused = [r.key for r in MATRIX if r.method == "get" and r.kind != "admin"]
    assert set(refused) <= called


def test_every_query_parameter_has_values() -> None:
    """A GET operation's query parameter without an enum needs its values in VALUES."""
    missing = [
        f"{path} ?{name}"
        for path, params in _api_params().items()
        for name, enum in params
        if enum is None and name not in VALUES
    ]
    assert not missing, f"give these parameters values in VALUES: {missing}"


PARAM_READ = re.compile(r"""(?:GET|query)(?:\.get\(|\[)\s*["'](\w+)["']""")


def test_every_page_query_parameter_has_values() -> None:
    """A page's view that reads a query parameter (request.GET) names it in PAGE_PARAMS (or in
    NOT_CONTENT): a new filter on a page is then driven in every world."""
    sources = [*ROOT.glob("screening/views/*.py"), ROOT / "extraction" / "views.py"]
    sources.append(ROOT / "screening" / "responses.py")
    read = {m for path in sources for m in PARAM_READ.findall(path.read_text())}
    named = {p for params in PAGE_PARAMS.values() for p in params} | NOT_CONTENT
    assert read - named == set(), "name these query parameters in PAGE_PARAMS or NOT_CONTENT"
    assert {p for params in PAGE_PARAMS.values() for p in params} <= set(VALUES)


def test_the_comparison_sees_a_difference(request, project) -> None:
    """The check can fail: the lead's answers on the same surfaces differ by A's open votes."""
    world = _setup_world(request)
    from screening.services.accounts import token_issue

    lead = request.getfixturevalue("lead")
    api_lead = Client(headers={"Authorization": f"Bearer {token_issue(user=lead)}"})
    page_lead = Client()
    page_lead.force_login(lead)
    calls = [c for c in surface_calls(world) if c.primary and c.row.kind == "api"]
    worlds = []
    for opens in (WORLDS["none"], WORLDS["exclude, noted, a new reason"]):
        with transaction.atomic():
            _a_votes(world, request.getfixturevalue("reviewer_a"), opens)
            worlds.append(render(calls, api_lead, page_lead))
            transaction.set_rollback(True)
    assert [k for k in worlds[0] if worlds[0][k] != worlds[1][k]]
    # (A's username shows in both: A's votes that brought two references to full text.)
    notes = [[shown for shown in _a_shows(seen) if A_NOTE in shown] for seen in worlds]
    assert (notes[0], bool(notes[1])) == ([], True)


def test_an_excel_file_is_compared_by_its_cells() -> None:
    """Two workbooks written at different times differ as files, not as compared; a cell does."""
    import datetime as dt

    import openpyxl

    def book(value: str, written: dt.datetime) -> bytes:
        workbook = openpyxl.Workbook()
        workbook.properties.created = workbook.properties.modified = written
        workbook.active.append(["id", "status"])
        workbook.active.append([1, value])
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()

    first = book("pending", dt.datetime(2026, 1, 1, 9, 0))
    later = book("pending", dt.datetime(2026, 1, 2, 10, 30))
    assert first != later
    assert normalised(first) == normalised(later) == {"Sheet": [["id", "status"], ["1", "pending"]]}
    assert normalised(book("included", dt.datetime(2026, 1, 1, 9, 0))) != normalised(first)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("references.xlsx", later)
    assert normalised(archive.getvalue()) == {"references.xlsx": normalised(first)}
