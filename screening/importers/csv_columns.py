"""The columns of the CSV layouts: the app's own template, which the reader reads and the writer
(screening/exporters/csvfile.py) writes, and the header names by which each database's export
names a field."""

from __future__ import annotations

import re

TEMPLATE_COLUMNS = (
    "title",
    "abstract",
    "authors",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "accession",
    "keywords",
    "url",
    "issn",
    "isbn",
    "publication_type",
    "language",
    "pmcid",
    "journal_abbrev",
    "editors",
)

# Header names (normalised: lower case, single spaces) for each field, best first.
ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "article title", "document title", "primary title", "item title"),
    "abstract": ("abstract", "abstract note"),
    "authors": ("author full names", "authors", "author names", "author(s)", "author"),
    "year": ("year", "publication year", "year published", "publication date", "date"),
    "journal": (
        "journal",
        "source title",
        "journal title",
        "journal/book",
        "publication title",
        "journal name",
        "secondary title",
    ),
    "journal_abbrev": (
        "journal_abbrev",
        "abbreviated source title",
        "journal abbreviation",
        "iso abbreviation",
    ),
    "volume": ("volume", "vol"),
    "issue": ("issue", "number"),
    "pages": ("pages", "page range"),
    "start_page": ("page start", "first page", "start page"),
    "end_page": ("page end", "last page", "end page"),
    "doi": ("doi",),
    "pmid": ("pmid", "pubmed id", "medline pmid"),
    "pmcid": ("pmcid",),
    "accession": (
        "accession",
        "central id",
        "eid",
        "embase accession id",
        "embase accession number",
        "embase id",
        "eric id",
        "eric number",
        "accession number",
        "pui",
    ),
    "issn": ("issn", "eissn", "e-issn"),
    "isbn": ("isbn",),
    "language": ("language", "language of original document", "article language"),
    "publication_type": (
        "publication_type",
        "document type",
        "publication type",
        "doctype",
        "item type",
        "type",
    ),
    "url": ("url", "link", "plink", "embase link", "full text link"),
    "editors": ("editors",),
}
# Read only from our template and other tables we do not know by name: Scopus's `Editors` cell
# runs names together ("Lange B.Thomas D.") or holds correspondence addresses, and Embase's is
# empty in every export seen, so a database's column is left in `fields` as printed.
UNREAD_FROM_DATABASES = frozenset({"editors"})
KEYWORD_COLUMNS = (
    "keywords",
    "author keywords",
    "index keywords",
    "subjects",
    "subject terms",
    "mesh terms",
    "emtree drug index terms (major focus)",
    "emtree drug index terms",
    "emtree medical index terms (major focus)",
    "emtree medical index terms",
    "manual tags",
    "automatic tags",
)
# Web of Science tab-delimited exports name their columns by field tag.
WOS_ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("ti",),
    "abstract": ("ab",),
    "authors": ("af", "au"),
    "year": ("py",),
    "journal": ("so",),
    "journal_abbrev": ("ji", "j9"),
    "volume": ("vl",),
    "issue": ("is",),
    "start_page": ("bp",),
    "end_page": ("ep",),
    "doi": ("di",),
    "pmid": ("pm",),
    "accession": ("ut",),
    "issn": ("sn", "ei"),
    "isbn": ("bn",),
    "language": ("la",),
    "publication_type": ("dt",),
}
WOS_KEYWORD_COLUMNS = ("de", "id")
SOURCE_DATABASE = {
    "embase": "Embase",
    "scopus": "Scopus",
    "cochrane": "Cochrane CENTRAL",
    "ebsco": "EBSCOhost",
    "pubmed": "PubMed",
    "wos": "Web of Science",
}
TYPED_CHECKS: dict[str, re.Pattern[str]] = {
    "year": re.compile(r"\d{4}"),
    "doi": re.compile(r"10\.\d{4,9}/\S+"),
    "eid": re.compile(r"2-s2\.0-\d+"),
    "pubmed id": re.compile(r"\d{1,9}"),
    "pmid": re.compile(r"\d{1,9}"),
    "issn": re.compile(r"[\dXx;\s-]{8,}"),
    "link": re.compile(r"https?://\S+"),
    "url": re.compile(r"https?://\S+"),
    "page start": re.compile(r"[\w-]{1,10}"),
    "page end": re.compile(r"[\w-]{1,10}"),
    "cited by": re.compile(r"\d+"),
    "language of original document": re.compile(r"[A-Za-z;, ]+"),
}

# The parts other than editor a contributor plays (RIS A3 and A4, EndNote's tertiary and
# subsidiary authors), written after the name in the template's `editors` column.
OTHER_ROLES = ("series editor", "translator")
