"""The extraction codebook: parsing, value checks, two-extractor agreement and Table 2."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extraction.coding import (
    FIELD_TYPES,
    CodingError,
    ExtractionAgreement,
    FieldSpec,
    agreement,
    changed_fields,
    clean_value,
    clean_values,
    parse_codebook,
    same_value,
    summary,
)

TITLE = FieldSpec("Country", "text")
SAMPLE = FieldSpec("Sample size", "number")
BLINDED = FieldSpec("Blinded", "boolean")
DESIGN = FieldSpec("Design", "choice", ("RCT", "Cohort", "Case series"))
OUTCOMES = FieldSpec("Outcomes", "multichoice", ("Mortality", "Pain", "Function"))
CODEBOOK = [TITLE, SAMPLE, BLINDED, DESIGN, OUTCOMES]


# --- parse_codebook ----------------------------------------------------------------------------


def test_parse_codebook_strips_and_keeps_order() -> None:
    fields = parse_codebook(
        [
            {"name": " Design ", "type": " choice", "choices": [" RCT", "Cohort "], "help": " x "},
            {"name": "Sample size", "type": "number", "choices": [], "section": " Methods "},
            {"name": "Notes", "type": "text", "help": None},
        ]
    )
    assert fields == [
        FieldSpec("Design", "choice", ("RCT", "Cohort"), help="x"),
        FieldSpec("Sample size", "number", section="Methods"),
        FieldSpec("Notes", "text"),
    ]


def test_parse_codebook_accepts_every_field_type() -> None:
    raw = [
        {"name": kind, "type": kind, **({"choices": ["a", "b"]} if "choice" in kind else {})}
        for kind in FIELD_TYPES
    ]
    assert [field.type for field in parse_codebook(raw)] == list(FIELD_TYPES)


def test_parse_codebook_names_the_allowed_field_types() -> None:
    raw = [{"name": f"F{i}", "type": "text"} for i in range(3)] + [{"name": "D", "type": "date"}]
    with pytest.raises(CodingError) as caught:
        parse_codebook(raw)
    assert caught.value.field == "fields[3].type"
    assert caught.value.message == (
        "fields[3].type: 'date' is not a field type; use text, number, boolean, choice or "
        "multichoice."
    )
    assert str(caught.value) == caught.value.message
    assert isinstance(caught.value, ValueError)


CHOICE = {"name": "Design", "type": "choice"}

CODEBOOK_ERRORS = [
    pytest.param({"name": "A"}, "fields", "a list of fields", id="not-a-list"),
    pytest.param([], "fields", "at least one field", id="empty"),
    pytest.param(["Design"], "fields[0]", "an object", id="entry-not-a-dict"),
    pytest.param(
        [{"name": "A", "type": "text", "format": "x"}],
        "fields[0].format",
        "'format' is not a codebook key; use name, type, choices, help or section",
        id="unknown-key",
    ),
    pytest.param([{"type": "text"}], "fields[0].name", "missing", id="name-missing"),
    pytest.param([{"name": 3, "type": "text"}], "fields[0].name", "expects text", id="name-int"),
    pytest.param([{"name": "  ", "type": "text"}], "fields[0].name", "cannot be empty", id="blank"),
    pytest.param(
        [{"name": "Sample size", "type": "text"}, {"name": " sample SIZE", "type": "number"}],
        "fields[1].name",
        "'sample SIZE' is already used by fields[0]",
        id="duplicate-name-ignoring-case",
    ),
    pytest.param([{"name": "A"}], "fields[0].type", "missing; use text, number", id="no-type"),
    pytest.param(
        [{"name": "A", "type": 5}], "fields[0].type", "5 is not a field type", id="type-int"
    ),
    pytest.param(
        [{"name": "A", "type": "Choice", "choices": ["a", "b"]}],
        "fields[0].type",
        "'Choice' is not a field type",
        id="type-is-case-sensitive",
    ),
    pytest.param([CHOICE], "fields[0].choices", "needs at least 2 options, got 0", id="none"),
    pytest.param([{**CHOICE, "choices": ["RCT"]}], "fields[0].choices", "got 1", id="one-choice"),
    pytest.param(
        [{"name": "O", "type": "multichoice", "choices": ["Pain"]}],
        "fields[0].choices",
        "a multichoice field needs at least 2 options",
        id="one-multichoice",
    ),
    pytest.param(
        [{**CHOICE, "choices": "RCT, Cohort"}],
        "fields[0].choices",
        "expects a list of options",
        id="choices-string",
    ),
    pytest.param(
        [{**CHOICE, "choices": ["RCT", " RCT "]}],
        "fields[0].choices[1]",
        "'RCT' is listed twice",
        id="duplicate-after-strip",
    ),
    pytest.param(
        [{**CHOICE, "choices": ["RCT", "  "]}],
        "fields[0].choices[1]",
        "cannot be empty",
        id="blank-choice",
    ),
    pytest.param(
        [{**CHOICE, "choices": [1, 2]}], "fields[0].choices[0]", "expects text", id="int-choice"
    ),
    pytest.param(
        [{**CHOICE, "choices": ["RCT", "not reported"]}],
        "fields[0].choices[1]",
        "is reserved",
        id="reserved-choice",
    ),
    pytest.param(
        [{"name": "N", "type": "number", "choices": ["a", "b"]}],
        "fields[0].choices",
        "only choice and multichoice fields have choices",
        id="choices-on-number",
    ),
    pytest.param(
        [{"name": "N", "type": "text", "help": 3}], "fields[0].help", "expects text", id="help"
    ),
    pytest.param(
        [{"name": "N", "type": "text", "section": ["Methods"]}],
        "fields[0].section",
        "expects text",
        id="section",
    ),
]


@pytest.mark.parametrize(("raw", "field", "fragment"), CODEBOOK_ERRORS)
def test_parse_codebook_errors(raw: object, field: str, fragment: str) -> None:
    with pytest.raises(CodingError) as caught:
        parse_codebook(raw)
    assert caught.value.field == field
    assert fragment in caught.value.message
    assert caught.value.message.startswith(f"{field}: ")


# --- clean_value -------------------------------------------------------------------------------

ACCEPTED = [
    pytest.param(TITLE, "  Kenya ", "Kenya", id="text-stripped"),
    pytest.param(TITLE, "   ", None, id="text-whitespace-is-missing"),
    pytest.param(TITLE, "", None, id="text-empty-is-missing"),
    pytest.param(SAMPLE, 12, 12, id="number-int"),
    pytest.param(SAMPLE, -0.5, -0.5, id="number-float"),
    pytest.param(BLINDED, True, True, id="boolean-true"),
    pytest.param(BLINDED, False, False, id="boolean-false"),
    pytest.param(DESIGN, " Cohort ", "Cohort", id="choice-stripped"),
    pytest.param(OUTCOMES, ["Function", " Mortality"], ["Mortality", "Function"], id="order"),
    pytest.param(OUTCOMES, ["Pain", "Pain ", "Mortality"], ["Mortality", "Pain"], id="dups"),
    pytest.param(OUTCOMES, ("Pain",), ["Pain"], id="multichoice-tuple"),
    pytest.param(OUTCOMES, [], [], id="multichoice-none-of-these"),
] + [pytest.param(field, None, None, id=f"{field.type}-missing") for field in CODEBOOK]


@pytest.mark.parametrize(("field", "value", "expected"), ACCEPTED)
def test_clean_value_accepts(field: FieldSpec, value: object, expected: object) -> None:
    assert clean_value(field, value) == expected


def test_clean_value_keeps_int_valued_floats_as_floats() -> None:
    cleaned = clean_value(SAMPLE, 12.0)
    assert cleaned == 12.0
    assert type(cleaned) is float
    assert type(clean_value(SAMPLE, 12)) is int


REFUSED = [
    pytest.param(SAMPLE, True, "expects a number, got True", id="bool-as-number"),
    pytest.param(SAMPLE, "12", "expects a number, got '12'", id="numeric-string"),
    pytest.param(SAMPLE, math.nan, "expects a finite number, got nan", id="nan"),
    pytest.param(SAMPLE, math.inf, "expects a finite number", id="inf"),
    pytest.param(SAMPLE, -math.inf, "expects a finite number", id="minus-inf"),
    pytest.param(SAMPLE, [1], "expects a number", id="list-as-number"),
    pytest.param(BLINDED, 1, "expects true or false, got 1", id="one-as-boolean"),
    pytest.param(BLINDED, 0, "expects true or false, got 0", id="zero-as-boolean"),
    pytest.param(BLINDED, "yes", "expects true or false, got 'yes'", id="yes-as-boolean"),
    pytest.param(TITLE, 12, "expects text, got 12", id="int-as-text"),
    pytest.param(DESIGN, "rct", "got 'rct'", id="choice-is-case-sensitive"),
    pytest.param(DESIGN, "Other", "one of 'RCT', 'Cohort' or 'Case series'", id="unknown-choice"),
    pytest.param(DESIGN, ["RCT"], "one of 'RCT'", id="list-as-choice"),
    pytest.param(OUTCOMES, "Pain", "expects a list of options, got 'Pain'", id="string"),
    pytest.param(OUTCOMES, ["Pain", "Itch"], "got 'Itch'", id="unknown-multichoice"),
    pytest.param(OUTCOMES, [1], "one of 'Mortality', 'Pain' or 'Function', got 1", id="int"),
]


@pytest.mark.parametrize(("field", "value", "fragment"), REFUSED)
def test_clean_value_refuses(field: FieldSpec, value: object, fragment: str) -> None:
    with pytest.raises(CodingError) as caught:
        clean_value(field, value)
    assert caught.value.field == field.name
    assert caught.value.message.startswith(f"{field.name}: ")
    assert fragment in caught.value.message


def test_clean_value_message_in_full() -> None:
    with pytest.raises(CodingError, match=r"^Sample size: expects a number, got 'twelve'\.$"):
        clean_value(SAMPLE, "twelve")


def test_clean_value_refuses_a_field_of_unknown_type() -> None:
    with pytest.raises(CodingError, match="'date' is not a field type") as caught:
        clean_value(FieldSpec("Published", "date"), "2020")
    assert caught.value.field == "Published"


# --- clean_values ------------------------------------------------------------------------------


def test_clean_values_fills_every_field_in_codebook_order() -> None:
    cleaned = clean_values(CODEBOOK, {"Design": " RCT", "Country": "  ", "Outcomes": ["Pain"]})
    assert cleaned == {
        "Country": None,
        "Sample size": None,
        "Blinded": None,
        "Design": "RCT",
        "Outcomes": ["Pain"],
    }
    assert list(cleaned) == [field.name for field in CODEBOOK]


def test_clean_values_refuses_a_field_not_in_the_codebook() -> None:
    with pytest.raises(CodingError, match="is not in the codebook") as caught:
        clean_values(CODEBOOK, {"Design": "RCT", "design": "RCT"})
    assert caught.value.field == "design"


def test_clean_values_refuses_a_non_dict() -> None:
    with pytest.raises(CodingError, match="expects an object"):
        clean_values(CODEBOOK, [("Design", "RCT")])


def test_clean_values_reports_the_field_with_the_bad_value() -> None:
    with pytest.raises(CodingError) as caught:
        clean_values(CODEBOOK, {"Blinded": "no"})
    assert caught.value.field == "Blinded"


# --- same_value --------------------------------------------------------------------------------

SAME = [
    pytest.param(OUTCOMES, ["Pain", "Mortality"], ["Mortality", "Pain", "Pain"], True, id="set"),
    pytest.param(OUTCOMES, ["Pain"], ["Pain", "Function"], False, id="subset"),
    pytest.param(OUTCOMES, [], None, False, id="none-of-these-vs-missing"),
    pytest.param(OUTCOMES, [], [], True, id="both-none-of-these"),
    pytest.param(SAMPLE, 1, 1.0, True, id="int-vs-float"),
    pytest.param(SAMPLE, 1, 2, False, id="different-numbers"),
    pytest.param(SAMPLE, 0, None, False, id="zero-vs-missing"),
    pytest.param(SAMPLE, None, None, True, id="both-missing"),
    pytest.param(BLINDED, False, None, False, id="false-vs-missing"),
    pytest.param(TITLE, " Kenya", "Kenya ", True, id="text-stripped"),
    pytest.param(TITLE, "kenya", "Kenya", False, id="text-case"),
    pytest.param(TITLE, "  ", None, True, id="blank-is-missing"),
    pytest.param(DESIGN, "RCT", "Cohort", False, id="choice"),
]


@pytest.mark.parametrize(("field", "a", "b", "expected"), SAME)
def test_same_value(field: FieldSpec, a: object, b: object, expected: bool) -> None:
    assert same_value(field, a, b) is expected
    assert same_value(field, b, a) is expected


# --- agreement ---------------------------------------------------------------------------------

EIGHT = [
    FieldSpec("Country", "text"),
    FieldSpec("Sample size", "number"),
    FieldSpec("Blinded", "boolean"),
    FieldSpec("Design", "choice", ("RCT", "Cohort", "Case series")),
    FieldSpec("Outcomes", "multichoice", ("Mortality", "Pain", "Function")),
    FieldSpec("Follow-up (weeks)", "number"),
    FieldSpec("Funding", "choice", ("Industry", "Public", "None")),
    FieldSpec("Notes", "text"),
]


def test_agreement_worked_example_23_of_24() -> None:
    first = [
        {
            "Country": "Kenya",
            "Sample size": 120,
            "Blinded": True,
            "Design": "RCT",
            "Outcomes": ["Mortality", "Pain"],
            "Follow-up (weeks)": 12,
            "Funding": "Public",
            "Notes": None,
        },
        {
            "Country": "Brazil",
            "Sample size": 45,
            "Blinded": False,
            "Design": "Cohort",
            "Outcomes": [],
            "Follow-up (weeks)": None,
            "Funding": "Industry",
            "Notes": "pilot",
        },
        {
            "Country": "Chile",
            "Sample size": 80,
            "Blinded": None,
            "Design": "Case series",
            "Outcomes": ["Function"],
            "Follow-up (weeks)": 26.0,
            "Funding": None,
            "Notes": None,
        },
    ]
    second = [dict(values) for values in first]
    # Agreements that only look different: order of options, 26 vs 26.0.
    second[0]["Outcomes"] = ["Pain", "Mortality"]
    second[2]["Follow-up (weeks)"] = 26
    # The one disagreement: reference 2's design.
    second[1]["Design"] = "RCT"

    result = agreement(EIGHT, iter(list(zip(first, second, strict=True))))

    assert isinstance(result, ExtractionAgreement)
    assert (result.references, result.fields, result.agreeing, result.compared) == (3, 8, 23, 24)
    # 100 * 23 / 24 = 95.8333...
    assert result.percent_agreement == pytest.approx(95.8333, abs=1e-4)
    # Design agreed on 2 of 3 references: 100 * 2 / 3 = 66.6667.
    assert result.per_field["Design"] == pytest.approx(66.6667, abs=1e-4)
    assert list(result.per_field) == [field.name for field in EIGHT]
    assert all(result.per_field[field.name] == 100.0 for field in EIGHT if field.name != "Design")


def test_agreement_with_nothing_compared_is_none() -> None:
    result = agreement(EIGHT, [])
    assert result == ExtractionAgreement(
        references=0,
        fields=8,
        agreeing=0,
        compared=0,
        percent_agreement=None,
        per_field={field.name: None for field in EIGHT},
    )


def test_agreement_counts_a_missing_key_as_not_reported() -> None:
    result = agreement([SAMPLE, BLINDED], [({"Sample size": None}, {"Blinded": False})])
    # Sample size: None vs None agrees; Blinded: None vs False does not. 1 of 2 pairs.
    assert (result.agreeing, result.compared, result.percent_agreement) == (1, 2, 50.0)
    assert result.per_field == {"Sample size": 100.0, "Blinded": 0.0}


# --- summary (Table 2) -------------------------------------------------------------------------

FOUR_STUDIES = [
    {
        "Country": "Kenya",
        "Sample size": 120,
        "Blinded": True,
        "Design": "RCT",
        "Outcomes": ["Mortality", "Pain"],
    },
    {
        "Country": "Brazil",
        "Sample size": 45,
        "Blinded": False,
        "Design": "RCT",
        "Outcomes": ["Pain"],
    },
    {
        "Country": "Kenya",
        "Sample size": None,
        "Blinded": True,
        "Design": "Cohort",
        "Outcomes": [],
    },
    {
        "Country": None,
        "Sample size": 80,
        "Blinded": None,
        "Design": None,
        "Outcomes": None,
    },
]


def test_summary_of_four_studies_by_hand() -> None:
    # N = 4, so each study is 25.0 percent.
    # Country: Kenya 2 (50.0), Brazil 1 (25.0), not reported 1 (25.0).
    # Sample size: 120, 45, 80 reported -> n 3, min 45, median 80, max 120; 1 not reported.
    # Blinded: yes 2 (50.0), no 1 (25.0), not reported 1 (25.0).
    # Design: RCT 2 (50.0), Cohort 1 (25.0), Case series 0 (0.0), not reported 1 (25.0).
    # Outcomes: Mortality 1 (25.0), Pain 2 (50.0), Function 0 (0.0), not reported 1 (25.0);
    #   study 3's [] is "none of these": under no option and not "not reported".
    assert summary(CODEBOOK, FOUR_STUDIES) == {
        "studies": 4,
        "fields": {
            "Country": {
                "type": "text",
                "values": {
                    "Kenya": {"count": 2, "percent": 50.0},
                    "Brazil": {"count": 1, "percent": 25.0},
                    "not reported": {"count": 1, "percent": 25.0},
                },
            },
            "Sample size": {
                "type": "number",
                "n": 3,
                "min": 45,
                "median": 80,
                "max": 120,
                "not reported": 1,
            },
            "Blinded": {
                "type": "boolean",
                "values": {
                    "yes": {"count": 2, "percent": 50.0},
                    "no": {"count": 1, "percent": 25.0},
                    "not reported": {"count": 1, "percent": 25.0},
                },
            },
            "Design": {
                "type": "choice",
                "values": {
                    "RCT": {"count": 2, "percent": 50.0},
                    "Cohort": {"count": 1, "percent": 25.0},
                    "Case series": {"count": 0, "percent": 0.0},
                    "not reported": {"count": 1, "percent": 25.0},
                },
            },
            "Outcomes": {
                "type": "multichoice",
                "values": {
                    "Mortality": {"count": 1, "percent": 25.0},
                    "Pain": {"count": 2, "percent": 50.0},
                    "Function": {"count": 0, "percent": 0.0},
                    "not reported": {"count": 1, "percent": 25.0},
                },
            },
        },
    }


def test_summary_orders_rows() -> None:
    table = summary(CODEBOOK, FOUR_STUDIES)["fields"]
    assert isinstance(table, dict)
    assert list(table) == [field.name for field in CODEBOOK]
    assert list(table["Design"]["values"]) == ["RCT", "Cohort", "Case series", "not reported"]
    assert list(table["Outcomes"]["values"]) == ["Mortality", "Pain", "Function", "not reported"]
    assert list(table["Country"]["values"]) == ["Kenya", "Brazil", "not reported"]


def test_summary_text_ties_are_alphabetical_and_percents_rounded() -> None:
    studies = [{"Country": name} for name in ("Peru", "Chile", "Peru", "Angola", "Chile", "Fiji")]
    values = summary([TITLE], studies)["fields"]["Country"]["values"]
    # N = 6: 2 / 6 = 33.333... -> 33.33; 1 / 6 = 16.666... -> 16.67.
    assert list(values.items()) == [
        ("Chile", {"count": 2, "percent": 33.33}),
        ("Peru", {"count": 2, "percent": 33.33}),
        ("Angola", {"count": 1, "percent": 16.67}),
        ("Fiji", {"count": 1, "percent": 16.67}),
    ]


def test_summary_without_missing_values_has_no_not_reported_row() -> None:
    table = summary([BLINDED, DESIGN], [{"Blinded": False, "Design": "Cohort"}])["fields"]
    assert table == {
        "Blinded": {
            "type": "boolean",
            "values": {"yes": {"count": 0, "percent": 0.0}, "no": {"count": 1, "percent": 100.0}},
        },
        "Design": {
            "type": "choice",
            "values": {
                "RCT": {"count": 0, "percent": 0.0},
                "Cohort": {"count": 1, "percent": 100.0},
                "Case series": {"count": 0, "percent": 0.0},
            },
        },
    }


def test_summary_multichoice_percents_may_exceed_100_in_total() -> None:
    studies = [{"Outcomes": ["Mortality", "Pain", "Function"]}, {"Outcomes": ["Pain", "Pain"]}]
    values = summary([OUTCOMES], studies)["fields"]["Outcomes"]["values"]
    # Pain counted once per study: 2 of 2 = 100.0; Mortality and Function 1 of 2 = 50.0 each.
    assert values == {
        "Mortality": {"count": 1, "percent": 50.0},
        "Pain": {"count": 2, "percent": 100.0},
        "Function": {"count": 1, "percent": 50.0},
    }


def test_summary_of_no_studies() -> None:
    assert summary([SAMPLE, BLINDED, TITLE], []) == {
        "studies": 0,
        "fields": {
            "Sample size": {
                "type": "number",
                "n": 0,
                "min": None,
                "median": None,
                "max": None,
                "not reported": 0,
            },
            "Blinded": {
                "type": "boolean",
                "values": {
                    "yes": {"count": 0, "percent": None},
                    "no": {"count": 0, "percent": None},
                },
            },
            "Country": {"type": "text", "values": {}},
        },
    }


def test_summary_median_of_an_even_count() -> None:
    numbers = summary([SAMPLE], [{"Sample size": n} for n in (10, 40, 20, 35.5)])
    # Sorted 10, 20, 35.5, 40: median (20 + 35.5) / 2 = 27.75.
    assert numbers["fields"]["Sample size"] == {
        "type": "number",
        "n": 4,
        "min": 10,
        "median": 27.75,
        "max": 40,
        "not reported": 0,
    }


def test_summary_counts_the_text_not_reported_with_missing_values() -> None:
    studies = [{"Country": "not reported"}, {"Country": None}, {"Country": "Kenya"}]
    values = summary([TITLE], studies)["fields"]["Country"]["values"]
    assert values == {
        "Kenya": {"count": 1, "percent": 33.33},
        "not reported": {"count": 2, "percent": 66.67},
    }


def test_summary_refuses_a_value_the_codebook_does_not_allow() -> None:
    with pytest.raises(CodingError) as caught:
        summary([DESIGN], [{"Design": "Cross-sectional"}])
    assert caught.value.field == "Design"


# --- changed_fields ----------------------------------------------------------------------------

CHANGES = [
    pytest.param(
        CODEBOOK, [], ["Country", "Sample size", "Blinded", "Design", "Outcomes"], id="all"
    ),
    pytest.param(CODEBOOK, list(reversed(CODEBOOK)), [], id="reordered-fields"),
    pytest.param(
        [DESIGN],
        [FieldSpec("Design", "choice", ("Case series", "RCT", "Cohort"), help="new help")],
        [],
        id="choices-reordered-help-edited",
    ),
    pytest.param(
        [DESIGN],
        [FieldSpec("Design", "choice", ("RCT", "Cohort", "Case series", "Cross-sectional"))],
        [],
        id="option-added",
    ),
    pytest.param(
        [DESIGN], [FieldSpec("Design", "choice", ("RCT", "Cohort"))], ["Design"], id="option-lost"
    ),
    pytest.param(
        [OUTCOMES],
        [FieldSpec("Outcomes", "multichoice", ("Death", "Pain", "Function"))],
        ["Outcomes"],
        id="option-renamed",
    ),
    pytest.param(
        [DESIGN],
        [FieldSpec("Design", "multichoice", DESIGN.choices)],
        ["Design"],
        id="choice-to-multichoice",
    ),
    pytest.param([SAMPLE], [FieldSpec("Sample size", "text")], ["Sample size"], id="type"),
    pytest.param([SAMPLE], [FieldSpec("sample size", "number")], ["Sample size"], id="renamed"),
    pytest.param([SAMPLE], [SAMPLE, BLINDED], [], id="field-added"),
    pytest.param(
        [DESIGN, SAMPLE, OUTCOMES, BLINDED],
        [BLINDED, FieldSpec("Design", "choice", ("RCT", "Cohort"))],
        ["Design", "Sample size", "Outcomes"],
        id="old-order",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), CHANGES)
def test_changed_fields(old: list[FieldSpec], new: list[FieldSpec], expected: list[str]) -> None:
    assert changed_fields(old, new) == expected


# --- properties --------------------------------------------------------------------------------

OPTIONS = st.lists(st.sampled_from(OUTCOMES.choices), max_size=6)
PADDED = st.lists(
    st.tuples(st.sampled_from(OUTCOMES.choices), st.sampled_from(["", " ", "\t", "\n "])).map(
        lambda option: option[1] + option[0] + option[1]
    ),
    max_size=6,
)


@given(a=OPTIONS, b=OPTIONS, padded=PADDED)
def test_multichoice_properties(a: list[str], b: list[str], padded: list[str]) -> None:
    assert same_value(OUTCOMES, a, b) is (set(a) == set(b))
    for value in (a, b, padded):
        once = clean_value(OUTCOMES, value)
        assert clean_value(OUTCOMES, once) == once
        assert once == [
            option for option in OUTCOMES.choices if option in {v.strip() for v in value}
        ]
