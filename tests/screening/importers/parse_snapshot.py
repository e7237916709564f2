"""Every parse of some files, as plain values: run as a script by test_parse_unchanged.py, once
with the importers of the commit before the speed work of issue 19 on the path and once with
today's, so that both sides are read by the same code and compared value for value.

`python parse_snapshot.py OUT FILE...` writes JSON: per file, per way of reading it (the
app's `importers.parse` detecting the format, or told RIS or MEDLINE, and the two readers on the
whole decoded text at once; a file of another format only as detected), the citations and warnings, or the error raised. Only the standard
library and `screening.importers` (whichever is on the path) are imported.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path


def plain(value: object) -> object:
    """A dataclass, dict or list as tuples of plain values, field names and order kept."""
    if dataclasses.is_dataclass(value):
        return (
            type(value).__name__,
            tuple((f.name, plain(getattr(value, f.name))) for f in dataclasses.fields(value)),
        )
    if isinstance(value, dict):
        return ("dict", tuple((key, plain(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


# Files of the tagged formats, read every way; any other (XML, CSV, BibTeX) only as detected.
TAGGED_SUFFIXES = {".ris", ".txt", ".nbib", ".medline", ".ciw", ".isi"}


def readings(data: bytes, *, tagged: bool) -> dict[str, object]:
    from screening import importers
    from screening.importers import medline, ris
    from screening.importers.text import decode

    out: dict[str, object] = {}
    for name, read in (
        ("auto", lambda: importers.parse(data)),
        ("as ris", lambda: importers.parse(data, format="ris")),
        ("as medline", lambda: importers.parse(data, format="medline")),
        ("ris.parse whole", lambda: ris.parse(decode(data)[0])),
        ("medline.parse whole", lambda: medline.parse(decode(data)[0])),
    ):
        if name != "auto" and not tagged:
            continue
        try:
            out[name] = plain(read())
        except Exception as error:  # noqa: BLE001 - the error is part of what must not change
            out[name] = ("error", type(error).__name__, str(error))
    return out


def main(out: str, files: list[str]) -> None:
    snapshot = {
        name: readings(Path(name).read_bytes(), tagged=Path(name).suffix.lower() in TAGGED_SUFFIXES)
        for name in files
    }
    Path(out).write_text(json.dumps(snapshot))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
