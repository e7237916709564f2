"""Rankings: the order a model trained on settled decisions gives a stage's references."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from ..vocabulary import Stage
from .jobs import Job
from .projects import Project
from .references import Reference


class Ranking(models.Model):
    """One retrain of a project's stage. Written whole in one transaction, so every row is a
    finished ranking: the newest one of a stage is the one the queue serves, and a retrain that
    fails or is still running leaves the previous one in force."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="rankings")
    stage = models.CharField(max_length=20, choices=Stage.choices())
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The settled decisions it learnt from; none of them an open vote of anyone.
    includes = models.PositiveIntegerField(default=0)
    excludes = models.PositiveIntegerField(default=0)
    # What ranked: a model's name, "similarity" (the criteria text, before any settled include
    # and exclude) or "import" (nothing to go by: import order).
    model = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stage__in=[s.value for s in Stage]), name="ranking_stage_valid"
            ),
        ]
        indexes = [
            # The current ranking of a stage: the newest of (project, stage).
            models.Index(fields=["project", "stage", "-id"], name="ranking_current_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.model} ranking of {self.stage} ({self.pk})"

    @property
    def labels(self) -> int:
        return self.includes + self.excludes


class RankedReference(models.Model):
    """A reference's place in a ranking (0 first) and the model's score for it."""

    # A retrain writes its whole order (100k rows) in one transaction, on cores the screening
    # page's requests share, so the table carries only what the reads need: the two indexes
    # below, which start with the ranking. The reference has no index of its own (every read
    # comes through a ranking; references are deleted only with their project), and neither key
    # is a constraint in the database: their deferred checks at the commit were half of the
    # write's time (benchmarks/RESULTS.md, "ranking at scale"). The rows are written only by
    # order_write, for the ranking created in the same transaction and the references of the
    # pool; deleting a ranking or a reference still deletes its rows, through the ORM's CASCADE.
    ranking = models.ForeignKey(
        Ranking,
        on_delete=models.CASCADE,
        related_name="positions",
        db_index=False,
        db_constraint=False,
    )
    reference = models.ForeignKey(
        Reference, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    position = models.PositiveIntegerField()
    score = models.FloatField(null=True)

    class Meta:
        ordering = ["ranking", "position"]
        constraints = [
            # Also the queue's join: a reference's position in the current ranking.
            models.UniqueConstraint(
                fields=["ranking", "reference"], name="ranked_reference_once_per_ranking"
            ),
        ]
        indexes = [
            # The ranked queue walks a ranking in this order and stops after a few open rows.
            models.Index(fields=["ranking", "position"], name="ranked_reference_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference_id} at {self.position} in ranking {self.ranking_id}"
