"""Regression floor on the labelled sets: what `make bench` reports must not slip."""

from __future__ import annotations

import pytest

from tests.shared_data import SHARED_DATA, requires_shared_data

pytestmark = [requires_shared_data, pytest.mark.shared_data]

# Recall floors sit a little under the figures measured when this test was written.
FLOORS = {
    "asysd_diabetes": 0.99,
    "bibdedupe_respiratory": 0.95,
    "bibdedupe_stroke": 0.985,
    "bibdedupe_cytology_screening": 0.98,
    "bibdedupe_haematology": 0.77,
    "bibdedupe_digital_work": 0.95,
}

AFTER_FLOORS = {
    "asysd_diabetes": 0.995,
    "bibdedupe_respiratory": 0.99,
    "bibdedupe_stroke": 0.99,
    "bibdedupe_cytology_screening": 0.995,
    "bibdedupe_haematology": 0.96,
    "bibdedupe_digital_work": 0.985,
}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_labelled_set(name: str) -> None:
    if not (SHARED_DATA / "dedup" / name / "benchmark.csv").exists():
        pytest.skip(f"{name}/benchmark.csv is absent")
    from benchmarks.bench_dedup import evaluate

    result = evaluate(name, runs=1)
    assert result["auto_precision"] >= 0.999
    assert result["auto_recall"] >= FLOORS[name]
    assert result["candidates_per_100"] <= 3.0
    # Once a person has answered every candidate truthfully.
    assert result["after_recall"] >= AFTER_FLOORS[name]
