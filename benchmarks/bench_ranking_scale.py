"""Ranking at scale (issue 18): retrain and re-rank at 10k and 100k references, and the ranked
queue's next + vote while a retrain runs.

Each size is a fresh PostgreSQL database seeded with synthetic references whose text is drawn
from the six labelled reviews in ../shared/data/screening (a title from one record, the abstract
spliced from the first half of that record's abstract and the second half of another's: real
vocabulary and word pairs, no two references alike), half of them settled by two reviewers who
agree (includes where the title's record was included). Retrain is the whole
`ranking_retrain` (read the pool and its labels, fit, score, write the order), cold (TF-IDF built
and stored) and warm (the stored features read), median of 3. At 100k the fit takes the includes
and 10,000 of the 48k-odd settled excludes (ModelSettings.max_excludes); at 10k, all of them. The queue's figures are the
server's own time per request (Server-Timing), gunicorn one process per core as bench_screening
reads its goal, 20 reviewer threads doing next + vote at each size: in import order (the control,
on the same machine and database), then on the ranked stage idle and while a second process
retrains the stage over and over, at the lower CPU priority a Celery worker takes
(settings.WORKER_NICENESS); the retrain timings run at the default priority.

The real pool (RANKING_SCALE_ONLY=real10k runs it alone): the 10,000 records of
../shared/RANKING.md's speed table, Hall 2012 (8,911) and the first 1,089 of van de Schoot's
PTSD review, their own title and abstract, 5,000 of them (a seeded permutation's first half)
settled by two agreeing reviewers from their own `label_included`; cold and warm retrain as
above. The synthetic pool stays the harder case: its includes are the union of six topics and
its abstracts spliced from two records, so the fit converges slowly on it.
"""

from __future__ import annotations

import csv
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from benchmarks.servers import server_env, wait_for_server

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("BENCH_SCREENING_DATA", ROOT.parent / "shared" / "data" / "screening"))
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
SIZES = [int(n) for n in os.environ.get("BENCH_RANKING_SIZES", "10000,100000").split(",")]
REVIEWERS = 20
REPEATS = 3
DATABASE = "reviewtool_bench_ranking_scale"
GOALS = {10000: 1.0, 100000: 10.0}
# "real10k": only the real pool's 10k retrain; "synthetic": only the synthetic sizes.
ONLY = os.environ.get("RANKING_SCALE_ONLY", "")
REAL_SOURCES = [("hall_2012.csv", None), ("van_de_schoot_2017_ptsd.csv", 1089)]


def _source_records() -> list[tuple[str, str, bool]]:
    records = []
    for path in sorted(DATA.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                title, abstract = (row.get("title") or "").strip(), (row.get("abstract") or "")
                if title:
                    records.append((title, abstract.strip(), row.get("label_included") == "1"))
    return records


def synthetic_references(n: int, seed: int = 18) -> list[tuple[str, str, bool]]:
    """(title, abstract, sought) for n references drawn from the shared labelled reviews."""
    rng = random.Random(seed)
    source = _source_records()
    out = []
    for _ in range(n):
        title, abstract, sought = rng.choice(source)
        other = rng.choice(source)[1]
        words, others = abstract.split(), other.split()
        spliced = " ".join(words[: len(words) // 2] + others[len(others) // 2 :])
        out.append((title, spliced, sought))
    return out


def real_references(n: int = 10000) -> list[tuple[str, str, bool]]:
    """(title, abstract, included) of the real pool in file order: Hall 2012, then the first
    1,089 PTSD records (10,000 in all), each with its own `label_included`."""
    csv.field_size_limit(sys.maxsize)
    out = []
    for name, limit in REAL_SOURCES:
        with (DATA / name).open(newline="", encoding="utf-8") as handle:
            for i, row in enumerate(csv.DictReader(handle)):
                if limit is not None and i >= limit:
                    break
                out.append(
                    (
                        (row.get("title") or "").strip(),
                        (row.get("abstract") or "").strip(),
                        row["label_included"] == "1",
                    )
                )
    return out[:n]


def settled_indices(n: int, settled: int, source: str, rng: random.Random) -> list[int]:
    """Which references are settled: on the real pool a seeded permutation's first `settled`
    (spread over both reviews), on the synthetic one a seeded sample, as before."""
    if source == "real":
        order = list(range(n))
        rng.shuffle(order)
        return sorted(order[:settled])
    return sorted(rng.sample(range(n), settled))


def seed(n: int, settled: int, source: str = "synthetic") -> None:
    """A project of n references on title and abstract, `settled` of them settled by two
    reviewers who agree, screened in ranked order; prints its slug and API tokens as JSON.
    `source`: "synthetic" (synthetic_references) or "real" (real_references, n <= 10,000)."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from screening.models import Membership, Project, Record, Reference, Role, Search, Vote
    from screening.services.accounts import token_issue
    from screening.services.bulk import insert_rows, refresh_statistics
    from screening.services.projects import project_create

    user_model = get_user_model()
    admin = user_model.objects.create_user(username="bench-admin")
    people = [user_model.objects.create_user(username=f"reviewer{i:02d}") for i in range(REVIEWERS)]
    project = project_create(name=f"Ranking at {n:,}", creator=admin)
    Membership.objects.bulk_create(
        [Membership(project=project, user=u, role=Role.REVIEWER) for u in people]
    )
    rng = random.Random(7)
    references = real_references(n) if source == "real" else synthetic_references(n)
    chosen = settled_indices(len(references), settled, source, rng)
    n = len(references)
    with transaction.atomic():
        search = Search.objects.create(
            project=project, database="PubMed", filename="bench.nbib", sha256="0" * 64,
            format="medline",
        )  # fmt: skip
        ids = insert_rows(
            Reference,
            [
                {"project_id": project.pk, "source": "databases", "title": t, "abstract": a,
                 "year": 2020}
                for t, a, _ in references
            ],
        )  # fmt: skip
        insert_rows(
            Record,
            [
                {"project_id": project.pk, "search_id": search.pk, "reference_id": r, "title": t,
                 "position": i}
                for i, (r, (t, _, _)) in enumerate(zip(ids, references, strict=True))
            ],
        )  # fmt: skip
        votes = []
        for i in chosen:
            vote = "include" if references[i][2] else "exclude"
            for who in rng.sample(people, 2):
                votes.append(
                    {"project_id": project.pk, "reference_id": ids[i], "stage": "title_abstract",
                     "reviewer_id": who.pk, "vote": vote}
                )  # fmt: skip
        insert_rows(Vote, votes)
        refresh_statistics(Reference, Record, Vote, rows=n)
        Project.objects.filter(pk=project.pk).update(title_abstract_order="ranked")
    tokens = {u.username: token_issue(user=u, name="bench") for u in [admin, *people]}
    print(json.dumps({"slug": project.slug, "tokens": tokens}))


def retrain(slug: str, times: int, forget: bool) -> None:
    """Retrain the project's title/abstract stage `times` times (0: until killed); prints the
    seconds of each as JSON lines. `forget`: drop the stored features first (a cold retrain)."""
    import django

    django.setup()
    from screening.models import Project
    from screening.services import ranking, ranking_store

    if os.environ.get("RANKING_TRAINER") == "worker":
        # The queue's retraining process runs as a Celery worker does: at its lower priority.
        from reviewtool.celery import background_priority

        background_priority()
    project = Project.objects.get(slug=slug)
    done = 0
    while times == 0 or done < times:
        if forget:
            ranking_store.ranking_features_forget(project, "title_abstract")
        started, cpu = time.perf_counter(), time.process_time()
        found = ranking.ranking_retrain(project=project, stage="title_abstract")
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(
            json.dumps({"seconds": seconds, "cpu": cpu, "ranking": found.pk, "model": found.model})
        )
        sys.stdout.flush()
        done += 1


def _env() -> dict[str, str]:
    return server_env(
        DATABASE_URL=PG_ADMIN.rsplit("/", 1)[0] + "/" + DATABASE,
        REDIS_URL=REDIS,
        VAR_DIR=str(ROOT / "var" / "bench-ranking-scale"),
        MEDIA_ROOT=str(ROOT / "var" / "bench-ranking-scale" / "media"),
    )


def _fresh_database(n: int, source: str = "synthetic") -> dict:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    env = _env()
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    seeded = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_ranking_scale", "seed", str(n), str(n // 2),
         source],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(seeded.stdout.strip().splitlines()[-1])


def _retrain_runs(slug: str, times: int, *, forget: bool) -> list[dict]:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_ranking_scale", "retrain", slug, str(times),
         "cold" if forget else "warm"],
        cwd=ROOT, env=_env(), check=True, capture_output=True, text=True,
    )  # fmt: skip
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def _queue_times(slug: str, tokens: dict[str, str], *, retraining: bool) -> dict:
    """Next + vote by 20 reviewer threads on the ranked stage (bench_screening's client), with
    a second process retraining the stage over and over when `retraining`."""
    from benchmarks import bench_screening

    env = _env()
    subprocess.run(["redis-cli", "-u", REDIS, "FLUSHDB"], check=False, capture_output=True)
    workers = os.cpu_count() or 2
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "reviewtool.wsgi", "-b",
         f"127.0.0.1:{bench_screening.PORT}", "--workers", str(workers), "--threads", "1",
         "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    trainer = None
    try:
        wait_for_server(bench_screening.PORT)
        if retraining:
            trainer = subprocess.Popen(
                [sys.executable, "-m", "benchmarks.bench_ranking_scale", "retrain", slug, "0",
                 "warm"],
                cwd=ROOT, env={**env, "RANKING_TRAINER": "worker"}, stdout=subprocess.PIPE,
                text=True,
            )  # fmt: skip
            # The first retrain's line: the trainer is past its start-up and retraining now.
            trainer.stdout.readline()
        out: dict[str, list[float]] = {"next": [], "votes": [], "refused": [], "pair": [],
                                       "client": []}  # fmt: skip
        barrier = threading.Barrier(REVIEWERS)
        threads = [
            threading.Thread(
                target=bench_screening._reviewer,
                args=(slug, tokens[f"reviewer{i:02d}"], out, barrier),
            )
            for i in range(REVIEWERS)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        out["seconds"] = time.perf_counter() - started
    finally:
        retrains = 0
        if trainer is not None:
            trainer.terminate()
            rest, _ = trainer.communicate(timeout=60)
            retrains = 1 + sum(1 for line in rest.splitlines() if line.strip())
        server.terminate()
        server.wait(timeout=30)
    out["retrains"] = retrains
    return out


def run() -> str:
    lines = [
        "### Ranking at scale (issue 18)",
        "",
        "Command: `.venv/bin/python -m benchmarks ranking_scale`. PostgreSQL, a fresh database per "
        "size; synthetic references from the six labelled reviews' text, half settled by two "
        "reviewers who agree. Retrain = the whole `ranking_retrain` (read labels, fit, score, "
        "write the order, prune), in its own process, wall-clock seconds (CPU seconds of the "
        "process beside them), median of 3: cold = TF-IDF built and stored, warm = stored "
        "features read. Queue: gunicorn one process per core, 20 reviewer threads doing "
        "25 rounds of next + vote (bench_screening's client) on the ranked stage, server time (Server-Timing, ms), "
        "idle and while a second process retrains the stage over and over at a Celery worker's "
        "priority (settings.WORKER_NICENESS, reviewtool.celery.background_priority). The machine is shared "
        "with other work: its load average is given beside each figure. Real pool: Hall 2012 + "
        "the first 1,089 PTSD records (10,000, ../shared/RANKING.md's speed pool), their own "
        "title, abstract and label_included, 5,000 settled (a seeded permutation's first half); "
        "`RANKING_SCALE_ONLY=real10k .venv/bin/python -m benchmarks ranking_scale` runs it alone.",
        "",
        f"`uptime` at the start: {_uptime()}",
        "",
        "| references | settled | measure | n | median | p95 / max | goal | load |",
        "|---:|---:|---|---:|---:|---:|---|---:|",
    ]
    if ONLY == "real10k":
        lines[2] = lines[2].replace("Command: `", "Command: `RANKING_SCALE_ONLY=real10k ", 1)
    for n in [] if ONLY == "real10k" else SIZES:
        setup = _fresh_database(n)
        slug = setup["slug"]
        lines.extend(_retrain_rows(n, slug, "synthetic"))
        # Every size: a 10k review is the common case, 100k the hard one. Import order first,
        # as the control: the same machine, load and database.
        for order, retraining in (("import", False), ("ranked", False), ("ranked", True)):
            _set_order(slug, order)
            out = _queue_times(slug, setup["tokens"], retraining=retraining)
            when = f"{order} order, " + (
                f"while retraining ({out['retrains']} retrains)" if retraining else "idle"
            )
            load = f"{os.getloadavg()[0]:.1f}"
            for measure, key, goal in (
                (f"next + vote (server), {when}", "pair", "p95 < 30 ms"),
                (f"next (server), {when}", "next", ""),
                (f"vote, accepted (server), {when}", "votes", ""),
                (f"next + vote, seen by the client, {when}", "client", ""),
            ):
                values = out[key] or [float("nan")]
                lines.append(
                    f"| {n:,} | {n // 2:,} | {measure} | {len(out[key])} | "
                    f"{statistics.median(values):.1f} | {_percentile(values, 0.95):.1f} | "
                    f"{goal} | {load} |"
                )
            lines.append(
                f"| {n:,} | {n // 2:,} | votes refused (409), {when} | {len(out['refused'])} "
                f"| | | | {load} |"
            )
    if ONLY in ("", "real10k"):
        setup = _fresh_database(10000, "real")
        lines.extend(_retrain_rows(10000, setup["slug"], "real"))
    return "\n".join(lines)


def _retrain_rows(n: int, slug: str, source: str) -> list[str]:
    """The cold then warm retrain's rows, median of REPEATS, in its own process each."""
    rows = []
    pool = ", real pool" if source == "real" else ""
    for forget in (True, False):
        runs = _retrain_runs(slug, REPEATS, forget=forget)
        wall = [r["seconds"] for r in runs]
        cpu = [r["cpu"] for r in runs]
        goal = GOALS.get(n)
        rows.append(
            f"| {n:,} | {n // 2:,} | retrain, {'cold' if forget else 'warm'}{pool} (s; CPU s) | "
            f"{len(runs)} | {statistics.median(wall):.2f} ({statistics.median(cpu):.2f} CPU) | "
            f"{max(wall):.2f} (max) | {f'< {goal:g} s' if goal and not forget else ''} | "
            f"{os.getloadavg()[0]:.1f} |"
        )
    return rows


def _uptime() -> str:
    done = subprocess.run(["uptime"], check=False, capture_output=True, text=True)
    return done.stdout.strip() or f"load average {os.getloadavg()}"


def _set_order(slug: str, order: str) -> None:
    import psycopg

    with psycopg.connect(_env()["DATABASE_URL"], autocommit=True) as conn:
        conn.execute(
            "UPDATE screening_project SET title_abstract_order = %s WHERE slug = %s", [order, slug]
        )


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "seed":
        seed(int(args[0]), int(args[1]), *args[2:3])
    elif command == "retrain":
        retrain(args[0], int(args[1]), args[2] == "cold")
