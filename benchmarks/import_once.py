"""One import of a file into the configured database, timed; prints a JSON line. Used by bench_import."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import django


def main(path: str) -> None:
    django.setup()
    from django.contrib.auth import get_user_model

    from screening.models import Project
    from screening.services.imports import SearchDetails, search_import
    from screening.services.projects import project_create

    user = get_user_model().objects.create_user(username=f"bench{time.time_ns()}")
    project = project_create(name=f"bench {time.time_ns()}", creator=user)
    started, cpu_started = time.perf_counter(), time.process_time()
    with open(path, "rb") as handle:  # a stream, as an upload reaches the service
        search = search_import(
            project=project,
            data=handle,
            filename="bench.nbib",
            details=SearchDetails(database="PubMed"),
            user=user,
        )
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    assert Project.objects.get(pk=project.pk).records.count() == search.record_count
    peak_mb = _peak_resident_mb()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,  # this process's, all threads; not the database's
                "records": search.record_count,
                "peak_mb": peak_mb,
            }
        )
    )


def _peak_resident_mb() -> float:
    # VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over from the parent across
    # exec, so a child started by a large benchmark process would report the parent's peak.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


if __name__ == "__main__":
    main(sys.argv[1])
