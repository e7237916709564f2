"""The PRISMA 2020 flow diagram's counts, derived from the project's rows."""

from __future__ import annotations

from django.db.models import Count

from .. import prisma
from ..models import OtherMethod, Project, Record, ReferenceSource
from ..vocabulary import Stage, Status
from .status_counts import status_table
from .stopping import stopped_count

TA, FT = Stage.TITLE_ABSTRACT.value, Stage.FULL_TEXT.value


# Trial registers, counted in PRISMA's "Registers (n = )" rather than under databases.
REGISTERS = frozenset(
    {
        "clinicaltrials.gov",
        "ictrp",
        "who ictrp",
        "who international clinical trials registry platform",
        "eu clinical trials register",
        "eu ctr",
        "ctis",
        "isrctn",
        "anzctr",
        "chictr",
        "drks",
        "prospero",
    }
)


def prisma_counts(project: Project) -> prisma.PrismaCounts:
    """Every box of the PRISMA 2020 flow diagram, counted from the rows of this project."""
    per_search = (
        Record.objects.filter(project=project, search__isnull=False)
        .values_list("search__database")
        .annotate(n=Count("id"))
        .order_by("search__database")
    )
    databases: dict[str, int] = {}
    registers = 0
    for database, n in per_search:
        if database.strip().lower() in REGISTERS:
            registers += n
        else:
            databases[database] = databases.get(database, 0) + n
    by_method = dict(
        Record.objects.filter(project=project, search__isnull=True)
        .values_list("method")
        .annotate(n=Count("id"))
        .order_by("method")
    )
    rows = status_table(project)
    column = {ReferenceSource.DATABASES.value: _Column(), ReferenceSource.OTHER.value: _Column()}
    for source, stage, status, reason, n in rows:
        column[source].add(stage, status, reason, n)
    dbr, other = column[ReferenceSource.DATABASES.value], column[ReferenceSource.OTHER.value]
    found = sum(databases.values()) + registers
    included = dbr.included + other.included
    # References the lead's stop left unscreened on title and abstract (selectors/stopping.py):
    # "marked as ineligible by automation tools", removed before screening, not screened.
    automatic = stopped_count(project, TA)
    return prisma.PrismaCounts(
        database_results=sum(databases.values()),
        database_specific_results=databases,
        register_results=registers,
        website_results=by_method.get(OtherMethod.WEBSITES, 0),
        organisation_results=by_method.get(OtherMethod.ORGANISATIONS, 0),
        citations_results=by_method.get(OtherMethod.CITATION_SEARCHING, 0),
        duplicates=found - dbr.references,
        excluded_automatic=automatic,
        excluded_other=0,
        records_screened=dbr.references - automatic,
        records_excluded=dbr.excluded_on_title,
        dbr_sought_reports=dbr.sought,
        dbr_notretrieved_reports=dbr.not_retrieved,
        other_sought_reports=other.sought,
        other_notretrieved_reports=other.not_retrieved,
        dbr_assessed=dbr.assessed,
        dbr_excluded=dbr.reasons,  # in the lead's order (status_table)
        other_assessed=other.assessed,
        other_excluded=other.reasons,  # in the lead's order (status_table)
        new_studies=included,
        new_reports=included,
        total_studies=included,
        total_reports=included,
    )


class _Column:
    """One column of the diagram (databases and registers, or other methods), being counted."""

    def __init__(self) -> None:
        self.references = self.excluded_on_title = self.sought = 0
        self.not_retrieved = self.assessed = self.included = 0
        self.reasons: dict[str, int] = {}

    def add(self, stage: str, status: str, reason: str | None, n: int) -> None:
        self.references += n
        if stage == TA:
            self.excluded_on_title += n if status == Status.EXCLUDED else 0
            return
        self.sought += n
        if status == Status.NOT_RETRIEVED:
            self.not_retrieved += n
        elif status != Status.AWAITING_REPORT:
            self.assessed += n
        if status == Status.INCLUDED:
            self.included += n
        elif status == Status.EXCLUDED:
            name = reason or "No reason given"
            self.reasons[name] = self.reasons.get(name, 0) + n
