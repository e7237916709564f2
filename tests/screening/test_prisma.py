"""PRISMA 2020 counts: their arithmetic and their JSON, in the R package's names. No database."""

from __future__ import annotations

import json

from tests.screening.prisma_examples import RAPID_REVIEW

FIELD_NAMES = [
    "database_results",
    "database_specific_results",
    "register_results",
    "website_results",
    "organisation_results",
    "citations_results",
    "duplicates",
    "excluded_automatic",
    "excluded_other",
    "records_screened",
    "records_excluded",
    "dbr_sought_reports",
    "dbr_notretrieved_reports",
    "other_sought_reports",
    "other_notretrieved_reports",
    "dbr_assessed",
    "dbr_excluded",
    "other_assessed",
    "other_excluded",
    "new_studies",
    "new_reports",
    "total_studies",
    "total_reports",
    "previous_studies",
    "previous_reports",
]


def test_as_dict_has_exactly_the_r_package_names() -> None:
    assert list(RAPID_REVIEW.as_dict()) == FIELD_NAMES


def test_as_dict_is_json_ready() -> None:
    data = RAPID_REVIEW.as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["dbr_excluded"] == {"Not microcredentials": 50, "Not health professionals": 36}
    assert data["records_screened"] == 289


def test_as_dict_copies_the_reason_maps() -> None:
    data = RAPID_REVIEW.as_dict()
    data["dbr_excluded"]["Wrong setting"] = 1  # type: ignore[index]
    assert "Wrong setting" not in RAPID_REVIEW.dbr_excluded
