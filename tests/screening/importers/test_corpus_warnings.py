"""The real exports in ../shared/data/exports give no spurious warning: no tag of theirs is
reported as unknown (every format's tag list covers what the databases write), and a value is
reported as unreadable only where the file really holds one."""

from __future__ import annotations

import pytest

from screening import importers
from screening.importers.fields import UNKNOWN_TAG
from tests.shared_data import SHARED_DATA, requires_shared_data

EXPORTS = SHARED_DATA / "exports"
# Values the database printed that hold no year, DOI or pages: real, and worth a warning.
UNREADABLE = {
    # A record with no PY, whose early-access date EA is a month alone ("JAN").
    "wos_tagged/revtools_restoration_WoS.ciw": ["line 1079, field EA: 'JAN' is not a year"],
}


def _corpus() -> list[str]:
    if not EXPORTS.is_dir():
        return ["absent"]
    return sorted(
        path.relative_to(EXPORTS).as_posix()
        for path in EXPORTS.rglob("*")
        if path.is_file() and path.name != "README.md"
    )


@requires_shared_data
@pytest.mark.shared_data
@pytest.mark.parametrize("path", _corpus())
def test_a_real_export_gives_no_unknown_tag_and_no_spurious_unreadable_value(path: str) -> None:
    result = importers.parse((EXPORTS / path).read_bytes(), filename=path.rsplit("/", 1)[-1])
    assert result.citations
    assert [str(w) for w in result.warnings if w.kind == UNKNOWN_TAG] == []
    unread = [str(w) for w in result.warnings if "kept in the raw record" in w.message]
    expected = UNREADABLE.get(path, [])
    assert [w.split(";")[0] for w in unread] == expected
