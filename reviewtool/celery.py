"""The Celery app. Broker: Redis from REDIS_URL; without it, tasks run inline (see settings)."""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import worker_init

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
