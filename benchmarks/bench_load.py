"""Load (issue 19): a team screening a 100,000-reference review at once, measured with locust.

Two runs, each on a freshly seeded project (benchmarks/screening_seed.py: 100,000 references,
half already screened by two reviewers, one in ten of those in conflict and resolved):
- PostgreSQL + Redis, gunicorn with 4 workers: 50 reviewers (40 on the screening page, 10
  through the API) and 3 leads (dashboard, PRISMA page, PRISMA counts, conflicts);
- the embedded default (SQLite, tasks inline, `manage.py runserver` as `make run` serves it):
  5 reviewers (4 page, 1 API) and 1 lead.
Each person waits LOAD_THINK seconds (uniform, default 3-15) between two actions: quicker than
the 30 s or more a reviewer usually spends on a title and abstract, so the load is on the heavy
side of a real team's. Times are locust's, seen by the client over loopback, on the same 2-core
machine as the server and the database. Static files are not requested (a browser caches them).

Environment: LOAD_SECONDS (300), LOAD_REFERENCES (100000), LOAD_THINK ("3,15"),
LOAD_RUNS ("postgres,embedded").
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.servers import server_env, wait_for_server

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
PORT = 8766
SECONDS = int(os.environ.get("LOAD_SECONDS", "300"))
REFERENCES = int(os.environ.get("LOAD_REFERENCES", "100000"))
THINK = os.environ.get("LOAD_THINK", "3,15")
RUNS = os.environ.get("LOAD_RUNS", "postgres,embedded").split(",")
PASSWORD = "bench-load-password-7"  # noqa: S105 - the throwaway benchmark accounts' password
# People arrive one a second (a team does not log in within the same second: fifty password
# checks at once would only measure the hash); the figures count from when all have arrived.
SPAWN_RATE = 1
DATABASE = "reviewtool_bench_load"
# (run, page reviewers, API reviewers, leads)
TEAMS = {"postgres": (40, 10, 3), "embedded": (4, 1, 1)}
GOALS = {
    "vote + next cards (page, htmx)": "p95 < 30",
    "next + vote (API)": "p95 < 30",
    "PRISMA counts (API)": "< 100",
}


def run() -> str:
    lines = [
        "### Load (issue 19)",
        "",
        f"Command: `.venv/bin/python -m benchmarks load`. {REFERENCES:,} references, half "
        "screened; locust on the same 2-core machine as the server and the database, "
        f"{SECONDS} s per run, think time {THINK.replace(',', '-')} s between two actions of "
        "one person; people arrive one a second and the figures count from when all have arrived; times in ms as the client saw them (loopback). Page reviewers do what "
        "static/js/screen.js does (one POST votes and brings the next cards); API reviewers "
        "GET next then POST the vote.",
        "",
        "| run | endpoint | requests | failures | p50 | p95 | p99 | max | goal |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name in RUNS:
        lines.extend(_run(name))
    return "\n".join(lines)


def _run(name: str) -> list[str]:
    page, api, leads = TEAMS[name]
    label = f"{name}: {page + api} reviewers, {leads} lead{'s' if leads > 1 else ''}, " + (
        "PostgreSQL, gunicorn 4 workers" if name == "postgres" else "SQLite, runserver"
    )
    work = Path(tempfile.mkdtemp(prefix=f"load-{name}-"))
    env = server_env(
        # Plain HTTP on loopback: cookies without the Secure flag, for locust to send back.
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        VAR_DIR=str(work),
    )
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    if name == "postgres":
        try:
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
                conn.execute(f"CREATE DATABASE {DATABASE}")
        except Exception as error:  # noqa: BLE001 - no PostgreSQL here: say so, do not fail the run
            return [f"| {label} | skipped: PostgreSQL not reachable ({error}) | | | | | | | |"]
        env |= {"DATABASE_URL": PG_ADMIN.rsplit("/", 1)[0] + f"/{DATABASE}", "REDIS_URL": REDIS}
        subprocess.run(["redis-cli", "-u", REDIS, "FLUSHDB"], check=False, capture_output=True)
    for command in (["migrate"], ["collectstatic", "--noinput"]):
        subprocess.run(
            [sys.executable, "manage.py", *command, "-v0"], cwd=ROOT, env=env, check=True
        )
    seeded = time.perf_counter()
    seed = subprocess.run(
        [sys.executable, "-m", "benchmarks.screening_seed", str(REFERENCES), str(page + api),
         PASSWORD],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    print(f"{name}: seeded in {time.perf_counter() - seeded:.0f} s", flush=True)
    setup = seed.stdout.strip().splitlines()[-1]
    if name == "postgres":
        server_command = [sys.executable, "-m", "gunicorn", "reviewtool.wsgi", "-c",
                          "gunicorn.conf.py", "--workers", "4", "-b", f"127.0.0.1:{PORT}",
                          "--log-level", "warning"]  # fmt: skip
    else:
        server_command = [sys.executable, "manage.py", "runserver", "--noreload",
                          f"127.0.0.1:{PORT}"]  # fmt: skip
    ramp = -(-(page + api + leads) // SPAWN_RATE)  # seconds until everyone has logged in
    server = subprocess.Popen(
        server_command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_server(PORT)
        locust = subprocess.run(
            [str(Path(sys.executable).parent / "locust"), "-f", "benchmarks/load_locustfile.py",
             "--headless", "--users", str(page + api + leads), "--spawn-rate", str(SPAWN_RATE),
             "--reset-stats", "--run-time", f"{SECONDS + ramp}s", "--host", f"http://127.0.0.1:{PORT}",
             "--csv", str(work / "load"), "--only-summary", "--loglevel", "WARNING"],
            cwd=ROOT, capture_output=True, text=True,
            env={**env, "LOAD_SETUP": setup, "LOAD_PASSWORD": PASSWORD, "LOAD_THINK": THINK,
                 "LOAD_PAGE_REVIEWERS": str(page), "LOAD_API_REVIEWERS": str(api),
                 "LOAD_LEADS": str(leads)},
        )  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)
    stats = work / "load_stats.csv"
    if not stats.exists():
        return [f"| {label} | locust failed: {locust.stderr[-300:]!r} | | | | | | | |"]
    failures = (work / "load_failures.csv").read_text()
    if failures.count("\n") > 1:
        print(failures, file=sys.stderr)
    rows = []
    with stats.open() as file:
        for row in csv.DictReader(file):
            endpoint = row["Name"]
            rows.append(
                f"| {label} | {endpoint} | {row['Request Count']} | {row['Failure Count']} | "
                f"{row['50%']} | {row['95%']} | {row['99%']} | {float(row['Max Response Time']):.0f} "
                f"| {GOALS.get(endpoint, '')} |"
            )
    return rows


if __name__ == "__main__":
    print(run())
