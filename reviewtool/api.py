"""The JSON API (v1): one NinjaAPI, the app routers mounted, errors shaped as ../shared/API.md says."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation

from extraction.api import router as extraction_router
from screening.api import ROUTERS as SCREENING_ROUTERS
from screening.api.auth import BearerToken
from screening.errors import ServiceError

from . import openapi


class ReviewApi(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        # The errors the handlers below answer, and the bodies of dict and file answers, which
        # ninja cannot infer (reviewtool/openapi.py).
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        root = path_prefix if path_prefix is not None else self.get_root_path(path_params or {})
        return openapi.complete(schema, root=root)

    def get_openapi_operation_id(self, operation: Operation) -> str:
        # The view's own name (`vote_create`), not ninja's default of its module path too: the
        # ids clients generate code from stay the same when a router moves to another module.
        return operation.view_func.__name__


api = ReviewApi(
    title="Review screening API",
    version="1",
    description="Import, deduplicate, screen and report a systematic, rapid or scoping review.",
    auth=BearerToken(),
    urls_namespace="api",
)
for router in SCREENING_ROUTERS:
    api.add_router("", router)
api.add_router("", extraction_router)


@api.exception_handler(ServiceError)
def on_service_error(request: HttpRequest, error: ServiceError) -> HttpResponse:
    return api.create_response(
        request, {"detail": error.message, **error.extra}, status=error.status
    )


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    # Bad input is 400 here (the contract), not ninja's default 422.
    problems = []
    for item in error.errors:
        location = ".".join(
            str(part) for part in item.get("loc", ()) if part not in ("body", "payload")
        )
        problems.append(
            f"{location}: {item.get('msg', 'invalid')}" if location else item.get("msg")
        )
    detail = "; ".join(p for p in problems if p) or "invalid input"
    first = error.errors[0] if error.errors else {}
    field = str(first.get("loc", ("",))[-1]) if first else ""
    return api.create_response(
        request, {"detail": detail, "field": field, "errors": error.errors}, status=400
    )


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "A valid bearer token is required."}, status=401)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": str(error) or "Not found"}, status=404)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request, {"detail": str(error) or "Your role may not do this."}, status=403
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(error)}, status=error.status_code)
