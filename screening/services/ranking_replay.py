"""A lead's replay of a project's title/abstract screening in ranked order, as a Job: what ranking
would have saved the team.

The references the team settled at title/abstract (two votes that agree, or a lead's
resolution; included or excluded) are replayed through the ranker the app serves, exactly as
`manage.py simulate_ranking` replays a labelled file (screening.ranking.replay): one include
and one exclude as priors, drawn with the seed, the model retrained after every label (every k
labels on a large project, so the job ends within a worker's time limit; the result says which).
Beside the ranked order, the order the team actually screened in: by each reference's first
title/abstract vote. Nothing is written but the job's result.
"""

from __future__ import annotations

import math
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Min

from ..errors import Conflict
from ..models import Job, JobKind, JobStatus, Project, ReferenceSource, Vote
from ..ranking.features import reference_text
from ..ranking.replay import found_curve, replay, screened_for_recall
from ..ranking.simulate import priors_draw
from ..selectors.statuses import screened_references
from ..vocabulary import Stage, Status
from .jobs import job_create, job_handler, job_set_progress, job_step

READING = "reading the settled title/abstract decisions"
REPLAYING = "replaying the screening in ranked order"

# Refits the replay may do: beyond this many settled references it retrains every k labels.
MOST_REFITS = 2_000
CURVE_POINTS = 120
RECALL = 0.95


def _app_version() -> str:
    try:
        return version("reviewtool")
    except PackageNotFoundError:
        return "unknown"


def replay_pool(project: Project) -> list[tuple[int, str, int]]:
    """(reference id, text, 1 include / 0 exclude) of every settled title/abstract decision,
    in import order."""
    labels = {Status.INCLUDED.value: 1, Status.EXCLUDED.value: 0}
    rows = (
        screened_references(project)
        .filter(source=ReferenceSource.DATABASES, ta_status__in=list(labels))
        .order_by("id")
        .values_list("id", "title", "abstract", "keywords", "ta_status")
    )
    return [
        (pk, reference_text(title, abstract, " ".join(map(str, keywords or []))), labels[status])
        for pk, title, abstract, keywords, status in rows
    ]


def _screened_order(project: Project, ids: list[int]) -> list[int]:
    """Positions in `ids` in the order the team first voted on them at title/abstract (a
    reference without a vote, settled by a lead alone, after them in import order)."""
    first = dict(
        Vote.objects.filter(project=project, stage=Stage.TITLE_ABSTRACT.value)
        .values("reference_id")
        .annotate(first=Min("created_at"))
        .values_list("reference_id", "first")
    )
    unvoted = len(ids)
    keys = [(first.get(pk) is None, first.get(pk) or unvoted, pk) for pk in ids]
    return sorted(range(len(ids)), key=lambda i: keys[i])


def _refused_unless_both(includes: int, excludes: int) -> None:
    if not includes or not excludes:
        raise Conflict(
            "A replay needs at least one settled include and one settled exclude at "
            f"title/abstract; the project has {includes} include{'s' * (includes != 1)} and "
            f"{excludes} exclude{'s' * (excludes != 1)} settled."
        )


def replay_job_running(project: Project) -> Job | None:
    """The project's replay waiting or under way, if any."""
    return (
        Job.objects.filter(
            project=project,
            kind=JobKind.SIMULATE,
            status__in=[JobStatus.QUEUED, JobStatus.RUNNING],
        )
        .order_by("-id")
        .first()
    )


def replay_latest(project: Project) -> Job | None:
    """The project's newest replay, whatever its state."""
    return Job.objects.filter(project=project, kind=JobKind.SIMULATE).order_by("-id").first()


@transaction.atomic
def replay_start(*, project: Project, user: AbstractBaseUser | None, seed: int = 0) -> Job:
    """Start a replay as a Job, or give the one already waiting or running; refused (Conflict)
    without a settled include and a settled exclude."""
    # Locks the project's row: two asks at once start one job, not two.
    Project.objects.select_for_update().filter(pk=project.pk).first()
    running = replay_job_running(project)
    if running is not None:
        return running
    counts = (
        screened_references(project)
        .filter(source=ReferenceSource.DATABASES)
        .values_list("ta_status", flat=True)
    )
    statuses = list(counts)
    _refused_unless_both(
        statuses.count(Status.INCLUDED.value), statuses.count(Status.EXCLUDED.value)
    )
    return job_create(
        kind=JobKind.SIMULATE, project=project, created_by=user, params={"seed": int(seed)}
    )


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def replay_project(project: Project, *, seed: int = 0, job: Job | None = None) -> dict[str, Any]:
    """Replay the project's settled title/abstract decisions; the result a job stores."""
    with job_step(READING):
        pool = replay_pool(project)
        ids = [pk for pk, _, _ in pool]
        labels = [label for _, _, label in pool]
        includes, records = sum(labels), len(labels)
        _refused_unless_both(includes, records - includes)
        actual = [labels[i] for i in _screened_order(project, ids)]
    if job is not None:
        job_set_progress(job, 0.1)
    refit_every = max(1, math.ceil(records / MOST_REFITS))
    priors = list(priors_draw(labels, seed))
    with job_step(REPLAYING):
        found = replay(
            [text for _, text, _ in pool], labels, priors=priors, seed=seed, refit_every=refit_every
        )
    if job is not None:
        job_set_progress(job, 0.95)
    ranked_k = screened_for_recall(found.labels_in_order, RECALL)
    actual_k = screened_for_recall(actual, RECALL)
    return {
        "stage": Stage.TITLE_ABSTRACT.value,
        "records": records,
        "includes": includes,
        "excludes": records - includes,
        "seed": seed,
        "priors": [ids[row] for row in priors],
        "recall": RECALL,
        "includes_for_recall": math.ceil(round(RECALL * includes, 9)),
        "ranked": {
            "screened": ranked_k,
            "saved": records - ranked_k,
            "share_screened": _share(ranked_k, records),
            "share_saved": _share(records - ranked_k, records),
        },
        "actual": {"screened": actual_k, "share_screened": _share(actual_k, records)},
        "metrics": {
            "wss95": found.metrics.wss95,
            "recall10": found.metrics.recall10,
            "recall25": found.metrics.recall25,
            "atd": found.metrics.atd,
        },
        "curve": {
            "ranked": [list(p) for p in found_curve(found.labels_in_order, CURVE_POINTS)],
            "actual": [list(p) for p in found_curve(actual, CURVE_POINTS)],
        },
        "settings": {
            "model": found.model.model,
            "refit_every": refit_every,
            "features": found.to_json()["settings"]["features"],
        },
        "seconds": found.seconds,
        "version": _app_version(),
    }


@job_handler(JobKind.SIMULATE, on_failure="Nothing was changed: a replay only reads.")
def replay_job(job: Job) -> dict[str, Any]:
    """A replay as a Job; re-running it gives the same result (seeded), so it is idempotent."""
    return replay_project(job.project, seed=int(job.params.get("seed", 0)), job=job)
