"""The extraction as CSV and Excel: a row per included study with its extraction status,
numbers as numbers, booleans as booleans (TRUE/FALSE in CSV, boolean cells in Excel), each
multichoice option its own column (1 when the study has it, 0 when not), one sheet per
extractor, the codebook. Cells go through screening/reports/spreadsheet.py: no live formulas, control
characters escaped."""

from __future__ import annotations

from collections import Counter
from typing import Any

from screening.models import Project, Reference
from screening.reports import spreadsheet

from . import coding, services
from .models import Consensus, DoubleExtraction, Extraction

# A study's extraction status, in the words of the `status` column: only "consensus" and
# "single extraction" studies have values; the others are listed with empty values, so that a
# study waiting for the lead is never silently missing from the table.
CONSENSUS = "consensus"
SINGLE = "single extraction"
AWAITING_CONSENSUS = "awaiting consensus"
AWAITING_SECOND = "awaiting second extraction"
NOT_EXTRACTED = "not extracted"


def _columns(specs: list[coding.FieldSpec]) -> list[str]:
    columns = ["reference", "title", "year"]
    for spec in specs:
        if spec.type == "multichoice":
            columns += [f"{spec.name}: {choice}" for choice in spec.choices]
        else:
            columns.append(spec.name)
    return columns


def _row(
    specs: list[coding.FieldSpec], reference: Reference, values: dict[str, Any]
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "reference": reference.pk,
        "title": reference.title,
        "year": reference.year,
    }
    for spec in specs:
        value = values.get(spec.name)
        if spec.type == "multichoice":
            for choice in spec.choices:
                row[f"{spec.name}: {choice}"] = None if value is None else int(choice in value)
        else:
            row[spec.name] = value
    return row


def extraction_statuses(studies: list[Reference]) -> dict[int, str]:
    """Each included study's extraction status (see the words above), in three queries."""
    ids = [s.pk for s in studies]
    settled = set(Consensus.objects.filter(reference__in=ids).values_list("reference", flat=True))
    doubled = set(
        DoubleExtraction.objects.filter(reference__in=ids).values_list("reference", flat=True)
    )
    counts = Counter(
        Extraction.objects.filter(reference__in=ids).values_list("reference", flat=True)
    )
    statuses = {}
    for pk in ids:
        if pk in settled:
            statuses[pk] = CONSENSUS
        elif counts[pk] == 0:
            statuses[pk] = NOT_EXTRACTED
        elif counts[pk] >= 2:
            statuses[pk] = AWAITING_CONSENSUS
        else:
            statuses[pk] = AWAITING_SECOND if pk in doubled else SINGLE
    return statuses


def study_rows(project: Project) -> tuple[list[str], list[dict[str, Any]]]:
    """Columns and one row per included study: its values where they stand (the consensus,
    else the single extraction), empty otherwise, and its status in the last column."""
    specs = services.field_specs(services.current_codebook(project))
    studies = list(services.included_references(project))
    _, values = services.study_values(project)
    statuses = extraction_statuses(studies)
    rows = [_row(specs, s, values.get(s.pk, {})) | {"status": statuses[s.pk]} for s in studies]
    # `status` last: readers that take the first columns by position keep them.
    return [*_columns(specs), "status"], rows


def extraction_csv(project: Project, *, formulas: str = "escape") -> str:
    columns, rows = study_rows(project)
    return spreadsheet.to_csv(columns, rows, formulas=formulas)


def extraction_xlsx(project: Project) -> bytes:
    specs = services.field_specs(services.current_codebook(project))
    columns, rows = study_rows(project)
    sheets = [spreadsheet.Sheet("Studies", columns, rows)]
    extractions = (
        Extraction.objects.filter(project=project)
        .select_related("reference", "extractor")
        .order_by("extractor__username", "reference_id")
    )
    by_extractor: dict[str, list[dict[str, Any]]] = {}
    for extraction in extractions:
        by_extractor.setdefault(extraction.extractor.get_username(), []).append(
            _row(specs, extraction.reference, extraction.values)
        )
    for username, extractor_rows in by_extractor.items():
        sheets.append(spreadsheet.Sheet(f"Extractor {username}", _columns(specs), extractor_rows))
    codebook = [
        {
            "section": s.section,
            "field": s.name,
            "type": s.type,
            "choices": "; ".join(s.choices),
            "help": s.help,
        }
        for s in specs
    ]
    sheets.append(
        spreadsheet.Sheet("Codebook", ["section", "field", "type", "choices", "help"], codebook)
    )
    return spreadsheet.to_xlsx(sheets)


def extraction_file(project: Project, format: str, *, csv_formulas: str = "escape") -> str | bytes:
    """The extraction export in one of its formats: csv or xlsx."""
    if format == "xlsx":
        return extraction_xlsx(project)
    return extraction_csv(project, formulas=csv_formulas)
