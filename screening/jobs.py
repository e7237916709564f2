# Transitional re-exports for issue 17; removed once every importer points at screening.services.
from .services.jobs import job_claim, job_create, job_fail, job_run

__all__ = ["job_claim", "job_create", "job_fail", "job_run"]
