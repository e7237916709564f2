"""Reading an export into the database batch by batch: parsed citations made into record and
reference rows on a parsing thread, stored in bulk on this one."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Any, BinaryIO, TypeVar

from .. import importers
from ..models import Job, Record, Reference, ReferenceSource, Search
from ..people import author_display
from .bulk import foreign_keys_checked_per_statement, insert_rows, refresh_statistics
from .jobs import job_set_progress

T = TypeVar("T")
Rows = list[dict[str, Any]]


def record_from_citation(citation: importers.Citation, position: int) -> dict[str, Any]:
    return {
        "position": position,
        "line": citation.line,
        "raw": citation.raw,
        "title": citation.title,
        "abstract": citation.abstract,
        "authors": [
            {"family": a.family, "given": a.given, "printed": a.printed} for a in citation.authors
        ],
        "contributors": [
            {"family": a.family, "given": a.given, "printed": a.printed, "role": a.role}
            for a in citation.editors
        ],
        "year": citation.year,
        "journal": citation.journal[:500],
        "journal_abbrev": citation.journal_abbrev[:200],
        "volume": citation.volume[:50],
        "issue": citation.issue[:50],
        "pages": citation.pages[:50],
        "start_page": citation.start_page[:20],
        "end_page": citation.end_page[:20],
        "doi": citation.doi[:255],
        "pmid": citation.pmid[:20],
        "pmcid": citation.pmcid[:20],
        "accession": citation.accession[:100],
        "issn": citation.issn,
        "isbn": citation.isbn,
        "keywords": citation.keywords,
        "language": citation.language[:60],
        "publication_type": citation.publication_type[:120],
        "url": citation.url,
        "source_database": citation.source_database[:120],
    }


def reference_summary(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": record["title"],
        "abstract": record["abstract"],
        "authors": [author_display(a) for a in record["authors"]],
        "year": record["year"],
        "journal": record["journal"],
        "volume": record["volume"],
        "issue": record["issue"],
        "pages": record["pages"],
        "doi": record["doi"],
        "pmid": record["pmid"],
        "keywords": record["keywords"],
    }


def read_into(search: Search, stream: BinaryIO, *, format: str, progress: Job | None) -> None:
    """Parse the stream batch by batch, storing each batch's records and references."""
    reading = importers.parse_stream(stream, format=format, filename=search.filename)
    search.format, search.encoding = reading.format, reading.encoding
    search.save()
    size = max(search.file.size, 1)
    count = 0
    # Parsed records stay alive until stored; collector passes over them would cost more than
    # the inserts themselves.
    with importers.garbage_collector_paused(), foreign_keys_checked_per_statement():
        for references, records in _read_ahead(_rows(reading.batches(), reading.warnings)):
            _store_batch(search, references, records)
            count += len(records)
            if progress is not None:
                job_set_progress(progress, min(stream.tell() / size, 0.99))
    if count == 0:
        raise importers.ExportFormatError(
            f"the file has no records in {reading.format} format", line=1
        )
    refresh_statistics(Reference, Record, rows=count)
    search.record_count = count
    search.warnings = [str(w) for w in reading.warnings]
    search.save(update_fields=["record_count", "warnings", "format", "encoding"])


def _read_ahead(batches: Iterator[T]) -> Iterator[T]:
    """Produce the next batches (parsed, made into rows) in a thread while this one is stored.

    Parsing is Python work and storing waits on the database, so the two overlap: on a large
    file this hides most of the database's time.
    """
    # Up to four batches ahead, so that the parser keeps working while the database finishes a
    # slow batch. Each batch held costs memory; four keeps a 100k import under its memory goal
    # (benchmarks/RESULTS.md has the peaks).
    ready: queue.Queue[object] = queue.Queue(maxsize=4)
    stop = threading.Event()
    done = object()

    def produce() -> None:
        try:
            for batch in batches:
                while not stop.is_set():
                    try:
                        ready.put(batch, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ready.put(done)
        except BaseException as error:  # noqa: BLE001 - handed to the consumer, which raises it
            ready.put(error)

    producer = threading.Thread(target=produce, name="import-parser", daemon=True)
    producer.start()
    try:
        while (item := ready.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        producer.join()


# The record columns of a fixed width: a longer value is cut there, and the import says so (the
# whole value stays in the record's raw entry).
_WIDTHS = {
    "journal": 500,
    "journal_abbrev": 200,
    "volume": 50,
    "issue": 50,
    "pages": 50,
    "start_page": 20,
    "end_page": 20,
    "doi": 255,
    "pmid": 20,
    "pmcid": 20,
    "accession": 100,
    "language": 60,
    "publication_type": 120,
    "source_database": 120,
}


def _too_long(citation: importers.Citation) -> list[importers.ImportWarning]:
    return [
        importers.ImportWarning(
            citation.line,
            f"{len(getattr(citation, name))} characters, cut to the {width} the field holds; "
            "the whole value stays in the record's raw entry",
            field=name,
        )
        for name, width in _WIDTHS.items()
        if len(getattr(citation, name)) > width
    ]


def _rows(
    batches: Iterator[list[importers.Citation]], warnings: list[importers.ImportWarning]
) -> Iterator[tuple[Rows, Rows]]:
    """The parsed citations as reference and record rows, 5,000 at a time, numbered from the
    file's start; a value cut to its column's width is added to `warnings`.

    Built on the parsing thread (see _read_ahead), so that the storing thread does little but
    wait for the database, and the database's work overlaps with ours.
    """
    position = 0
    for batch in batches:
        for start in range(0, len(batch), 5000):
            part = batch[start : start + 5000]
            for citation in part:
                if cut := _too_long(citation):
                    warnings.extend(cut)
            records = [record_from_citation(c, position + i) for i, c in enumerate(part)]
            yield [reference_summary(row) for row in records], records
            position += len(part)


def _store_batch(search: Search, references: Rows, records: Rows) -> None:
    reference_ids = insert_rows(
        Reference,
        references,
        common={"project_id": search.project_id, "source": ReferenceSource.DATABASES},
    )
    for row, reference_id in zip(records, reference_ids, strict=True):
        row["reference_id"] = reference_id
    insert_rows(Record, records, common={"project_id": search.project_id, "search_id": search.pk})
