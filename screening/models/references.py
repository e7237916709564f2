"""What is screened (references) and the duplicate sets that merge records into them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .jobs import Job
from .projects import Project


class ReferenceSource(models.TextChoices):
    DATABASES = "databases", "Databases and registers"
    OTHER = "other", "Other methods"


class ReferenceQuerySet(models.QuerySet["Reference"]):
    def active(self) -> ReferenceQuerySet:
        """References still screened: not merged into another."""
        return self.filter(merged_into__isnull=True)


class Reference(models.Model):
    """What is screened: one or more records dedup found to be the same paper.

    The descriptive fields are a summary of its records (the best title, the longest abstract...),
    recomputed by the services whenever records move; the records themselves are never edited.
    """

    # No index of its own: reference_project_idx (project, id) serves it.
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="references", db_index=False
    )
    source = models.CharField(
        max_length=10, choices=ReferenceSource.choices, default=ReferenceSource.DATABASES
    )
    title = models.TextField(blank=True)
    abstract = models.TextField(blank=True)
    authors = models.JSONField(default=list, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    journal = models.CharField(max_length=500, blank=True)
    volume = models.CharField(max_length=50, blank=True)
    issue = models.CharField(max_length=50, blank=True)
    pages = models.CharField(max_length=50, blank=True)
    doi = models.CharField(max_length=255, blank=True)
    pmid = models.CharField(max_length=20, blank=True)
    keywords = models.JSONField(default=list, blank=True)
    # A merged reference keeps its row (and, later, its votes) so that unmerging restores it.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_references"
    )
    # The pilot round that drew this reference into its sample, if one did: such a reference
    # needs two votes at least (workflow.votes_required). A sampling fact, not a status.
    pilot = models.ForeignKey(
        "Pilot", null=True, blank=True, on_delete=models.PROTECT, related_name="references"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            # Screening lists of one project in import order.
            models.Index(fields=["project", "id"], name="reference_project_idx"),
            # The few references the project's counts work out one by one, whatever was done
            # to them (selectors/status_counts.py): from other methods, drawn for a pilot, or
            # merged away. Every other reference is from databases and screened as it is.
            models.Index(
                fields=["project"],
                condition=~Q(source=ReferenceSource.DATABASES)
                | Q(pilot__isnull=False)
                | Q(merged_into__isnull=False),
                name="reference_unusual_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title[:80] or f"Reference {self.pk}"


class DuplicateStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a person"
    MERGED = "merged", "Merged"
    REJECTED = "rejected", "Not duplicates"


class DuplicateCandidate(models.Model):
    """A set of references dedup judged to be one paper: merged automatically, or for a person.

    `moves` records which record left which reference at the merge, so unmerging puts every
    record back exactly where it was.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="duplicates")
    references = models.JSONField(default=list)
    score = models.FloatField()
    reasons = models.JSONField(default=list, blank=True)
    auto = models.BooleanField(default=False)
    status = models.CharField(
        max_length=10, choices=DuplicateStatus.choices, default=DuplicateStatus.PENDING
    )
    survivor = models.ForeignKey(
        Reference, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    moves = models.JSONField(default=list, blank=True)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DuplicateStatus.values), name="duplicate_status_valid"
            ),
        ]
        indexes = [
            # The review page: one project's candidates by status, strongest first.
            models.Index(
                fields=["project", "status", "-score"], name="duplicate_project_status_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.status} duplicate set {self.references}"
