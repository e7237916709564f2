"""The extraction pages' forms: a codebook edited row by row, and values typed in a browser form
turned into the JSON values extraction/coding.py checks (the API takes that JSON directly)."""

from __future__ import annotations

from django.http import QueryDict

from . import coding

BLANK_ROWS = 3


def codebook_from_post(data: QueryDict) -> list[dict[str, object]]:
    """Rows `name-N`, `type-N`, `choices-N` (one per line or comma), `help-N`, `section-N`;
    a row without a name is left out (the blank rows offered for new fields)."""
    rows = []
    count = int(data.get("rows", "0") or 0)
    for i in range(count):
        name = data.get(f"name-{i}", "").strip()
        if not name:
            continue
        kind = data.get(f"type-{i}", "").strip()
        raw = data.get(f"choices-{i}", "")
        choices = [c.strip() for c in raw.replace("\n", ",").split(",") if c.strip()]
        row: dict[str, object] = {
            "name": name,
            "type": kind,
            "help": data.get(f"help-{i}", ""),
            "section": data.get(f"section-{i}", ""),
        }
        if kind in coding.CHOICE_TYPES or choices:
            row["choices"] = choices
        rows.append(row)
    return rows


def values_from_post(fields: list[coding.FieldSpec], data: QueryDict) -> dict[str, object]:
    """The form's strings as JSON values: numbers as numbers, yes/no as booleans, blanks as
    not reported. What does not parse is passed on as typed, for coding.py to refuse by name."""
    values: dict[str, object] = {}
    for i, field in enumerate(fields):
        key = f"field-{i}"
        if field.type == "multichoice":  # ticked options; "none of these" is [], nothing None
            checked = data.getlist(key)
            values[field.name] = checked or ([] if data.get(f"{key}-none") else None)
            continue
        raw = data.get(key, "").strip()
        if raw == "":
            values[field.name] = None
        elif field.type == "number":
            values[field.name] = _number(raw)
        elif field.type == "boolean":
            values[field.name] = {"yes": True, "no": False}.get(raw, raw)
        else:
            values[field.name] = raw
    return values


def _number(raw: str) -> object:
    try:
        return int(raw)
    except ValueError:
        pass
    try:
        return float(raw)
    except ValueError:
        return raw
