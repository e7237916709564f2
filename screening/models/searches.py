"""Searches (one database, a date, a query) and the records their exports gave."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .projects import Project
from .references import Reference


def search_upload_to(search: Search, filename: str) -> str:
    return f"projects/{search.project_id}/searches/{search.sha256[:16]}/{filename}"


class Search(models.Model):
    """One database searched on a date with a query (PRISMA-S), and the export file it gave."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="searches")
    database = models.CharField(max_length=120)
    platform = models.CharField(max_length=120, blank=True)
    searched_on = models.DateField(null=True, blank=True)
    query = models.TextField(blank=True)
    file = models.FileField(upload_to=search_upload_to, max_length=300)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    format = models.CharField(max_length=20)
    encoding = models.CharField(max_length=20, blank=True)
    record_count = models.PositiveIntegerField(default=0)
    warnings = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # "Has this file been imported into this project already?"
            models.Index(fields=["project", "sha256"], name="search_project_sha256_idx"),
        ]
        verbose_name_plural = "searches"

    def __str__(self) -> str:
        return f"{self.database} ({self.searched_on or 'undated'})"


class OtherMethod(models.TextChoices):
    CITATION_SEARCHING = "citation searching", "Citation searching"
    WEBSITES = "websites", "Websites"
    ORGANISATIONS = "organisations", "Organisations"


class Record(models.Model):
    """One entry of an export as the database printed it. Never edited, never deleted."""

    # No index of its own: the (project, doi) and (project, pmid) indexes serve it, and every
    # index costs time on a 100k-record import.
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="records", db_index=False
    )
    search = models.ForeignKey(
        Search, null=True, blank=True, on_delete=models.PROTECT, related_name="records"
    )
    method = models.CharField(max_length=20, choices=OtherMethod.choices, blank=True)
    reference = models.ForeignKey(Reference, on_delete=models.PROTECT, related_name="records")
    position = models.PositiveIntegerField(default=0)
    line = models.PositiveIntegerField(default=0)
    raw = models.TextField(blank=True)
    title = models.TextField(blank=True)
    abstract = models.TextField(blank=True)
    authors = models.JSONField(default=list, blank=True)
    # Everyone else named on the work, each with the part they played: a book's editors, series
    # editors, translators ({"family", "given", "printed", "role"}), in the order printed.
    contributors = models.JSONField(default=list, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    journal = models.CharField(max_length=500, blank=True)
    journal_abbrev = models.CharField(max_length=200, blank=True)
    volume = models.CharField(max_length=50, blank=True)
    issue = models.CharField(max_length=50, blank=True)
    pages = models.CharField(max_length=50, blank=True)
    start_page = models.CharField(max_length=20, blank=True)
    end_page = models.CharField(max_length=20, blank=True)
    doi = models.CharField(max_length=255, blank=True)
    pmid = models.CharField(max_length=20, blank=True)
    pmcid = models.CharField(max_length=20, blank=True)
    accession = models.CharField(max_length=100, blank=True)
    issn = models.JSONField(default=list, blank=True)
    isbn = models.JSONField(default=list, blank=True)
    keywords = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=60, blank=True)
    publication_type = models.CharField(max_length=120, blank=True)
    url = models.TextField(blank=True)
    source_database = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            # A record comes from a search, or was found by another method: never both, never neither.
            models.CheckConstraint(
                condition=(Q(search__isnull=False) & Q(method=""))
                | (Q(search__isnull=True) & ~Q(method="")),
                name="record_from_search_or_other_method",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "doi"], name="record_project_doi_idx"),
            models.Index(fields=["project", "pmid"], name="record_project_pmid_idx"),
        ]

    def __str__(self) -> str:
        return self.title[:80] or f"Record {self.pk}"
