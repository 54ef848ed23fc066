"""Real concurrency for the PostgreSQL tests: one function called from several threads at once."""

import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import connection

WORKERS = 8


def run_at_once(function, count=WORKERS):
    """Call `function` from `count` threads released together; each closes its connection."""
    barrier = threading.Barrier(count)

    def call(_):
        try:
            barrier.wait(timeout=10)
            return function()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(call, range(count)))
