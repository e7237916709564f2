"""Refuse input no database column can hold with a 400 that names where it is, before any view
runs: a NUL character, a lone UTF-16 surrogate, a page offset or size beyond a 64-bit count;
and, after a view, an id that is no number or past 64 bits, or a text longer than its column.

PostgreSQL text cannot hold U+0000, and no UTF-8 text can hold a lone surrogate (`"\\ud800"` in
JSON decodes to one): either made the query itself fail, a 500 (and, with DEBUG on, the debug
page with the settings), once even on the anonymous token endpoint. One check here covers every
page and endpoint, present and future, instead of one in each view.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.db import DataError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

NUL = "\x00"
# `\u0000` in a JSON text, unless its backslash is itself escaped (`\\u0000` is six characters).
JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
# `\ud800`..`\udfff` likewise: half of a pair (fine) or a lone surrogate (refused); the parsed
# document tells which.
JSON_SURROGATE = re.compile(rb"(?<!\\)(?:\\\\)*\\u[dD][89a-fA-F]")
FORM = "application/x-www-form-urlencoded"
# The parameters that become a LIMIT or OFFSET: past a signed 64-bit integer, SQLite and
# PostgreSQL both fail the query.
COUNTS = ("offset", "limit")
LARGEST_COUNT = 2**63 - 1

NUL_PROBLEM = "contains a NUL character (%00), which no text here can hold: remove it."
SURROGATE_PROBLEM = (
    "contains a lone surrogate (a \\ud800-\\udfff escape without its pair), which is no "
    "character: send the text as UTF-8."
)
COUNT_PROBLEM = f"must be a whole number from 0 to {LARGEST_COUNT}."

# Django's message when a lookup is given something that is not an id: `reference=abc`.
NOT_A_NUMBER = re.compile(r"^Field '\w+' expected a number but got (.*)\.$", re.DOTALL)
# PostgreSQL's message for a text longer than its column (SQLite stores it whole).
TOO_LONG = re.compile(r"value too long for type character varying\((\d+)\)")


class RefuseUnstorableInputMiddleware:
    """Answer 400 to a query string, form or JSON body carrying what no column can hold."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = next(_problems(request), None)
        if found is not None:
            where, problem, field = found
            # A NUL's 400 has answered without the field since before the others: kept so.
            return refusal(request, where, problem, field=None if problem == NUL_PROBLEM else field)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # What the check above cannot see without reading an upload before the view authorises
        # it (a multipart form's text fields) still reaches PostgreSQL; its refusal becomes a 400.
        if isinstance(exception, DataError) and "NUL" in str(exception):
            return refusal(request, "A field of the form", NUL_PROBLEM)
        if isinstance(exception, DataError) and (too_long := TOO_LONG.search(str(exception))):
            limit = int(too_long.group(1))
            field = next(_longer_than(request, limit), None)
            where = f"The field {field!r}" if field else "A field"
            problem = f"is longer than the {limit} characters it can hold: shorten it."
            return refusal(request, where, problem, field=field)
        if isinstance(exception, OverflowError) and "SQLite INTEGER" in str(exception):
            # An id past 64 bits in a lookup Django does not guard (`in_bulk`, `__in`): SQLite
            # cannot even bind it (PostgreSQL finds nothing, as it should).
            field = next(_beyond_64_bits(request), None)
            where = f"The field {field!r}" if field else "A number in the request"
            return refusal(request, where, COUNT_PROBLEM, field=field)
        if isinstance(exception, ValueError) and (bad := NOT_A_NUMBER.match(str(exception))):
            field = next(_holding(request, bad.group(1)), None)
            where = f"The field {field!r}" if field else "An id in the request"
            return refusal(request, where, "must be a whole number (an id).", field=field)
        return None


def _problems(request: HttpRequest) -> Iterator[tuple[str, str, str]]:
    """(where, what is wrong, field) for each refused value, query string first."""
    for key, values in request.GET.lists():
        where = f"The parameter {key.replace(NUL, '%00')!r}"
        if NUL in key or any(NUL in value for value in values):
            yield where, NUL_PROBLEM, key.replace(NUL, "%00")
        elif key in COUNTS and any(_beyond_a_count(value) for value in values):
            yield where, COUNT_PROBLEM, key
    content_type = request.content_type or ""
    if request.method in {"POST", "PUT", "PATCH"} and content_type == FORM:
        for key, values in request.POST.lists():
            if NUL in key or any(NUL in value for value in values):
                field = key.replace(NUL, "%00")
                yield f"The field {field!r}", NUL_PROBLEM, field
    elif content_type.endswith("json"):
        body = request.body
        if JSON_NUL.search(body):
            field = _json_path(body, lambda text: NUL in text)
            yield f"The field {field!r}", NUL_PROBLEM, field
        if JSON_SURROGATE.search(body):
            field = _json_path(body, _has_lone_surrogate, default="")
            if field:
                yield f"The field {field!r}", SURROGATE_PROBLEM, field


def _beyond_a_count(value: str) -> bool:
    # Only ASCII digits: the API's own validation answers the rest (`abc`, `١٢`) with its 400.
    return value.isascii() and value.isdigit() and int(value) > LARGEST_COUNT


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _json_path(body: bytes, bad: Callable[[str], bool], default: str = "body") -> str:
    try:
        document = json.loads(body)
    except ValueError:
        return default
    return next(_paths_where(document, "body", bad), default)


def _paths_where(value: Any, path: str, bad: Callable[[str], bool]) -> Iterator[str]:
    if isinstance(value, str):
        if bad(value):
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            here = key if path == "body" else f"{path}.{key}"
            if bad(key):
                yield here
            yield from _paths_where(item, here, bad)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths_where(item, f"{path}[{index}]", bad)


def _fields(request: HttpRequest) -> Iterator[tuple[str, str]]:
    """Every (field, text value) the request carried: query string, form, JSON body."""
    for key, values in [*request.GET.lists(), *request.POST.lists()]:
        for value in values:
            yield key, value
    if (request.content_type or "").endswith("json"):
        try:
            document = json.loads(request.body)
        except ValueError:
            return
        yield from _json_values(document, "body")


def _json_values(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str | int):
        yield path, str(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _json_values(item, key if path == "body" else f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_values(item, f"{path}[{index}]")


def _longer_than(request: HttpRequest, limit: int) -> Iterator[str]:
    return (field for field, value in _fields(request) if len(value) > limit)


def _beyond_64_bits(request: HttpRequest) -> Iterator[str]:
    return (field for field, value in _fields(request) if _beyond_a_count(value))


def _holding(request: HttpRequest, printed: str) -> Iterator[str]:
    """The fields whose value Django's message printed (`'abc'`, as repr shows it)."""
    return (field for field, value in _fields(request) if printed in {repr(value), value})


def refusal(
    request: HttpRequest, where: str, problem: str = NUL_PROBLEM, *, field: str | None = None
) -> HttpResponse:
    """The 400: JSON for the API (with the field, when known), the 400 page otherwise."""
    detail = f"{where} {problem}"
    if request.path.startswith("/api/"):
        body: dict[str, str] = {"detail": detail}
        if field:
            body["field"] = field
        return JsonResponse(body, status=400)
    page = render_to_string("400.html", {"detail": detail}, request=request)
    return HttpResponse(page, status=400)
