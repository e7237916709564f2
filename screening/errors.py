"""Errors the services raise; views and the API turn each into one clear message and status."""

from __future__ import annotations


class ServiceError(Exception):
    """Base: a refused action with a message fit to show the user."""

    status = 400

    def __init__(self, message: str, **extra: object) -> None:
        super().__init__(message)
        self.message = message
        self.extra = {k: v for k, v in extra.items() if v not in (None, "")}


class InvalidInput(ServiceError):
    status = 400


class Conflict(ServiceError):
    """The action clashes with the state of things (a duplicate name, a decided reference)."""

    status = 409


class TooLarge(ServiceError):
    status = 413


class NotFound(ServiceError):
    """What was asked for is not there, or not in this project: answered as 404 by the API and
    by the pages (reviewtool/api.py and screening.middleware), never raised as Django's Http404
    by a service or selector."""

    status = 404


class NotAllowed(ServiceError):
    """The person's role may not do this: answered as 403."""

    status = 403
