"""Decisions at each stage: reviewers' votes, leads' resolutions, and the reasons to exclude."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from ..vocabulary import Decision, Order, Stage, VoteChoice
from .projects import Project
from .references import Reference

STAGE_CHOICES = [(s.value, s.value.replace("_", " ").capitalize()) for s in Stage]


class ExclusionReason(models.Model):
    """A reason to exclude at full text, from the project's list; a reviewer may propose one."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="exclusion_reasons")
    name = models.CharField(max_length=200)
    proposed = models.BooleanField(default=False)  # named in a vote, not yet on the lead's list
    # The lead's order: a new reason takes the next number, so it goes last and no reason a
    # reviewer knows by its key moves; only the lead's explicit move renumbers. Ties (two added
    # at once) fall back on the id.
    position = models.PositiveIntegerField(default=0)
    # Retired: kept on past votes, resolutions, exports and PRISMA, not offered for new votes.
    retired_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proposed", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                "project", Lower("name"), name="exclusion_reason_unique_name_per_project"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def retired(self) -> bool:
        return self.retired_at is not None


class Vote(models.Model):
    """One reviewer's decision on one reference at one stage. Voting again replaces it."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="votes")
    # No index of its own: vote_one_per_reviewer_and_stage (reference, stage, reviewer) serves
    # every lookup by reference, and with a second index on reference alone PostgreSQL chose it
    # for "has this reviewer voted?" and read every vote of the project instead of one row.
    reference = models.ForeignKey(
        Reference, on_delete=models.PROTECT, related_name="votes", db_index=False
    )
    stage = models.CharField(max_length=20, choices=STAGE_CHOICES)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="votes"
    )
    vote = models.CharField(max_length=10, choices=[(v.value, v.value) for v in VoteChoice])
    reason = models.ForeignKey(
        ExclusionReason, null=True, blank=True, on_delete=models.PROTECT, related_name="votes"
    )
    note = models.TextField(blank=True)
    # The vote as it stood when another reviewer had voted too, kept when it is changed after
    # that ("" while it never was): agreement counts this independent first decision, and the
    # lead sees the change flagged (changed_after_others_at).
    first_vote = models.CharField(
        max_length=10, blank=True, default="", choices=[(v.value, v.value) for v in VoteChoice]
    )
    changed_after_others_at = models.DateTimeField(null=True, blank=True)
    # The order the stage was screened in when the vote was cast: a ranked order may sway a
    # reviewer, so the methods can say how many decisions were made in it.
    order = models.CharField(max_length=10, choices=Order.choices(), default=Order.IMPORT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference", "stage", "reviewer"], name="vote_one_per_reviewer_and_stage"
            ),
            models.CheckConstraint(
                condition=Q(first_vote__in=["", *[v.value for v in VoteChoice]]),
                name="vote_first_vote_valid",
            ),
            models.CheckConstraint(
                condition=Q(stage__in=[s.value for s in Stage]), name="vote_stage_valid"
            ),
            models.CheckConstraint(
                condition=Q(vote__in=[v.value for v in VoteChoice]), name="vote_choice_valid"
            ),
            # Only an exclusion carries a reason.
            models.CheckConstraint(
                condition=Q(reason__isnull=True) | Q(vote=VoteChoice.EXCLUDE),
                name="vote_reason_only_on_exclude",
            ),
        ]
        indexes = [
            # "Has this reviewer voted on it?" and a reviewer's progress: (project, reviewer, stage).
            models.Index(fields=["project", "reviewer", "stage"], name="vote_project_reviewer_idx"),
            # The counts of a whole project (selectors/status_counts.py): one stage's votes of one
            # project in reference order, with what they say, read from the index alone. Vote
            # and reason as keys, not INCLUDE columns, which SQLite would warn it ignores.
            models.Index(
                fields=["project", "stage", "reference", "vote", "reason"],
                name="vote_project_stage_ref_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} {self.vote} {self.reference_id} at {self.stage}"


class Resolution(models.Model):
    """A lead's decision on a conflict at one stage. Reopening deletes it (the audit keeps it)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="resolutions")
    # No index of its own: resolution_one_per_reference_and_stage (reference, stage) serves it.
    reference = models.ForeignKey(
        Reference, on_delete=models.PROTECT, related_name="resolutions", db_index=False
    )
    stage = models.CharField(max_length=20, choices=STAGE_CHOICES)
    decision = models.CharField(max_length=10, choices=[(d.value, d.value) for d in Decision])
    reason = models.ForeignKey(
        ExclusionReason, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference", "stage"], name="resolution_one_per_reference_and_stage"
            ),
            models.CheckConstraint(
                condition=Q(decision__in=[d.value for d in Decision]),
                name="resolution_decision_valid",
            ),
            models.CheckConstraint(
                condition=Q(reason__isnull=True) | Q(decision=Decision.EXCLUDE),
                name="resolution_reason_only_on_exclude",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision} {self.reference_id} at {self.stage}"
