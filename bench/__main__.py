"""`python -m bench`: run every benchmark, print the table, write bench/results.json.

`python -m bench analytics` (any of: inbound outbound pages bulk replies analytics moves mixed)
runs only those and updates their keys in bench/results.json, keeping the others."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time

from bench import analytics, bulk, inbound, mixed, moves, outbound, pages, replies
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


BENCHMARKS = {
    "inbound": (
        "inbound webhooks",
        "inbound_webhooks",
        lambda env, port: inbound.bench_inbound(env, port),
    ),
    "outbound": (
        "outbound pipeline",
        "outbound_pipeline",
        lambda env, port: outbound.bench_outbound(port),
    ),
    "pages": ("pages", "pages", lambda env, port: pages.bench_pages()),
    "bulk": ("bulk send", "bulk_send", lambda env, port: bulk.bench_bulk()),
    "replies": ("reading replies", "reading_replies", lambda env, port: replies.bench_replies()),
    "analytics": ("SMS Analytics", "sms_analytics", lambda env, port: analytics.bench_analytics()),
    "moves": ("moving 200 cards", "bulk_move", lambda env, port: moves.bench_moves()),
    "mixed": ("mixed load", "mixed_load", lambda env, port: mixed.bench_mixed(port)),
}


def main(names: list[str]) -> None:
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        sys.exit(f"unknown benchmark(s) {sorted(unknown)}; choose from {list(BENCHMARKS)}")
    names = names or list(BENCHMARKS)
    port = free_port()
    env = bench_env(port)
    total_start = time.perf_counter()
    fresh_database(env)
    setup_django(env)
    configure_twilio()
    configure_policy()
    path = ROOT / "bench" / "results.json"
    results = json.loads(path.read_text()) if names != list(BENCHMARKS) and path.exists() else {}
    results["machine"] = machine()
    for number, name in enumerate(names, 1):
        title, key, run = BENCHMARKS[name]
        print(f"{number}/{len(names)} {title} …", flush=True)
        results[key] = run(env, port)
    results["total_seconds"] = round(time.perf_counter() - total_start, 1)
    path.write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)


if __name__ == "__main__":
    main(sys.argv[1:])
