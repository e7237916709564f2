"""EndNote XML (`<xml><records><record>`), as written by EndNote, Bookends and Zotero.

Every value may be wrapped in one or several `<style>` runs (bold, italic, fonts) or none at all;
the text of all runs is concatenated. Line breaks inside values arrive as `&#xD;`/`&#xA;` and
separate the items of multi-value fields such as `<isbn>`, which EndNote also uses for ISSNs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree

from .citation import Author, Citation, ImportWarning
from .fields import (
    clean_doi,
    clean_isbn,
    clean_issn,
    clean_pmid,
    expand_pages,
    find_doi,
    parse_author,
    parse_year,
    warn_unread,
)
from .pubmed_xml import (
    cut_off_warning,
    element_text,
    leaf_fields,
    read_xml_to_the_cut,
    record_spans,
)

_SNIFF_RE = re.compile(
    r"\A\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*(?:<!DOCTYPE[^>]*>\s*)?<xml>\s*<records[\s>]",
    re.DOTALL,
)
_ISSN_ONLY_RE = re.compile(r"^\s*\d{4}-?\d{3}[\dXx]\b")
_PUBMED_URL_RE = re.compile(r"(?:ncbi\.nlm\.nih\.gov/pubmed/|pubmed\.ncbi\.nlm\.nih\.gov/)(\d+)")
_PUBMED_PROVIDER_RE = re.compile(r"pubmed|medline|\bnlm\b", re.IGNORECASE)


def sniff(text: str) -> bool:
    """True for an `<xml>` root whose first child is `<records>`."""
    return bool(_SNIFF_RE.match(text[: 64 * 1024]))


def parse(text: str) -> tuple[list[Citation], list[ImportWarning]]:
    """Every `<record>` under `<xml><records>`, in file order; in a file cut off before its end,
    those up to the cut, the last as far as it goes, with a warning."""
    root, cut = read_xml_to_the_cut(text)
    records = list(root.iter("record"))
    if cut is not None and not records:
        raise cut
    citations: list[Citation] = []
    warnings: list[ImportWarning] = [cut_off_warning(cut)] if cut is not None else []
    spans = record_spans(text, records, ("record",), cut=cut is not None)
    for record, (raw, line) in zip(records, spans, strict=True):
        citation = _citation(record, raw, line)
        if not citation.title:
            warnings.append(ImportWarning(line=line, message="record has no title", field="title"))
        if citation.year is None or not citation.doi or not citation.start_page.isdigit():
            warn_unread(
                citation,
                warnings,
                year=("year", _value(record, "dates/year")),
                doi=_endnote_doi(record),
                pages=("pages", _value(record, "pages")),
            )
        citations.append(citation)
    return citations, warnings


def _endnote_doi(record: etree._Element) -> tuple[str, str] | None:
    """The electronic resource number when it is printed as a DOI (EndNote also keeps PIIs
    and other numbers there, which are no unreadable DOIs)."""
    printed = _value(record, "electronic-resource-num")
    return (
        ("electronic-resource-num", printed)
        if "doi" in printed.lower() or printed.startswith("10.")
        else None
    )


def _citation(record: etree._Element, raw: str, line: int) -> Citation:
    pages = _value(record, "pages")
    start, end = expand_pages(pages)
    issns, isbns = _split_isbn(_lines(record.find("isbn")))
    accession = _value(record, "accession-num")
    urls = [
        element_text(url)
        for url in record.findall("urls/related-urls/url") + record.findall("urls/web-urls/url")
    ]
    urls = [url for url in urls if url and not url.startswith("internal-pdf:")]
    return Citation(
        raw=raw,
        line=line,
        title=_value(record, "titles/title"),
        abstract=_value(record, "abstract"),
        authors=_authors(record),
        editors=[person for kind in list(_ROLES)[1:] for person in _authors(record, kind)],
        year=parse_year(_value(record, "dates/year"))
        or parse_year(" ".join(_lines(record.find("dates/pub-dates/date")))),
        journal=_value(record, "titles/secondary-title") or _value(record, "periodical/full-title"),
        journal_abbrev=_value(record, "periodical/abbr-1") or _value(record, "titles/alt-title"),
        volume=_value(record, "volume"),
        issue=_value(record, "number"),
        pages=pages,
        start_page=start,
        end_page=end,
        doi=clean_doi(_value(record, "electronic-resource-num"))
        or next((find_doi(url) for url in urls if "doi.org/" in url), ""),
        pmid=_pmid(record, accession, urls),
        accession=accession,
        issn=issns,
        isbn=isbns,
        keywords=_unique(
            item for keyword in record.findall("keywords/keyword") for item in _lines(keyword)
        ),
        language=_value(record, "language"),
        publication_type=_ref_type(record),
        url=urls[0] if urls else "",
        source_database=_value(record, "remote-database-name")
        or _value(record, "remote-database-provider"),
        fields=leaf_fields(record, frozenset({"style"})),
    )


def _value(record: etree._Element, path: str) -> str:
    return element_text(record.find(path))


def _lines(element: etree._Element | None) -> list[str]:
    """The line-separated items of one value (`&#xD;` between ISSNs, keywords, ...)."""
    if element is None:
        return []
    text = "".join(element.itertext())
    # Pretty-printed files wrap runs in indentation; only breaks EndNote wrote separate items.
    return [" ".join(item.split()) for item in re.split(r"\r\n?|\n(?=\S)", text) if item.strip()]


# EndNote's contributor lists and the part each plays (a chapter's secondary authors are the
# book's editors; tertiary, the series editors; subsidiary, the translators).
_ROLES = {
    "authors": "author",
    "secondary-authors": "editor",
    "tertiary-authors": "series editor",
    "subsidiary-authors": "translator",
}


def _authors(record: etree._Element, kind: str = "authors") -> list[Author]:
    """People of one contributor list; EndNote marks a corporate name with a trailing comma
    (`World Health Organization,`), which keeps it whole, as does an organisation's name."""
    authors = []
    for author in record.findall(f"contributors/{kind}/author"):
        name = element_text(author)
        if name:
            person = parse_author(name)
            person.role = _ROLES[kind]
            authors.append(person)
    return authors


def _split_isbn(items: list[str]) -> tuple[list[str], list[str]]:
    """ISSNs (`NNNN-NNNN`, `1520-5126 (Electronic)`) apart from ISBNs in EndNote's `isbn`."""
    issns: list[str] = []
    isbns: list[str] = []
    for item in items:
        for part in re.split(r"\s*;\s*", item):
            if _ISSN_ONLY_RE.match(part) and not re.match(r"^\s*[\dXx-]{10,}", part):
                issns.extend(clean_issn(part))
            else:
                isbns.extend(clean_isbn(part))
    return _unique(issns), _unique(isbns)


def _pmid(record: etree._Element, accession: str, urls: list[str]) -> str:
    """The accession number when it is a PMID: the record says it came from PubMed."""
    if not accession.isdigit():
        return ""
    provider = " ".join(
        _value(record, tag) for tag in ("remote-database-provider", "remote-database-name")
    )
    if _PUBMED_PROVIDER_RE.search(provider):
        return clean_pmid(accession)
    # EndNote's PubMed import links the record page instead of naming the provider.
    linked = {match.group(1) for url in urls for match in _PUBMED_URL_RE.finditer(url)}
    return accession if accession in linked else ""


def _ref_type(record: etree._Element) -> str:
    ref_type = record.find("ref-type")
    if ref_type is None:
        return ""
    return ref_type.get("name", "").strip() or element_text(ref_type)


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(value.casefold(), value)
    return list(seen.values())
