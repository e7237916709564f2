"""References leaving the app again: RIS and the CSV template, read back by the importers."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

from ..exporters import bibtex, csvfile, ris
from ..importers import Author, Citation
from ..models import AuditEvent, Record, Reference
from ..vocabulary import Stage, Status
from . import spreadsheet


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

    # Which database gave which accession number, when a merge brought several together: the
    # AN line holds the numbers alone so that every reader takes the first as the accession.
    accessions = [r for r in records if r.accession]
    notes = (
        ["Accession numbers: " + "; ".join(f"{_database(r)}: {r.accession}" for r in accessions)]
        if len(accessions) > 1
        else []
    )
    return Citation(
        raw="",
        line=0,
        title=reference.title,
        abstract=reference.abstract,
        notes=notes,
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


def _database(record: Record) -> str:
    """The database a record came from, as the search was named at import, or its method."""
    return record.search.database if record.search_id else record.method


def references_as_citations(references: Iterable[Reference]) -> list[Citation]:
    """Citations for references fetched with `prefetch_related("records__search")`."""
    return [reference_citation(r, list(r.records.all())) for r in references]


def references_ris(references: Iterable[Reference]) -> str:
    return ris.dump(references_as_citations(references))


def references_csv(references: Iterable[Reference]) -> str:
    return csvfile.dump(references_as_citations(references))


# References with their decisions -----------------------------------------------------------

STAGE_LABELS = {stage.value: stage.short_label for stage in Stage}


def decision_rows(references: list[Reference]) -> tuple[list[str], list[dict[str, object]]]:
    """Columns and rows: citation fields, stage and status, then every reviewer's vote, reason
    and note in their own columns per stage, then the lead's resolution.

    `references` come from selectors.statuses.with_status, with records, votes, resolutions and report
    prefetched.
    """
    reviewers: dict[str, set[str]] = {stage: set() for stage in STAGE_LABELS}
    for reference in references:
        for vote in reference.votes.all():
            reviewers[vote.stage].add(vote.reviewer.get_username())
    columns = ["id", *csvfile.TEMPLATE_COLUMNS, "databases", "stage", "status", "final reason"]
    columns += ["report", *INCLUDED_COLUMNS]
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
        row |= included_labels(reference)
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


# ASReview's tabular reader takes `included` (1, 0, empty while unlabelled) as its label, first
# among its names for it (asreview/data: `__alternative_column_names__`); R reads 0/1 with empty
# cells as an integer column with NA. The per-stage columns follow the SYNERGY datasets' split
# between title/abstract and final labels.
INCLUDED_COLUMNS = ("included", "included_title_abstract", "included_full_text")


def included_labels(reference: Reference) -> dict[str, int | None]:
    """1 included, 0 excluded, None undecided: finally (as decisions_ris's ASReview label: a
    full text not retrieved was never judged) and at each stage the reference reached."""

    def label(status: str) -> int | None:
        return {Status.INCLUDED: 1, Status.EXCLUDED: 0}.get(status)

    at_full_text = reference.stage == Stage.FULL_TEXT
    final = reference.status == Status.EXCLUDED or (
        at_full_text and reference.status == Status.INCLUDED
    )
    return {
        "included": label(reference.status) if final else None,
        "included_title_abstract": label(reference.ta_status),
        "included_full_text": label(reference.ft_status) if at_full_text else None,
    }


def _report_state(reference: Reference) -> str:
    report = getattr(reference, "report", None)
    if report is None:
        return ""
    return f"not retrieved: {report.note}".rstrip(": ") if report.not_retrieved else report.filename


def decisions_csv(references: list[Reference], *, formulas: str = "escape") -> str:
    """The CSV template's columns (which the importer reads back) followed by the decisions;
    `formulas` as in reports/spreadsheet.py ("escape" by default, or "keep")."""
    columns, rows = decision_rows(references)
    return spreadsheet.to_csv(columns, rows, formulas=formulas)


DECISIONS_ABOUT = [
    "One row per reference (records merged as duplicates are one reference).",
    "TA = title and abstract, FT = full text; one vote, reason and note column per reviewer and "
    "stage.",
    "A resolution is a lead's decision on a conflict.",
    "final reason: the one full-text exclusion reason PRISMA counts.",
    "included: 1 included at full text, 0 excluded at either stage, empty while undecided (or "
    "when the full text was not retrieved); included_title_abstract and included_full_text: the "
    "same at each stage. ASReview reads `included` as its label.",
    "Text starting with =, +, - or @ is text, never a formula. A control character Excel cannot "
    "hold is written as _xHHHH_ (e.g. _x000B_ for a vertical tab), as Excel itself writes it.",
]


def decisions_xlsx(references: list[Reference], *, sheet: str = "References") -> bytes:
    """The same table as an Excel workbook, with a second sheet saying how to read it."""
    columns, rows = decision_rows(references)
    about = [{"About this export": line} for line in DECISIONS_ABOUT]
    return spreadsheet.to_xlsx(
        [
            spreadsheet.Sheet(sheet, columns, rows),
            spreadsheet.Sheet("About", ["About this export"], about),
        ]
    )


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


def decisions_bibtex(references: list[Reference]) -> str:
    """BibTeX of the references, each decision in the entry's `note` (as the RIS notes)."""
    return bibtex.dump(_decision_citations(references))


def decisions_ris(references: list[Reference]) -> str:
    """RIS of the references, each decision written as an N1 note, the first one the label
    ASReview reads."""
    return ris.dump(_decision_citations(references))


def _decision_citations(references: list[Reference]) -> list[Citation]:
    citations = []
    for reference in references:
        citation = reference_citation(reference, list(reference.records.all()))
        citation.notes = [
            asreview_label(reference.stage, reference.status),
            f"Screening status: {reference.stage} {reference.status}",
            *citation.notes,
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
    return citations


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


def history_csv(events: Iterable[AuditEvent], *, formulas: str = "escape") -> str:
    return spreadsheet.to_csv(HISTORY_COLUMNS, history_rows(events), formulas=formulas)


def decisions_file(
    references: list[Reference], format: str, *, csv_formulas: str = "escape"
) -> str | bytes:
    """The decisions export in one of its formats: ris, bib (or bibtex), csv or xlsx."""
    if format == "csv":
        return decisions_csv(references, formulas=csv_formulas)
    writers = {
        "ris": decisions_ris,
        "bib": decisions_bibtex,
        "bibtex": decisions_bibtex,
        "csv": decisions_csv,
        "xlsx": decisions_xlsx,
    }
    return writers[format](references)
