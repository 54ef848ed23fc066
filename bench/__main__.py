"""`python -m bench`: run every benchmark, print the table, write bench/results.json."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time

from bench import bulk, inbound, outbound, pages, replies
from bench.common import (
    ROOT,
    bench_env,
    configure_policy,
    configure_twilio,
    free_port,
    fresh_database,
    setup_django,
)
from bench.report import print_table


def machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "postgres": subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "show server_version"],
            capture_output=True,
            text=True,
        ).stdout.strip(),
        "redis": subprocess.run(["redis-cli", "info", "server"], capture_output=True, text=True)
        .stdout.split("redis_version:")[-1]
        .split()[0],
    }


def main() -> None:
    port = free_port()
    env = bench_env(port)
    total_start = time.perf_counter()
    fresh_database(env)
    setup_django(env)
    configure_twilio()
    configure_policy()
    results = {"machine": machine()}
    print("1/5 inbound webhooks …", flush=True)
    results["inbound_webhooks"] = inbound.bench_inbound(env, port)
    print("2/5 outbound pipeline …", flush=True)
    results["outbound_pipeline"] = outbound.bench_outbound(port)
    print("3/5 pages …", flush=True)
    results["pages"] = pages.bench_pages()
    print("4/5 bulk send …", flush=True)
    results["bulk_send"] = bulk.bench_bulk()
    print("5/5 reading replies …", flush=True)
    results["reading_replies"] = replies.bench_replies()
    results["total_seconds"] = round(time.perf_counter() - total_start, 1)
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)


if __name__ == "__main__":
    main()
