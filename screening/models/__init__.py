"""The facts of a review. Statuses are derived from these rows (workflow.py), never stored twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from ..workflow import Blinding, Decision, ReviewType, Stage, VoteChoice


class Role(models.TextChoices):
    REVIEWER = "reviewer", "Reviewer"
    LEAD = "lead", "Lead"
    ADMIN = "admin", "Admin"

    @classmethod
    def rank(cls, role: str) -> int:
        """Roles nest: an admin may do what a lead may, a lead what a reviewer may."""
        return {cls.REVIEWER: 1, cls.LEAD: 2, cls.ADMIN: 3}[role]


class ProjectQuerySet(models.QuerySet["Project"]):
    def visible_to(self, user: settings.AUTH_USER_MODEL) -> ProjectQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)


class Project(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    review_type = models.CharField(
        max_length=12,
        choices=[(t.value, t.value.capitalize()) for t in ReviewType],
        default=ReviewType.SYSTEMATIC,
    )
    reviewers_per_reference = models.PositiveSmallIntegerField(default=2)
    # With one reviewer per reference: the percent of references a second reviewer also screens.
    second_reviewer_share = models.PositiveSmallIntegerField(default=0)
    eligibility_criteria = models.TextField(blank=True)
    # Highlighted on the screening page (screening/highlight.py): one term per line; `educat*`
    # for a stem, several words for a phrase.
    include_terms = models.TextField(blank=True)
    exclude_terms = models.TextField(blank=True)
    # Screening is blind at each stage until a lead unblinds it (workflow.Blinding): until then a
    # reviewer is shown every reference as pending, with their own vote only.
    title_abstract_blind = models.BooleanField(default=True)
    full_text_blind = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reviewers_per_reference__gte=1) & Q(reviewers_per_reference__lte=10),
                name="project_reviewers_per_reference_1_to_10",
            ),
            models.CheckConstraint(
                condition=Q(second_reviewer_share__lte=100),
                name="project_second_reviewer_share_0_to_100",
            ),
            models.CheckConstraint(
                condition=Q(review_type__in=[t.value for t in ReviewType]),
                name="project_review_type_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def blinding(self) -> Blinding:
        """What a reviewer of this project is shown (leads and admins: workflow.SEES_ALL)."""
        return Blinding(
            frozenset(
                stage
                for stage, blind in (
                    (Stage.TITLE_ABSTRACT.value, self.title_abstract_blind),
                    (Stage.FULL_TEXT.value, self.full_text_blind),
                )
                if blind
            )
        )


class Membership(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.REVIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "user"], name="membership_unique_per_project"
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.project}"

    def allows(self, min_role: str) -> bool:
        return Role.rank(self.role) >= Role.rank(min_role)


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class JobKind(models.TextChoices):
    IMPORT = "import", "Import an export file"
    DEDUP = "dedup", "Deduplicate"


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


class AuditEvent(models.Model):
    """Who changed what, when, and the values before and after. Written by services only."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="audit_events"
    )
    verb = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=60, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # A project's history page, newest first.
            models.Index(fields=["project", "-created_at"], name="audit_project_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.actor} {self.verb} {self.object_type} {self.object_id}"


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only its SHA-256 is stored; revoking keeps the row."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… for {self.user}"


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


class ReferenceSource(models.TextChoices):
    DATABASES = "databases", "Databases and registers"
    OTHER = "other", "Other methods"


class OtherMethod(models.TextChoices):
    CITATION_SEARCHING = "citation searching", "Citation searching"
    WEBSITES = "websites", "Websites"
    ORGANISATIONS = "organisations", "Organisations"


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
        ]

    def __str__(self) -> str:
        return self.title[:80] or f"Reference {self.pk}"


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
    # for "has this reviewer voted?" and read every vote of the project (18 ms instead of 1).
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
