"""The sweeper for the embedded default (no REDIS_URL, so no Celery beat): a daemon thread of
the development server that sweeps the outbox every few seconds, so scheduled messages,
quiet-hours holds and automatic retries go out under `make run` alone.

Tasks run in-process there, so a sweep sends what is due in this thread. Production runs
`celery beat` (or `manage.py sweep_sms` from cron) instead; nothing starts this thread except
`manage.py runserver` without REDIS_URL (nextal/management/commands/runserver.py) and a test
that asks for it.
"""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections, connections

from sms.outbox.sweeper import sweep_outbox

logger = logging.getLogger(__name__)


class EmbeddedSweeper:
    """`EmbeddedSweeper(every=10).start()`; `.stop()` ends it (and waits for the sweep)."""

    def __init__(self, every: float):
        self.every = every
        self.sweeps = 0
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="nextal-sms-sweeper", daemon=True)

    def start(self) -> EmbeddedSweeper:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                self.sweep_once()
                self._stopping.wait(self.every)
        finally:
            # This thread's own connection: kept (CONN_MAX_AGE), it would outlive the thread.
            connections.close_all()

    def sweep_once(self) -> None:
        close_old_connections()
        try:
            sweep_outbox()
        except Exception:  # a bad sweep must not end the thread: the next one tries again
            logger.exception("SMS sweep failed; trying again in %s s", self.every)
        finally:
            self.sweeps += 1
            close_old_connections()
