"""The extraction as CSV and Excel: a row per study, numbers as numbers, each multichoice option
its own column (1 when the study has it, 0 when not), one sheet per extractor, the codebook."""

from __future__ import annotations

import io
from typing import Any

import pandas

from screening.models import Project, Reference

from . import coding, services
from .models import Extraction


def _columns(specs: list[coding.FieldSpec]) -> list[str]:
    columns = ["reference", "title", "year"]
    for spec in specs:
        if spec.type == "multichoice":
            columns += [f"{spec.name}: {choice}" for choice in spec.choices]
        else:
            columns.append(spec.name)
    return columns


def _row(specs: list[coding.FieldSpec], reference: Reference, values: dict[str, Any]) -> dict:
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


def study_table(project: Project) -> pandas.DataFrame:
    specs = services.field_specs(services.current_codebook(project))
    studies, values = services.study_values(project)
    rows = [_row(specs, s, values[s.pk]) for s in studies]
    return pandas.DataFrame(rows, columns=_columns(specs))


def extraction_csv(project: Project) -> str:
    return study_table(project).to_csv(index=False, lineterminator="\n")


def extraction_xlsx(project: Project) -> bytes:
    specs = services.field_specs(services.current_codebook(project))
    out = io.BytesIO()
    with pandas.ExcelWriter(out, engine="openpyxl") as writer:
        study_table(project).to_excel(writer, sheet_name="Studies", index=False)
        extractions = (
            Extraction.objects.filter(project=project)
            .select_related("reference", "extractor")
            .order_by("extractor__username", "reference_id")
        )
        by_extractor: dict[str, list[dict]] = {}
        for extraction in extractions:
            by_extractor.setdefault(extraction.extractor.get_username(), []).append(
                _row(specs, extraction.reference, extraction.values)
            )
        for username, rows in by_extractor.items():
            sheet = f"Extractor {username}"[:31]  # Excel's limit on a sheet's name
            pandas.DataFrame(rows, columns=_columns(specs)).to_excel(
                writer, sheet_name=sheet, index=False
            )
        pandas.DataFrame(
            [
                {
                    "section": s.section,
                    "field": s.name,
                    "type": s.type,
                    "choices": "; ".join(s.choices),
                    "help": s.help,
                }
                for s in specs
            ],
            columns=["section", "field", "type", "choices", "help"],
        ).to_excel(writer, sheet_name="Codebook", index=False)
    return out.getvalue()


def extraction_file(project: Project, format: str) -> str | bytes:
    """The extraction export in one of its formats: csv or xlsx."""
    return extraction_xlsx(project) if format == "xlsx" else extraction_csv(project)
