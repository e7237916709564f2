"""Long work run in the background (imports, dedup), with its progress and outcome."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .projects import Project


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class JobKind(models.TextChoices):
    IMPORT = "import", "Import an export file"
    DEDUP = "dedup", "Deduplicate"
    RANK = "rank", "Rank the references still to screen"
    SIMULATE = "simulate", "Replay the screening in ranked order"


class Job(models.Model):
    """Long work done by a Celery worker (or inline in the embedded mode), with its progress."""

    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="jobs"
    )
    kind = models.CharField(max_length=20, choices=JobKind.choices)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.FloatField(default=0.0)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=1), name="job_progress_0_to_1"
            ),
            models.CheckConstraint(
                condition=Q(status__in=JobStatus.values), name="job_status_valid"
            ),
        ]
        indexes = [
            # The dashboard's "recent jobs" list: newest jobs of one project.
            models.Index(fields=["project", "-created_at"], name="job_project_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} job {self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in {JobStatus.DONE, JobStatus.FAILED}
