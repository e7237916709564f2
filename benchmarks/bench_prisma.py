"""PRISMA counts at 100,000 references (issue 19): GET /prisma under 100 ms, on an idle server.

The project bench_screening seeds (benchmarks/screening_seed.py: 100k references on PostgreSQL,
half screened on title and abstract by two reviewers, one in ten of those resolved by the lead),
in a database of its own, reused between runs (BENCH_PRISMA_RESEED=1 seeds it afresh). Figures
are the server's own time (the Server-Timing header) of GET /api/v1/projects/{slug}/prisma
through the whole Django stack, one request after another, with no other load from this bench:
p50 and p95 of 20 calls after 3 to warm up. Measured twice: right after the seed (the tables
never vacuumed, so no index-only scan can skip the table) and after VACUUM ANALYZE (where
autovacuum leaves the tables a minute after an import). EXPLAIN (ANALYZE, BUFFERS) of every query
the counts make goes to var/bench_prisma_plans.txt; the table gives each query's own time (p50 of
5 runs of it alone, without EXPLAIN's clock on every row).

`.venv/bin/python -m benchmarks prisma` (appends to RESULTS.md, as every bench does);
`.venv/bin/python -m benchmarks.bench_prisma` prints the same section without appending.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.servers import server_env

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DATABASE = os.environ.get("BENCH_PRISMA_DATABASE", "reviewtool_bench_prisma")
REFERENCES = int(os.environ.get("BENCH_PRISMA_REFERENCES", "100000"))
REVIEWERS = 20
CALLS, WARM_UP = 20, 3
QUERY_CALLS = 5  # each query alone, timed (p50)
PLANS = ROOT / "var" / "bench_prisma_plans.txt"
GOAL_MS = 100


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _env() -> dict[str, str]:
    return server_env(
        DATABASE_URL=PG_ADMIN.rsplit("/", 1)[0] + "/" + DATABASE,
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        ALLOWED_HOSTS="testserver",
    )


def run() -> str:
    lines = [
        "### PRISMA counts at 100k references (issue 19)",
        "",
        f"Command: `.venv/bin/python -m benchmarks prisma`. {REFERENCES:,} references on "
        "PostgreSQL (benchmarks/screening_seed.py: half screened on title and abstract by two "
        f"of {REVIEWERS} reviewers, one in ten of those resolved); GET /prisma through Django, "
        f"{CALLS} calls one after another after {WARM_UP} to warm up, nothing else running from "
        "the bench. Server time from the Server-Timing header (ms); each query's own time, run "
        f"alone {QUERY_CALLS} times (p50; EXPLAIN ANALYZE plans in var/bench_prisma_plans.txt).",
        "",
        "| tables | measure | n | p50 | p95 | goal |",
        "|---|---|---:|---:|---:|---|",
    ]
    try:
        fresh = _prepare()
    except Exception as error:  # noqa: BLE001 - no PostgreSQL here: say so, do not fail the run
        return "\n".join([*lines, f"| | skipped: PostgreSQL not reachable ({error}) | | | | |"])
    PLANS.parent.mkdir(parents=True, exist_ok=True)
    PLANS.write_text("")
    states = [("not yet vacuumed", False), ("after VACUUM ANALYZE", True)]
    if not fresh:  # a reused database was vacuumed by its first run, or by autovacuum since
        states = states[1:]
    for state, vacuum in states:
        figures = _measure(vacuum=vacuum)
        times = figures["times"]
        lines.append(
            f"| {state} | PRISMA counts, GET /prisma (server) | {len(times)} | "
            f"{statistics.median(times):.1f} | {_percentile(times, 0.95):.1f} | < {GOAL_MS} |"
        )
        for query in figures["queries"]:
            lines.append(
                f"| {state} | query {query['name']} (alone) | {QUERY_CALLS} | {query['ms']:.1f} | | |"
            )
        with PLANS.open("a") as plans:
            plans.write(f"# {state}\n\n")
            for query in figures["queries"]:
                plans.write(f"## {query['name']}\n\n{query['sql']}\n\n{query['plan']}\n\n")
    return "\n".join(lines)


def _prepare() -> bool:
    """Create and seed the database unless it holds the project already; True when seeded now."""
    import psycopg

    env = _env()
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone()
        if exists and os.environ.get("BENCH_PRISMA_RESEED"):
            conn.execute(f'DROP DATABASE "{DATABASE}"')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    if exists:
        return False
    subprocess.run(
        [sys.executable, "-m", "benchmarks.screening_seed", str(REFERENCES), str(REVIEWERS)],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return True


def _measure(*, vacuum: bool) -> dict:
    """Run the measuring half in a process of its own, on the bench's database."""
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_prisma", "--measure", *(["--vacuum"] * vacuum)],
        cwd=ROOT, env=_env(), check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def _measure_here(*, vacuum: bool) -> dict:
    """The timed calls and the plans, inside Django (called with --measure)."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from screening.models import Project
    from screening.selectors.prisma_counts import prisma_counts
    from screening.services.accounts import token_issue

    if vacuum:
        with connection.cursor() as cursor:
            cursor.execute(
                "VACUUM ANALYZE screening_reference, screening_record, screening_vote, "
                "screening_resolution, screening_report"
            )
    project = Project.objects.get(name="Screening benchmark")
    admin = project.created_by
    client = Client(headers={"Authorization": f"Bearer {token_issue(user=admin, name='prisma')}"})
    path = f"/api/v1/projects/{project.slug}/prisma"
    times = []
    for call in range(WARM_UP + CALLS):
        response = client.get(path)
        assert response.status_code == 200, (response.status_code, response.content[:200])
        if call >= WARM_UP:
            times.append(float(response["Server-Timing"].split("dur=")[1]))
    statements: list[tuple[str, object]] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]  # noqa: ANN202
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        prisma_counts(project)
    queries = []
    with connection.cursor() as cursor:
        for number, (sql, params) in enumerate(statements, start=1):
            # Each query alone, as the client sees it (EXPLAIN ANALYZE's clock on every row of
            # every node slows a query of 100k rows down several times over).
            alone = []
            for _ in range(QUERY_CALLS):
                started = time.perf_counter()
                cursor.execute(sql, params)
                cursor.fetchall()
                alone.append((time.perf_counter() - started) * 1000)
            plan = ""
            if connection.vendor == "postgresql":
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            queries.append(
                {
                    "name": f"{number}. {_name(sql)}",
                    "ms": statistics.median(alone),
                    "sql": sql.strip(),
                    "plan": plan,
                }
            )
    return {"times": times, "queries": queries}


def _name(sql: str) -> str:
    """A query's name in the table: the tables it reads."""
    tables = dict.fromkeys(re.findall(r'(?:FROM|JOIN)\s+"?screening_(\w+)', sql))
    return ", ".join(tables)


if __name__ == "__main__":
    if "--measure" in sys.argv:
        print(json.dumps(_measure_here(vacuum="--vacuum" in sys.argv)))
    else:
        print(run())
