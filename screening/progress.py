# Transitional re-exports for issue 17; removed once every importer points at screening.selectors.
"""The reads that were here now live in screening/selectors/, one module per concern."""

from .selectors.blinding import as_seen, blinding_for, blinding_of
from .selectors.conflicts import (
    conflict_pairs,
    conflicts,
    conflicts_with_votes,
    votes_by_reference,
    votes_changed_after_others,
)
from .selectors.prisma_counts import prisma_counts
from .selectors.progress import reviewer_progress
from .selectors.queue import (
    _open_references,
    forget_hints,
    forget_open_pilot,
    next_reference,
    open_on_title,
    open_pilot_id,
    release_claim,
    shown_and_ahead,
)
from .selectors.references import exclusion_reasons
from .selectors.status_counts import status_counts, status_table
from .selectors.statuses import (
    decided_references,
    reference_facts,
    reference_state,
    screened_references,
    with_status,
)

__all__ = [
    "_open_references",
    "as_seen",
    "blinding_for",
    "blinding_of",
    "conflict_pairs",
    "conflicts",
    "conflicts_with_votes",
    "decided_references",
    "exclusion_reasons",
    "forget_hints",
    "forget_open_pilot",
    "next_reference",
    "open_on_title",
    "open_pilot_id",
    "prisma_counts",
    "reference_facts",
    "reference_state",
    "release_claim",
    "reviewer_progress",
    "screened_references",
    "shown_and_ahead",
    "status_counts",
    "status_table",
    "votes_by_reference",
    "votes_changed_after_others",
    "with_status",
]
