"""A project's members and jobs, and the jobs a person may see."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from ..errors import NotFound
from ..models import Job, Membership, Project


def project_members(project: Project) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(project=project).select_related("user").order_by("user__username")
    )


def project_recent_jobs(project: Project, limit: int = 10) -> QuerySet[Job]:
    return Job.objects.filter(project=project).select_related("created_by")[:limit]


def job_for_user(user: AbstractBaseUser, job_id: int) -> Job:
    """A job the user may see: one of their projects' jobs, or one they started. Else NotFound."""
    job = Job.objects.filter(pk=job_id).select_related("project").first()
    if job is None:
        raise NotFound("No such job")
    if job.project_id is None:
        if job.created_by_id != user.pk and not user.is_staff:
            raise NotFound("No such job")
    elif not Membership.objects.filter(project_id=job.project_id, user=user).exists():
        raise NotFound("No such job")
    return job
