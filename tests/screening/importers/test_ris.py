"""RIS reader: every database dialect, the reference managers, damage (the writer and its round
trips: tests/screening/exporters/test_ris.py)."""

from __future__ import annotations

import pytest

from screening.importers import ris, text
from screening.importers.citation import Author, Citation
from tests.shared_data import requires_shared_data, shared_file


def read(source: str) -> tuple[list[Citation], list]:
    return ris.parse(source)


def one(source: str) -> Citation:
    citations, warnings = read(source)
    assert warnings == []
    assert len(citations) == 1
    return citations[0]


# --- the database dialects, in our own words -------------------------------------------------

EMBASE = """\
TY  - JOUR
M3  - Article
Y1  - 2024
VL  - 15
IS  - 1
SN  - 2041-1723
SN  - 2041-1723
JF  - Nature Studies
JO  - Nat. Stud.
UR  - https://www.embase.com/search/results?subaction=viewrecord&id=L2000000001&from=export
U2  - L2000000001
C5  - 38000001
DB  - Embase
DB  - Medline
L2  - http://dx.doi.org/10.1000/ns.2024.1
DO  - 10.1000/ns.2024.1
A1  - Yang, Z.
A1  - McNamara, M.E.
T1  - Scales of small dinosaurs
LA  - English
KW  - keratin
KW  - fossil
N2  - Fossil skin keeps its cells.
ER  -\x20
"""


def test_embase() -> None:
    citation = one(EMBASE)
    assert citation.title == "Scales of small dinosaurs"
    assert citation.abstract == "Fossil skin keeps its cells."
    assert [a.display() for a in citation.authors] == ["Yang, Z.", "McNamara, M.E."]
    assert citation.year == 2024
    assert (citation.journal, citation.journal_abbrev) == ("Nature Studies", "Nat. Stud.")
    assert (citation.volume, citation.issue) == ("15", "1")
    assert citation.doi == "10.1000/ns.2024.1"
    assert citation.pmid == "38000001"
    assert citation.accession == "L2000000001"
    assert citation.issn == ["2041-1723"]
    assert citation.keywords == ["keratin", "fossil"]
    assert citation.language == "English"
    assert citation.publication_type == "Article"
    assert citation.source_database == "Embase"
    assert citation.fields["DB"] == ["Embase", "Medline"]


def test_embase_with_a_bom_through_decode() -> None:
    decoded, _, _ = text.decode(b"\xef\xbb\xbf" + EMBASE.encode())
    assert one(decoded).accession == "L2000000001"


OVID = """\
1.\x20
TY  - JOUR
DB  - Ovid MEDLINE(R) Daily Update\x20
ID  - 35000001
T1  - Choosing surgery for small kidney tumours.
A1  - Zong, Hongtao
Y1  - 2022//
Y2  - 20220518//
N2  - Smart care helps.
KW  - *Artificial Intelligence
JF  - Computational neuroscience
JA  - Comput Neurosci
VL  - 2022
SP  - 1947504
PT  - Journal Article, Retracted Publication
DO  - https://dx.doi.org/10.1155/2022/1947504
ER  - \x20

Link to the Ovid Full Text or citation: https://ovidsp.example.org/ovidweb.cgi?T=JS

2.
TY  - JOUR
ID  - 2019-65183-001
DO  - http://dx.doi.org/10.1002/cpp.2398
T1  - Self-criticism and depression.
M3  - Health & Mental Health Treatment & Prevention [3300]
JF  - Clinical Psychology & Psychotherapy
SP  - No
EP  - Specified
PT  - Journal, Peer Reviewed Journal
ER  -
NL  - Clin Psychol Psychother

Link to the Ovid Full Text or citation: https://ovidsp.example.org/ovidweb.cgi?T=JS

3.\x20
TY  - JOUR
ID  - 20203152553
T1  - Retention trees on clearcuts.
ER  -
"""


def test_ovid() -> None:
    citations, warnings = read(OVID)
    assert warnings == []
    medline_record, psycinfo, cab = citations
    assert medline_record.line == 2
    assert medline_record.doi == "10.1155/2022/1947504"
    assert medline_record.accession == medline_record.pmid == "35000001"
    assert medline_record.source_database == "Ovid MEDLINE(R) Daily Update"
    assert medline_record.year == 2022
    assert medline_record.publication_type == "Journal Article, Retracted Publication"
    assert medline_record.journal_abbrev == "Comput Neurosci"
    assert psycinfo.accession == "2019-65183-001"
    assert psycinfo.pmid == ""
    assert psycinfo.doi == "10.1002/cpp.2398"
    assert (psycinfo.pages, psycinfo.start_page, psycinfo.end_page) == ("", "", "")
    assert psycinfo.publication_type == "Journal, Peer Reviewed Journal"
    # Ovid writes the NLM abbreviation on the line after ER: it still belongs to the record.
    assert psycinfo.journal_abbrev == "Clin Psychol Psychother"
    assert psycinfo.raw.endswith("ER  -\nNL  - Clin Psychol Psychother")
    assert cab.accession == "20203152553"


EBSCO = """\
TY  - JOUR
AU  - Curry Rogers, Kristina
AU  - Martínez, Ricardo N.
T1  - Bone growth in early dinosaurs.
JO  - PLoS ONE
JF  - PLoS ONE
Y1  - 2024/04/03/
VL  - 19
IS  - 4
M3  - Article
SP  - 1
EP  - 60
SN  - 19326203
AB  - Dinosaurs grew fast.
AB  - Copyright of PLoS ONE is the property of Public Library of Science and its content may not be copied.
KW  - FEMUR
N1  - Accession Number: 176000001; Curry Rogers, Kristina 1; Affiliation: 1 Macalester College; PMID: 30000009
L3  - 10.1371/journal.pone.0298242
UR  - https://search.ebscohost.com/login.aspx?direct=true&db=aph&AN=176000001&site=ehost-live
UR  - ORCID: 0000-0000-0000-0001
DP  - EBSCOhost
DB  - aph
ER  -\x20
"""


def test_ebscohost() -> None:
    citation = one(EBSCO)
    assert citation.doi == "10.1371/journal.pone.0298242"
    assert citation.accession == "176000001"
    assert citation.pmid == "30000009"
    assert citation.abstract == "Dinosaurs grew fast."
    assert citation.issn == ["1932-6203"]
    assert citation.year == 2024
    assert citation.pages == "1-60"
    assert citation.url.startswith("https://search.ebscohost.com/")
    assert citation.source_database == "EBSCOhost (aph)"
    assert citation.authors[0] == Author(
        family="Curry Rogers", given="Kristina", printed="Curry Rogers, Kristina"
    )


def test_ebsco_accession_from_the_url_when_there_is_no_note() -> None:
    source = EBSCO.replace("N1  - Accession Number: 176000001; ", "N1  - ")
    assert one(source).accession == "176000001"


PROQUEST = """\
TY  - JOUR
T1  - Stress after an earthquake.
AN  - 2214991469; 51887
AB  - People respond differently.
JF  - Journal of Traumatic Stress
AU  - Jones, Hannah
PY  - 2019
SN  - 0894-9867, 0894-9867
UR  - https://search.proquest.com/docview/2214991469?accountid=1
LA  - English
DB  - PTSDpubs
N1  - Last updated - 2019-05-03
DO  - http://dx.doi.org/10.1002/jts.22387
ER  -
"""


def test_proquest() -> None:
    citation = one(PROQUEST)
    assert citation.accession == "2214991469"
    assert citation.fields["AN"] == ["2214991469; 51887"]
    assert citation.issn == ["0894-9867"]
    assert citation.doi == "10.1002/jts.22387"
    assert citation.source_database == "PTSDpubs"


SCOPUS = """\
TY  - JOUR
SN  - 03064530 (ISSN)
AU  - Vaimann, T.
AU  - Kilk, A.
T1  - Outer rotor generators for small wind turbines
JF  - Advances in Engineering
SP  - 271
EP  - 278
PY  - 2018
U3  - Cited By :9

Export Date: 12 May 2022

Article
UR  - https://www.scopus.com/inward/record.uri?eid=2-s2.0-85054091539&doi=10.15598%2faeee&partnerID=40
JA  - Adv. Eng.
AB  - Torque &lt; 5 N&#183;m &amp; speed &gt; 300 rpm.
DO  - 10.15598/aeee.v16i3.2698
N1  - References: Smith, J., A paper (2001) J Things, 10.1000/other.paper
ER  -
"""


def test_scopus() -> None:
    citation = one(SCOPUS)
    assert citation.accession == "2-s2.0-85054091539"
    assert citation.issn == ["0306-4530"]
    assert citation.abstract == "Torque < 5 N·m & speed > 300 rpm."
    assert citation.doi == "10.15598/aeee.v16i3.2698"
    assert citation.pages == "271-278"
    # The untagged note lines, blank lines and all, continue U3: they end no record.
    assert citation.fields["U3"] == ["Cited By :9\nExport Date: 12 May 2022\nArticle"]
    assert citation.journal_abbrev == "Adv. Eng."


def test_scopus_doi_is_not_taken_from_the_reference_notes() -> None:
    assert one(SCOPUS.replace("DO  - 10.15598/aeee.v16i3.2698\n", "")).doi == ""


WOS = """\
TY  - JOUR
AU  - Alceste, F
AU  - Kassin, SM
TI  - Custody during interviews
T2  - JOURNAL OF APPLIED MEMORY
LA  - English
KW  - Police custody
KW  - PERSPECTIVE-TAKING
AB  - Custody matters.
SN  - 2211-3681
SN  - 2211-369X
J9  - J APPL MEM
JI  - J. Appl. Mem.
DA  - SEP
PY  - 2018
VL  - 7
IS  - 3
SP  - 387
EP  - 397
DO  - 10.1016/j.jarmac.2018.03.001
AN  - WOS:000444108200009
N1  - Times Cited in Web of Science Core Collection:  5
Total Times Cited:  7
Cited Reference Count:  30
ER  -
"""


def test_web_of_science() -> None:
    citation = one(WOS)
    assert citation.accession == "WOS:000444108200009"
    assert citation.journal == "JOURNAL OF APPLIED MEMORY"
    assert citation.journal_abbrev == "J. Appl. Mem."  # ISO (JI) before the 29-character J9
    assert citation.issn == ["2211-3681", "2211-369X"]
    assert citation.year == 2018
    assert citation.authors[1] == Author(family="Kassin", given="SM", printed="Kassin, SM")
    assert citation.fields["N1"] == [
        "Times Cited in Web of Science Core Collection:  5\n"
        "Total Times Cited:  7\nCited Reference Count:  30"
    ]


COCHRANE = """\
Record #1 of 2
Provider: John Wiley & Sons, Ltd.
Content: text/plain; charset="UTF-8"

TY  -  JOUR
AN  -  CN-00778158
A1  -  Bywater, T
T1  -  A dinosaur programme in primary schools: protocol
JA  -  Trials
PY  -  2011
C3  -  PUBMED 21314913
M3  -  Journal article
KW  -  *school health service
UR  -  https://www.cochranelibrary.com/central/doi/10.1002/central/CN-00778158/full
ER  - \x20

Record #2 of 2
Provider: John Wiley & Sons, Ltd.
Content: text/plain; charset="UTF-8"

TY  -  JOUR
AN  -  CN-02000002
TI  -  Second trial
ER  - \x20
"""


def test_cochrane() -> None:
    citations, warnings = read(COCHRANE)
    assert warnings == []
    first, second = citations
    assert first.line == 5
    assert first.fields["TY"] == ["JOUR"]
    assert first.accession == "CN-00778158"
    assert first.pmid == "21314913"
    assert first.title == "A dinosaur programme in primary schools: protocol"
    assert first.authors == [Author(family="Bywater", given="T", printed="Bywater, T")]
    assert first.journal == first.journal_abbrev == "Trials"
    assert first.keywords == ["*school health service"]
    assert first.publication_type == "Journal article"
    assert first.doi == ""  # the Cochrane record URL holds CENTRAL's own DOI, not the paper's
    assert (second.accession, second.line) == ("CN-02000002", 21)


APA = """\
Provider: American Psychological Association
Database: PsycINFO
Content: application/x-research-info-systems

TY  - JOUR
PMID  - 33355555
ID  - 2020-55555-005
T1  - Primary title
JF  - Health Psychology
A1  - Author-One, Matthias
Y1  - 2020
SN  - 1999-7777(Electronic),0222-6666(Print)
N2  - An abstract.
KW  - *Keyword one
M3  - doi:10.1011/hea0004444
DO  - 10.1011/hea0004444
ER  -
"""


def test_apa_psycnet() -> None:
    citations, warnings = read(APA + "\n" + APA.split("\n\n", 1)[1])
    assert warnings == []
    citation = citations[0]
    assert len(citations) == 2
    assert citation.line == 5
    assert citation.pmid == "33355555"
    assert citation.accession == "2020-55555-005"
    assert citation.doi == "10.1011/hea0004444"
    assert citation.publication_type == "Journal Article"  # M3 holds the DOI here
    assert citation.issn == ["1999-7777", "0222-6666"]
    assert citation.keywords == ["*Keyword one"]


ENDNOTE = """\

TY  - JOUR
AB  - Boswellia helps.
AN  - 21553931
AU  - Abdel-Tawab, M.
DO  - 10.2165/11586800-000000000-00000
DP  - NLM
KW  - Animals
Anti-Inflammatory Agents/*pharmacology
Humans
N1  - 1179-1926
Abdel-Tawab, Mona
PY  - 2011
SN  - 0312-5963
SP  - 349-69
T2  - Clin Pharmacokinet
TI  - Boswellia serrata: an overall assessment
VL  - 50
ID  - 369
ER  -\x20
"""


def test_endnote_alphabetical_with_record_numbers() -> None:
    citation = one(ENDNOTE)
    assert citation.line == 2
    assert citation.accession == "21553931"
    assert citation.pmid == "21553931"  # AN of a record from NLM is its PMID
    assert citation.keywords == ["Animals", "Anti-Inflammatory Agents/*pharmacology", "Humans"]
    assert (citation.start_page, citation.end_page, citation.pages) == ("349", "369", "349-369")
    assert citation.fields["ID"] == ["369"]
    assert citation.fields["N1"] == ["1179-1926\nAbdel-Tawab, Mona"]


def test_endnote_record_number_in_id_is_not_an_accession() -> None:
    source = ENDNOTE.replace("AN  - 21553931\n", "")
    assert one(source).accession == ""


ZOTERO = """\
TY  - JOUR
TI  - Coping and quality of life in bowel disease
AU  - Rudnik, Agata
AU  - Basinska, Malgorzata A.
T2  - Przeglad gastroenterologiczny
AB  - Introduction: There are studies.
DA  - 2019///
PY  - 2019
DO  - 10.5114/pg.2018.81081
SP  - 121
EP  - 128
J2  - Prz Gastroenterol
SN  - 1895-5770 1895-5770
UR  - https://www.ncbi.nlm.nih.gov/pubmed/31000009
ER  -
"""


def test_zotero() -> None:
    citation = one(ZOTERO)
    assert citation.journal == "Przeglad gastroenterologiczny"
    assert citation.journal_abbrev == "Prz Gastroenterol"
    assert citation.issn == ["1895-5770"]
    assert citation.pmid == "31000009"
    assert citation.url == "https://www.ncbi.nlm.nih.gov/pubmed/31000009"
    assert citation.publication_type == "Journal Article"


RAYYAN = """\
TY  - JOUR
AN  - rayyan-264552525
KW  - Health Facility Administration
Joint Commission
Medication Errors
PY  - 2011
SP  - 1-5
TI  - Overcoming reconciliation challenges
ID  - 1
ER  -
"""


def test_rayyan_keyword_continuation_lines_are_more_keywords() -> None:
    citation = one(RAYYAN)
    assert citation.keywords == [
        "Health Facility Administration",
        "Joint Commission",
        "Medication Errors",
    ]
    assert citation.accession == "rayyan-264552525"
    assert citation.authors == []


ERIC_VIA_ENDNOTE = (
    "\r\r\r\rTY  - JOUR\rID  - 256391\rA1  - Afshari, Mojgan\rT1  - Computer use by principals\r"
    "Y1  - 2010\rY2  - 07/01\rN1  - Accession Number: EJ898011; Acquisition Information: TOJET.\r"
    "UR  - http://proxy.example.edu/login?url=http://search.ebscohost.com/login.aspx?direct=true"
    "&db=eric&AN=EJ898011&site=ehost-live\rM1  - Journal Article\rER  - \r\r"
)


def test_eric_through_endnote_with_cr_only_line_ends() -> None:
    decoded, _, _ = text.decode(ERIC_VIA_ENDNOTE.encode())
    citation = one(decoded)
    assert citation.line == 5
    assert citation.accession == "EJ898011"  # not EndNote's record number in ID
    assert citation.year == 2010


def test_eric_via_ovid_id() -> None:
    source = "6. \nTY  - JOUR\nDB  - ERIC\nID  - EJ389705\nT1  - Creationism.\nER  -  \n \n"
    citations, warnings = read(source)
    assert warnings == []
    assert citations[0].accession == "EJ389705"
    assert citations[0].source_database == "ERIC"


# --- pages, types, markup --------------------------------------------------------------------


def test_start_page_holding_a_range_is_expanded() -> None:
    citation = one("TY  - JOUR\nSP  - 221-8\nER  - \n")
    assert (citation.start_page, citation.end_page, citation.pages) == ("221", "228", "221-228")


def test_inline_markup_and_entities() -> None:
    citation = one("TY  - JOUR\nTI  - CO<sub>2</sub> in <i>E. coli</i> &amp; p &lt; 0.05\nER  - \n")
    assert citation.title == "CO2 in E. coli & p < 0.05"


def test_type_code_gives_the_publication_type_when_there_is_no_m3() -> None:
    assert one("TY  - THES\nTI  - A thesis\nER  - \n").publication_type == "Thesis"


# --- damage and noise --------------------------------------------------------------------------


def test_a_record_cut_off_at_the_end_is_kept_with_a_warning_naming_it() -> None:
    source = "TY  - JOUR\nTI  - Whole\nER  - \n\nTY  - JOUR\nTI  - Cut off in the mid"
    citations, warnings = read(source)
    assert [c.title for c in citations] == ["Whole", "Cut off in the mid"]
    assert citations[1].line == 5
    assert [(w.line, w.field) for w in warnings] == [(5, "ER")]
    assert "cut off" in warnings[0].message


def test_a_cut_off_record_through_decode_with_crlf_keeps_its_line() -> None:
    decoded, _, _ = text.decode(b"TY  - JOUR\r\nTI  - A\r\nER  - \r\n\r\nTY  - JOUR\r\nTI  - B\r\n")
    citations, warnings = read(decoded)
    assert [c.title for c in citations] == ["A", "B"]
    assert [(w.line, w.field) for w in warnings] == [(5, "ER")]


def test_no_final_newline_after_er_keeps_the_last_record() -> None:
    citations, _ = read("TY  - JOUR\nTI  - A\nER  - \nTY  - JOUR\nTI  - B\nER  -")
    assert [c.title for c in citations] == ["A", "B"]
    assert citations[1].raw == "TY  - JOUR\nTI  - B\nER  -"


def test_missing_er_before_the_next_ty_is_a_warning() -> None:
    citations, warnings = read("TY  - JOUR\nTI  - A\n\nTY  - JOUR\nTI  - B\nER  - \n")
    assert [c.title for c in citations] == ["A", "B"]
    assert citations[0].raw == "TY  - JOUR\nTI  - A"
    assert [(w.line, w.field) for w in warnings] == [(1, "ER")]


def test_garbled_tag_inside_a_record_is_continuation_text() -> None:
    citation = one("TY  - JOUR\nTI  - A title\nAB -not a tag\nPY  - 2001\nER  - \n")
    assert citation.fields["TI"] == ["A title\nAB -not a tag"]
    assert citation.title == "A title AB -not a tag"
    assert citation.year == 2001


def test_usual_noise_is_silent_and_unusual_text_is_a_warning() -> None:
    source = (
        "1.\nTY  - JOUR\nTI  - A\nER  - \nSomething odd\n\nRecord #2 of 2\nTY  - JOUR\nER  - \n"
    )
    citations, warnings = read(source)
    assert len(citations) == 2
    assert [(w.line, "Something odd" in w.message) for w in warnings] == [(5, True)]


def test_stray_er_is_a_warning() -> None:
    citations, warnings = read("TY  - JOUR\nTI  - A\nER  - \n\nER  - \n")
    assert len(citations) == 1
    assert [(w.line, w.field) for w in warnings] == [(5, "ER")]


def test_tag_lines_outside_a_record_are_a_record_of_their_own_with_a_warning() -> None:
    citations, warnings = read("TI  - A record with no TY\nPY  - 2001\nER  - \n")
    assert [(c.title, c.year, c.line) for c in citations] == [("A record with no TY", 2001, 1)]
    assert (warnings[0].line, warnings[0].field) == (1, "TI")
    assert "no TY" in warnings[0].message


def test_tag_lines_with_no_ty_between_records_keep_their_place() -> None:
    source = "TY  - JOUR\nTI  - First\nER  - \n\nTI  - Orphan\n\nTY  - JOUR\nTI  - Last\nER  - \n"
    citations, warnings = read(source)
    assert [(c.title, c.line) for c in citations] == [("First", 1), ("Orphan", 5), ("Last", 7)]
    assert [(w.line, w.field) for w in warnings] == [(5, "TI")]


def test_sniff() -> None:
    for source in (EMBASE, OVID, COCHRANE, APA, ENDNOTE, "\n\n\n\nTY  - JOUR\nER  - \n"):
        assert ris.sniff(source)
    assert not ris.sniff("PMID- 1\nOWN - NLM\nTI  - A MEDLINE title\n")
    assert not ris.sniff("FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\n")
    assert not ris.sniff("<1. >\nVN  - Ovid Technologies\n")
    assert not ris.sniff("")


# --- the real exports in ../shared/data/exports ------------------------------------------------

CORPUS = {
    "apa_psycnet_ris/colrev_psycinfo_ris.ris": 1,
    "cochrane/citation-file-formatting_baseline_cochrane_endnote.ris": 3,
    "cochrane/citation-file-formatting_baseline_cochrane_refman.ris": 3,
    "ebsco_ris/citation-file-formatting_baseline_cinahl.ris": 9,
    "ebsco_ris/citesource_crimjust_41.ris": 41,
    "ebsco_ris/citesource_econlit_3.ris": 3,
    "ebsco_ris/citesource_envindex_100.ris": 100,
    "ebsco_ris/citesource_psycinfo_64.ris": 64,
    "ebsco_ris/synthesisr_ASP_ris_example.ris": 4,
    "embase_ris/asreview_embase.ris": 6,
    "embase_ris/citation-file-formatting_baseline_embase.ris": 10,
    "eric/citation-file-formatting_baseline_eric_ovid.ris": 10,
    "eric/sysrev_ERIC_ebsco_1232020_crl_assessment.txt": 100,
    "ovid_ris/asreview_ovid_psycinfo.ris": 6,
    "ovid_ris/citation-file-formatting_baseline_psychInfo_ovid.ris": 10,
    "ovid_ris/synthesisr_Ovid_ris_example.ris": 4,
    "ovid_ris/sysrev_ovidweb.ris": 3,
    "proquest/asreview_proquest.ris": 6,
    "proquest/colrev_abi_inform_proquest_ris.ris": 2,
    "refmanager_ris/asreview_pubmed_endnote.txt": 6,
    "refmanager_ris/asreview_pubmed_zotero.ris": 6,
    "refmanager_ris/asreview_ris_issue_992_rayyan.txt": 19,
    "refmanager_ris/citesource_pubmed_46_zotero.ris": 46,
    "refmanager_ris/sysrev_endnoteonline.ris": 14,
    "scopus_ris/asreview_ris_issue_1099.txt": 7,
    "scopus_ris/asreview_scopus.ris": 6,
    "scopus_ris/asysd_scopus.ris": 10,
    "scopus_ris/citation-file-formatting_baseline_scopus.ris": 10,
    "scopus_ris/revtools_restoration_scopus.ris": 286,
    "scopus_ris/synthesisr_Scopus_ris_example.ris": 3,
    "scopus_ris/synthesisr_extdata_scopus.ris": 92,
    "wos_ris/asreview_web_of_science.txt": 10,
    "wos_ris/asysd_wos_test.ris": 50,
    "wos_ris/citation-file-formatting_baseline_webofscience.ris": 10,
    "wos_ris/sysrev_ufeff.ris": 2,
}


def read_shared(path: str) -> tuple[list[Citation], list]:
    decoded, _, _ = text.decode(shared_file("exports", path).read_bytes())
    assert ris.sniff(decoded)
    return ris.parse(decoded)


@requires_shared_data
@pytest.mark.shared_data
@pytest.mark.parametrize(("path", "count"), sorted(CORPUS.items()))
def test_corpus_record_counts(path: str, count: int) -> None:
    citations, warnings = read_shared(path)
    assert len(citations) == count
    assert warnings == []
    assert all(c.raw.startswith("TY") and c.line >= 1 for c in citations)
    assert all(c.title for c in citations)


@requires_shared_data
@pytest.mark.shared_data
def test_corpus_spot_checks() -> None:
    embase = read_shared("embase_ris/citation-file-formatting_baseline_embase.ris")[0][0]
    assert (embase.pmid, embase.accession) == ("38773066", "L2029880245")
    assert embase.doi == "10.1038/s41467-024-48400-3"

    with_bom = read_shared("embase_ris/asreview_embase.ris")[0][0]
    assert (with_bom.line, with_bom.accession) == (1, "L373791783")

    cinahl = read_shared("ebsco_ris/citation-file-formatting_baseline_cinahl.ris")[0][0]
    assert (cinahl.doi, cinahl.accession) == ("10.1371/journal.pone.0298242", "176404503")

    psycinfo = read_shared("ebsco_ris/citesource_psycinfo_64.ris")[0]
    assert (psycinfo[1].accession, psycinfo[1].pmid) == ("2020-98025-001", "33343428")

    scopus = read_shared("scopus_ris/asreview_ris_issue_1099.txt")[0][1]
    assert (scopus.accession, scopus.line) == ("2-s2.0-85094123996", 31)
    assert scopus.issn == ["1865-0929"]

    wos = read_shared("wos_ris/asreview_web_of_science.txt")[0][0]
    assert (wos.accession, wos.doi) == ("WOS:000444108200009", "10.1016/j.jarmac.2018.03.001")
    mixed_line_ends = read_shared("wos_ris/asysd_wos_test.ris")[0][0]
    assert mixed_line_ends.accession == "WOS:000082252000006"

    cochrane = read_shared("cochrane/citation-file-formatting_baseline_cochrane_refman.ris")[0]
    assert (cochrane[0].accession, cochrane[0].line) == ("CN-00778158", 5)
    assert cochrane[0].pmid == "21314913"

    apa = read_shared("apa_psycnet_ris/colrev_psycinfo_ris.ris")[0][0]
    assert (apa.pmid, apa.accession, apa.doi) == (
        "33355555",
        "2020-55555-005",
        "10.1011/hea0004444",
    )

    ovid = read_shared("ovid_ris/sysrev_ovidweb.ris")[0][0]
    assert (ovid.pmid, ovid.doi, ovid.line) == ("35634081", "10.1155/2022/1947504", 2)
    ovid_psycinfo = read_shared("ovid_ris/asreview_ovid_psycinfo.ris")[0][0]
    assert ovid_psycinfo.journal_abbrev == "Clin Psychol Psychother"

    eric_ovid = read_shared("eric/citation-file-formatting_baseline_eric_ovid.ris")[0][0]
    assert (eric_ovid.accession, eric_ovid.source_database) == ("EJ389705", "ERIC")
    eric_endnote = read_shared("eric/sysrev_ERIC_ebsco_1232020_crl_assessment.txt")[0][0]
    assert (eric_endnote.accession, eric_endnote.line) == ("EJ898011", 5)

    proquest = read_shared("proquest/asreview_proquest.ris")[0][0]
    assert (proquest.accession, proquest.doi) == ("2214991469", "10.1002/jts.22387")

    rayyan = read_shared("refmanager_ris/asreview_ris_issue_992_rayyan.txt")[0][0]
    assert len(rayyan.keywords) == 13
    endnote = read_shared("refmanager_ris/sysrev_endnoteonline.ris")[0][0]
    assert (endnote.accession, endnote.pmid) == ("31124079", "31124079")
