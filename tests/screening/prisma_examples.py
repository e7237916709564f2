"""Example PRISMA counts shared by the counts, CSV and SVG tests: one review, and variations."""

from __future__ import annotations

import dataclasses

from screening.prisma import PrismaCounts

# The rapid review of the design doc (microcredentials in health professionals' continuing
# education), made to add up. Identification: PubMed 182 + Embase 245 + ERIC 10 = 437 database
# records, and 1 record from hand searching reference lists (citation searching). The doc's "290
# screened" is 437 + 1 - 148, but PRISMA 2020 sends the citation-searched record down the
# right-hand column, which starts at retrieval, so: 437 - 148 duplicates = 289 screened; 289 - 192
# excluded on title and abstract = 97 reports sought; 1 not retrieved, so 96 assessed; 96 - 86
# excluded at full text (50 + 36) = 10 included from databases. Right column: 1 sought, 1
# assessed, 0 excluded = 1 included. 10 + 1 = 11 studies (the doc's 11), one report each; a new
# review, so new = total and nothing previous.
RAPID_REVIEW = PrismaCounts(
    database_results=437,
    database_specific_results={"PubMed": 182, "Embase": 245, "ERIC": 10},
    register_results=0,
    website_results=0,
    organisation_results=0,
    citations_results=1,
    duplicates=148,
    excluded_automatic=0,
    excluded_other=0,
    records_screened=289,
    records_excluded=192,
    dbr_sought_reports=97,
    dbr_notretrieved_reports=1,
    other_sought_reports=1,
    other_notretrieved_reports=0,
    dbr_assessed=96,
    dbr_excluded={"Not microcredentials": 50, "Not health professionals": 36},
    other_assessed=1,
    other_excluded={},
    new_studies=11,
    new_reports=11,
    total_studies=11,
    total_reports=11,
)

NO_OTHER_METHODS = {
    "citations_results": 0,
    "other_sought_reports": 0,
    "other_assessed": 0,
    "records_screened": 290,
    "records_excluded": 193,
}

UPDATE = {
    "previous_studies": 7,
    "previous_reports": 9,
    "total_studies": 18,
    "total_reports": 20,
}


def rapid_review_with(**changes: object) -> PrismaCounts:
    """The rapid review with `changes`."""
    return dataclasses.replace(RAPID_REVIEW, **changes)
