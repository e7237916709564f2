"""Projects and the people in them: members with a role, and their API tokens."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .. import vocabulary
from ..vocabulary import Order, ReviewType, Stage
from ..workflow import Blinding


class Role(models.TextChoices):
    """A member's role; its codes, labels and rank are the vocabulary's (vocabulary.Role)."""

    REVIEWER = vocabulary.Role.REVIEWER.value, vocabulary.Role.REVIEWER.label
    LEAD = vocabulary.Role.LEAD.value, vocabulary.Role.LEAD.label
    ADMIN = vocabulary.Role.ADMIN.value, vocabulary.Role.ADMIN.label

    @classmethod
    def rank(cls, role: str) -> int:
        """Roles nest: an admin may do what a lead may, a lead what a reviewer may."""
        return vocabulary.Role(role).rank


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
        choices=ReviewType.choices(),
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
    # The order each stage is screened in, set by the lead (services.ranking.ranking_order_set);
    # `ranked` serves the stage's newest Ranking, import order when there is none yet.
    title_abstract_order = models.CharField(
        max_length=10, choices=Order.choices(), default=Order.IMPORT
    )
    full_text_order = models.CharField(max_length=10, choices=Order.choices(), default=Order.IMPORT)
    # A ranked stage is retrained after every this many settled decisions there.
    ranking_retrain_every = models.PositiveIntegerField(default=25)
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

    def order_at(self, stage: str) -> Order:
        """The order the stage is screened in."""
        value = self.full_text_order if stage == Stage.FULL_TEXT else self.title_abstract_order
        return Order.parse(value, Order.IMPORT)

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

    @property
    def leads(self) -> bool:
        """A lead or an admin: may import, resolve conflicts, unblind a stage, manage the reasons
        and export; sees every vote, where a reviewer sees only their own while a stage is blind."""
        return self.allows(Role.LEAD)

    @property
    def administers(self) -> bool:
        """An admin: may manage the project's members, besides all a lead may."""
        return self.allows(Role.ADMIN)


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
