"""gunicorn's settings for the web container (read from the working directory by default).

One single-threaded process per core: the app's requests are short and CPU-bound (Python and
the database on the same cores), and on the 2-core benchmark machine this layout gave both the
lower server time and the lower time seen by 20 clients voting at once, against 4 processes of
2 threads (benchmarks/bench_screening.py; benchmarks/RESULTS.md, 2026-11-24: server p95 17 ms
against 61, client p95 211 ms against 302). WEB_CONCURRENCY overrides it. Sync workers wait on
slow clients: behind the open internet, put a buffering proxy (nginx) in front.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
threads = 1
timeout = 120
