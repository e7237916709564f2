"""The import benchmark's side by side stays runnable: rispy's reading, mapped by our code, gives
the citations our own reading gives (so `make bench` compares like with like, and does not break
when the mapping's signature changes)."""

from __future__ import annotations

from benchmarks.bench_import import _parse_on_rispy
from benchmarks.corpus import ris_bytes
from screening.importers import ris
from screening.importers.text import decode


def _fields(citation: object) -> dict[str, object]:
    kept = {k: getattr(citation, k) for k in citation.__slots__}  # type: ignore[attr-defined]
    kept.pop("raw"), kept.pop("line")  # rispy keeps neither
    kept["authors"] = [a.display() for a in kept["authors"]]
    kept["editors"] = [a.display() for a in kept["editors"]]
    return kept


def test_rispy_s_records_mapped_by_our_code_are_our_citations() -> None:
    text = decode(ris_bytes(40))[0]
    ours = ris.parse(text)[0]
    on_rispy = _parse_on_rispy(text)
    assert len(ours) == len(on_rispy) == 40
    assert [_fields(c) for c in on_rispy] == [_fields(c) for c in ours]
