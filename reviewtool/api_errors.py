"""Every error the API answers is JSON with a "detail" (../shared/API.md, "Errors"), also those
made outside its own exception handlers (reviewtool/api.py): Django's 404 for a path no operation
has (a slug holding "%2F" becomes two path segments), its 400 for a body it cannot read as a
multipart form (a missing boundary, read first by an upload or by the failed-login record), and
ninja's 405 for a method the path does not take. They answered the HTML error page, or the text
"Method not allowed" (found by the fuzzed API, tests/test_api_fuzz.py). The pages keep their HTML.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError

API_ROOT = "/api/"


def _detail(request: HttpRequest, response: HttpResponse) -> str:
    status = response.status_code
    if status == 404:
        return "No such endpoint: the operations are listed in /api/v1/openapi.json."
    if status == 405:
        return f"{request.method} is not allowed here: use {response.get('Allow', 'another')}."
    try:
        return f"{HTTPStatus(status).phrase}."
    except ValueError:
        return "Refused."


class ApiErrorsAsJsonMiddleware:
    """Answer an API client's 4xx as JSON: the body Django or ninja made is replaced, its status
    and headers kept; an unreadable body is a 400 that says why."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith(API_ROOT)
            and 400 <= response.status_code < 500
            and not response.streaming
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            # In place: the headers the middleware below set (CSP, Allow...) stay.
            response.content = json.dumps({"detail": _detail(request, response)})
            response["Content-Type"] = "application/json"
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if request.path.startswith(API_ROOT) and isinstance(exception, MultiPartParserError):
            return JsonResponse(
                {"detail": f"The body could not be read as a multipart form: {exception}"},
                status=400,
            )
        return None
