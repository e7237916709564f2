"""Reading the little values the pages' own links and forms send: absent or tampered with, each
falls back to a harmless default instead of an error page."""

from __future__ import annotations

from ..workflow import Stage

STAGES = frozenset(s.value for s in Stage)


def int_or_none(value: str | None) -> int | None:
    """A number posted by a form of ours, or None when absent (or tampered with)."""
    return int(value) if value and value.isdigit() else None


def stage_arg(value: str | None) -> str:
    """The stage a link names, title and abstract when it names none we know."""
    return value if value in STAGES else Stage.TITLE_ABSTRACT.value


def stage_label(stage: str) -> str:
    return Stage(stage).label
