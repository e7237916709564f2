"""CSV exports: Embase, Scopus, EBSCO, Cochrane, PubMed, WoS tab-delimited, our template (written
back by tests/screening/exporters/test_csvfile.py)."""

from __future__ import annotations

import pytest

from screening.importers import csvfile
from screening.importers.citation import ExportFormatError
from screening.importers.text import decode
from tests.shared_data import requires_shared_data, shared_file

EMBASE_FULL = """"SEARCH QUERY","sleep:ti AND nurse:ti"
-------------------------------------

"Title","Author Names","Source","Source title","Publication Year","Volume","Issue","First Page","Last Page","ISSN","Abstract","Author Keywords","Emtree Drug Index Terms","Emtree Medical Index Terms","Article Language","Embase Accession ID","Medline PMID","PUI","DOI","Full Text Link","Embase Link","Publication Type"
"Night shifts and sleep debt in ward nurses","Haverkamp I.M., Osei K., Tan B.","Invented Nursing Review (2021) 31:2 (1043-1051). Date of Publication: 1 Feb 2021","Invented Nursing Review","2021","31","2","1043","1051","1234-5679 (electronic)","First paragraph.

Second paragraph.","shift work, sleep","melatonin (drug therapy, pharmacology)","sleep deprivation, human, nurse (attitude, behavior)","English","","33000007","L2000000001","10.5555/INR.2021.7","http://dx.doi.org/10.5555/INR.2021.7","https://www.embase.com/search/results?subaction=viewrecord&id=L2000000001&from=export","Article"
"Napping policies: a survey",,,"Invented Hospital Journal","2020",,,,,,"",,,,"English","L2000000002",,,,,,"Note"
"""

EMBASE_SHORT = """Title,Original Title,Author Names,Correspondence Address,Editors,Source,Abstract,Original Abstract,Emtree Drug Index Terms (Major Focus),Emtree Drug Index Terms,Emtree Medical Index Terms (Major Focus),Emtree Medical Index Terms,keywords,Drug Tradenames,Drug Manufacturer,Device Tradenames,Device Manufacturer,Clinical Trial Numbers,Open URL Link,Copyright
"Cysts of the invented gland",,"Ruiz P., Adler D.G.",,,Invented Gland Journal (2014) 3:3 (152-160). Date of Publication: 2014,"A short abstract.",,,,"cyst (diagnosis, surgery)","cyst (diagnosis, surgery), human","cyst (diagnosis, surgery), human, adult",,,,,,,"Copyright 2014"
"""

SCOPUS_HEADER = (
    '"Authors","Author full names","Author(s) ID","Title","Year","Source title","Volume","Issue",'
    '"Art. No.","Page start","Page end","DOI","Link","Abstract","Author Keywords",'
    '"Index Keywords","Funding Details","Funding Text 1","References","ISSN","PubMed ID",'
    '"Language of Original Document","Abbreviated Source Title","Document Type","Source","EID"'
)
SCOPUS_ROWS = [
    '"Vermeer L.; De Jong P.K.","Vermeer, Lotte (57000000001); De Jong, Pieter K. (57000000002)",'
    '"57000000001; 57000000002","Bicycle lanes and injuries","2021","Invented Journal of Transport '
    'Safety","14","2","","221","228","10.5555/IJTS.2021.014","https://www.scopus.com/inward/'
    'record.uri?eid=2-s2.0-85000000001","Injuries fell.","cycling; injury","Bicycling","City fund",'
    '"We thank the city.","Ref A; Ref B","12345679","34000001","English","Invent. J. Transp. Saf.",'
    '"Article","Scopus","2-s2.0-85000000001"',
    # A second funding text shifts every later cell one place to the right.
    '"[No author name available]","[No author name available]","[No author id available]",'
    '"Proceedings of an invented workshop","2019","Proceedings of an invented workshop","","","",'
    '"","","","https://www.scopus.com/inward/record.uri?eid=2-s2.0-85000000002","Papers.","","",'
    '"Fund","Funding text one.","Funding text two.","Ref C","","","English","Proc. Invent. Worksh.",'
    '"Conference Review","Scopus","2-s2.0-85000000002"',
]

EBSCO = """Article Title,Author,Journal Title,ISSN,ISBN,Publication Date,Volume,Issue,First Page,Page Count,Accession Number,DOI,Publisher,Doctype,Subjects,Keywords,Abstract,PLink
"Growth rings in invented reptiles.","Curry, Kim; Martín, Ricardo N.","Invented Zoology",="12345679",,="4/3/2024","19","4","1","60","176000001","10.5555/iz.2024.1","Invented Press","Article","REPTILES; GROWTH rings",,"Abstract text.","https://search.ebscohost.com/login.aspx?direct=true&db=aph&AN=176000001&site=ehost-live"
"""

COCHRANE = """CENTRAL ID,Author(s),Title,Source,Year,Abstract,Volume,Issue,Pages,Database Name,PubMed ID,Embase ID,CTgov ID,CINAHL ID,ICTRP ID,Publication Type,Keywords,DOI,URL,Cochrane Review Group Code
"CN-01000001","Bywood, T; Hughes, J","An invented parenting trial","Trials","2011","BACKGROUND: Parents were trained.","12","","39\u201050","Cochrane Central Register of Controlled Trials (CENTRAL)","PUBMED 21000001","EMBASE 360000001","","","","Journal article","*school health service; Academic achievement","10.5555/trials.2011.39","https://www.cochranelibrary.com/central/doi/10.1002/central/CN-01000001/full","Common Mental Disorders"
"""

PUBMED = """PMID,Title,Authors,Citation,First Author,Journal/Book,Publication Year,Create Date,PMCID,NIHMS ID,DOI
"30000001","Fossil fleas revisited","Griffith DK, Lark DM, O'Connell RE.","Eur J Invent Genet. 2020 Feb;63(2):103640. doi: 10.5555/ejig.2019.03.004. Epub 2019 Mar 25.","Griffith DK","Eur J Invent Genet","2020","2019/03/30","PMC7000001","",""
"""

TEMPLATE = """title,abstract,authors,year,journal,volume,issue,pages,doi,pmid,accession,keywords,url,issn,isbn,publication_type,language,pmcid,journal_abbrev,editors
"Reading, writing, and naps",Children who napped read better.,"Smith, John; Doe, A.",2018,Invented Child Review,4,1,221-8,https://doi.org/10.5555/ICR.4.1,29000001,EJ1000001,naps; reading,https://example.org/icr/4,1234-5679; 0000-0019,978-0-19-852663-6,Book Chapter,English,PMC7000001,Invent Child Rev,"Okafor, Ngozi; World Health Organization,; Lee, K (translator); Ruiz, P (series editor)"
"""

WOS_TAB = (
    "PT\tAU\tAF\tTI\tSO\tDE\tID\tAB\tSN\tEI\tPY\tVL\tIS\tBP\tEP\tDI\tPM\tUT\n"
    "J\tAlceste, F; Jones, KA\tAlceste, Fabiana; Jones, Kari A.\tMemory under invented stress\t"
    "JOURNAL OF INVENTED MEMORY\tmemory; stress\tRECALL\tWe tested recall.\t1234-5679\t\t2018\t7\t3\t"
    "305\t316\t10.5555/jim.2018.05\t30000002\tWOS:000444108200009\n"
)


def _parse(text: str) -> tuple[list, list]:
    assert csvfile.sniff(text)
    return csvfile.parse(text)


def test_embase_full_export_after_the_query_preamble() -> None:
    (first, second), warnings = _parse(EMBASE_FULL)
    assert warnings == []
    assert first.line == 5
    assert second.line == 8  # the first row's abstract spans three lines
    assert first.raw.count("\n") == 2
    assert first.raw.startswith('"Night shifts')
    assert first.title == "Night shifts and sleep debt in ward nurses"
    assert [a.display() for a in first.authors] == ["Haverkamp, I.M.", "Osei, K.", "Tan, B."]
    assert first.journal == "Invented Nursing Review"
    assert (first.year, first.volume, first.issue) == (2021, "31", "2")
    assert (first.pages, first.start_page, first.end_page) == ("1043-1051", "1043", "1051")
    assert first.issn == ["1234-5679"]
    assert first.abstract == "First paragraph. Second paragraph."
    assert first.keywords == [
        "shift work",
        "sleep",
        "melatonin (drug therapy, pharmacology)",
        "sleep deprivation",
        "human",
        "nurse (attitude, behavior)",
    ]
    assert first.accession == "L2000000001"  # the PUI when the accession column is empty
    assert first.pmid == "33000007"
    assert first.doi == "10.5555/inr.2021.7"
    assert first.url.startswith("https://www.embase.com/")
    assert first.source_database == "Embase"
    assert first.language == "English"
    assert second.accession == "L2000000002"
    assert second.publication_type == "Note"
    assert second.authors == []


def test_embase_short_layout_reads_the_compound_source_cell() -> None:
    (citation,), _ = _parse(EMBASE_SHORT)
    assert citation.journal == "Invented Gland Journal"
    assert (citation.year, citation.volume, citation.issue) == (2014, "3", "3")
    assert (citation.pages, citation.start_page, citation.end_page) == ("152-160", "152", "160")
    assert [a.family for a in citation.authors] == ["Ruiz", "Adler"]
    # The lower-case `keywords` column repeats Emtree terms: kept once each.
    assert citation.keywords == ["cyst (diagnosis, surgery)", "human", "adult"]


def test_scopus_with_bom_full_names_and_a_shifted_row() -> None:
    data = ("\ufeff" + SCOPUS_HEADER + "\n" + "\n".join(SCOPUS_ROWS) + "\n").encode("utf-8")
    text, _, _ = decode(data)
    (first, second), warnings = _parse(text)
    assert [(a.family, a.given) for a in first.authors] == [
        ("Vermeer", "Lotte"),
        ("De Jong", "Pieter K."),
    ]
    assert first.journal == "Invented Journal of Transport Safety"
    assert first.journal_abbrev == "Invent. J. Transp. Saf."
    assert (first.start_page, first.end_page, first.pages) == ("221", "228", "221-228")
    assert first.doi == "10.5555/ijts.2021.014"
    assert first.accession == "2-s2.0-85000000001"
    assert first.pmid == "34000001"
    assert first.issn == ["1234-5679"]
    assert first.keywords == ["cycling", "injury", "Bicycling"]
    assert first.source_database == "Scopus"
    assert second.authors == []
    assert second.accession == "2-s2.0-85000000002"
    assert second.language == "English"
    assert second.publication_type == "Conference Review"
    assert second.fields["References"] == ["Ref C"]
    assert second.fields["Funding Text 1 (extra cell 1)"] == ["Funding text two."]
    assert len(warnings) == 1
    assert warnings[0].line == 3
    assert "Funding Text 1" in warnings[0].message


def test_ebsco_excel_guarded_cells() -> None:
    (citation,), _ = _parse(EBSCO)
    assert citation.title == "Growth rings in invented reptiles."
    assert [a.display() for a in citation.authors] == ["Curry, Kim", "Martín, Ricardo N."]
    assert citation.issn == ["1234-5679"]
    assert citation.year == 2024
    assert citation.accession == "176000001"
    assert citation.keywords == ["REPTILES", "GROWTH rings"]
    assert citation.start_page == "1"
    assert citation.source_database == "EBSCOhost"
    assert citation.fields["ISSN"] == ["12345679"]


def test_cochrane_central_ids_and_pages() -> None:
    (citation,), _ = _parse(COCHRANE)
    assert citation.accession == "CN-01000001"
    assert citation.pmid == "21000001"
    assert citation.journal == "Trials"
    assert (citation.start_page, citation.end_page) == ("39", "50")
    assert citation.keywords == ["school health service", "Academic achievement"]
    assert [a.display() for a in citation.authors] == ["Bywood, T", "Hughes, J"]
    assert citation.source_database == "Cochrane CENTRAL"
    assert citation.fields["Embase ID"] == ["EMBASE 360000001"]


def test_pubmed_save_as_csv() -> None:
    (citation,), _ = _parse(PUBMED)
    assert citation.pmid == citation.accession == "30000001"
    assert citation.pmcid == "PMC7000001"
    assert [a.display() for a in citation.authors] == ["Griffith, DK", "Lark, DM", "O'Connell, RE"]
    assert citation.journal == "Eur J Invent Genet"
    assert (citation.volume, citation.issue, citation.pages) == ("63", "2", "103640")
    assert citation.doi == "10.5555/ejig.2019.03.004"  # from the citation when DOI is empty
    assert citation.year == 2020
    assert citation.source_database == "PubMed"


def test_our_template() -> None:
    (citation,), warnings = _parse(TEMPLATE)
    assert warnings == []
    assert citation.title == "Reading, writing, and naps"
    assert citation.abstract == "Children who napped read better."
    assert [a.display() for a in citation.authors] == ["Smith, John", "Doe, A."]
    assert (citation.year, citation.journal, citation.volume, citation.issue) == (
        2018,
        "Invented Child Review",
        "4",
        "1",
    )
    assert (citation.start_page, citation.end_page) == ("221", "228")
    assert citation.doi == "10.5555/icr.4.1"
    assert (citation.pmid, citation.accession) == ("29000001", "EJ1000001")
    assert citation.keywords == ["naps", "reading"]
    assert citation.url == "https://example.org/icr/4"
    assert citation.source_database == ""
    assert citation.issn == ["1234-5679", "0000-0019"]
    assert citation.isbn == ["9780198526636"]
    assert (citation.publication_type, citation.language) == ("Book Chapter", "English")
    assert (citation.pmcid, citation.journal_abbrev) == ("PMC7000001", "Invent Child Rev")
    assert [(e.family, e.given, e.role) for e in citation.editors] == [
        ("Okafor", "Ngozi", "editor"),
        ("World Health Organization", "", "editor"),
        ("Lee", "K", "translator"),
        ("Ruiz", "P", "series editor"),
    ]


def test_an_editors_column_is_read_from_our_template_but_not_from_scopus() -> None:
    # Scopus runs its editors' names together or writes their addresses in the cell.
    scopus = SCOPUS_HEADER + ',"Editors"\n' + SCOPUS_ROWS[0] + ',"Lange B.Thomas D."\n'
    (citation,), _ = _parse(scopus)
    assert citation.editors == []
    assert citation.fields["Editors"] == ["Lange B.Thomas D."]
    (citation,), _ = _parse('Title,Editors,Status\nA book,"Lange, B; Thomas, D",included\n')
    assert [e.display() for e in citation.editors] == ["Lange, B", "Thomas, D"]


def test_template_tab_separated_with_upper_case_header() -> None:
    text = "Title\tAuthors\tYear\tDOI\nNaps at work\tLee, K; Park, J\t2022\t10.5555/naps\n"
    (citation,), _ = _parse(text)
    assert citation.title == "Naps at work"
    assert [a.family for a in citation.authors] == ["Lee", "Park"]
    assert (citation.year, citation.doi) == (2022, "10.5555/naps")


def test_web_of_science_tab_delimited() -> None:
    (citation,), _ = _parse(WOS_TAB)
    assert citation.title == "Memory under invented stress"
    assert [a.display() for a in citation.authors] == ["Alceste, Fabiana", "Jones, Kari A."]
    assert citation.journal == "JOURNAL OF INVENTED MEMORY"
    assert (citation.start_page, citation.end_page, citation.pages) == ("305", "316", "305-316")
    assert citation.accession == "WOS:000444108200009"
    assert citation.pmid == "30000002"
    assert citation.keywords == ["memory", "stress", "RECALL"]
    assert citation.source_database == "Web of Science"


def test_rows_without_title_or_id_are_kept_and_empty_rows_skipped() -> None:
    text = "title,doi,pmid\nGood row,,\n,,\n\n,10.5555/only-doi,\n,,\nx\n"
    citations, warnings = csvfile.parse(text)
    assert [c.line for c in citations] == [2, 5, 7]
    assert [(w.line, w.message) for w in warnings] == [
        (5, "row has no title"),
        (7, "row has 1 cells but the header has 3; the missing cells were read as empty"),
    ]
    text = 'title,doi,pmid,journal\nGood row,,,\n"","",,\n,,,Only a journal\n'
    citations, warnings = csvfile.parse(text)
    assert [c.line for c in citations] == [2, 4]
    assert citations[1].journal == "Only a journal"
    assert [(w.line, w.message) for w in warnings] == [
        (4, "row has no title, no DOI and no identifier")
    ]


def test_unclosed_quote_is_reported() -> None:
    citations, warnings = csvfile.parse('title,doi\n"Open quote,10.5555/a\nNext,10.5555/b\n')
    assert len(citations) == 1
    assert any("never closed" in w.message and w.line == 2 for w in warnings)
    # A stray inch mark inside an unquoted cell is text, not an unclosed quote.
    citations, warnings = csvfile.parse('title,doi\nA 5" disk,10.5555/a\nB,10.5555/b\n')
    assert [c.title for c in citations] == ['A 5" disk', "B"]
    assert warnings == []


def test_header_without_title_column_is_an_error() -> None:
    with pytest.raises(ExportFormatError) as caught:
        csvfile.parse("name,doi,year\nSomething,10.5555/x,2020\n")
    assert caught.value.line == 1
    assert "name,doi,year" in caught.value.message
    assert caught.value.field == "title"
    # A data row that happens to hold "Title" is not taken for a header further down.
    with pytest.raises(ExportFormatError) as caught:
        csvfile.parse("name,doi,year\nTitle,Abstract,2020\n")
    assert caught.value.line == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (EMBASE_FULL, True),
        (EMBASE_SHORT, True),
        (SCOPUS_HEADER + "\n", True),
        (EBSCO, True),
        (COCHRANE, True),
        (PUBMED, True),
        (TEMPLATE, True),
        (WOS_TAB, True),
        ("\n\nDocument Title;Authors\nx;y\n", True),
        ("TY  - JOUR\nTI  - Title, with a comma\nER  - \n", False),
        ("PMID- 1\nTI  - title\n", False),
        ("@article{k, title={T}}\n", False),
        ("<xml><records><record><titles><title>A</title></titles></record></records></xml>", False),
        ("name,doi\nx,y\n", False),
    ],
)
def test_sniff(text: str, expected: bool) -> None:
    assert csvfile.sniff(text) is expected


# --- the real exports in ../shared/data/exports (README table counts) ------------------------

SHARED_COUNTS = {
    "cochrane/citation-file-formatting_baseline_cochrane.csv": 3,
    "ebsco_csv/citation-file-formatting_baseline_cinahl.csv": 10,
    "embase_csv/asreview_embase.csv": 6,
    "embase_csv/asreview_embase_newpage.csv": 6,
    "embase_csv/citation-file-formatting_baseline_embase.csv": 10,
    "pubmed_csv/citation-file-formatting_baseline_pubmed.csv": 10,
    "scopus_csv/citation-file-formatting_baseline_scopus.csv": 10,
    "scopus_csv/litstudy_scopus.csv": 58,
    "scopus_csv/metaknowledge_scopus_testing.csv": 220,
}


def _shared(path: str) -> tuple[list, list]:
    text, _, _ = decode(shared_file("exports", *path.split("/")).read_bytes())
    return _parse(text)


@requires_shared_data
@pytest.mark.parametrize(("path", "count"), sorted(SHARED_COUNTS.items()))
def test_shared_export_record_counts(path: str, count: int) -> None:
    citations, _ = _shared(path)
    assert len(citations) == count
    assert all(c.title and c.raw and c.line > 1 for c in citations)


@requires_shared_data
def test_shared_exports_cover_every_csv_file() -> None:
    found = {
        str(p.relative_to(shared_file("exports"))) for p in shared_file("exports").rglob("*.csv")
    }
    assert found == set(SHARED_COUNTS)


@requires_shared_data
def test_shared_spot_checks() -> None:
    pubmed, _ = _shared("pubmed_csv/citation-file-formatting_baseline_pubmed.csv")
    assert (pubmed[0].pmid, pubmed[0].pmcid, pubmed[0].doi) == (
        "30922926",
        "PMC7026692",
        "10.1016/j.ejmg.2019.03.004",
    )
    assert [a.family for a in pubmed[0].authors] == ["Griffin", "Larkin", "O'Connor"]

    embase, _ = _shared("embase_csv/citation-file-formatting_baseline_embase.csv")
    assert embase[0].line == 5
    assert (embase[0].accession, embase[0].pmid) == ("L2029880245", "38773066")
    assert embase[0].doi == "10.1038/s41467-024-48400-3"
    assert [a.family for a in embase[0].authors] == ["Yang", "Jiang", "Xu", "McNamara"]

    short, _ = _shared("embase_csv/asreview_embase.csv")
    assert (short[0].journal, short[0].year, short[0].pages) == (
        "Endoscopic Ultrasound",
        2014,
        "152-160",
    )

    scopus, _ = _shared("scopus_csv/citation-file-formatting_baseline_scopus.csv")
    assert scopus[0].accession == "2-s2.0-85189760133"
    assert scopus[0].pmid == "38580657"
    assert scopus[0].authors[0].display() == "Wilson, Lauren N."

    litstudy, warnings = _shared("scopus_csv/litstudy_scopus.csv")
    assert all(c.accession.startswith("2-s2.0-") for c in litstudy)
    assert all(c.fields["Source"] == ["Scopus"] for c in litstudy)
    assert len(warnings) == 56
    assert {w.line for w in warnings} <= {c.line for c in litstudy}
    gutowska = next(c for c in litstudy if c.doi == "10.1038/s41598-022-04849-0")
    assert (gutowska.pmid, gutowska.issn) == ("35064163", ["2045-2322"])

    meta, _ = _shared("scopus_csv/metaknowledge_scopus_testing.csv")
    assert [a.family for a in meta[0].authors][:2] == ["Yagai", "Kimura"]
    assert all("<inf>" not in c.title for c in meta)

    cinahl, _ = _shared("ebsco_csv/citation-file-formatting_baseline_cinahl.csv")
    assert (cinahl[0].accession, cinahl[0].issn) == ("176404503", ["1932-6203"])

    cochrane, _ = _shared("cochrane/citation-file-formatting_baseline_cochrane.csv")
    assert (cochrane[0].accession, cochrane[0].pmid) == ("CN-00778158", "21314913")
    assert (cochrane[1].start_page, cochrane[1].end_page) == ("1279", "1297")
