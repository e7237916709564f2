"""A project's members and jobs, and the jobs a person may see."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db.models import QuerySet

from ..errors import NotFound
from ..models import Job, JobKind, JobStatus, Membership, Project

# Jobs whose results count the settled includes and excludes: a blinded reviewer who has just
# voted could read from such a count whether the other reviewer agreed, so only the project's
# leads and admins see them (the rankings' own API gives reviewers the order alone).
LEADS_ONLY_JOBS = frozenset({JobKind.RANK, JobKind.SIMULATE})


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
    else:
        membership = Membership.objects.filter(project_id=job.project_id, user=user).first()
        if membership is None or (job.kind in LEADS_ONLY_JOBS and not membership.leads):
            raise NotFound("No such job")
    if job.status == JobStatus.RUNNING:
        # An import writes its progress inside its own transaction, which nobody else sees
        # until it commits: the cache's copy (services.jobs.job_set_progress) is what it reached.
        reached = cache.get(job_progress_key(job.pk))
        if isinstance(reached, float) and reached > job.progress:
            job.progress = reached
    return job


def job_progress_key(job_id: int) -> str:
    """Where a running job's progress is kept in the cache, beside its row."""
    return f"job-progress:{job_id}"
