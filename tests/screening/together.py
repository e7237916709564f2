"""Requests sent at the same moment from threads of their own: what row locks are tested with."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections


def together(
    api: Callable[[object], object], calls: list[tuple[object, str, str, dict]]
) -> list[int]:
    """Send each (user, method, path, body) from its own thread, all released at once by one
    barrier; the statuses, in the order of `calls`."""
    barrier = threading.Barrier(len(calls))
    statuses: list[int] = [0] * len(calls)

    def run(index: int, user: object, method: str, path: str, body: dict) -> None:
        client = api(user)
        try:
            barrier.wait(timeout=10)
            statuses[index] = getattr(client, method)(path, body).status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses
