"""The stopping aid's facts: the lead's seed includes, the random samples drawn to test recall,
and the lead's decisions to stop screening a ranked stage (and to take them back)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from ..vocabulary import Stage
from .projects import Project
from .references import Reference


class RankingSeed(models.Model):
    """A reference the lead marks as a known include: with the eligibility criteria and the
    include terms, what the ranker's cold start looks for before any settled include."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="ranking_seeds")
    reference = models.ForeignKey(Reference, on_delete=models.CASCADE, related_name="+")
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "reference"], name="ranking_seed_once_per_project"
            ),
        ]

    def __str__(self) -> str:
        return f"seed {self.reference_id} of {self.project}"


class StoppingSample(models.Model):
    """A simple random sample of the references left unscreened at a ranked stage, which the
    team screens (dual, blind, as any other) so that the random-sample test of Callaghan &
    Müller-Hansen (2020) can say how much of the includes the ranked screening has found.

    The figures the test needs are those of the moment it was drawn: `remaining` (N, the
    unscreened references, the sample among them) and `screened_includes` (r, the includes
    settled before it). `number` counts the samples of the stage, for spending alpha over
    successive samples (screening.ranking.stopping.sample_alpha).
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stopping_samples")
    stage = models.CharField(max_length=20, choices=Stage.choices())
    number = models.PositiveIntegerField()
    target = models.FloatField(default=0.95)
    alpha = models.FloatField(default=0.05)
    remaining = models.PositiveIntegerField()
    screened_includes = models.PositiveIntegerField()
    seed = models.BigIntegerField(help_text="Seed of the random draw, to redraw the same sample.")
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    drawn_at = models.DateTimeField(auto_now_add=True)
    # Closed when the lead stops on it, sets it aside, or draws the next one.
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stage__in=[s.value for s in Stage]), name="stopping_sample_stage_valid"
            ),
            models.UniqueConstraint(
                fields=["project", "stage"],
                condition=Q(closed_at__isnull=True),
                name="stopping_sample_one_open_per_stage",
            ),
            models.UniqueConstraint(
                fields=["project", "stage", "number"], name="stopping_sample_number_once"
            ),
        ]

    def __str__(self) -> str:
        return f"stopping sample {self.number} of {self.stage} in {self.project}"


class StoppingSampleReference(models.Model):
    """A reference drawn into a stopping sample; `position` is its place in the random draw."""

    sample = models.ForeignKey(StoppingSample, on_delete=models.CASCADE, related_name="members")
    reference = models.ForeignKey(Reference, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["sample", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["sample", "reference"], name="stopping_sample_reference_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference_id} in {self.sample}"


class ScreeningStop(models.Model):
    """The lead's decision to stop screening a ranked stage: never automatic, always with a
    reason and the evidence of the moment. The references left unscreened then leave the queue
    (StoppedReference) and PRISMA counts them as marked ineligible by automation tools, naming
    `method`. Reversing it (`reversed_at`) returns exactly those references to the queue."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="screening_stops")
    stage = models.CharField(max_length=20, choices=Stage.choices())
    # How the lead judged it: the method's name as the report and the methods text give it.
    method = models.CharField(max_length=200)
    reason = models.TextField()
    # The figures shown to the lead when deciding (recall estimate, bound, p-value, sample...).
    evidence = models.JSONField(default=dict, blank=True)
    sample = models.ForeignKey(
        StoppingSample, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reversed_at = models.DateTimeField(null=True, blank=True)
    reversal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stage__in=[s.value for s in Stage]), name="screening_stop_stage_valid"
            ),
            models.UniqueConstraint(
                fields=["project", "stage"],
                condition=Q(reversed_at__isnull=True),
                name="screening_stop_one_in_force_per_stage",
            ),
        ]

    def __str__(self) -> str:
        return f"stop of {self.stage} in {self.project}"


class StoppedReference(models.Model):
    """A reference a stop took out of the queue unscreened."""

    stop = models.ForeignKey(ScreeningStop, on_delete=models.CASCADE, related_name="references")
    reference = models.ForeignKey(Reference, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stop", "reference"], name="stopped_reference_once"),
        ]
        indexes = [
            # The queue's and PRISMA's question: is this reference under a stop in force?
            models.Index(fields=["reference", "stop"], name="stopped_reference_lookup_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference_id} stopped by {self.stop_id}"
