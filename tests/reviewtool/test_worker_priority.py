"""Background work runs below the web's CPU priority (settings.WORKER_NICENESS)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]

# The worker's start signal, sent in a fresh interpreter as `celery worker` sends it.
PROBE = """
import os
import django
django.setup()
from celery.signals import worker_init
import reviewtool.celery
before = os.nice(0)
worker_init.send(sender=None)
print(os.nice(0) - before)
"""


def _niceness_added(**env: str) -> int:
    environment = {key: value for key, value in os.environ.items() if key != "WORKER_NICENESS"} | {
        "DJANGO_SETTINGS_MODULE": "reviewtool.settings",
        "ALLOW_DEV_SECRET_KEY": "1",
        **env,
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(os.nice(0) > 9, reason="this process is already at the lowest priority")
def test_a_starting_worker_lowers_its_priority_by_the_setting() -> None:
    assert _niceness_added() == 10
    assert _niceness_added(WORKER_NICENESS="3") == 3


def test_a_niceness_of_zero_leaves_the_worker_at_the_webs_priority() -> None:
    assert _niceness_added(WORKER_NICENESS="0") == 0


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_real_worker_and_its_pool_run_below_the_tests_priority(celery_worker_process) -> None:
    expected = min(os.getpriority(os.PRIO_PROCESS, 0) + settings.WORKER_NICENESS, 19)
    worker = celery_worker_process.pid
    assert os.getpriority(os.PRIO_PROCESS, worker) == expected
    children = Path(f"/proc/{worker}/task/{worker}/children").read_text().split()
    assert children, "the prefork pool has its processes once the worker answers a ping"
    assert {os.getpriority(os.PRIO_PROCESS, int(pid)) for pid in children} == {expected}
