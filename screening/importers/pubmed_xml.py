"""PubMed XML: efetch `PubmedArticleSet` files, bare fragments and PubMed Bookshelf records.

Reads `<PubmedArticle>` (MedlineCitation + PubmedData) and `<PubmedBookArticle>` (BookDocument)
elements under any root, including a bare record root with no XML declaration. Inline markup
(`<i>`, `<sup>`, MathML) becomes plain text. The XML helpers here (`read_xml`, `element_text`,
`record_spans`, `leaf_fields`) are shared with the EndNote XML reader.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from lxml import etree

from .citation import Author, Citation, ExportFormatError, ImportWarning, is_empty
from .fields import (
    clean_doi,
    clean_isbn,
    clean_issn,
    clean_pmcid,
    clean_pmid,
    collapse_space,
    expand_pages,
    parse_year,
    warn_unread,
)

_RECORD_TAGS = ("PubmedArticle", "PubmedBookArticle")
_PROLOG_RE = re.compile(
    r"\A(?:\s+|<\?xml[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)*", re.DOTALL
)
_DECLARATION_RE = re.compile(r"\A\s*<\?xml[^>]*\?>")
# Inline markup PubMed allows inside titles and abstracts (MathML enters through `math`).
_INLINE = frozenset({"i", "b", "u", "sup", "sub", "math"})


def sniff(text: str) -> bool:
    """True when the first element after the prolog is a PubMed article, book or set."""
    rest = _PROLOG_RE.sub("", text[: 64 * 1024], count=1)
    return rest.startswith(("<PubmedArticle", "<PubmedBookArticle"))


def parse(text: str) -> tuple[list[Citation], list[ImportWarning]]:
    """Every PubmedArticle and PubmedBookArticle, in file order; in a file cut off before its
    end, those up to the cut, the last as far as it goes, with a warning."""
    root, cut = read_xml_to_the_cut(text)
    records = list(root.iter(*_RECORD_TAGS))
    if cut is not None and not records:
        raise cut
    spans = record_spans(text, records, _RECORD_TAGS, cut=cut is not None)
    citations: list[Citation] = []
    warnings: list[ImportWarning] = [cut_off_warning(cut)] if cut is not None else []
    for element, (raw, line) in zip(records, spans, strict=True):
        citation = _book(element, raw, line) if element.tag == "PubmedBookArticle" else None
        citation = citation or _article(element, raw, line)
        if is_empty(citation):
            warnings.append(
                ImportWarning(
                    line=line,
                    message=f"the {element.tag} has nothing in it (no title, author, abstract, "
                    "source or identifier); not imported",
                )
            )
            continue
        if not citation.title:
            warnings.append(ImportWarning(line=line, message="record has no title", field="title"))
        if citation.year is None or not citation.doi or not citation.start_page.isdigit():
            warn_unread(
                citation,
                warnings,
                year=_printed(element, "PubDate/Year", "PubDate/MedlineDate"),
                doi=_printed(element, "ELocationID[@EIdType='doi']", "ArticleId[@IdType='doi']"),
                pages=_printed(element, "Pagination/MedlinePgn", "Pagination/StartPage"),
            )
        citations.append(citation)
    return citations, warnings


def _printed(element: etree._Element, *paths: str) -> tuple[str, str] | None:
    """The element name and text of the first of `paths` (anywhere in the record) with text."""
    for path in paths:
        for found in element.iterfind(f".//{path}"):
            text = element_text(found)
            if text:
                return path.split("/")[-1].split("[")[0], text
    return None


# --- XML helpers shared with endnote_xml ------------------------------------------------------


def read_xml(text: str) -> etree._Element:
    """The document root, parsed without DTDs, entities or network; errors name the line."""
    root, cut = read_xml_to_the_cut(text)
    if cut is not None:
        raise cut
    return root


# What libxml2 says of a document that stops before its end: inside a text, a start tag or an
# end tag. Anything else is damage inside the file.
_CUT_OFF = (
    "Premature end of data",
    "Couldn't find end of Start Tag",
    "EndTag: '</' not found",
    "expected '>'",
)


def read_xml_to_the_cut(text: str) -> tuple[etree._Element, ExportFormatError | None]:
    """The document root and, for a file cut off before its end (a broken download), the error
    that cut it: the root then holds what the file had up to the cut, the last element closed
    where the file stops. A file damaged anywhere else is refused: read past its damage, lxml's
    recovery could nest what follows wrongly, and a record would be silently altered."""
    # The text is already decoded: drop the declaration (its encoding would lie) but keep its
    # line breaks so that line numbers still match the file.
    declaration = _DECLARATION_RE.match(text)
    if declaration:
        text = "\n" * declaration.group(0).count("\n") + text[declaration.end() :]
    # The parser's own safe options, not defusedxml: no external entity or DTD is ever fetched
    # or read (XXE: `&xxe;` stays the literal text `&xxe;`), no entity is expanded, and
    # libxml2's amplification check refuses the "billion laughs" and quadratic blow-ups before
    # they cost memory. huge_tree lifts only the size limits a 10 MB abstract needs.
    options = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": True}
    try:
        return etree.fromstring(text, etree.XMLParser(**options)), None
    except etree.XMLSyntaxError as error:
        message = f"the XML is not well formed: {error.msg}"
        if "amplification" in error.msg:
            message = (
                "the XML declares entities that expand far beyond the file's own size (an "
                "entity-expansion attack, not an export); refused"
            )
        refused = ExportFormatError(message, line=error.lineno or 1)
        last_line = text.rstrip().count("\n") + 1
        if not (error.msg.startswith(_CUT_OFF) and (error.lineno or 0) >= last_line):
            raise refused from error
        root = etree.fromstring(text, etree.XMLParser(recover=True, **options))
        if root is None:
            raise refused from error
        return root, refused


# libxml2 ends its messages with where it stopped, which the warning's own line already says.
_CUT_WHERE_RE = re.compile(r", line \d+, column \d+$")


def cut_off_warning(cut: ExportFormatError) -> ImportWarning:
    return ImportWarning(
        line=cut.line,
        message=f"{_CUT_WHERE_RE.sub('', cut.message.removeprefix('the XML is not well formed: '))}"
        ": the file stops "
        "here, cut off before its end; every record before it is imported whole, and the "
        "last one as far as it goes",
    )


def element_text(element: etree._Element | None) -> str:
    """All text inside an element (inline markup, style runs, MathML), whitespace folded."""
    if element is None:
        return ""
    return collapse_space("".join(_entity_text(part) for part in element.itertext()))


def _entity_text(part: str) -> str:
    # itertext() yields an unresolved entity (the DTD is never loaded) as its own `&name;`
    # string: give it its usual HTML meaning.
    if part.startswith("&") and part.endswith(";"):
        return html.unescape(part)
    return part


def record_spans(
    text: str, records: list[etree._Element], tags: tuple[str, ...], *, cut: bool = False
) -> list[tuple[str, int]]:
    """Each record's text exactly as in the file and its 1-based start line."""
    found = _tag_spans(text, tags)
    # In a file cut off inside its last record, that record has no closing tag to find.
    if len(found) == len(records) or (cut and len(records) == len(found) + 1):
        spans, line, counted = [], 1, 0
        for start, end in found:
            line += text.count("\n", counted, start)  # counted once, in order: linear time
            counted = start
            spans.append((text[start:end], line))
        if len(found) < len(records):  # the record the file stops in: its text to the end
            start = _tag_start(text, tags, found[-1][1] if found else 0)
            line += text.count("\n", counted, start)
            spans.append((text[start:], line))
        return spans
    # Tag names inside comments or CDATA upset the plain scan: serialise instead.
    return [
        (etree.tostring(el, encoding="unicode", with_tail=False), el.sourceline or 1)
        for el in records
    ]


def _tag_start(text: str, tags: tuple[str, ...], position: int) -> int:
    names = "|".join(re.escape(tag) for tag in tags)
    match = re.compile(rf"<({names})(?=[\s/>])").search(text, position)
    return match.start() if match else position


def _tag_spans(text: str, tags: tuple[str, ...]) -> list[tuple[int, int]]:
    names = "|".join(re.escape(tag) for tag in tags)
    start_re = re.compile(rf"<({names})(?=[\s/>])")
    close_res = {tag: re.compile(rf"</{re.escape(tag)}\s*>") for tag in tags}
    spans: list[tuple[int, int]] = []
    position = 0
    while match := start_re.search(text, position):
        tag = match.group(1)
        open_end = text.find(">", match.end())
        if open_end < 0:
            break
        if text[open_end - 1] == "/":
            end = open_end + 1
        else:
            close = close_res[tag].search(text, open_end)
            if not close:
                break
            end = close.end()
        spans.append((match.start(), end))
        position = end
    return spans


def leaf_fields(
    record: etree._Element, inline: frozenset[str] = frozenset()
) -> dict[str, list[str]]:
    """Every value in a record keyed by its element path (attributes as `path@name`).

    Elements named in `inline` (markup such as `i` or EndNote's `style`) are part of their
    parent's value, never fields of their own.
    """
    fields: dict[str, list[str]] = {}
    _collect(record, "", inline, fields, 0)
    return fields


# How deep a record's elements may nest: PubMed's deepest path is about ten levels, libxml2 stops
# at 256 unless told otherwise (huge_tree, needed for long texts, lifts that to 2,048), and the
# walk below is recursive: a file nested 1,200 levels deep once ended in a RecursionError, a 500.
MAX_DEPTH = 256


def _collect(
    element: etree._Element,
    path: str,
    inline: frozenset[str],
    fields: dict[str, list[str]],
    depth: int,
) -> None:
    if depth > MAX_DEPTH:
        raise ExportFormatError(
            f"the XML nests elements more than {MAX_DEPTH} levels deep, which no export does",
            line=element.sourceline or 1,
        )
    for name, value in element.attrib.items():
        if path:
            fields.setdefault(f"{path}@{name}", []).append(value)
    children = [child for child in element if isinstance(child.tag, str)]
    has_text = bool((element.text or "").strip()) or any(
        (child.tail or "").strip() for child in element
    )
    if path and (has_text or all(etree.QName(c).localname in inline for c in children)):
        value = element_text(element)
        if value:
            fields.setdefault(path, []).append(value)
        return
    for child in children:
        tag = etree.QName(child).localname
        _collect(child, f"{path}/{tag}" if path else tag, inline, fields, depth + 1)


# --- PubMed records ---------------------------------------------------------------------------


def _article(record: etree._Element, raw: str, line: int) -> Citation:
    medline = _child(record, "MedlineCitation")
    article = _child(medline, "Article")
    journal = _child(article, "Journal")
    issue = _child(journal, "JournalIssue")
    pmid = clean_pmid(element_text(medline.find("PMID")))
    ids = _article_ids(record.find("PubmedData/ArticleIdList"))
    pages = element_text(article.find("Pagination/MedlinePgn"))
    start, end = _pages(article.find("Pagination"), pages)
    return Citation(
        raw=raw,
        line=line,
        title=element_text(article.find("ArticleTitle"))
        or element_text(article.find("VernacularTitle")),
        abstract=_abstract(article.find("Abstract")),
        authors=_authors(article.find("AuthorList")),
        year=_year(issue.find("PubDate"))
        or parse_year(element_text(article.find("ArticleDate/Year"))),
        journal=element_text(journal.find("Title")),
        journal_abbrev=element_text(journal.find("ISOAbbreviation"))
        or element_text(medline.find("MedlineJournalInfo/MedlineTA")),
        volume=element_text(issue.find("Volume")),
        issue=element_text(issue.find("Issue")),
        pages=pages or "-".join(p for p in (start, end) if p),
        start_page=start,
        end_page=end,
        doi=_doi(article, ids),
        pmid=pmid,
        pmcid=clean_pmcid(ids.get("pmc", "")),
        accession=pmid,
        issn=_unique(
            issn
            for el in [*journal.findall("ISSN"), medline.find("MedlineJournalInfo/ISSNLinking")]
            for issn in clean_issn(element_text(el))
        ),
        keywords=_keywords(medline),
        language=element_text(article.find("Language")),
        publication_type="; ".join(
            element_text(el) for el in article.findall("PublicationTypeList/PublicationType")
        ),
        source_database="PubMed",
        fields=leaf_fields(record, _INLINE),
    )


def _book(record: etree._Element, raw: str, line: int) -> Citation | None:
    document = record.find("BookDocument")
    if document is None:
        return None
    book = _child(document, "Book")
    pmid = clean_pmid(element_text(document.find("PMID")))
    ids = {
        **_article_ids(record.find("PubmedBookData/ArticleIdList")),
        **_article_ids(document.find("ArticleIdList")),
    }
    chapter = element_text(document.find("ArticleTitle"))
    book_title = element_text(book.find("BookTitle"))
    pages = element_text(document.find("Pagination/MedlinePgn"))
    start, end = _pages(document.find("Pagination"), pages)
    return Citation(
        raw=raw,
        line=line,
        title=chapter or book_title or element_text(document.find("VernacularTitle")),
        abstract=_abstract(document.find("Abstract")),
        authors=_authors(document.find("AuthorList")) or _authors(book.find("AuthorList")),
        editors=_editors(document) or _editors(book),
        year=_year(book.find("PubDate")),
        journal=book_title if chapter else "",
        volume=element_text(book.find("Volume")),
        pages=pages,
        start_page=start,
        end_page=end,
        doi=_doi(book, ids) or _doi(document, ids),
        pmid=pmid,
        pmcid=clean_pmcid(ids.get("pmc", "")),
        accession=pmid,
        isbn=[isbn for el in book.findall("Isbn") for isbn in clean_isbn(element_text(el))],
        keywords=_keywords(document),
        language=element_text(document.find("Language")),
        publication_type="; ".join(element_text(el) for el in document.findall("PublicationType")),
        source_database="PubMed",
        fields=leaf_fields(record, _INLINE),
    )


def _child(parent: etree._Element, tag: str) -> etree._Element:
    """The child element, or an empty stand-in so that lookups below it find nothing."""
    found = parent.find(tag)
    return found if found is not None else etree.Element(tag)


def _abstract(abstract: etree._Element | None) -> str:
    if abstract is None:
        return ""
    parts = []
    for section in abstract.findall("AbstractText"):
        text = element_text(section)
        label = section.get("Label", "").strip()
        if text or label:
            parts.append(f"{label}: {text}" if label else text)
    return " ".join(parts)


def _authors(author_list: etree._Element | None) -> list[Author]:
    if author_list is None or author_list.get("Type", "authors") != "authors":
        return []
    return _people(author_list)


def _people(author_list: etree._Element) -> list[Author]:
    authors = []
    for person in author_list.findall("Author"):
        collective = element_text(person.find("CollectiveName"))
        family = element_text(person.find("LastName"))
        given = element_text(person.find("ForeName")) or element_text(person.find("Initials"))
        suffix = element_text(person.find("Suffix"))
        if family:
            printed = f"{family}, {given}" if given else family
            authors.append(
                Author(family=family, given=given, printed=f"{printed} {suffix}".strip())
            )
        elif collective:
            authors.append(Author(family=collective, printed=collective))
    return authors


def _editors(container: etree._Element) -> list[Author]:
    """The people of an `AuthorList Type="editors"`, in the editor role."""
    editors = [
        editor
        for author_list in container.findall("AuthorList")
        if author_list.get("Type") == "editors"
        for editor in _people(author_list)
    ]
    for editor in editors:
        editor.role = "editor"
    return editors


def _year(pub_date: etree._Element | None) -> int | None:
    if pub_date is None:
        return None
    return parse_year(element_text(pub_date.find("Year"))) or parse_year(
        element_text(pub_date.find("MedlineDate"))
    )


def _pages(pagination: etree._Element | None, printed: str) -> tuple[str, str]:
    if printed:
        # "113-25" or "e1-e3"; a list such as "221-8, 230" keeps its first range.
        return expand_pages(printed.split(",")[0])
    if pagination is None:
        return "", ""
    return element_text(pagination.find("StartPage")), element_text(pagination.find("EndPage"))


def _article_ids(id_list: etree._Element | None) -> dict[str, str]:
    ids: dict[str, str] = {}
    if id_list is not None:
        for item in id_list.findall("ArticleId"):
            ids.setdefault(item.get("IdType", ""), element_text(item))
    return ids


def _doi(container: etree._Element, ids: dict[str, str]) -> str:
    for location in container.findall("ELocationID"):
        if location.get("EIdType") == "doi" and clean_doi(element_text(location)):
            return clean_doi(element_text(location))
    return clean_doi(ids.get("doi", ""))


def _keywords(container: etree._Element | None) -> list[str]:
    if container is None:
        return []
    terms = [
        element_text(el) for el in container.findall("MeshHeadingList/MeshHeading/DescriptorName")
    ]
    terms += [element_text(el) for el in container.findall("KeywordList/Keyword")]
    return _unique(term for term in terms if term)


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(value.casefold(), value)
    return list(seen.values())
