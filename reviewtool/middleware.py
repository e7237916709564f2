"""Server-Timing on every answer, and the pages' mapping of the domain's errors to HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views import defaults

from screening.errors import NotAllowed, NotFound, ServiceError


class ServerTimingMiddleware:
    """Add `Server-Timing: app;dur=<ms>`: the time inside Django, without the network or queue."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        response["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
        return response


class DomainErrorsMiddleware:
    """The pages' one mapping of the domain's errors (screening.errors) to HTTP: NotFound is the
    app's 404 page, NotAllowed its 403 page, any other ServiceError the 400 page with its message
    and the error's own status. Services and selectors raise them knowing nothing of HTTP; the
    API maps the same errors by `.status` in reviewtool/api.py, before they reach here."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotFound):
            return defaults.page_not_found(request, exception)
        if isinstance(exception, NotAllowed):
            return defaults.permission_denied(request, exception)
        if isinstance(exception, ServiceError):
            body = render_to_string("400.html", {"detail": exception.message}, request=request)
            return HttpResponse(body, status=exception.status)
        return None
