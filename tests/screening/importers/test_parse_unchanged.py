"""The speed work on the RIS and MEDLINE readers (issue 19, "Load") changed no parsed result.

The importers of the commit the work started from are taken out of git into a temporary
folder, and both they and today's read the same files, each in a process of its own
(parse_snapshot.py): every real export of ../shared/data/exports, the benchmark's generated
RIS and MEDLINE files, and those files damaged in seeded, repeatable ways (lines dropped,
doubled, blanked, indented, respaced, cut off; stray tags and text put in), so that the paths
for unusual lines are compared too, not only the clean records the fast paths read. Every
citation, warning and error must be the same, field for field and in the same order.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pytest

from benchmarks.corpus import medline_bytes, ris_bytes
from tests.shared_data import SHARED_DATA, requires_shared_data

from .parse_snapshot import TAGGED_SUFFIXES

ROOT = Path(__file__).resolve().parents[3]
SNAPSHOT = Path(__file__).with_name("parse_snapshot.py")
# The last commit before the speed work: its readers are the reference.
BEFORE = "0fb99b45655dba173822b3b7d63350965bc01a3e"
BEFORE_PATHS = ["screening/__init__.py", "screening/importers", "screening/text.py"]


def _before(folder: Path) -> Path:
    """The importers as they were at BEFORE, unpacked under `folder`; skips without git."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("no git checkout: the importers before the speed work cannot be read")
    found = subprocess.run(
        ["git", "cat-file", "-e", f"{BEFORE}^{{commit}}"], cwd=ROOT, capture_output=True
    )
    if found.returncode != 0:
        pytest.skip(f"commit {BEFORE[:10]} is not in this clone (shallow?)")
    archive = folder / "before.tar"
    with archive.open("wb") as handle:
        subprocess.run(
            ["git", "archive", BEFORE, *BEFORE_PATHS], cwd=ROOT, stdout=handle, check=True
        )
    target = folder / "before"
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    return target


def _damaged(text: str, seed: int, edits: int) -> str:
    """`text` with `edits` seeded damages of the kinds real files show."""
    rng = random.Random(seed)
    lines = text.split("\n")
    inserts = [
        "",
        "   ",
        "1. ",
        "Link to the Ovid Full Text or citation:",
        "stray text between records",
        "TY  - JOUR",
        "ER  - ",
        "ER  -",
        "PMID- 123456",
        "PMID  - 999",
        "US  - based cohort",
        "KW  - ",
        "AU  - Smith,  John ;",
        "      indented continuation",
        "\tTab-indented line",
        "N1  - note &amp; <i>italic</i>  with  spaces",
        "AB  - second abstract",
        "ZZ  - unknown tag",
        "FAU - ",
        "AU  - et al.",
        "DP  - Spring",
        "OWN - ERIC",
    ]
    for _ in range(edits):
        if not lines:
            break
        at = rng.randrange(len(lines))
        kind = rng.randrange(9)
        if kind == 0:
            del lines[at]
        elif kind == 1:
            lines.insert(at, lines[at])
        elif kind == 2:
            lines.insert(at, rng.choice(inserts))
        elif kind == 3:
            lines[at] = "      " + lines[at]
        elif kind == 4:
            lines[at] = lines[at].lstrip()
        elif kind == 5:
            lines[at] = lines[at].replace("  - ", rng.choice([" - ", "  -", "- ", "  -\t"]), 1)
        elif kind == 6:
            lines[at] = lines[at].rstrip() + rng.choice(["  ", " ;", "\t", " x  y"])
        elif kind == 7:
            lines = lines[: at + 1]
        else:
            lines[at] = lines[at][: rng.randrange(len(lines[at]) + 1)]
    return "\n".join(lines)


def _inputs(folder: Path) -> list[Path]:
    files: list[Path] = []
    exports = SHARED_DATA / "exports"
    real = sorted(p for p in exports.rglob("*") if p.is_file() and p.name != "README.md")
    files += real
    generated = folder / "generated"
    generated.mkdir()
    corpora = {"bench.ris": ris_bytes(1000), "bench.nbib": medline_bytes(1000)}
    for name, data in corpora.items():
        (generated / name).write_bytes(data)
    sources = [p for p in real if p.suffix.lower() in TAGGED_SUFFIXES]
    sources += [generated / name for name in corpora]
    for number, source in enumerate(sources):
        text = source.read_bytes().decode("utf-8", "replace")
        if len(text) > 150_000:  # a slice of a large file damages as well, and reads faster
            text = text[:150_000]
        for variant in range(3):
            damaged = _damaged(text, seed=number * 100 + variant, edits=1 + variant * 3)
            path = generated / f"{number}-{variant}-{source.name}"
            path.write_bytes(damaged.encode())
            files.append(path)
    return files


def _snapshot(pythonpath: Path, files: list[Path], out: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    subprocess.run(
        [sys.executable, str(SNAPSHOT), str(out), *map(str, files)],
        cwd=pythonpath,
        env=env,
        check=True,
    )
    return json.loads(out.read_text())


@requires_shared_data
@pytest.mark.shared_data
@pytest.mark.skipif(
    not os.environ.get("SLOW_TESTS"),
    reason="about 90 s: runs in `make test-slow` (SLOW_TESTS=1), which CI runs",
)
def test_every_reading_of_real_generated_and_damaged_exports_is_as_before() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        before_root = _before(folder)
        files = _inputs(folder)
        before = _snapshot(before_root, files, folder / "before.json")
        now = _snapshot(ROOT, files, folder / "now.json")
    assert len(now) == len(files) >= 100
    differing = [
        f"{Path(name).name}: {reading}"
        for name in before
        for reading in before[name]
        if before[name][reading] != now[name][reading]
    ]
    assert not differing, f"{len(differing)} readings changed: {differing[:20]}"
