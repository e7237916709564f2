"""Import speed (issue 3): parsing alone against rispy, and the full import into PostgreSQL.

Goals: our RIS parsing at least as fast as rispy's on the same file in the same run; 100k records
imported into PostgreSQL in under 15 s with under 500 MB peak memory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import rispy

from screening import importers
from screening.importers import ris
from screening.importers.text import decode

from .corpus import medline_bytes, ris_bytes

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def _best_of(runs: int, func) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - started)
    return best


def _parse_rows() -> list[str]:
    rows = []
    for n in (10_000, 100_000):
        runs = 3 if n <= 10_000 else 1
        ris_data, medline_data = ris_bytes(n), medline_bytes(n)
        ris_text = decode(ris_data)[0]
        # `importers.parse` as the app calls it (decoding, detection, the collector paused)
        ours_ris = _best_of(runs, lambda d=ris_data: importers.parse(d, format="ris"))
        theirs = _best_of(runs, lambda t=ris_text: rispy.loads(t))
        ours_medline = _best_of(runs, lambda d=medline_data: importers.parse(d, format="medline"))
        assert len(ris.parse(ris_text)[0]) == n
        assert len(rispy.loads(ris_text)) == n
        rows.append(
            f"| RIS {n:,} ({len(ris_data) / 1e6:.0f} MB) | {n / ours_ris:,.0f} | "
            f"{n / theirs:,.0f} | {theirs / ours_ris:.2f}x |"
        )
        rows.append(
            f"| MEDLINE {n:,} ({len(medline_data) / 1e6:.0f} MB) | {n / ours_medline:,.0f} | — | — |"
        )
    return rows


def _full_import(n: int) -> dict[str, float] | str:
    """Time `search_import` of n MEDLINE records into a fresh PostgreSQL database, in a subprocess."""
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS reviewtool_bench")
            conn.execute("CREATE DATABASE reviewtool_bench")
    except Exception as error:  # noqa: BLE001 - no PostgreSQL here: say so, do not fail the run
        return f"skipped: PostgreSQL not reachable at {PG_ADMIN} ({error.__class__.__name__})"
    env = {
        **os.environ,
        "DATABASE_URL": PG_ADMIN.rsplit("/", 1)[0] + "/reviewtool_bench",
        "SECRET_KEY": "bench-only",
        "DJANGO_SETTINGS_MODULE": "reviewtool.settings",
    }
    env.pop("REDIS_URL", None)
    with tempfile.TemporaryDirectory() as media:
        env["MEDIA_ROOT"] = media
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
        )
        path = Path(media) / f"bench-{n}.nbib"
        path.write_bytes(medline_bytes(n))
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.import_once", str(path)],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def run() -> str:
    lines = [
        "### Import (issue 3)",
        "",
        "Command: `make bench` (or `.venv/bin/python -m benchmarks import`). Generated files "
        "(benchmarks/corpus.py), best of 3 runs at 10k, one run at 100k; decoding included.",
        "",
        "| parsing alone | ours, records/s | rispy 0.10, records/s | ours ÷ rispy |",
        "|---|---|---|---|",
        *_parse_rows(),
        "",
        "| full import into PostgreSQL (search_import, one transaction) | seconds | records/s "
        "| peak memory (MB) | goal |",
        "|---|---|---|---|---|",
    ]
    for n in (10_000, 100_000):
        result = _full_import(n)
        if isinstance(result, str):
            lines.append(f"| MEDLINE {n:,} | {result} | | | |")
            continue
        lines.append(
            f"| MEDLINE {n:,} | {result['seconds']:.1f} | {n / result['seconds']:,.0f} | "
            f"{result['peak_mb']:.0f} | {'< 15 s, < 500 MB' if n == 100_000 else ''} |"
        )
    return "\n".join(lines)
