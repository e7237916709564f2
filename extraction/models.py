"""Data extraction: a versioned codebook, each extractor's values, the sample extracted twice,
and the lead's consensus. Values are JSON keyed by field name, checked by extraction/coding.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from screening.models import Project, Reference

from . import coding


class Codebook(models.Model):
    """One version of a project's codebook. Changing the fields makes a new version; values
    entered under an older one are kept, and those of changed fields are flagged for a look."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="codebooks")
    version = models.PositiveIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "version"], name="codebook_one_number_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"Codebook v{self.version} of {self.project}"


# The types the pure codebook rules know (coding.FIELD_TYPES), as the column's choices.
FIELD_TYPE_CHOICES = [(name, name.capitalize()) for name in coding.FIELD_TYPES]


class Field(models.Model):
    """A question of the codebook, in its section and order."""

    codebook = models.ForeignKey(Codebook, on_delete=models.CASCADE, related_name="fields")
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=12, choices=FIELD_TYPE_CHOICES)
    choices = models.JSONField(default=list, blank=True)
    help = models.TextField(blank=True)
    section = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["codebook", "position"]
        constraints = [
            models.UniqueConstraint(fields=["codebook", "position"], name="field_one_per_position"),
            models.UniqueConstraint(fields=["codebook", "name"], name="field_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Extraction(models.Model):
    """One extractor's values for one included reference, under the codebook version they saw."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="extractions")
    reference = models.ForeignKey(Reference, on_delete=models.PROTECT, related_name="extractions")
    extractor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="extractions"
    )
    codebook = models.ForeignKey(Codebook, on_delete=models.PROTECT, related_name="+")
    values = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["reference_id", "extractor_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference", "extractor"], name="extraction_one_per_extractor"
            )
        ]

    def __str__(self) -> str:
        return f"Extraction of {self.reference_id} by {self.extractor_id}"


class DoubleExtraction(models.Model):
    """A reference drawn into the sample that two people extract, blind to each other."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    reference = models.OneToOneField(
        Reference, on_delete=models.PROTECT, related_name="double_extraction"
    )
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Double extraction of {self.reference_id}"


class Consensus(models.Model):
    """The lead's settled values for a reference extracted twice."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    reference = models.OneToOneField(Reference, on_delete=models.PROTECT, related_name="consensus")
    codebook = models.ForeignKey(Codebook, on_delete=models.PROTECT, related_name="+")
    values = models.JSONField(default=dict)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Consensus on {self.reference_id}"


class Assignment(models.Model):
    """Who extracts a study: one person, or two for a study of the double sample."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    reference = models.ForeignKey(Reference, on_delete=models.PROTECT, related_name="+")
    extractor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="extraction_assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reference", "extractor"], name="assignment_one_per_extractor"
            )
        ]

    def __str__(self) -> str:
        return f"{self.extractor_id} extracts {self.reference_id}"
