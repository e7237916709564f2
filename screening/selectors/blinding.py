"""What a member is shown of the screening (workflow.Blinding), for lists to filter on."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Case, CharField, F, Q, QuerySet, Value, When

from ..models import Membership, Project, Reference, ReferenceSource
from ..vocabulary import Stage, Status
from ..workflow import REPORT_STATUSES, SEES_ALL, Blinding

TA, FT = Stage.TITLE_ABSTRACT.value, Stage.FULL_TEXT.value


def blinding_for(project: Project, membership: Membership | None) -> Blinding:
    """Leads and admins see every outcome; a reviewer (or anyone else) the project's blinding."""
    if membership is not None and membership.leads:
        return SEES_ALL
    return project.blinding


def blinding_of(project: Project, user: AbstractBaseUser) -> Blinding:
    """`blinding_for` the user's membership of the project, read here."""
    return blinding_for(project, Membership.objects.filter(project=project, user=user).first())


def as_seen(references: QuerySet[Reference], blinding: Blinding) -> QuerySet[Reference]:
    """Annotate `shown_stage` and `shown_status` on `with_status`'s references: what a viewer
    with `blinding` is shown, written as workflow.Blinding.shown in SQL for lists to filter on."""
    if not blinding.blind_stages:
        return references.annotate(shown_stage=F("stage"), shown_status=F("status"))
    pending = Value(Status.PENDING.value)
    ta_hidden = (
        Q(ta_resolution__decision__isnull=True)
        & Q(report__isnull=True)
        & ~Q(source=ReferenceSource.OTHER)
        & Q(required__gte=2)
    )
    hidden_ta = [When(ta_hidden, then=pending)] if TA in blinding.blind_stages else []
    hidden_ft = (
        [When(Q(ft_resolution__decision__isnull=True) & Q(required__gte=2), then=pending)]
        if FT in blinding.blind_stages
        else []
    )
    return references.annotate(
        shown_stage=Case(
            *([When(ta_hidden, then=Value(TA))] if hidden_ta else []),
            default=F("stage"),
            output_field=CharField(),
        ),
        shown_status=Case(
            *hidden_ta,
            When(stage=TA, then=F("ta_status")),
            When(ft_status__in=[s.value for s in REPORT_STATUSES], then=F("ft_status")),
            *hidden_ft,
            default=F("ft_status"),
            output_field=CharField(),
        ),
    )
