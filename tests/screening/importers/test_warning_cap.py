"""An import keeps its first 200 warnings and one more that counts the rest, so that a large file
with a bad value in every record stores a list a person can read."""

from __future__ import annotations

import pytest

from screening import importers
from screening.importers import ImportWarning, WarningList
from screening.services.imports import SearchDetails, search_import


def _medline(records: int) -> bytes:
    # Every record has a date that is no year: one warning each.
    return "".join(
        f"PMID- {n}\nTI  - Title {n}\nDP  - Spring\n\n" for n in range(1, records + 1)
    ).encode()


def test_warnings_past_200_are_counted_in_one_more() -> None:
    result = importers.parse(_medline(1434), format="medline")
    assert len(result.citations) == 1434
    assert len(result.warnings) == 201
    assert [w.line for w in result.warnings[:200]] == [1 + 4 * n for n in range(200)]
    last = result.warnings[200]
    assert last.message.startswith("and 1,234 more warnings like these")
    assert last.line == 1 + 4 * 200  # the first of the warnings not listed


@pytest.mark.parametrize(("records", "kept"), [(199, 199), (200, 200), (201, 201)])
def test_up_to_200_warnings_are_kept_as_they_are(records: int, kept: int) -> None:
    result = importers.parse(_medline(records), format="medline")
    assert len(result.warnings) == kept
    assert all("Spring" in w.message for w in result.warnings[:200])
    if records == 201:
        assert result.warnings[200].message.startswith("and 1 more warning like these")


def test_the_cap_holds_for_warnings_added_one_at_a_time_and_in_batches() -> None:
    warnings = WarningList([ImportWarning(1, "decoded")])
    warnings.extend(ImportWarning(n, "bad") for n in range(2, 150))
    for n in range(150, 260):
        warnings.append(ImportWarning(n, "bad"))
    assert len(warnings) == 201
    assert warnings.more == 59
    assert warnings[200].message.startswith("and 59 more warnings like these")


@pytest.mark.django_db
def test_an_import_stores_201_warnings_for_a_file_with_a_bad_year_in_every_record(
    project, lead
) -> None:
    search = search_import(
        project=project,
        data=_medline(1434),
        filename="big.nbib",
        details=SearchDetails(database="PubMed"),
        user=lead,
    )
    assert search.record_count == 1434
    assert len(search.warnings) == 201
    assert search.warnings[0] == "line 1, field DP: 'Spring' is not a year; kept in the raw record"
    assert "and 1,234 more warnings like these" in search.warnings[200]
