"""RabbitMQ for the tests: a queue's ready and unacknowledged counts, a vhost emptied, and a
private node (its own ports, data directory and Erlang cookie) to stop and start again."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tests.helpers.polling import wait_until

RABBITMQ_BIN = Path("/usr/lib/rabbitmq/bin")


def _vhost(url: str) -> str:
    return unquote(urlsplit(url).path.lstrip("/")) or "/"


def _ctl(node_env: dict | None, *args: str) -> str:
    """rabbitmqctl for a private node (its environment: its own cookie), else for the shared
    node: the system's rabbitmqctl, with RABBITMQ_NODE and RABBITMQ_ERLANG_COOKIE when set
    (as .ci/services uses them)."""
    if node_env is not None:
        command = [str(RABBITMQ_BIN / "rabbitmqctl"), "-n", node_env["RABBITMQ_NODENAME"]]
    else:
        command = [shutil.which("rabbitmqctl") or "rabbitmqctl"]
        if os.environ.get("RABBITMQ_NODE"):
            command += ["-n", os.environ["RABBITMQ_NODE"]]
        if os.environ.get("RABBITMQ_ERLANG_COOKIE"):
            command += ["--erlang-cookie", os.environ["RABBITMQ_ERLANG_COOKIE"]]
    result = subprocess.run(
        [*command, *args], capture_output=True, text=True, timeout=60, env=node_env, check=True
    )
    return result.stdout


def queue_counts(url: str, queue: str = "celery"):
    """(ready, unacknowledged) messages of `queue` on the vhost of `url`; (0, 0) if absent."""
    env = _PRIVATE_NODES.get(urlsplit(url).port)
    args = ["-p", _vhost(url), "list_queues", "-q", "--no-table-headers"]
    output = _ctl(env, *args, "name", "messages_ready", "messages_unacknowledged")
    for line in output.splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[0] == queue:
            return int(fields[1]), int(fields[2])
    return 0, 0


def delete_queue(url: str, queue: str = "celery") -> None:
    """Forget `queue` (and what it held) on the vhost of `url`."""
    from kombu import Connection

    with Connection(url, connect_timeout=5) as connection:
        channel = connection.channel()
        try:
            channel.queue_delete(queue)
        finally:
            channel.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


_PRIVATE_NODES: dict[int, dict] = {}


class RabbitServer:
    """A RabbitMQ node of our own (the shared one on 5672 is never touched), to stop and start
    again. Its data directory survives a stop, as a real broker's disk does."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "rabbitmq.conf").write_text(
            f"listeners.tcp.default = 127.0.0.1:{self.port}\nloopback_users = none\n"
        )
        (folder / "enabled_plugins").write_text("[].\n")
        (folder / "rabbitmq-env.conf").write_text("")
        self.env = {
            **os.environ,
            "HOME": str(folder),  # its own Erlang cookie
            "RABBITMQ_NODENAME": f"nextal{self.port}@localhost",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(free_port()),
            "RABBITMQ_CONFIG_FILE": str(folder / "rabbitmq.conf"),
            "RABBITMQ_CONF_ENV_FILE": str(folder / "rabbitmq-env.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(folder / "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": str(folder / "mnesia"),
            "RABBITMQ_LOG_BASE": str(folder / "log"),
            "RABBITMQ_PID_FILE": str(folder / "pid"),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
            "ERL_FLAGS": "-kernel inet_dist_use_interface {127,0,0,1}",
        }
        _PRIVATE_NODES[self.port] = self.env

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"

    def start(self) -> RabbitServer:
        with (self.folder / "server.log").open("ab") as log:
            self.process = subprocess.Popen(
                [str(RABBITMQ_BIN / "rabbitmq-server")],
                env=self.env,
                cwd=self.folder,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(self._answers, timeout=90, interval=0.5, what="RabbitMQ to accept AMQP")
        return self

    def _answers(self) -> bool:
        from kombu import Connection

        try:
            with Connection(self.url, connect_timeout=1) as connection:
                connection.connect()
            return True
        except Exception:
            return False

    def stop(self) -> None:
        """Stop the node; new connections are refused until `start()`."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        _PRIVATE_NODES.pop(self.port, None)
