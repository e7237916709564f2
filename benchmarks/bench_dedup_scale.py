"""Dedup at scale (issue 4): 10k, 30k and 100k records on PostgreSQL, a worker with two processes.

The corpus is made from the labelled sets: each further round copies every record and changes
its paper (title words, first author, DOI, pages) the same way for every member of its group, so
the copies are distinct papers with the sets' own duplicate structure and noise. Goal: 100k
records in under 60 s on this 2-core machine, growing close to linearly.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import time
from itertools import combinations
from pathlib import Path

from .dedup_sets import DEDUP, SETS, load

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
SIZES = (10_000, 30_000, 100_000)
DATABASE = "reviewtool_dedup_bench"


def scaled(n: int) -> list[tuple[dict[str, object], str]]:
    """n records (fields, true group) from the labelled sets, distinct papers per round."""
    base = []
    for name in SETS:  # the same paper may sit in two sets: groups are per set
        records, group = load(DEDUP / name / "benchmark.csv")
        base.extend((r, f"{name}:{group[r.id]}") for r in records)
    vocabulary = sorted({w for r, _ in base for w in re.findall(r"[a-z]{5,}", r.title.lower())})
    out: list[tuple[dict[str, object], str]] = []
    round_ = 0
    while len(out) < n:
        for record, group in base:
            if len(out) == n:
                break
            out.append((_variant(record, group, round_, vocabulary), f"{round_}:{group}"))
        round_ += 1
    return out


def _variant(record: object, group: str, round_: int, vocabulary: list[str]) -> dict[str, object]:
    fields = {  # cut to the columns' sizes, as the importers do
        "title": record.title,
        "authors": list(record.authors),
        "year": record.year,
        "journal": record.journal[:500],
        "volume": record.volume[:50],
        "issue": record.issue[:50],
        "pages": record.pages[:50],
        "doi": record.doi[:240],
        "abstract": record.abstract,
    }
    if round_ == 0:
        return fields
    rng = random.Random(f"{round_}|{group}")  # the same change for every member of the group
    # Half the title's words (at least two, or a word added) change: another paper, not a
    # retitled copy of the same one.
    words = sorted(set(re.findall(r"[A-Za-z]{4,}", record.title.lower())))
    chosen = rng.sample(words, k=max(len(words) // 2, min(2, len(words))))
    mapping = {w: rng.choice(vocabulary) for w in chosen}
    title = re.sub(
        r"[A-Za-z]{4,}", lambda m: mapping.get(m.group(0).lower(), m.group(0)), record.title
    )
    fields["title"] = title if len(words) >= 3 else f"{title} {rng.choice(vocabulary)}"
    surname = rng.choice(vocabulary).capitalize()
    if fields["authors"]:
        first = fields["authors"][0]
        fields["authors"][0] = re.sub(r"^[^,\s]+", surname, first)
    fields["doi"] = f"{record.doi}.r{round_}" if record.doi else ""
    # Another first page, an electronic one ("e182") included: two papers never share their
    # journal, volume, year and page range, and dedup may rely on it.
    page = re.search(r"([A-Za-z]{0,3})(\d+)", record.pages or "")
    if page:
        fields["pages"] = f"{page.group(1)}{int(page.group(2)) + 1000 * round_}"
    return fields


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": PG_ADMIN.rsplit("/", 1)[0] + "/" + DATABASE,
        "REDIS_URL": REDIS,
        "SECRET_KEY": "bench-only",
        "DJANGO_SETTINGS_MODULE": "reviewtool.settings",
    }


def _fresh_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=_env(), check=True
    )


def _measure(n: int) -> dict[str, float]:
    """Load n records into a project, then time a dedup job run by the worker."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from screening.models import DuplicateCandidate, Job, JobKind, Record, Reference, Search
    from screening.services.bulk import insert_rows
    from screening.services.jobs import job_create
    from screening.services.projects import project_create

    user = get_user_model().objects.create_user(username=f"bench{n}")
    project = project_create(name=f"Scale {n}", creator=user)
    search = Search.objects.create(
        project=project, database="benchmark", file="", filename="scaled", sha256=str(n)
    )
    corpus = scaled(n)
    truth = {}
    for start in range(0, n, 5000):
        chunk = corpus[start : start + 5000]
        summary = [
            {"project_id": project.pk}
            | {k: v for k, v in f.items() if k not in {"authors"}}
            | {"authors": f["authors"]}
            for f, _ in chunk
        ]
        ids = insert_rows(Reference, summary)
        insert_rows(
            Record,
            [
                {"project_id": project.pk, "search_id": search.pk, "reference_id": ref, **f}
                | {"authors": [{"family": a, "given": "", "printed": a} for a in f["authors"]]}
                for ref, (f, _) in zip(ids, chunk, strict=True)
            ],
        )
        truth.update({ref: g for ref, (_, g) in zip(ids, chunk, strict=True)})
    started = time.perf_counter()
    with transaction.atomic():
        job = job_create(kind=JobKind.DEDUP, project=project, created_by=user)
    while True:
        job = Job.objects.get(pk=job.pk)
        if job.is_finished:
            break
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    if job.status != "done":
        raise RuntimeError(f"dedup job failed: {job.error}")
    merged_pairs = [
        (truth[a], truth[b])
        for c in DuplicateCandidate.objects.filter(project=project, status="merged")
        for a, b in combinations(c.references, 2)
    ]
    # Groups are labelled per set, and one paper may sit in two sets ("Gateways to clinical
    # trials", 2007, in asysd_diabetes and bibdedupe_haematology): a merge across two sets is
    # counted apart, not as two distinct papers merged.
    across = sum(_across_sets(a, b) for a, b in merged_pairs)
    wrong = sum(a != b and not _across_sets(a, b) for a, b in merged_pairs)
    return {
        "seconds": seconds,
        "merged": job.result["merged"],
        "candidates": job.result["candidates"],
        "wrong": wrong,
        "across": across,
    }


def _across_sets(a: str, b: str) -> bool:
    """Two true groups ("round:set:group") of one round, drawn from two labelled sets."""
    round_a, set_a, _ = a.split(":", 2)
    round_b, set_b, _ = b.split(":", 2)
    return round_a == round_b and set_a != set_b


def run() -> str:
    if not (DEDUP / SETS[0] / "benchmark.csv").exists():
        return "### Dedup at scale\n\nskipped: ../shared/data/dedup is absent"
    try:
        _fresh_database()
    except Exception as error:  # noqa: BLE001 - no PostgreSQL here: say so, do not fail the run
        return f"### Dedup at scale\n\nskipped: PostgreSQL not reachable ({error})"
    env = _env() | {"DEDUP_CHUNK_PAIRS": "20000"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "reviewtool", "worker", "--concurrency=2",
         "--loglevel=WARNING", "--without-mingle", "--without-gossip", "-n", "bench@%h"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    lines = [
        "### Dedup at scale (issue 4)",
        "",
        "`.venv/bin/python -m benchmarks bench_dedup_scale`: corpus grown from the labelled sets "
        "(benchmarks/bench_dedup_scale.py), PostgreSQL, one Celery worker with 2 processes, "
        "chunks of 20,000 pairs; seconds from enqueueing the job to its end.",
        "",
        "| records | seconds | records/s | merged | candidates | distinct papers merged "
        "| pairs merged across two labelled sets |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    os.environ.update(env)
    try:
        for n in SIZES:
            result = _measure(n)
            lines.append(
                f"| {n:,} | {result['seconds']:.1f} | {n / result['seconds']:,.0f} | "
                f"{result['merged']:,} | {result['candidates']:,} | {result['wrong']} | "
                f"{result['across']} |"
            )
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    return "\n".join(lines)
