"""The app's CSV template out: one row per citation, which the CSV reader reads back unchanged."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from ..importers.citation import Author, Citation
from ..importers.csv_columns import OTHER_ROLES, TEMPLATE_COLUMNS
from ..importers.fields import parse_author


def dump(citations: Iterable[Citation]) -> str:
    """The app's CSV template, one row per citation, which `parse` reads back unchanged."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TEMPLATE_COLUMNS)
    for citation in citations:
        row = template_row(citation)
        writer.writerow([row[column] for column in TEMPLATE_COLUMNS])
    return out.getvalue()


def template_row(c: Citation) -> dict[str, str]:
    """One citation under the template's column names (the columns of `TEMPLATE_COLUMNS`)."""
    pages = "-".join(p for p in (c.start_page, c.end_page) if p) or c.pages
    row = {
        "title": c.title,
        "abstract": c.abstract,
        "authors": "; ".join(_printed_author(a) for a in c.authors),
        "year": str(c.year or ""),
        "journal": c.journal,
        "volume": c.volume,
        "issue": c.issue,
        "pages": pages,
        "doi": c.doi,
        "pmid": c.pmid,
        "accession": c.accession,
        "keywords": "; ".join(c.keywords),
        "url": c.url,
        "issn": "; ".join(c.issn),
        "isbn": "; ".join(c.isbn),
        "publication_type": c.publication_type,
        "language": c.language,
        "pmcid": c.pmcid,
        "journal_abbrev": c.journal_abbrev,
        "editors": "; ".join(_printed_editor(e) for e in c.editors),
    }
    return {column: row.get(column, "") for column in TEMPLATE_COLUMNS}


def _printed_editor(editor: Author) -> str:
    name = _printed_author(editor)
    return f"{name} ({editor.role})" if editor.role in OTHER_ROLES else name


def _printed_author(author: Author) -> str:
    """`Family, Given`; a name with no given name that `parse` would split ("Médecins Sans
    Frontières" into "Frontières, Médecins Sans") gets a trailing comma, which keeps it whole."""
    name = author.display()
    if author.given or " " not in name.strip():
        return name
    return name if parse_author(name).family == name.strip() else f"{name},"
