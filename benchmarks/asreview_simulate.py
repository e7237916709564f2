"""ASReview LAB's default model on the labelled screening sets, for `make bench-ranking` to compare.

Run by `make bench-asreview` with the Python of ASReview's own environment (var/asreview-venv),
never the project's, from var/asreview (asreview leaves a synergy_cache.sqlite in the working
folder). It imports nothing of the app and no Django:

    cd var/asreview && ../asreview-venv/bin/python ../../benchmarks/asreview_simulate.py \
        [--sets a,b] [--seeds 0,1,2,3,4] [--jobs 2] [--force]

For each set and seed it draws the priors exactly as screening.ranking.simulate.priors_draw does
(1 include + 1 exclude with numpy.random.default_rng(seed); the two are checked against each
other by bench_ranking, which refuses a run whose priors differ), runs

    asreview simulate DATA.csv --prior-idx INC EXC --seed SEED -o OUT.asreview

reads the labelling order from the project's results.db (ASReview's record_id in a simulation
is the 0-based row position, the same index --prior-idx takes) and writes one small JSON per
(set, seed) to benchmarks/asreview_runs/, which bench_ranking reads. A run whose JSON exists is
skipped unless --force: ASReview's runs take minutes each (Wilson about 700 s).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RUNS = HERE / "asreview_runs"
DATA = Path(os.environ.get("SCREENING_DATA", HERE.parent.parent / "shared" / "data" / "screening"))
SEEDS = (0, 1, 2, 3, 4)


def priors_draw(labels: list[int], seed: int) -> tuple[int, int]:
    """One include and one exclude (0-based rows), drawn as screening.ranking.simulate does."""
    rng = np.random.default_rng(seed)
    included = [i for i, label in enumerate(labels) if label == 1]
    excluded = [i for i, label in enumerate(labels) if label != 1]
    return int(included[rng.integers(len(included))]), int(excluded[rng.integers(len(excluded))])


def labels_read(path: Path) -> list[int]:
    """The `label_included` column, in file order."""
    csv.field_size_limit(sys.maxsize)
    with path.open(newline="", encoding="utf-8") as handle:
        return [int(row["label_included"]) for row in csv.DictReader(handle)]


def order_read(project: Path) -> list[tuple[int, int]]:
    """(record_id, label) in the order ASReview labelled them, from results.db in the zip."""
    with zipfile.ZipFile(project) as archive, tempfile.TemporaryDirectory() as folder:
        name = next(n for n in archive.namelist() if n.endswith("results.db"))
        database = Path(archive.extract(name, folder))
        with sqlite3.connect(database) as connection:
            rows = connection.execute(
                "SELECT record_id, label FROM results ORDER BY rowid"
            ).fetchall()
    return [(int(r), int(label)) for r, label in rows]


def run_one(data: Path, seed: int, force: bool) -> str:
    """Simulate one (set, seed) with ASReview's default and write its JSON; returns a line."""
    out = RUNS / f"{data.stem}-seed{seed}.json"
    if out.exists() and not force:
        return f"{out.name}: kept"
    labels = labels_read(data)
    include, exclude = priors_draw(labels, seed)
    project = Path.cwd() / f"{data.stem}-seed{seed}.asreview"
    project.unlink(missing_ok=True)
    started = time.perf_counter()
    command = [
        str(Path(sys.executable).with_name("asreview")),
        "simulate",
        str(data),
        "--prior-idx",
        str(include),
        str(exclude),
        "--seed",
        str(seed),
        "-o",
        str(project),
    ]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    steps = order_read(project)
    order = [record for record, _ in steps]
    if order[:2] != [include, exclude] and sorted(order[:2]) != sorted([include, exclude]):
        raise RuntimeError(f"{out.name}: priors {order[:2]} are not {include}, {exclude}")
    wrong = [r for r, label in steps if labels[r] != label]
    if wrong:
        raise RuntimeError(f"{out.name}: record ids are not row positions ({wrong[:3]})")
    from importlib.metadata import version

    result = {
        "tool": "asreview",
        "version": version("asreview"),
        "model": "elas_u4 (default)",
        "dataset": data.stem,
        "records": len(labels),
        "seed": seed,
        "priors": [include, exclude],
        "seconds": round(seconds, 1),
        "order": order,
    }
    RUNS.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, separators=(",", ":")) + "\n")
    project.unlink(missing_ok=True)
    return f"{out.name}: {len(order)} labelled in {seconds:.0f} s"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="", help="comma-separated set names (default: all)")
    parser.add_argument("--seeds", default=",".join(map(str, SEEDS)))
    parser.add_argument("--jobs", type=int, default=1, help="runs in parallel (2 at most)")
    parser.add_argument("--force", action="store_true", help="re-run runs already stored")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"{DATA} is absent: no ASReview runs")
        return 0
    files = sorted(DATA.glob("*.csv"), key=lambda p: p.stat().st_size)
    if args.sets:
        wanted = set(args.sets.split(","))
        files = [f for f in files if f.stem in wanted]
    seeds = [int(s) for s in args.seeds.split(",")]
    # Every set's first seed before any set's second: an early stop still covers every set.
    runs = [(f, seed) for seed in seeds for f in files]
    failed = 0

    def one(run: tuple[Path, int]) -> str:
        nonlocal failed
        try:
            return run_one(run[0], run[1], args.force)
        except (subprocess.CalledProcessError, RuntimeError, OSError) as error:
            failed += 1
            return f"{run[0].stem}-seed{run[1]}: FAILED {error}"

    with ThreadPoolExecutor(max_workers=max(1, min(args.jobs, 2))) as pool:
        for line in pool.map(one, runs):
            print(line, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
