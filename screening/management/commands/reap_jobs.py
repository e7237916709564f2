"""Re-queue or fail jobs whose worker died or that no worker took, and remove orphaned uploads.

Every worker runs the same reaper at start and then every JOB_REAP_INTERVAL_SECONDS
(reviewtool/celery.py); this command runs it once, by hand or from cron.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from screening.services.jobs import jobs_reap


class Command(BaseCommand):
    help = (
        "Re-queue or fail stale jobs (running with no live worker, or queued too long) and "
        "remove uploads no unfinished job reads."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--stale-seconds",
            type=float,
            default=None,
            help="A running job older than this that no worker holds is stale "
            "(default: JOB_STALE_SECONDS).",
        )
        parser.add_argument(
            "--queued-stale-seconds",
            type=float,
            default=None,
            help="A queued job older than this is failed (default: JOB_QUEUED_STALE_SECONDS).",
        )

    def handle(self, *args: object, **options: object) -> None:
        done = jobs_reap(
            stale_seconds=options["stale_seconds"],
            queued_stale_seconds=options["queued_stale_seconds"],
        )
        self.stdout.write(
            f"re-queued {len(done['requeued'])} job(s) {done['requeued']}, "
            f"failed {len(done['failed'])} job(s) {done['failed']}, "
            f"removed {len(done['uploads_removed'])} orphaned upload(s)"
        )
