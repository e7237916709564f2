"""Refuse text holding a NUL character with a 400 that names where it is, before any view runs.

PostgreSQL text cannot hold U+0000: a search box, history filter or API filter sent `%00` made
the query itself fail, a 500 (and, with DEBUG on, the debug page with the settings). One check
here covers every page and endpoint, present and future, instead of one in each view.
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
FORM = "application/x-www-form-urlencoded"


class RefuseNulCharactersMiddleware:
    """Answer 400 to a query string, form or JSON body with a NUL character in it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = nul_in_request(request)
        if where is not None:
            return refusal(request, where)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # What the check above cannot see without reading an upload before the view authorises
        # it (a multipart form's text fields) still reaches PostgreSQL; its refusal becomes a 400.
        if isinstance(exception, DataError) and "NUL" in str(exception):
            return refusal(request, "A field of the form")
        return None


def nul_in_request(request: HttpRequest) -> str | None:
    """Where the request carries a NUL character (a parameter's name), or None."""
    return next(_text_fields(request), None)


def _text_fields(request: HttpRequest) -> Iterator[str]:
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in value for value in values):
            yield f"The parameter {key.replace(NUL, '%00')!r}"
    content_type = request.content_type or ""
    if request.method in {"POST", "PUT", "PATCH"} and content_type == FORM:
        for key, values in request.POST.lists():
            if NUL in key or any(NUL in value for value in values):
                yield f"The field {key.replace(NUL, '%00')!r}"
    elif content_type.endswith("json") and JSON_NUL.search(request.body):
        yield f"The field {_json_path(request.body)!r}"


def _json_path(body: bytes) -> str:
    try:
        document = json.loads(body)
    except ValueError:
        return "body"
    return next(_paths_with_nul(document, "body"), "body")


def _paths_with_nul(value: Any, path: str) -> Iterator[str]:
    if isinstance(value, str):
        if NUL in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _paths_with_nul(item, key if path == "body" else f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths_with_nul(item, f"{path}[{index}]")


def refusal(request: HttpRequest, where: str) -> HttpResponse:
    """The 400: JSON for the API, the 400 page otherwise."""
    detail = f"{where} contains a NUL character (%00), which no text here can hold: remove it."
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": detail}, status=400)
    body = render_to_string("400.html", {"detail": detail}, request=request)
    return HttpResponse(body, status=400)
