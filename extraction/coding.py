"""Data extraction with a codebook: checking the codebook, checking values, agreement, Table 2.

A codebook is a list of fields. Each included study gets one value per field; None means the
study did not report it. Two extractors code a sample independently, their agreement is the
share of (reference, field) pairs on which they entered the same value, and the summary is the
review's "Table 2" of frequencies over the included studies.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

FIELD_TYPES = ("text", "number", "boolean", "choice", "multichoice")
CHOICE_TYPES = ("choice", "multichoice")
NOT_REPORTED = "not reported"
CODEBOOK_KEYS = ("name", "type", "choices", "help", "section")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of the codebook."""

    name: str
    type: str
    choices: tuple[str, ...] = ()
    help: str = ""
    section: str = ""


class CodingError(ValueError):
    """Bad codebook or bad values: `field` names where (e.g. "fields[2].choices" or a field name), `message` says what."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _shown(value: object) -> str:
    """A short repr of a value for an error message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _either(options: Iterable[str]) -> str:
    """'a, b or c'."""
    items = list(options)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


def _fail(where: str, what: str) -> CodingError:
    return CodingError(f"{where}: {what}", field=where)


# --- codebook ----------------------------------------------------------------------------------


def _optional_text(entry: Mapping[str, object], key: str, where: str) -> str:
    """An optional string key of a codebook entry, stripped; missing or null is ""."""
    value = entry.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _fail(f"{where}.{key}", f"expects text, got {_shown(value)}.")
    return value.strip()


def _parse_choices(entry: Mapping[str, object], type_: str, where: str) -> tuple[str, ...]:
    """The choices of a codebook entry, checked against its type."""
    raw = entry.get("choices")
    place = f"{where}.choices"
    if raw is None:
        raw = []
    if not isinstance(raw, list | tuple):
        raise _fail(place, f"expects a list of options, got {_shown(raw)}.")
    if type_ not in CHOICE_TYPES:
        if raw:
            raise _fail(place, f"only choice and multichoice fields have choices, not {type_}.")
        return ()
    choices: list[str] = []
    for index, option in enumerate(raw):
        option_place = f"{place}[{index}]"
        if not isinstance(option, str):
            raise _fail(option_place, f"expects text, got {_shown(option)}.")
        option = option.strip()
        if not option:
            raise _fail(option_place, "an option cannot be empty.")
        if option == NOT_REPORTED:
            raise _fail(
                option_place,
                f"{option!r} is reserved; leave the value empty to record it as not reported.",
            )
        if option in choices:
            raise _fail(option_place, f"{option!r} is listed twice.")
        choices.append(option)
    if len(choices) < 2:
        raise _fail(place, f"a {type_} field needs at least 2 options, got {len(choices)}.")
    return tuple(choices)


def parse_codebook(raw: object) -> list[FieldSpec]:
    """Check the "fields" of a request body and return the codebook."""
    if not isinstance(raw, list):
        raise _fail("fields", f"expects a list of fields, got {_shown(raw)}.")
    if not raw:
        raise _fail("fields", "the codebook needs at least one field.")
    fields: list[FieldSpec] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(raw):
        where = f"fields[{index}]"
        if not isinstance(entry, dict):
            raise _fail(where, f"expects an object with a name and a type, got {_shown(entry)}.")
        for key in entry:
            if key not in CODEBOOK_KEYS:
                raise _fail(
                    f"{where}.{key}",
                    f"{_shown(key)} is not a codebook key; use {_either(CODEBOOK_KEYS)}.",
                )

        name = entry.get("name")
        if not isinstance(name, str):
            what = "missing" if name is None else f"expects text, got {_shown(name)}"
            raise _fail(f"{where}.name", f"{what}; every field needs a name.")
        name = name.strip()
        if not name:
            raise _fail(f"{where}.name", "a field name cannot be empty.")
        if name.casefold() in seen:
            raise _fail(
                f"{where}.name",
                f"{name!r} is already used by fields[{seen[name.casefold()]}] "
                "(names are compared ignoring case).",
            )
        seen[name.casefold()] = index

        raw_type = entry.get("type")
        type_ = raw_type.strip() if isinstance(raw_type, str) else ""
        if type_ not in FIELD_TYPES:
            what = "missing" if raw_type is None else f"{_shown(raw_type)} is not a field type"
            raise _fail(f"{where}.type", f"{what}; use {_either(FIELD_TYPES)}.")

        fields.append(
            FieldSpec(
                name=name,
                type=type_,
                choices=_parse_choices(entry, type_, where),
                help=_optional_text(entry, "help", where),
                section=_optional_text(entry, "section", where),
            )
        )
    return fields


# --- values ------------------------------------------------------------------------------------


def _expects(field: FieldSpec, what: str, value: object) -> CodingError:
    return CodingError(f"{field.name}: expects {what}, got {_shown(value)}.", field=field.name)


def _choice(field: FieldSpec, value: object) -> str:
    """One option of a choice or multichoice field, stripped."""
    options = _either(repr(c) for c in field.choices)
    if not isinstance(value, str) or value.strip() not in field.choices:
        raise _expects(field, f"one of {options}", value)
    return value.strip()


def clean_value(field: FieldSpec, value: object) -> object:
    """Check one value against its field and return it in its stored form (None: not reported)."""
    if value is None:
        return None
    if field.type == "text":
        if not isinstance(value, str):
            raise _expects(field, "text", value)
        return value.strip() or None
    if field.type == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _expects(field, "a number", value)
        if isinstance(value, float) and not math.isfinite(value):
            raise _expects(field, "a finite number", value)
        return value
    if field.type == "boolean":
        if not isinstance(value, bool):
            raise _expects(field, "true or false", value)
        return value
    if field.type == "choice":
        return _choice(field, value)
    if field.type == "multichoice":
        if not isinstance(value, list | tuple):
            raise _expects(field, "a list of options", value)
        chosen = {_choice(field, option) for option in value}
        return [option for option in field.choices if option in chosen]
    raise CodingError(
        f"{field.name}: {field.type!r} is not a field type; use {_either(FIELD_TYPES)}.",
        field=field.name,
    )


def clean_values(fields: list[FieldSpec], values: object) -> dict[str, object]:
    """Check one study's values; every field of the codebook is in the result (None if missing)."""
    if not isinstance(values, Mapping):
        raise CodingError(f"values: expects an object, got {_shown(values)}.", field="values")
    names = {field.name for field in fields}
    for key in values:
        if key not in names:
            raise CodingError(f"{_shown(key)} is not in the codebook.", field=str(key))
    return {field.name: clean_value(field, values.get(field.name)) for field in fields}


def same_value(field: FieldSpec, a: object, b: object) -> bool:
    """Whether two extractors entered the same value (multichoice ignores order; 1 == 1.0)."""
    first, second = clean_value(field, a), clean_value(field, b)
    if isinstance(first, list) and isinstance(second, list):
        return set(first) == set(second)
    return first == second


# --- agreement ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExtractionAgreement:
    """How often two extractors agreed, over (reference, field) pairs and field by field."""

    references: int
    fields: int
    agreeing: int
    compared: int
    percent_agreement: float | None
    per_field: dict[str, float | None]


def agreement(
    fields: list[FieldSpec],
    pairs: Iterable[tuple[Mapping[str, object], Mapping[str, object]]],
) -> ExtractionAgreement:
    """Agreement between two extractors; each pair holds their values for one reference."""
    agreeing_by_field: Counter[str] = Counter()
    references = 0
    for first, second in pairs:
        references += 1
        for field in fields:
            if same_value(field, first.get(field.name), second.get(field.name)):
                agreeing_by_field[field.name] += 1
    agreeing = sum(agreeing_by_field.values())
    compared = references * len(fields)
    return ExtractionAgreement(
        references=references,
        fields=len(fields),
        agreeing=agreeing,
        compared=compared,
        percent_agreement=100 * agreeing / compared if compared else None,
        per_field={
            field.name: 100 * agreeing_by_field[field.name] / references if references else None
            for field in fields
        },
    )


# --- Table 2 -----------------------------------------------------------------------------------


def _percent(count: int, studies: int) -> float | None:
    return round(100 * count / studies, 2) if studies else None


def _frequencies(
    counts: Iterable[tuple[str, int]], not_reported: int, studies: int
) -> dict[str, dict[str, float | int | None]]:
    """Count and percent per value, then "not reported" when some study did not report it."""
    table = {
        value: {"count": count, "percent": _percent(count, studies)} for value, count in counts
    }
    if not_reported:
        table[NOT_REPORTED] = {"count": not_reported, "percent": _percent(not_reported, studies)}
    return table


def _summarise(field: FieldSpec, values: list[object], studies: int) -> dict[str, object]:
    """One field's rows of Table 2."""
    reported = [value for value in values if value is not None]
    missing = len(values) - len(reported)
    if field.type == "number":
        numbers = [value for value in reported if isinstance(value, int | float)]
        return {
            "type": "number",
            "n": len(numbers),
            "min": min(numbers) if numbers else None,
            "median": statistics.median(numbers) if numbers else None,
            "max": max(numbers) if numbers else None,
            NOT_REPORTED: missing,
        }
    counts: list[tuple[str, int]]
    if field.type == "boolean":
        yes = sum(value is True for value in reported)
        counts = [("yes", yes), ("no", len(reported) - yes)]
    elif field.type in CHOICE_TYPES:
        tally = Counter(
            option
            for value in reported
            for option in (value if isinstance(value, list) else [value])
        )
        counts = [(option, tally[option]) for option in field.choices]
    else:
        texts = Counter(str(value) for value in reported if value != NOT_REPORTED)
        missing += len(reported) - texts.total()
        counts = sorted(texts.items(), key=lambda item: (-item[1], item[0]))
    return {"type": field.type, "values": _frequencies(counts, missing, studies)}


def summary(fields: list[FieldSpec], studies: list[Mapping[str, object]]) -> dict[str, object]:
    """The review's Table 2: frequencies and percentages of each field over the included studies.

    Percentages are of all studies, rounded to 2 places (None when there are no studies). A text
    value that reads exactly "not reported" is counted as not reported.
    """
    total = len(studies)
    return {
        "studies": total,
        "fields": {
            field.name: _summarise(
                field, [clean_value(field, study.get(field.name)) for study in studies], total
            )
            for field in fields
        },
    }


# --- codebook changes --------------------------------------------------------------------------


def changed_fields(old: list[FieldSpec], new: list[FieldSpec]) -> list[str]:
    """Fields whose values entered under `old` need a second look under `new`.

    That is a field removed, a field whose type changed, or a choice field that lost or renamed
    an option. Adding an option, reordering options or editing help text needs no second look.
    """
    current = {field.name: field for field in new}
    changed: list[str] = []
    for field in old:
        now = current.get(field.name)
        if (
            now is None
            or now.type != field.type
            or (field.type in CHOICE_TYPES and not set(field.choices) <= set(now.choices))
        ):
            changed.append(field.name)
    return changed
