"""What the pages share: the little values their own links and forms send (absent or tampered
with, each falls back to a harmless default instead of an error page), and the refusals that are
error pages rather than messages."""

from __future__ import annotations

from ..errors import NotAllowed, NotFound
from ..vocabulary import Stage


def int_or_none(value: str | None) -> int | None:
    """A number posted by a form of ours, or None when absent (or tampered with)."""
    return int(value) if value and value.isdigit() else None


def stage_arg(value: str | None) -> Stage:
    """The stage a link names, title and abstract when it names none we know."""
    return Stage.parse(value, default=Stage.TITLE_ABSTRACT)


def stage_filter(value: str | None) -> Stage | str:
    """The stage a list is filtered by, or "" (every stage) when it names none we know."""
    return Stage.parse(value, default="")


def stage_label(stage: str) -> str:
    return Stage(stage).label


# The refusals a page does not show as a message beside its form: the middleware answers them
# with the app's 404 or 403 page (reviewtool.middleware), as it would anywhere else, so that a
# reference of another project is "not found" whether or not the view caught the service's
# other refusals. Re-raise them first: `except ERROR_PAGES: raise`.
ERROR_PAGES = (NotFound, NotAllowed)
