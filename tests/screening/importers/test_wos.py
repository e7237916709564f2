"""Web of Science tagged reader: own fixtures for each layout and quirk, then the real exports."""

from __future__ import annotations

import re

import pytest

from screening.importers import wos
from screening.importers.text import decode
from tests.shared_data import requires_shared_data, shared_file

CORE = """FN Clarivate Analytics Web of Science
VR 1.0
PT J
AU Moss, A
   Fern, BC
AF Moss, Alder
   Fern, Bracken C.
TI Lichen cover on north-facing walls of old
   churchyards
SO JOURNAL OF WALL ECOLOGY
LA English
DT Article
DE wall lichens; churchyards;
   microclimate
ID GROWTH-RATES; SUBSTRATE
C1 [Moss, Alder] Univ Somewhere, Dept Plants, Town, England.
   [Fern, Bracken C.] Other Univ, Lab Stones, City, Wales.
CR Stone A, 1990, WALL J, V1, P2
   Slate B, 1991, ROOF J, V3, P4
AB Lichens were counted on forty walls. Cover rose with
   wall age and fell with sunlight.
SN 1234-5678
EI 2345-6789
J9 J WALL ECOL
JI J. Wall Ecol.
PD MAR
PY 2019
VL 12
IS 3
BP 221
EP 230
DI 10.9999/JWE.2019.12.221
PM 31234567
UT WOS:000111222333444
ER

PT B
AU Reed, C
TI A field guide to roof mosses
SO FIELD GUIDES SERIES
BN 978-0-306-40615-7
PY 2001
UT WOS:000999888777666
ER

EF
"""


def test_core_record_fields() -> None:
    citations, warnings = wos.parse(CORE)
    assert warnings == []
    assert len(citations) == 2
    first = citations[0]
    assert first.line == 3
    assert first.title == "Lichen cover on north-facing walls of old churchyards"
    assert [a.display() for a in first.authors] == ["Moss, Alder", "Fern, Bracken C."]
    assert first.journal == "JOURNAL OF WALL ECOLOGY"
    assert first.journal_abbrev == "J. Wall Ecol."
    assert (first.year, first.volume, first.issue) == (2019, "12", "3")
    assert (first.pages, first.start_page, first.end_page) == ("221-230", "221", "230")
    assert first.doi == "10.9999/jwe.2019.12.221"
    assert first.pmid == "31234567"
    assert first.accession == "WOS:000111222333444"
    assert first.issn == ["1234-5678", "2345-6789"]
    assert first.keywords == [
        "wall lichens",
        "churchyards",
        "microclimate",
        "GROWTH-RATES",
        "SUBSTRATE",
    ]
    assert first.abstract == (
        "Lichens were counted on forty walls. Cover rose with wall age and fell with sunlight."
    )
    assert first.language == "English"
    assert first.publication_type == "Article"
    assert first.source_database == "Web of Science Core Collection"


def test_list_tags_keep_one_value_per_line_and_others_are_joined() -> None:
    first = wos.parse(CORE)[0][0]
    assert first.fields["AU"] == ["Moss, A", "Fern, BC"]
    assert len(first.fields["C1"]) == 2
    assert first.fields["CR"] == ["Stone A, 1990, WALL J, V1, P2", "Slate B, 1991, ROOF J, V3, P4"]
    assert first.fields["TI"] == ["Lichen cover on north-facing walls of old churchyards"]


def test_raw_is_the_record_as_read() -> None:
    first, second = wos.parse(CORE)[0]
    assert first.raw.startswith("PT J\nAU Moss, A\n   Fern, BC\n")
    assert first.raw.endswith("UT WOS:000111222333444\nER")
    assert second.line == CORE.split("\n").index("PT B") + 1


def test_raw_keeps_trailing_spaces_as_read() -> None:
    (citation,) = wos.parse("PT J \nAU Moss, A \nTI Walls\nER\n")[0]
    assert citation.raw == "PT J \nAU Moss, A \nTI Walls\nER"
    assert citation.fields["AU"] == ["Moss, A"]


def test_book_record_falls_back_to_au_and_reads_isbn() -> None:
    book = wos.parse(CORE)[0][1]
    assert [a.display() for a in book.authors] == ["Reed, C"]
    assert book.isbn == ["9780306406157"]
    assert book.publication_type == "Book"
    assert book.year == 2001


ZOOREC = """FN Clarivate Analytics Web of Science
VR 1.0
PT J
AN ZOOR99900011122
DT Article
TI Burrow depth of a small desert
   beetle.
AU Sand, Dune Q. (dune.sand@example.org)
   Gravel, Pebble
SO Arid Fauna
VL 7
PY 2018
C1 Sand, Dune Q.; Desert Univ, Dept Insects, Dry Town,
   AZ, 85000, USA.
BD Ecology; Habitat; Soil
ST Animalia, Arthropoda, Insecta
TN Arthropods; Insects
OR Scarabaeus sp. (Scarabaeidae).
UR https://example.org/record/ZOOR99900011122
UT ZOOREC:ZOOR99900011122
ER

EF
"""


def test_zoological_record_tags_are_kept() -> None:
    citations, warnings = wos.parse(ZOOREC)
    assert warnings == []
    (record,) = citations
    assert record.accession == "ZOOREC:ZOOR99900011122"
    assert record.fields["AN"] == ["ZOOR99900011122"]
    assert record.source_database == "Zoological Record"
    assert [a.display() for a in record.authors] == ["Sand, Dune Q.", "Gravel, Pebble"]
    assert record.url == "https://example.org/record/ZOOR99900011122"
    assert record.keywords == ["Ecology", "Habitat", "Soil"]
    for tag in ("ST", "TN", "OR"):
        assert record.fields[tag]
    # The wrapped address (a line ending in a comma) stays one address.
    assert record.fields["C1"] == [
        "Sand, Dune Q.; Desert Univ, Dept Insects, Dry Town, AZ, 85000, USA."
    ]


def test_sniff_accepts_wos_layouts() -> None:
    assert wos.sniff(CORE)
    assert wos.sniff("\n\n" + ZOOREC)
    headless = "PT J\nAU Moss, A\nTI A title\nER\n"
    assert wos.sniff(headless)


@pytest.mark.parametrize(
    "text",
    [
        "TY  - JOUR\nAU  - Moss, A\nTI  - A title\nER  - \n",
        "PMID- 123\nTI  - A title\nPT  - Journal Article\n",
        "FN Clarivate\nTY  - JOUR\nER  - \n",
        "Just some notes\nabout lichens.\n",
    ],
)
def test_sniff_rejects_other_formats(text: str) -> None:
    assert not wos.sniff(text)


def test_a_record_cut_off_at_the_end_is_kept_with_a_warning_naming_its_line() -> None:
    cut = CORE[: CORE.index("PY 2001")]
    citations, warnings = wos.parse(cut)
    assert len(citations) == 2
    assert citations[1].line == cut.split("\n").index("PT B") + 1
    assert [(w.line, w.field) for w in warnings] == [(citations[1].line, "ER")]


def test_end_of_file_marker_closes_a_record_missing_its_er() -> None:
    citations, warnings = wos.parse("FN x\nVR 1.0\nPT J\nTI Whole record\nEF\n")
    assert citations[0].title == "Whole record"
    assert citations[0].raw == "PT J\nTI Whole record"
    assert [(w.line, w.field) for w in warnings] == [(3, "ER")]


def test_a_line_with_no_known_tag_continues_the_field_above_indented_or_not() -> None:
    text = CORE.replace("SO JOURNAL OF WALL ECOLOGY\n", "SO JOURNAL OF WALL\nECOLOGY AND MOSSES\n")
    citations, warnings = wos.parse(text)
    assert len(citations) == 2
    assert citations[0].journal == "JOURNAL OF WALL ECOLOGY AND MOSSES"
    assert warnings == []


def test_an_untagged_line_with_no_field_above_it_is_a_warning() -> None:
    citations, warnings = wos.parse("PT J\n!!!\nTI A title\nER\n")
    assert citations[0].title == "A title"
    assert [w.line for w in warnings] == [2]


def test_tag_glued_to_its_value_is_repaired() -> None:
    text = "PT J\nAUGilles, H\n   Girard, S\nTI Beams\nER\n"
    citations, warnings = wos.parse(text)
    assert [a.family for a in citations[0].authors] == ["Gilles", "Girard"]
    assert warnings[0].line == 2
    assert "no space" in warnings[0].message


def test_noise_outside_records_is_skipped_with_a_warning() -> None:
    text = "Exported for the review team\n" + CORE + "Printed on a Tuesday\n"
    citations, warnings = wos.parse(text)
    assert len(citations) == 2
    assert [w.line for w in warnings] == [1, len(text.split("\n")) - 1]


def test_missing_er_before_the_next_record_closes_it_with_a_warning() -> None:
    text = "PT J\nTI First\nPT J\nTI Second\nER\n"
    citations, warnings = wos.parse(text)
    assert [c.title for c in citations] == ["First", "Second"]
    assert warnings[0].line == 1
    assert warnings[0].field == "ER"


def test_two_exports_pasted_together() -> None:
    citations, warnings = wos.parse(CORE + "\n" + ZOOREC)
    assert len(citations) == 3
    assert warnings == []


def test_pt_code_maps_to_a_type_when_dt_is_absent() -> None:
    citation = wos.parse("PT J\nTI A title\nER\n")[0][0]
    assert citation.publication_type == "Journal"


# ---------------------------------------------------------------------------------------------
# Real exports in ../shared/data/exports/wos_tagged (counts from the README's file table)
# ---------------------------------------------------------------------------------------------

EXPECTED_COUNTS = {
    "metaknowledge_testFile.isi": 34,
    "revtools_restoration_WoS.ciw": 247,
    "rispy_example_wos.ris": 2,
    "synthesisr_WoS_ciw_example.ciw": 5,
    "synthesisr_WoS_txt_example.txt": 4,
    "synthesisr_zoorec.txt": 134,
}


def _read(name: str) -> str:
    text, _encoding, _warnings = decode(shared_file("exports", "wos_tagged", name).read_bytes())
    return text


@requires_shared_data
@pytest.mark.shared_data
def test_readme_counts_match_this_table() -> None:
    readme = shared_file("exports", "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `wos_tagged/([^`]+)` \|[^|]*\|[^|]*\| (\d+) \|", readme, re.MULTILINE)
    assert {name: int(count) for name, count in rows} == EXPECTED_COUNTS


@requires_shared_data
@pytest.mark.shared_data
@pytest.mark.parametrize(("name", "count"), sorted(EXPECTED_COUNTS.items()))
def test_real_export_record_count(name: str, count: int) -> None:
    text = _read(name)
    assert wos.sniff(text)
    citations, _warnings = wos.parse(text)
    assert len(citations) == count
    assert all(c.title and c.authors for c in citations)
    # One record of the ISI test file was exported without its UT line.
    assert sum(not c.accession for c in citations) <= 1


@requires_shared_data
@pytest.mark.shared_data
def test_real_revtools_first_record() -> None:
    first = wos.parse(_read("revtools_restoration_WoS.ciw"))[0][0]
    assert first.title.startswith("Do magnetic phosphorus adsorbents used for lake restoration")
    assert first.authors[0].family == "Alvarez-Manzaneda"
    assert len(first.authors) == 6
    assert first.doi == "10.1016/j.scitotenv.2018.11.375"
    assert first.accession == "WOS:000455039600059"
    assert first.pmid == "30529964"
    assert first.year == 2019


@requires_shared_data
@pytest.mark.shared_data
def test_real_tagged_file_named_ris() -> None:
    first = wos.parse(_read("rispy_example_wos.ris"))[0][0]
    assert first.title == (
        "Interactions stabilizing the structure of the core light-harvesting complex (LHl) of "
        "photosynthetic bacteria and its subunit (B820)"
    )
    assert first.doi == "10.1021/bi049798f"
    assert first.pmid == "15170338"
    assert first.accession == "WOS:000221807500019"
    assert first.journal_abbrev == "Biochemistry"


@requires_shared_data
@pytest.mark.shared_data
def test_real_isi_file_repairs_its_glued_author_tag() -> None:
    citations, warnings = wos.parse(_read("metaknowledge_testFile.isi"))
    assert [(w.line, w.field) for w in warnings] == [(416, "")]
    assert any(c.authors and c.authors[0].family == "Gilles" for c in citations)


@requires_shared_data
@pytest.mark.shared_data
def test_real_zoological_record_file() -> None:
    citations, warnings = wos.parse(_read("synthesisr_zoorec.txt"))
    first = citations[0]
    assert warnings == []
    assert first.fields["AN"] == ["ZOOR15512090342"]
    assert first.accession == "ZOOREC:ZOOR15512090342"
    assert first.source_database == "Zoological Record"
    assert first.authors[0].display() == "Stillman, Andrew N."
    assert (
        first.title
        == "Nest site selection and nest survival of Black-backed Woodpeckers after wildfire."
    )
    assert {"BD", "ST", "TN", "OR"} <= set(first.fields)


@requires_shared_data
@pytest.mark.shared_data
def test_real_synthesisr_ciw_first_record() -> None:
    first = wos.parse(_read("synthesisr_WoS_ciw_example.ciw"))[0][0]
    assert first.doi == "10.1080/20964129.2020.1722034"
    assert [a.family for a in first.authors][:2] == ["Li", "Dou"]
    assert first.issn == ["2096-4129", "2332-8878"]


def test_page_span_gives_the_pages_when_begin_and_end_pages_are_absent() -> None:
    [citation] = wos.parse("PT J\nTI T\nPS 123-30\nER\n")[0]
    assert (citation.pages, citation.start_page, citation.end_page) == ("123-130", "123", "130")
    [both] = wos.parse("PT J\nTI T\nBP 5\nEP 9\nPS 123-130\nER\n")[0]
    assert both.pages == "5-9"


def test_several_authors_on_one_line_between_semicolons_are_split() -> None:
    [citation] = wos.parse("PT J\nAF Smith, John; Jones, Ann\n   Brown, Bo\nAU Smith, J\nER\n")[0]
    assert [a.display() for a in citation.authors] == ["Smith, John", "Jones, Ann", "Brown, Bo"]


def test_group_authors_stay_whole_after_the_people_and_book_editors_are_editors() -> None:
    source = "PT B\nAU Smith, J\nCA World Health Organization\nBE Editor, Ann; Other, Bo\nER\n"
    [citation] = wos.parse(source)[0]
    assert [(a.family, a.given) for a in citation.authors] == [
        ("Smith", "J"),
        ("World Health Organization", ""),
    ]
    assert [(a.family, a.role) for a in citation.editors] == [
        ("Editor", "editor"),
        ("Other", "editor"),
    ]
