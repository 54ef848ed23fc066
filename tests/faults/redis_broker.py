"""Redis for the fault tests: what it still holds for a dead worker, and a private redis-server
to stop and start again."""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
from pathlib import Path

import redis

from tests.helpers.polling import wait_until


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- What Redis holds ---------------------------------------------------------------------------


def _send_task_message_id(payload: dict) -> int | None:
    """The Message id a kombu message for `sms.send_message` carries (Celery protocol 2)."""
    if payload.get("headers", {}).get("task") != "sms.send_message":
        return None
    body = payload["body"]
    if payload.get("properties", {}).get("body_encoding") == "base64":
        body = base64.b64decode(body)
    args, _kwargs, _embed = json.loads(body)
    return int(args[0])


def held_send_ids(url: str) -> set[int]:
    """Message ids of send tasks delivered to a worker and not acknowledged (kombu's `unacked`
    hash): what a killed worker was holding. Redis gives them back only after the visibility
    timeout (an hour here)."""
    client = redis.Redis.from_url(url)
    try:
        entries = client.hvals("unacked")
    finally:
        client.close()
    ids = {_send_task_message_id(json.loads(entry)[0]) for entry in entries}
    return ids - {None}


def waiting_send_ids(url: str, queue: str = "celery") -> set[int]:
    """Message ids of send tasks still waiting in the broker queue."""
    client = redis.Redis.from_url(url)
    try:
        entries = client.lrange(queue, 0, -1)
    finally:
        client.close()
    return {_send_task_message_id(json.loads(entry)) for entry in entries} - {None}


# --- A private redis-server ---------------------------------------------------------------------


class RedisServer:
    """A redis-server of our own on a free port, without persistence, to stop and start again.
    (The shared Redis on 6379 is never touched.)"""

    def __init__(self, log_path: Path):
        self.port = free_port()
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    "redis-server",
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--daemonize",
                    "no",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(self._answers, timeout=10, interval=0.05, what="redis-server to answer")
        return self

    def _answers(self) -> bool:
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False
        finally:
            client.close()

    def stop(self) -> None:
        """Stop the server (SIGTERM); new connections are refused until `start()`."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def freeze(self) -> None:
        """SIGSTOP: connections are accepted by the kernel but never answered (a hung host)."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)
