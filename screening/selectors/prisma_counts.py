"""The PRISMA 2020 flow diagram's counts, derived from the project's rows."""

from __future__ import annotations

from django.db import connection

from .. import prisma
from ..models import OtherMethod, Project, ReferenceSource
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
    databases: dict[str, int] = {}
    registers = 0
    by_method: dict[str, int] = {}
    for database, method, n in _records_found(project):
        if database is None:
            by_method[method] = by_method.get(method, 0) + n
        elif database.strip().lower() in REGISTERS:
            registers += n
        else:
            databases[database] = databases.get(database, 0) + n
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


# Records per search and per other method, in one query. Each search's records are counted
# from the index on their search alone (an index-only scan, no join per record): grouping the
# project's 100k records by their search's database read every record and joined it
# (benchmarks/bench_prisma.py). A search without records counts for nothing, as before.
_RECORDS_SQL = """
SELECT s.database, '', (SELECT COUNT(*) FROM screening_record r WHERE r.search_id = s.id)
FROM screening_search s WHERE s.project_id = %(project)s
UNION ALL
SELECT NULL, method, COUNT(*) FROM screening_record
WHERE project_id = %(project)s AND search_id IS NULL
GROUP BY method
ORDER BY 1, 2
"""


def _records_found(project: Project) -> list[tuple[str | None, str, int]]:
    """(database, "", records) per search with records, in the order of the databases' names,
    and (None, method, records) per other method."""
    with connection.cursor() as cursor:
        cursor.execute(_RECORDS_SQL, {"project": project.pk})
        return [row for row in cursor.fetchall() if row[2]]


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
