"""The Content-Security-Policy header (settings.CONTENT_SECURITY_POLICY) on every page.

Only documents a browser can run script in get it (HTML and SVG): a PDF, a CSV or JSON has no use
for it, and a PDF under a policy is shown by no browser plugin.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

_DOCUMENTS = ("text/html", "image/svg+xml")


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        content_type = response.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if policy and content_type in _DOCUMENTS and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response
