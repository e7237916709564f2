"""References leaving the app again: RIS and the CSV template, read back by the importers."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterable

import pandas

from .importers import Author, Citation, csvfile, ris
from .models import AuditEvent, Record, Reference
from .workflow import Stage, Status


def reference_citation(reference: Reference, records: list[Record]) -> Citation:
    """A reference as one citation: its summary fields, and identifiers from its records.

    A reference merged from several databases carries every record's accession number and
    database, in record order, joined by `; ` (the writers say why one value, not several).
    """
    first = records[0] if records else None

    def from_records(name: str) -> str:
        return next((getattr(r, name) for r in records if getattr(r, name)), "")

    def every(name: str) -> list[str]:
        return list(dict.fromkeys(getattr(r, name) for r in records if getattr(r, name)))

    def people(values: list[dict[str, str]]) -> list[Author]:
        return [
            Author(
                family=a["family"],
                given=a.get("given", ""),
                printed=a.get("printed", ""),
                role=a.get("role", "author"),
            )
            for a in values
        ]

    return Citation(
        raw="",
        line=0,
        title=reference.title,
        abstract=reference.abstract,
        authors=people(first.authors) if first is not None else [],
        editors=people(first.contributors) if first is not None else [],
        year=reference.year,
        journal=reference.journal,
        journal_abbrev=from_records("journal_abbrev"),
        volume=reference.volume,
        issue=reference.issue,
        pages=reference.pages,
        start_page=from_records("start_page"),
        end_page=from_records("end_page"),
        doi=reference.doi,
        pmid=reference.pmid,
        pmcid=from_records("pmcid"),
        accession="; ".join(every("accession")),
        issn=list(dict.fromkeys(n for r in records for n in r.issn)),
        isbn=list(dict.fromkeys(n for r in records for n in r.isbn)),
        keywords=list(reference.keywords),
        language=from_records("language"),
        publication_type=from_records("publication_type"),
        url=from_records("url"),
        source_database="; ".join(every("source_database")),
    )


def references_as_citations(references: Iterable[Reference]) -> list[Citation]:
    """Citations for references fetched with `prefetch_related("records")`."""
    return [reference_citation(r, list(r.records.all())) for r in references]


def references_ris(references: Iterable[Reference]) -> str:
    return ris.dump(references_as_citations(references))


def references_csv(references: Iterable[Reference]) -> str:
    return csvfile.dump(references_as_citations(references))


# References with their decisions -----------------------------------------------------------

STAGE_LABELS = {"title_abstract": "TA", "full_text": "FT"}


def decision_rows(references: list[Reference]) -> tuple[list[str], list[dict[str, object]]]:
    """Columns and rows: citation fields, stage and status, then every reviewer's vote, reason
    and note in their own columns per stage, then the lead's resolution.

    `references` come from progress.with_status, with records, votes, resolutions and report
    prefetched.
    """
    reviewers: dict[str, set[str]] = {stage: set() for stage in STAGE_LABELS}
    for reference in references:
        for vote in reference.votes.all():
            reviewers[vote.stage].add(vote.reviewer.get_username())
    columns = ["id", *csvfile.TEMPLATE_COLUMNS, "databases", "stage", "status", "final reason"]
    columns += ["report"]
    for stage, label in STAGE_LABELS.items():
        for name in sorted(reviewers[stage]):
            columns += [f"{label} {name} vote", f"{label} {name} reason", f"{label} {name} note"]
        columns += [f"{label} resolution", f"{label} resolution reason", f"{label} resolved by"]
    rows = []
    for reference in references:
        records = list(reference.records.all())
        row: dict[str, object] = {"id": reference.pk}
        row |= csvfile.template_row(reference_citation(reference, records))
        row["databases"] = "; ".join(
            sorted({r.search.database if r.search_id else r.method for r in records})
        )
        row["stage"], row["status"] = reference.stage, reference.status
        row["final reason"] = reference.final_reason or ""
        row["report"] = _report_state(reference)
        for vote in reference.votes.all():
            prefix = f"{STAGE_LABELS[vote.stage]} {vote.reviewer.get_username()}"
            row[f"{prefix} vote"] = vote.vote
            row[f"{prefix} reason"] = vote.reason.name if vote.reason_id else ""
            row[f"{prefix} note"] = vote.note
        for resolution in reference.resolutions.all():
            label = STAGE_LABELS[resolution.stage]
            row[f"{label} resolution"] = resolution.decision
            row[f"{label} resolution reason"] = (
                resolution.reason.name if resolution.reason_id else ""
            )
            row[f"{label} resolved by"] = (
                resolution.decided_by.get_username() if resolution.decided_by_id else ""
            )
        rows.append({column: row.get(column, "") for column in columns})
    return columns, rows


def _report_state(reference: Reference) -> str:
    report = getattr(reference, "report", None)
    if report is None:
        return ""
    return f"not retrieved: {report.note}".rstrip(": ") if report.not_retrieved else report.filename


def decisions_csv(references: list[Reference]) -> str:
    """The CSV template's columns (which the importer reads back) followed by the decisions."""
    columns, rows = decision_rows(references)
    return pandas.DataFrame(rows, columns=columns).to_csv(index=False, lineterminator="\n")


def decisions_xlsx(references: list[Reference], *, sheet: str = "References") -> bytes:
    """The same table as an Excel workbook, with a second sheet saying how to read it."""
    columns, rows = decision_rows(references)
    out = io.BytesIO()
    with pandas.ExcelWriter(out, engine="openpyxl") as writer:
        pandas.DataFrame(rows, columns=columns).to_excel(writer, sheet_name=sheet, index=False)
        pandas.DataFrame(
            {
                "About this export": [
                    "One row per reference (records merged as duplicates are one reference).",
                    "TA = title and abstract, FT = full text; one vote, reason and note column "
                    "per reviewer and stage.",
                    "A resolution is a lead's decision on a conflict.",
                    "final reason: the one full-text exclusion reason PRISMA counts.",
                ]
            }
        ).to_excel(writer, sheet_name="About", index=False)
    return out.getvalue()


def asreview_label(stage: str, status: str) -> str:
    """The note ASReview's RIS reader turns into its `included` label (1, 0 or unseen).

    ASReview (asreview/data/ris.py) reads a label only from an N1 note holding
    `ASReview_relevant`, `ASReview_irrelevant` or `ASReview_not_seen`, the first such note
    winning; Zotero and EndNote keep N1 as a note, so the label survives a reference manager
    too. The label is the final decision, as in the SYNERGY datasets' `label_included`:
    relevant when included at full text, irrelevant when excluded at either stage, unseen
    while undecided (a full text not retrieved was never judged on its merits).
    """
    if status == Status.EXCLUDED:
        return "ASReview_irrelevant"
    if status == Status.INCLUDED and stage == Stage.FULL_TEXT:
        return "ASReview_relevant"
    return "ASReview_not_seen"


def decisions_ris(references: list[Reference]) -> str:
    """RIS of the references, each decision written as an N1 note, the first one the label
    ASReview reads."""
    citations = []
    for reference in references:
        citation = reference_citation(reference, list(reference.records.all()))
        citation.notes = [
            asreview_label(reference.stage, reference.status),
            f"Screening status: {reference.stage} {reference.status}",
        ]
        for vote in reference.votes.all():
            reason = f" ({vote.reason.name})" if vote.reason_id else ""
            note = f": {vote.note}" if vote.note else ""
            citation.notes.append(
                f"Vote {vote.stage}: {vote.reviewer.get_username()} {vote.vote}{reason}{note}"
            )
        for resolution in reference.resolutions.all():
            reason = f" ({resolution.reason.name})" if resolution.reason_id else ""
            citation.notes.append(f"Resolution {resolution.stage}: {resolution.decision}{reason}")
        citations.append(citation)
    return ris.dump(citations)


# A project's history -------------------------------------------------------------------------

HISTORY_COLUMNS = [
    "when (UTC)",
    "who",
    "action",
    "object",
    "object id",
    "reference",
    "before",
    "after",
]


def history_rows(events: Iterable[AuditEvent]) -> list[dict[str, object]]:
    """One row per audit event, values before and after as JSON, as they were recorded."""
    return [
        {
            "when (UTC)": event.created_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
            "who": event.actor.get_username() if event.actor_id else "(system)",
            "action": event.verb,
            "object": event.object_type,
            "object id": event.object_id,
            "reference": event_reference(event) or "",
            "before": json.dumps(event.before, ensure_ascii=False, sort_keys=True)
            if event.before
            else "",
            "after": json.dumps(event.after, ensure_ascii=False, sort_keys=True)
            if event.after
            else "",
        }
        for event in events
    ]


def event_reference(event: AuditEvent) -> int | None:
    """The reference an event is about, where it names one (votes, resolutions, reports)."""
    if event.object_type == "reference":
        return int(event.object_id)
    found = event.after.get("reference", event.before.get("reference"))
    return found if isinstance(found, int) else None


def history_csv(events: Iterable[AuditEvent]) -> str:
    frame = pandas.DataFrame(history_rows(events), columns=HISTORY_COLUMNS)
    return frame.to_csv(index=False, lineterminator="\n")


def decisions_file(references: list[Reference], format: str) -> str | bytes:
    """The decisions export in one of its formats: ris, csv or xlsx."""
    writers = {"ris": decisions_ris, "csv": decisions_csv, "xlsx": decisions_xlsx}
    return writers[format](references)
