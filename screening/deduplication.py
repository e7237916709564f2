# Transitional re-exports for issue 17; removed once every importer points at screening.services.
from .selectors.held_decisions import decisions_of, held_decisions_by_reference
from .services.dedup import dedup_records, dedup_run
from .services.merges import duplicate_decide, duplicate_unmerge_undo, duplicates_merge_above

__all__ = [
    "decisions_of",
    "dedup_records",
    "dedup_run",
    "duplicate_decide",
    "duplicate_unmerge_undo",
    "duplicates_merge_above",
    "held_decisions_by_reference",
]
