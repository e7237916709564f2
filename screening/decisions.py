# Transitional re-exports for issue 17; removed once every importer points at screening.services.
from .errors import Conflict, InvalidInput
from .services.conflicts import reference_reopen, resolution_record
from .services.fulltext import report_attach, report_mark_not_retrieved
from .services.projects import stage_blinding_set
from .services.reasons import (
    exclusion_reason_add,
    exclusion_reason_change,
    exclusion_reason_move,
    exclusion_reason_rename,
    exclusion_reason_restore,
    exclusion_reason_retire,
)
from .services.screening import vote_cast

__all__ = [
    "Conflict",
    "InvalidInput",
    "exclusion_reason_add",
    "exclusion_reason_change",
    "exclusion_reason_move",
    "exclusion_reason_rename",
    "exclusion_reason_restore",
    "exclusion_reason_retire",
    "reference_reopen",
    "report_attach",
    "report_mark_not_retrieved",
    "resolution_record",
    "stage_blinding_set",
    "vote_cast",
]
