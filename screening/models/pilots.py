"""Pilot rounds: a random sample screened first, to see the team's agreement."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .projects import Project


class Pilot(models.Model):
    """A pilot round of title/abstract screening: a random sample screened first, by two
    reviewers each, so that the team sees its agreement (kappa) before screening the rest.

    While a pilot is open, "next" hands out only its references; a lead closes it to go on.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="pilots")
    size = models.PositiveIntegerField()
    seed = models.BigIntegerField(help_text="Seed of the random draw, to redraw the same sample.")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(closed_at__isnull=True),
                name="pilot_one_open_per_project",
            ),
        ]

    def __str__(self) -> str:
        return f"Pilot of {self.size} in {self.project}"
