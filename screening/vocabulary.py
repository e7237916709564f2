"""The words of a review: stages, statuses, votes, decisions, review types and roles, each code
with the label people read. The one place they are spelt. Pure: standard library only.

Codes are what the database stores and the API sends, so they never change; labels are what pages,
exports and messages show, so a wording changes here and everywhere at once. Models build their
choices from these (a label that changes there is a migration, so check `makemigrations`), and
templates read them through `screening.context_processors.vocabulary` and `{{ code|label }}`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self, TypeVar

_Default = TypeVar("_Default")


class Word(StrEnum):
    """A code, stored and sent as it is, with its label. Written `CODE = "code", "Label"`, the way
    Django's TextChoices are, so that a code and its label stand on one line."""

    _label_: str

    def __new__(cls, value: str, label: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member._label_ = label
        return member

    @property
    def label(self) -> str:
        return self._label_

    @classmethod
    def labels(cls) -> dict[str, str]:
        """Each code's label, in the order the codes are declared."""
        return {member.value: member.label for member in cls}

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(code, label) pairs, for a form's or a model field's `choices`."""
        return [(member.value, member.label) for member in cls]

    @classmethod
    def codes(cls) -> tuple[str, ...]:
        """The codes, in the order they are declared (an API schema's enum, say)."""
        return tuple(member.value for member in cls)

    @classmethod
    def parse(cls, value: object, default: _Default = None) -> Self | _Default:
        """The word a request names, or `default` when it names none of ours.

        The one check of a code that came from outside: a page falls back to its default, the
        API and the services refuse with their own message when this gives None.
        """
        if not isinstance(value, str):
            return default
        try:
            return cls(value)
        except ValueError:
            return default


class Stage(Word):
    """A stage of screening. Beside its label, two more ways it is written: `in_sentence` where a
    sentence names it ("reviewer_a at title/abstract"), and `short_label` as the prefix of the
    decision exports' columns ("TA reviewer_a vote"), short, and kept for the scripts that read
    those files."""

    _in_sentence_: str
    _short_label_: str

    TITLE_ABSTRACT = "title_abstract", "Title and abstract", "title/abstract", "TA"
    FULL_TEXT = "full_text", "Full text", "full text", "FT"

    def __new__(cls, value: str, label: str, in_sentence: str, short_label: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member._label_ = label
        member._in_sentence_ = in_sentence
        member._short_label_ = short_label
        return member

    @property
    def in_sentence(self) -> str:
        return self._in_sentence_

    @property
    def short_label(self) -> str:
        return self._short_label_


class VoteChoice(Word):
    INCLUDE = "include", "Include"
    EXCLUDE = "exclude", "Exclude"
    MAYBE = "maybe", "Maybe"


class Decision(Word):
    """A lead's resolution of a conflict: no `maybe`, a conflict is settled one way."""

    INCLUDE = "include", "Include"
    EXCLUDE = "exclude", "Exclude"


class Status(Word):
    """A reference's state at a stage, derived from its votes, resolution and report (workflow.py)."""

    PENDING = "pending", "Pending"
    CONFLICT = "conflict", "Conflict"
    INCLUDED = "included", "Included"
    EXCLUDED = "excluded", "Excluded"
    AWAITING_REPORT = "awaiting_report", "Awaiting full text"
    NOT_RETRIEVED = "not_retrieved", "Not retrieved"


class Order(Word):
    """The order a reviewer meets the references still to screen at a stage, set by the lead."""

    IMPORT = "import", "Import order"
    RANKED = "ranked", "Ranked by relevance"
    RANDOM = "random", "Random order"


class ReviewType(Word):
    SYSTEMATIC = "systematic", "Systematic"
    RAPID = "rapid", "Rapid"
    SCOPING = "scoping", "Scoping"


class Role(Word):
    """A member's role in a project, declared in the order they nest."""

    REVIEWER = "reviewer", "Reviewer"
    LEAD = "lead", "Lead"
    ADMIN = "admin", "Admin"

    @property
    def rank(self) -> int:
        """Roles nest: an admin may do what a lead may, a lead what a reviewer may."""
        return type(self)._member_names_.index(self.name) + 1


WORDS: tuple[type[Word], ...] = (Stage, Status, VoteChoice, Decision, Order, ReviewType, Role)
# Codes are unique across the words but for `include`/`exclude`, a vote and a decision alike,
# which read the same either way; so one code has one label, whatever word it belongs to.
_LABELS: dict[str, str] = {code: text for word in WORDS for code, text in word.labels().items()}


def label(value: str) -> str:
    """The label of any code above (`full_text` -> "Full text"); anything else comes back as is."""
    return _LABELS.get(value, value)
