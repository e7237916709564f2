"""Full texts (reports) of references: a file, or marked not retrieved."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .projects import Project
from .references import Reference


def report_upload_to(report: Report, filename: str) -> str:
    return f"projects/{report.project_id}/reports/{report.reference_id}/{filename}"


class Report(models.Model):
    """A reference's full text: a PDF, or marked not retrieved. Replacing it keeps the old file."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports")
    reference = models.OneToOneField(Reference, on_delete=models.PROTECT, related_name="report")
    file = models.FileField(upload_to=report_upload_to, max_length=300, blank=True)
    filename = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    pages = models.PositiveIntegerField(default=0)
    text = models.TextField(blank=True)  # extracted for search
    not_retrieved = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # A file, or "not retrieved": never both, never neither.
            models.CheckConstraint(
                condition=(Q(not_retrieved=True) & Q(file=""))
                | (Q(not_retrieved=False) & ~Q(file="")),
                name="report_file_or_not_retrieved",
            ),
        ]

    def __str__(self) -> str:
        return self.filename or "not retrieved"
