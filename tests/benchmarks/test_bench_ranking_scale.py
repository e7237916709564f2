"""bench_ranking_scale's real pool: the references are the files' own records, in file order,
the PTSD file cut where the pool ends, and each settled one has two agreeing votes from its own
`label_included`; the synthetic pool's choice of settled references is the one it had before."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest

from benchmarks import bench_ranking_scale
from screening.models import Project, Reference, Vote

HALL = [("Sleep and noise", "Night noise woke adults.", 1), ("Wheat soil", "", 0)]
PTSD = [("Trauma cohort", "PTSD after trauma.", 1), ("Bone density", "Hips.", 0), ("Cut", "", 1)]


@pytest.fixture
def pool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, rows in (("hall_2012.csv", HALL), ("van_de_schoot_2017_ptsd.csv", PTSD)):
        with (tmp_path / name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "title", "abstract", "label_included"])
            writer.writerows([i, *row] for i, row in enumerate(rows))
    monkeypatch.setattr(bench_ranking_scale, "DATA", tmp_path)
    # The first two PTSD records, as the real pool takes the first 1,089.
    monkeypatch.setattr(
        bench_ranking_scale,
        "REAL_SOURCES",
        [("hall_2012.csv", None), ("van_de_schoot_2017_ptsd.csv", 2)],
    )
    return tmp_path


def test_real_references_are_the_files_records_in_order(pool: Path) -> None:
    expected = [(t, a, bool(i)) for t, a, i in HALL + PTSD[:2]]
    assert bench_ranking_scale.real_references(10) == expected
    assert bench_ranking_scale.real_references(3) == expected[:3]


@pytest.mark.django_db
def test_seed_real_settles_from_the_records_own_labels(
    pool: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bench_ranking_scale.seed(4, 3, "real")
    slug = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["slug"]
    project = Project.objects.get(slug=slug)
    references = list(Reference.objects.filter(project=project).order_by("pk"))
    assert [(r.title, r.abstract) for r in references] == [(t, a) for t, a, _ in HALL + PTSD[:2]]
    votes = Vote.objects.filter(project=project, stage="title_abstract")
    by_reference: dict[int, list[str]] = {}
    for vote in votes:
        by_reference.setdefault(vote.reference_id, []).append(vote.vote)
    assert len(by_reference) == 3
    labels = {
        r.pk: included for r, (_, _, included) in zip(references, HALL + PTSD[:2], strict=True)
    }
    for reference_id, given in by_reference.items():
        assert given == ["include" if labels[reference_id] else "exclude"] * 2
    assert len({(v.reference_id, v.reviewer_id) for v in votes}) == 6
    assert project.title_abstract_order == "ranked"


def test_synthetic_settled_references_are_the_sample_they_were() -> None:
    # Before the real pool: sorted(random.Random(7).sample(range(n), settled)).
    assert bench_ranking_scale.settled_indices(100, 50, "synthetic", random.Random(7)) == sorted(
        random.Random(7).sample(range(100), 50)
    )
    real = bench_ranking_scale.settled_indices(100, 50, "real", random.Random(7))
    assert len(set(real)) == 50
    assert real == sorted(real)
    assert real != list(range(50))  # spread over the pool, not its first half
    assert real == bench_ranking_scale.settled_indices(100, 50, "real", random.Random(7))
