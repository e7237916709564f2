"""`make bench`: run every benchmarks/bench_*.py, print its table, append it to RESULTS.md.

Each module exposes `run() -> str`, returning a Markdown section (a heading, the command, a table
of figures and ratios against the peer its issue names). The runner adds the machine and date.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RUN_ONLY_WHEN_NAMED = frozenset(
    {"bench_load", "bench_ranking", "bench_ranking_scale", "bench_stopping"}
)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}"


def main(argv: list[str]) -> int:
    wanted = set(argv)
    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if wanted:
        modules = [m for m in modules if m in wanted or m.removeprefix("bench_") in wanted]
    else:
        # Simulating whole screenings takes hours: those run only when named
        # (`make bench-ranking`, `python -m benchmarks stopping`).
        modules = [m for m in modules if m not in RUN_ONLY_WHEN_NAMED]
    if not modules:
        print("no benchmarks matched", file=sys.stderr)
        return 1
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = f"\n## {stamp}, {machine()}\n"
    sections = []
    for name in modules:
        print(f"--- {name}", flush=True)
        section = importlib.import_module(f"benchmarks.{name}").run()
        print(section, flush=True)
        sections.append(section)
    results = HERE / "RESULTS.md"
    if not results.exists():
        results.write_text("# Benchmark results\n\nAppended by `make bench`; newest last.\n")
    with results.open("a") as handle:
        handle.write(header + "\n" + "\n\n".join(sections) + "\n")
    print(f"recorded in {results}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
