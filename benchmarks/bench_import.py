"""Import speed (issue 3): parsing alone against rispy, and the full import into PostgreSQL.

Goals (issue 19): our RIS parsing at least as fast as rispy's on the same file in the same run;
100k records imported into PostgreSQL in under 10 s on 2 cores with under 500 MB peak memory.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import rispy

from screening import importers
from screening.importers import garbage_collector_paused, ris, ris_records
from screening.importers.text import decode

from .corpus import medline_bytes, ris_bytes

_TAG_LINE_RE = re.compile(r"^([A-Z][A-Z0-9])  -", re.MULTILINE)
ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
# Dropped and created again for every run: another name keeps two benchmarks on one server apart.
DATABASE = os.environ.get("BENCH_IMPORT_DATABASE", "reviewtool_bench")


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
        # All with the collector paused, as `importers.parse` runs: the same conditions for both.
        with garbage_collector_paused():
            # `importers.parse` as the app calls it: decoding, detection, mapping onto Citation.
            ours_ris = _best_of(runs, lambda d=ris_data: importers.parse(d, format="ris"))
            # Reading alone, what rispy does: each record's tags and values (plus, for us, its
            # raw text and line number), without the mapping onto Citation.
            ours_read = _best_of(runs, lambda t=ris_text: list(ris_records.records(t, [])))
            theirs = _best_of(runs, lambda t=ris_text: rispy.loads(t))
            # Reading and mapping onto Citation, the reader swapped: had we built on rispy,
            # each record would still need our mapping (rispy's dicts kept tag by tag).
            ours_mapped = _best_of(runs, lambda t=ris_text: ris.parse(t))
            on_rispy = _best_of(runs, lambda t=ris_text: _parse_on_rispy(t))
            ours_medline = _best_of(
                runs, lambda d=medline_data: importers.parse(d, format="medline")
            )
        assert len(ris.parse(ris_text)[0]) == n
        assert len(rispy.loads(ris_text)) == n
        size = f"{len(ris_data) / 1e6:.0f} MB"
        rows.append(
            f"| RIS {n:,} ({size}), reading the records | {n / ours_read:,.0f} | "
            f"{n / theirs:,.0f} | {theirs / ours_read:.2f}x |"
        )
        rows.append(
            f"| RIS {n:,} ({size}), read and mapped onto Citation: ours, against rispy's reading "
            f"and the same mapping | {n / ours_mapped:,.0f} | {n / on_rispy:,.0f} | "
            f"{on_rispy / ours_mapped:.2f}x |"
        )
        rows.append(
            f"| RIS {n:,} ({size}), decoded, read and mapped onto Citation, against rispy's "
            f"reading alone (which maps nothing) | {n / ours_ris:,.0f} "
            f"| {n / theirs:,.0f} | {theirs / ours_ris:.2f}x |"
        )
        rows.append(
            f"| MEDLINE {n:,} ({len(medline_data) / 1e6:.0f} MB), decoded, read and mapped "
            f"| {n / ours_medline:,.0f} | — | — |"
        )
    return rows


def _parse_on_rispy(text: str) -> list:
    """rispy reading every tag as a list under its own name, then our mapping onto Citation."""
    tags = sorted(set(_TAG_LINE_RE.findall(text)))
    records = rispy.loads(text, mapping={tag: tag for tag in tags}, list_tags=tags)
    for fields in records:
        fields["TY"] = [fields["TY"]]  # rispy keeps the start tag as a string, whatever it is told
    # No raw text or line: rispy keeps neither (one reason we read RIS ourselves). The same
    # warnings and unknown-tag bookkeeping as our own reading does, so that the mapping is equal.
    warnings: list = []
    unknown = ris.UnknownTags(ris.KNOWN_TAGS, what="a RIS tag")
    return [
        ris._citation(ris_records.Record(line=0, raw="", fields=fields), warnings, unknown)
        for fields in records
    ]


def _full_import(n: int) -> dict[str, float] | str:
    """Time `search_import` of n MEDLINE records into a fresh PostgreSQL database, in a subprocess."""
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
            conn.execute(f"CREATE DATABASE {DATABASE}")
    except Exception as error:  # noqa: BLE001 - no PostgreSQL here: say so, do not fail the run
        return f"skipped: PostgreSQL not reachable at {PG_ADMIN} ({error.__class__.__name__})"
    env = {
        **os.environ,
        "DATABASE_URL": PG_ADMIN.rsplit("/", 1)[0] + f"/{DATABASE}",
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
        "(benchmarks/corpus.py). Parsing: best of 3 runs at 10k, one at 100k, the collector "
        "paused for every reader alike.",
        "",
        "| parsing alone | ours, records/s | rispy 0.10, records/s | ours ÷ rispy |",
        "|---|---|---|---|",
        *_parse_rows(),
        "",
        "| full import into PostgreSQL (search_import, one transaction) | runs | seconds, median "
        "(each run) | records/s | our process's CPU seconds | peak memory (MB) | goal |",
        "|---|---|---|---|---|---|---|",
    ]
    for n, runs in ((10_000, 1), (100_000, 3)):
        # A fresh database for each run; runs vary by several seconds on a shared machine.
        results = [_full_import(n) for _ in range(runs)]
        failed = [r for r in results if isinstance(r, str)]
        if failed:
            lines.append(f"| MEDLINE {n:,} | {failed[0]} | | | | | |")
            continue
        seconds = sorted(r["seconds"] for r in results)
        median = seconds[len(seconds) // 2]
        each = ", ".join(f"{r['seconds']:.1f}" for r in results)
        cpu = sorted(r["cpu_seconds"] for r in results)[len(results) // 2]
        peak = max(r["peak_mb"] for r in results)
        lines.append(
            f"| MEDLINE {n:,} | {runs} | {median:.1f} ({each}) | {n / median:,.0f} | {cpu:.1f} | "
            f"{peak:.0f} | {'< 10 s, < 500 MB' if n == 100_000 else ''} |"
        )
    return "\n".join(lines)
