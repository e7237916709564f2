"""Ranking: a stage's references still to screen, likely includes first, retrained as a Job.

The model learns from settled decisions only (two votes that agree, or a lead's resolution),
never from anyone's open vote: an order that moved with the other reviewer's open vote would
tell a blinded reviewer how they voted. Before any settled include and exclude the references
are ranked by their likeness to the eligibility criteria, the include terms and the lead's seed
references (the pure core's cold start; services.ranking_seeds), and without those they keep
import order.

A retrain writes its Ranking whole in one transaction; the queue serves the newest, so a new one
takes over when it commits and a failed or unfinished one leaves the previous in force.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet

from ..errors import InvalidInput
from ..models import Job, JobKind, JobStatus, Project, Ranking, Reference, ReferenceSource
from ..ranking.features import features_transform, reference_text
from ..ranking.model import ModelSettings, ranking_order, ranking_scores
from ..selectors.statuses import screened_references
from ..vocabulary import Order, Stage, Status
from .audit import audit_record
from .jobs import job_create, job_handler, job_set_progress, job_step
from .ranking_seeds import ranking_seed_texts
from .ranking_store import pool_features
from .ranking_write import order_write, rankings_prune

READING = "reading the references and their settled decisions"
SCORING = "scoring the references"
STORING = "storing the ranking"

# The label a settled status gives at each stage (1 include, 0 exclude), as the workflow says:
# at title/abstract, included is included whatever became of its full text.
_LABELS = {Status.INCLUDED.value: 1, Status.EXCLUDED.value: 0}


def stage_for_ranking(value: str) -> Stage:
    stage = Stage.parse(value)
    if stage is None:
        raise InvalidInput("stage must be title_abstract or full_text.", field="stage")
    return stage


def ranking_query_text(project: Project) -> str:
    """What the lead says is sought, for the cold start: the criteria and the include terms
    (a stem's `*` and a phrase's quotes dropped, the words kept)."""
    terms = re.sub(r"[*\"]", " ", project.include_terms)
    return " ".join(part.strip() for part in (project.eligibility_criteria, terms) if part.strip())


def _references_at(project: Project, stage: Stage) -> QuerySet[Reference]:
    references = screened_references(project)
    if stage == Stage.TITLE_ABSTRACT:
        return references.filter(source=ReferenceSource.DATABASES)
    return references.filter(stage=Stage.FULL_TEXT.value)


def _pool(project: Project, stage: Stage) -> tuple[np.ndarray, np.ndarray]:
    """The ids of every reference at the stage, in import order, and each one's label (1
    include, 0 exclude, -1 not settled): one query, without the text."""
    status_field = "ta_status" if stage == Stage.TITLE_ABSTRACT else "ft_status"
    rows = list(_references_at(project, stage).order_by("id").values_list("id", status_field))
    ids = np.fromiter((pk for pk, _ in rows), np.int64, len(rows))
    labels = np.fromiter((_LABELS.get(status, -1) for _, status in rows), np.int8, len(rows))
    return ids, labels


def _pool_texts(project: Project, ids: np.ndarray) -> list[str]:
    """What the ranker reads of each reference of the pool, in the pool's order; read in
    ranges of ids so that no query carries 100k parameters. A reference gone since the pool
    was read (merged meanwhile) reads as empty text: the next retrain's pool leaves it out."""
    texts: dict[int, str] = {}
    for start in range(0, len(ids), _TEXT_CHUNK):
        chunk = ids[start : start + _TEXT_CHUNK]
        rows = Reference.objects.filter(
            project=project, id__gte=int(chunk[0]), id__lte=int(chunk[-1])
        ).values_list("id", "title", "abstract", "keywords")
        wanted = set(chunk.tolist())
        for pk, title, abstract, keywords in rows.iterator(chunk_size=_TEXT_CHUNK):
            if pk in wanted:
                texts[pk] = reference_text(title, abstract, " ".join(map(str, keywords or [])))
    return [texts.get(pk, "") for pk in ids.tolist()]


_TEXT_CHUNK = 5000


def ranking_retrain(*, project: Project, stage: str, job: Job | None = None) -> Ranking:
    """Rank the stage's unsettled references from its settled decisions, and store the order.

    The TF-IDF features are built only when the pool changed since the last retrain (stored
    per project and stage, services.ranking_store); otherwise a retrain reads the labels (one
    query), fits the linear model (on at most ModelSettings.max_excludes of the excludes),
    scores and writes the order.
    """
    stage = stage_for_ranking(stage)
    settings = ModelSettings()
    with job_step(READING):
        ids, pool_labels = _pool(project, stage)
    rows = np.flatnonzero(pool_labels >= 0)
    labels = pool_labels[rows].astype(int)
    candidates = np.flatnonzero(pool_labels < 0)
    includes, excludes = int((labels == 1).sum()), int((labels == 0).sum())
    with job_step(SCORING):
        scores = None
        if len(ids):
            # The cold start's query: the criteria and include terms, and each seed's text.
            texts = [t for t in (ranking_query_text(project), *ranking_seed_texts(project)) if t]
            # The vocabularies are read only for the cold start, which places the query text.
            cold_start = bool(texts) and not (includes and excludes)
            features, _ = pool_features(
                project, stage, ids, lambda: _pool_texts(project, ids), vectorisers=cold_start
            )
            query = features_transform(features, texts) if cold_start else None
            scores = ranking_scores(features.matrix, rows, labels, settings, query)
        order = ranking_order(scores, candidates) if len(candidates) else np.asarray([], np.intp)
    if job is not None:
        job_set_progress(job, 0.8)
    if scores is None:
        model = "import"
    elif includes and excludes:
        model = settings.model
    else:
        model = "similarity"
    with job_step(STORING), transaction.atomic():
        ranking = Ranking.objects.create(
            project=project,
            stage=stage,
            job=job,
            includes=includes,
            excludes=excludes,
            model=model,
        )
        order_write(ranking, ids[order], None if scores is None else scores[order])
        rankings_prune(project, stage, keep=ranking)
    return ranking


@job_handler(
    JobKind.RANK,
    on_failure="The previous ranking stays in force: the queue's order is as it was.",
)
def ranking_retrain_job(job: Job) -> dict[str, Any]:
    """A retrain as a Job; re-running it only writes a newer ranking, so it is idempotent."""
    ranking = ranking_retrain(project=job.project, stage=job.params.get("stage", ""), job=job)
    return {
        "ranking": ranking.pk,
        "stage": ranking.stage,
        "model": ranking.model,
        "includes": ranking.includes,
        "excludes": ranking.excludes,
    }


def ranking_job_running(project: Project, stage: str) -> Job | None:
    """The stage's retrain waiting or under way, if any."""
    return (
        Job.objects.filter(
            project=project,
            kind=JobKind.RANK,
            status__in=[JobStatus.QUEUED, JobStatus.RUNNING],
            params__stage=stage,
        )
        .order_by("-id")
        .first()
    )


@transaction.atomic
def ranking_retrain_start(
    *, project: Project, stage: str, user: AbstractBaseUser | None = None, asked: bool = True
) -> Job:
    """Start a retrain of the stage as a Job, or give the one already waiting or running.
    `asked`: by someone (a 503 if the task queue cannot be reached), not after a vote."""
    stage = stage_for_ranking(stage)
    # Locks the project's row: two asks at once start one job, not two.
    Project.objects.select_for_update().filter(pk=project.pk).first()
    running = ranking_job_running(project, stage)
    if running is not None:
        return running
    return job_create(
        kind=JobKind.RANK,
        project=project,
        created_by=user,
        params={"stage": stage.value},
        asked=asked,
    )


@transaction.atomic
def ranking_order_set(
    *, project: Project, stage: str, order: str, user: AbstractBaseUser
) -> Project:
    """The lead sets the order a stage is screened in; a stage turned to ranked with no
    ranking yet gets its first retrain."""
    stage = stage_for_ranking(stage)
    chosen = Order.parse(order)
    if chosen is None or chosen == Order.RANDOM:
        raise InvalidInput("order must be import or ranked.", field="order")
    field = "full_text_order" if stage == Stage.FULL_TEXT else "title_abstract_order"
    project = Project.objects.select_for_update().get(pk=project.pk)
    before = getattr(project, field)
    if before != chosen:
        setattr(project, field, chosen.value)
        project.save(update_fields=[field])
        audit_record(
            actor=user,
            verb="ranking.order_set",
            project=project,
            obj=project,
            before={"stage": stage.value, "order": before},
            after={"stage": stage.value, "order": chosen.value},
        )
    if chosen == Order.RANKED and not Ranking.objects.filter(project=project, stage=stage).exists():
        # On the side of the order's change: with the task queue down the change stands.
        ranking_retrain_start(project=project, stage=stage, user=user, asked=False)
    return project


def ranking_current(project: Project, stage: str) -> Ranking | None:
    """The ranking the queue serves at the stage: the newest."""
    return Ranking.objects.filter(project=project, stage=stage).order_by("-id").first()


def ranking_settled(project: Project, stage: str) -> None:
    """A vote or a resolution settled a reference at a ranked stage: after every
    `ranking_retrain_every` of them, one retrain is started.

    Counted in the cache, not with a query over the project's statuses, so that the vote that
    settles costs nothing more; a lost count only delays a retrain, which the lead can also ask
    for at any time.
    """
    if project.order_at(stage) != Order.RANKED:
        return
    key = f"ranking-settled:{project.pk}:{stage}"
    try:  # one round trip to the cache while the counter is there
        settled = cache.incr(key)
    except ValueError:  # the first settled, or evicted: count from here
        cache.set(key, 1, None)
        settled = 1
    if settled >= max(project.ranking_retrain_every, 1):
        cache.set(key, 0, None)
        # On the side of a vote: with the task queue down the vote stands and the retrain fails.
        ranking_retrain_start(project=project, stage=stage, asked=False)
