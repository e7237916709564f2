"""The facts of a review. Statuses are derived from these rows (workflow.py), never stored twice.

One module per concern; every model and choices class is imported here, so that Django finds the
models and `from screening.models import X` reads the same wherever X lives.
"""

from .audit import AuditEvent
from .decisions import STAGE_CHOICES, ExclusionReason, Resolution, Vote
from .jobs import Job, JobKind, JobStatus
from .pilots import Pilot
from .projects import ApiToken, Membership, Project, ProjectQuerySet, Role
from .ranking import RankedReference, Ranking
from .references import (
    DuplicateCandidate,
    DuplicateStatus,
    Reference,
    ReferenceQuerySet,
    ReferenceSource,
)
from .reports import Report, report_upload_to
from .searches import OtherMethod, Record, Search, search_upload_to
from .stopping import (
    RankingSeed,
    ScreeningStop,
    StoppedReference,
    StoppingSample,
    StoppingSampleReference,
)

__all__ = [
    "STAGE_CHOICES",
    "ApiToken",
    "AuditEvent",
    "DuplicateCandidate",
    "DuplicateStatus",
    "ExclusionReason",
    "Job",
    "JobKind",
    "JobStatus",
    "Membership",
    "OtherMethod",
    "Pilot",
    "Project",
    "ProjectQuerySet",
    "RankedReference",
    "Ranking",
    "RankingSeed",
    "Record",
    "Reference",
    "ReferenceQuerySet",
    "ReferenceSource",
    "Report",
    "Resolution",
    "Role",
    "ScreeningStop",
    "Search",
    "StoppedReference",
    "StoppingSample",
    "StoppingSampleReference",
    "Vote",
    "report_upload_to",
    "search_upload_to",
]
