"""What a project's archive holds: its tables in the order they are restored, and how each row's
ids point at other tables (read from the models' foreign keys, so a new key is carried along).

Left out, as derived or ephemeral (the manifest's notes say so too):
- Job: a background run's bookkeeping; the rows that name a job keep no link to it.
- RankedReference: a ranking's positions, recomputed by the next retrain. Until a ranked stage is
  retrained on the new server its queue serves import order.
- ApiToken: secrets of one server; people sign in again on the new one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import models

from extraction.models import Assignment, Codebook, Consensus, DoubleExtraction, Extraction, Field

from ..models import (
    AuditEvent,
    DuplicateCandidate,
    ExclusionReason,
    Job,
    Membership,
    Pilot,
    Project,
    Ranking,
    RankingSeed,
    Record,
    Reference,
    Report,
    Resolution,
    ScreeningStop,
    Search,
    StoppedReference,
    StoppingSample,
    StoppingSampleReference,
    Vote,
)

USERS = "users"
USER_COLUMNS = ("id", "username", "email", "first_name", "last_name")

NOTES = {
    "left_out": (
        "Job (background runs' bookkeeping), RankedReference (a ranking's positions: a ranked "
        "stage serves import order until it is retrained) and ApiToken (secrets of one server)."
    ),
    "users": (
        "People are matched by username on restore; one missing there is created inactive, "
        "with no usable password."
    ),
    "ids": (
        "Rows keep their ids when none is taken on the server restored to; otherwise every id "
        "and every reference to one is renumbered. The audit trail's before/after values keep "
        "the ids they were written with."
    ),
}


@dataclass(frozen=True)
class Table:
    """One table of the archive: its model and the path from its rows to the project."""

    name: str
    model: type[models.Model]
    of_project: str
    file_field: str = ""

    def rows_of(self, project: Project) -> models.QuerySet:
        return self.model._default_manager.filter(**{self.of_project: project.pk}).order_by("pk")

    @property
    def columns(self) -> list[str]:
        return [f.attname for f in self.model._meta.concrete_fields]


TABLES: tuple[Table, ...] = (
    Table("project", Project, "pk"),
    Table("memberships", Membership, "project"),
    Table("searches", Search, "project", file_field="file"),
    Table("pilots", Pilot, "project"),
    Table("references", Reference, "project"),
    Table("records", Record, "project"),
    Table("exclusion_reasons", ExclusionReason, "project"),
    Table("votes", Vote, "project"),
    Table("resolutions", Resolution, "project"),
    Table("reports", Report, "project", file_field="file"),
    Table("duplicate_candidates", DuplicateCandidate, "project"),
    Table("rankings", Ranking, "project"),
    Table("ranking_seeds", RankingSeed, "project"),
    Table("stopping_samples", StoppingSample, "project"),
    Table("stopping_sample_references", StoppingSampleReference, "sample__project"),
    Table("screening_stops", ScreeningStop, "project"),
    Table("stopped_references", StoppedReference, "stop__project"),
    Table("codebooks", Codebook, "project"),
    Table("codebook_fields", Field, "codebook__project"),
    Table("extractions", Extraction, "project"),
    Table("double_extractions", DoubleExtraction, "project"),
    Table("consensus", Consensus, "project"),
    Table("extraction_assignments", Assignment, "project"),
    Table("audit_events", AuditEvent, "project"),
)
TABLE_NAMES = frozenset(t.name for t in TABLES) | {USERS}
_TABLE_OF_MODEL = {t.model: t.name for t in TABLES}

# Ids kept inside JSON columns: DuplicateCandidate.references (reference ids) and its `moves`
# ({"record"|"vote"|"resolution"|"report": id, "from": reference id}).
MOVE_KEYS = {
    "record": "records",
    "vote": "votes",
    "resolution": "resolutions",
    "report": "reports",
    "from": "references",
}
# ScreeningStop.evidence["sample"] is the id of its stopping sample.
# AuditEvent.object_type is the model's name; object_id an id of that model's table.
TABLE_OF_OBJECT_TYPE = {t.model._meta.model_name: t.name for t in TABLES}


def links(table: Table) -> dict[str, str | None]:
    """Each foreign-key column of a table and the table it points to: USERS for a person, None
    for a row left out of the archive (the column is cleared)."""
    user_model = get_user_model()
    found: dict[str, str | None] = {}
    for f in table.model._meta.concrete_fields:
        if not f.is_relation:
            continue
        target = f.related_model
        if target is user_model:
            found[f.attname] = USERS
        elif target is Job:
            found[f.attname] = None
        else:
            found[f.attname] = _TABLE_OF_MODEL[target]
    return found


def user_columns(table: Table) -> list[str]:
    return [column for column, target in links(table).items() if target == USERS]
