"""PRISMA 2020 flow-diagram counts: the numbers of the diagram, named and checked, not drawn.

Pure: standard library only. The counts are derived elsewhere (selectors over votes and reports);
this module only names them and what follows from them (which columns a review uses). Field names
are those of the PRISMA2020 R package (Haddaway, Page, Pritchard & McGuinness 2022, Campbell
Systematic Reviews 18:e1230), so the JSON of `as_dict` and the CSV speak the same words. Drawing
and writing them out is `screening.reports`' work: `prisma_csv`, `prisma_svg`, `prisma_downloads`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class PrismaCounts:
    """One review's PRISMA 2020 flow counts, named as in the PRISMA2020 R package.

    `dbr_` is "databases and registers" (the left column), `other_` the right column (websites,
    organisations, citation searching), which enters at retrieval: those records are not screened
    on title and abstract. Exclusion reasons hold one final reason per report.
    """

    database_results: int
    database_specific_results: dict[str, int]
    register_results: int
    website_results: int
    organisation_results: int
    citations_results: int
    duplicates: int
    excluded_automatic: int
    excluded_other: int
    records_screened: int
    records_excluded: int
    dbr_sought_reports: int
    dbr_notretrieved_reports: int
    other_sought_reports: int
    other_notretrieved_reports: int
    dbr_assessed: int
    dbr_excluded: dict[str, int]
    other_assessed: int
    other_excluded: dict[str, int]
    new_studies: int
    new_reports: int
    total_studies: int
    total_reports: int
    previous_studies: int = 0
    previous_reports: int = 0

    def as_dict(self) -> dict[str, object]:
        """JSON-ready mapping of the field names to their counts (reason maps copied)."""
        out: dict[str, object] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = dict(value) if isinstance(value, Mapping) else value
        return out

    @property
    def has_other_methods(self) -> bool:
        """Whether anything came through websites, organisations or citation searching."""
        return any(
            (
                self.website_results,
                self.organisation_results,
                self.citations_results,
                self.other_sought_reports,
                self.other_notretrieved_reports,
                self.other_assessed,
                any(self.other_excluded.values()),
            )
        )

    @property
    def has_previous(self) -> bool:
        """Whether this review updates a previous version that included studies."""
        return bool(self.previous_studies or self.previous_reports)
