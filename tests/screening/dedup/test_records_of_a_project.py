"""What a dedup run reads beyond each reference's summary: the records' publication types and the
trial registrations their raw entries name in fields no importer maps (MEDLINE SI)."""

from __future__ import annotations

import pytest

from screening.models import Reference
from screening.services.dedup import dedup_records, dedup_run

TITLE = "Drug X versus placebo after first-line chemotherapy in advanced gastric cancer"
AUTHORS = ["Garcia M.", "Lopez R.", "Chen Y."]


def _reference(project: object, *, raw: str, publication_type: str = "") -> Reference:
    reference = Reference.objects.create(
        project=project,
        title=TITLE,
        authors=AUTHORS,
        year=2022,
        journal="Annals of Oncology",
        volume="33",
        pages="210-219",
    )
    reference.records.create(
        project=project,
        method="websites",
        title=TITLE,
        raw=raw,
        publication_type=publication_type,
    )
    return reference


def _medline(registration: str) -> str:
    return (
        f"PMID- 1\nTI  - {TITLE}\nPT  - Journal Article\nSI  - ClinicalTrials.gov/{registration}\n"
    )


@pytest.mark.django_db
def test_a_run_reads_registrations_and_types_from_the_records(project) -> None:
    named = _reference(project, raw=_medline("NCT01234567"), publication_type="Journal Article")
    bare = _reference(project, raw="TY  - JOUR\nER  -\n")
    records = {int(r.id): r for r in dedup_records([named, bare])}
    assert records[named.pk].registrations == ["NCT01234567"]
    assert records[named.pk].publication_type == "Journal Article"
    assert records[bare.pk].registrations == []


@pytest.mark.django_db
def test_two_trials_named_only_in_the_raw_entries_are_not_merged(project) -> None:
    first = _reference(project, raw=_medline("NCT01234567"))
    second = _reference(project, raw=_medline("NCT07654321"))
    summary = dedup_run(project=project)
    assert summary["merged"] == 0, summary
    assert Reference.objects.get(pk=first.pk).merged_into_id is None
    assert Reference.objects.get(pk=second.pk).merged_into_id is None
    # The same registration (or none) and the same citation: one paper, merged.
    third = _reference(project, raw=_medline("NCT07654321"))
    assert dedup_run(project=project)["merged"] == 1
    placement = dict(Reference.objects.values_list("pk", "merged_into_id"))
    assert placement[first.pk] is None
    assert {placement[second.pk], placement[third.pk]} in ({None, second.pk}, {None, third.pk})
