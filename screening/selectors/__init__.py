# Transitional re-exports for issue 17; removed once every importer points at screening.selectors.
"""Reads that span relations: what pages and endpoints show, one module per concern.

Selectors read; they import no services. statuses derives a reference's stage and status,
status_counts counts them over a project, blinding says what a member is shown, queue hands out
the next reference, conflicts and prisma_counts feed the lead's pages and the PRISMA diagram,
progress, projects, duplicates, history and references feed the other pages.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# The names the old screening/selectors.py held, and the module each now lives in. Looked up
# when first asked for, not imported here, so that importing one module of the package (as the
# services do) does not import all the others and cannot close a cycle through them.
_MOVED = {
    "project_counts": "progress",
    "project_members": "projects",
    "project_recent_jobs": "projects",
    "job_for_user": "projects",
    "COMPARED_FIELDS": "duplicates",
    "DUPLICATES_PAGE": "duplicates",
    "duplicate_set_ids": "duplicates",
    "duplicate_sets": "duplicates",
    "record_sources": "duplicates",
    "HISTORY_PAGE": "history",
    "project_history": "history",
    "history_kinds": "history",
    "REFERENCES_PAGE": "references",
    "MY_VOTE_FILTERS": "references",
    "reference_search": "references",
}


def __getattr__(name: str) -> Any:
    if name not in _MOVED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_MOVED[name]}", __name__), name)
