"""The Celery app. Broker: Redis from REDIS_URL; without it, tasks run inline (see settings)."""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import worker_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewtool.settings")

app = Celery("reviewtool")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def background_priority(niceness: int | None = None) -> int:
    """Lower this process's CPU priority by `niceness` (settings.WORKER_NICENESS by default) and
    give the niceness it now has. Background work (a retrain, an import, a dedup run) then takes
    the CPU the web processes leave: the screening page stays quick while a retrain runs on the
    same cores. A process can lower its own priority, never raise it back, so this is done once,
    as the worker starts."""
    from django.conf import settings

    step = settings.WORKER_NICENESS if niceness is None else niceness
    if step <= 0 or not hasattr(os, "nice"):
        return os.nice(0) if hasattr(os, "nice") else 0
    return os.nice(step)


@worker_init.connect
def _worker_at_background_priority(**_: object) -> None:
    # The worker's main process, before it forks its pool: the children inherit the niceness.
    background_priority()


@worker_ready.connect
def _reap_stale_jobs_while_running(**_: object) -> None:
    # Celery beat does not run in this deployment, so every worker reaps (screening.services.jobs
    # .jobs_reap): once as it starts (a worker restarted after a crash finds the jobs the dead one
    # left `running`), then every JOB_REAP_INTERVAL_SECONDS, in a daemon thread of its main
    # process. Several workers reaping at once is safe: each change is a conditional update.
    import threading

    from django.conf import settings

    interval = settings.JOB_REAP_INTERVAL_SECONDS
    if interval <= 0:
        return

    def reap_forever() -> None:
        import logging

        from django.db import close_old_connections

        from screening.services.jobs import jobs_reap

        stop = threading.Event()
        while True:
            try:
                jobs_reap()
            except Exception:  # a database or broker outage: try again at the next round
                logging.getLogger(__name__).warning("reaping jobs failed", exc_info=True)
            finally:
                close_old_connections()
            stop.wait(interval)

    threading.Thread(target=reap_forever, name="reap-jobs", daemon=True).start()
