"""What the benchmarks that start a server share: waiting until it answers."""

from __future__ import annotations

import http.client
import os
import time


def wait_for_server(port: int, *, seconds: float = 60) -> None:
    """Return once the server on 127.0.0.1:`port` answers a request (any answer)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/login/")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)  # polling a port that is not listening yet: nothing to wait on
    raise RuntimeError(f"the server on port {port} did not start")


def server_env(**settings: str) -> dict[str, str]:
    """The environment of a benchmark's server or seeding command: production settings (DEBUG
    off, a throwaway SECRET_KEY) served over plain HTTP on loopback, plus `settings`."""
    return {
        **os.environ,
        "SECRET_KEY": "bench-only-" + "x" * 40,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DJANGO_SETTINGS_MODULE": "reviewtool.settings",
        **settings,
    }
