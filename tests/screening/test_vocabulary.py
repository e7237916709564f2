"""The vocabulary (screening/vocabulary.py): each code's label written once, read by models,
templates and code alike."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from screening import models, vocabulary
from screening.context_processors import vocabulary as vocabulary_context
from screening.vocabulary import Role, Stage, Status


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("title_abstract", "Title and abstract"),
        ("full_text", "Full text"),
        ("awaiting_report", "Awaiting full text"),
        ("not_retrieved", "Not retrieved"),
        ("include", "Include"),
        ("rapid", "Rapid"),
        ("lead", "Lead"),
        ("admin", "Admin"),
        ("something else", "something else"),
    ],
)
def test_label_reads_any_code_in_the_reviewers_words(code: str, expected: str) -> None:
    assert vocabulary.label(code) == expected


def test_a_code_stays_the_string_the_database_stores() -> None:
    assert Stage.FULL_TEXT == "full_text"
    assert Stage("full_text") is Stage.FULL_TEXT
    assert str(Status.NOT_RETRIEVED) == "not_retrieved"
    assert Stage.FULL_TEXT.label == "Full text"
    assert Status.labels()["awaiting_report"] == "Awaiting full text"


def test_roles_nest_in_the_order_they_are_declared() -> None:
    assert [r.rank for r in Role] == [1, 2, 3]
    assert Role.ADMIN.rank > Role.LEAD.rank > Role.REVIEWER.rank


def test_the_membership_role_is_the_vocabularys() -> None:
    assert models.Role.choices == Role.choices()
    assert [models.Role.rank(r) for r in models.Role] == [1, 2, 3]


def test_every_page_gets_the_labels() -> None:
    context = vocabulary_context(RequestFactory().get("/"))
    template = Template("{{ vocabulary.stage_labels.full_text }}/{{ vocabulary.role_labels.lead }}")
    assert template.render(Context(context)) == "Full text/Lead"


def test_the_label_filter_shows_a_code_in_words() -> None:
    template = Template("{% load vocabulary %}{{ stage|label }}, {{ status|label }}, {{ n|label }}")
    rendered = template.render(Context({"stage": "title_abstract", "status": "conflict", "n": 3}))
    assert rendered == "Title and abstract, Conflict, 3"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("full_text", Stage.FULL_TEXT),
        ("title_abstract", Stage.TITLE_ABSTRACT),
        ("Full text", None),
        ("", None),
        (None, None),
        (["full_text"], None),
    ],
)
def test_parse_reads_a_code_and_nothing_else(value: object, expected: Stage | None) -> None:
    assert Stage.parse(value) is expected


def test_parse_falls_back_to_the_default_given() -> None:
    assert Stage.parse("tampered", default=Stage.TITLE_ABSTRACT) is Stage.TITLE_ABSTRACT
    assert Stage.parse("tampered", default="") == ""
    assert Status.parse("conflict", default="") is Status.CONFLICT


def test_a_stage_has_its_words_for_a_sentence_and_for_an_export_column() -> None:
    assert [s.in_sentence for s in Stage] == ["title/abstract", "full text"]
    assert [s.short_label for s in Stage] == ["TA", "FT"]
    assert Stage.codes() == ("title_abstract", "full_text")
