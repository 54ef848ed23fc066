"""The table `make bench` prints."""

from __future__ import annotations


def print_table(r: dict) -> None:
    """The table of whichever benchmarks `r` holds (a partial run prints its own rows)."""
    main = ("inbound_webhooks", "outbound_pipeline", "pages", "bulk_send")
    rows = _main_rows(r) if all(key in r for key in main) else []
    rows += _scale_rows(r)
    rows += _move_rows(r)
    if "sms_analytics" in r:
        a = r["sms_analytics"]
        messages = f"{a['data']['messages_in_range']:,} messages, {a['data']['days']} days"
        for name in ("figures", "page"):
            f = a[name]
            rows.append(
                (
                    f"SMS Analytics {name} ({messages}; queries, median / p95 ms, CPU ms)",
                    f"{f['queries']}, {f['median_ms']} / {f['p95_ms']}, {f['cpu_median_ms']}",
                    f"load average {f['load_average']}",
                    "",
                )
            )
    print(f"\n{'benchmark':<40} {'result':<26} {'baseline':<26} ratio")
    for row in rows:
        print(f"{row[0]:<40} {row[1]:<26} {row[2]:<26} {row[3]}")
    print(f"\nmachine: {r['machine']}; total {r['total_seconds']} s; bench/results.json written")


def _inbound_rows(w: dict) -> list[tuple]:
    b, s = w["baseline_trivial_view"], w["signed_twilio_inbound"]
    return [
        (
            "Inbound webhooks (req/s)",
            f"{s['rps']}",
            f"{b['rps']} trivial view",
            f"{w['rps_ratio_to_baseline']}",
        ),
        (
            "  p50 / p95 / p99 ms",
            f"{s['p50_ms']} / {s['p95_ms']} / {s['p99_ms']}",
            f"{b['p50_ms']} / {b['p95_ms']} / {b['p99_ms']}",
            f"{w['p50_ratio_to_baseline']} (p50)",
        ),
        (
            "  errors; 1 message per webhook",
            f"{s['errors']}; {w['exactly_one_message_per_webhook']}",
            f"{b['errors']}",
            "",
        ),
        (
            "  processed / failed; s after last ack",
            f"{w['events_processed']} / {w['events_failed']}; "
            f"{w['processed_seconds_after_last_ack']}",
            f"{w.get('events_processed_at_last_ack')} at last ack, "
            f"{w['celery_worker_processes']} workers (nice {w.get('celery_worker_nice', 0)})",
            f"within 10 s: {w['all_processed_within_10_s']}",
        ),
    ]


def _main_rows(r: dict) -> list[tuple]:
    o, p, k = r["outbound_pipeline"], r["pages"], r["bulk_send"]
    rows = [
        *_inbound_rows(r["inbound_webhooks"]),
        (
            "Outbound (msg/s)",
            f"{o['messages_per_s']}",
            f"{o.get('baseline_bare_task_messages_per_s')} bare task",
            f"{o.get('ratio_to_baseline')}",
        ),
        (
            "  sent / lost / duplicates",
            f"{o['sent_in_db']} / {o['lost']} / {o['provider_duplicates']}",
            "",
            "",
        ),
        _worker_cpu_row(o),
    ]
    for name, page in p.items():
        if name == "data":
            continue
        rows.append(
            (
                f"Page {name} (queries (max), median ms)",
                f"{page['queries']} ({page.get('queries_max', page['queries'])}), "
                f"{page['median_ms']}",
                "",
                "",
            )
        )
    rows.append(
        (
            "Bulk queue 5,000 (s)",
            f"{k['seconds']}",
            f"{k['baseline_bare_inserts_seconds']} bare inserts",
            f"{k['ratio_to_baseline']}",
        )
    )
    rr = r.get("reading_replies")
    if rr:
        rows.append(
            (
                "Reading replies (per s)",
                f"{rr['per_second']:,} ({rr['microseconds_each']} µs)",
                f"{rr['baseline_keyword_lookup_per_second']:,} keyword lookup",
                f"{rr['ratio_to_baseline']}",
            )
        )
    return rows


def _scale_rows(r: dict) -> list[tuple]:
    """Rows for the benchmarks of a partial run (inbound, outbound, bulk, mixed) when the full
    table is not printed, and the mixed load always."""
    main = ("inbound_webhooks", "outbound_pipeline", "pages", "bulk_send")
    rows = []
    if not all(key in r for key in main):
        if "inbound_webhooks" in r:
            rows += _inbound_rows(r["inbound_webhooks"])
        o, k = r.get("outbound_pipeline"), r.get("bulk_send")
        if o:
            rows.append(
                (
                    "Outbound (msg/s)",
                    f"{o['messages_per_s']}",
                    f"{o.get('baseline_bare_task_messages_per_s')} bare task",
                    f"{o.get('ratio_to_baseline')}",
                )
            )
            rows.append(
                (
                    "  sent / lost / duplicates",
                    f"{o['sent_in_db']} / {o['lost']} / {o['provider_duplicates']}",
                    "",
                    "",
                )
            )
            rows.append(_worker_cpu_row(o))
        if k:
            rows.append(
                (
                    "Bulk queue 5,000 (s)",
                    f"{k['seconds']}",
                    f"{k['baseline_bare_inserts_seconds']} bare inserts",
                    f"{k['ratio_to_baseline']}",
                )
            )
    k = r.get("bulk_send")
    if k and "all_published_seconds_after_return" in k:
        rows.append(
            (
                "  all published after return (s)",
                f"{k['all_published_seconds_after_return']}",
                f"{k['tasks_in_broker']} in broker",
                "",
            )
        )
    m = r.get("mixed_load")
    if m:
        rows.append(
            (
                f"Mixed load {m['seconds']:.0f} s: errors / lost",
                f"{m['errors']} / {m['lost']}",
                f"{m['webhooks_acknowledged']} webhooks, {m['sends_queued']} sends",
                "",
            )
        )
        rows.append(
            (
                f"  inbox polls ({m['inbox_pollers']} users) p50 / p99 ms",
                f"{m['inbox_poll_p50_ms']} / {m['inbox_poll_p99_ms']}",
                f"{m['inbox_polls']} polls",
                "",
            )
        )
    return rows


def _move_rows(r: dict) -> list[tuple]:
    """Moving 200 cards into a stage with an automation rule against a stage without."""
    m = r.get("bulk_move")
    if not m:
        return []
    plain, rule = m["without_rules"], m["with_rule"]
    return [
        (
            f"Move {m['cards_per_move']} cards, rule (ms)",
            f"{rule['median_ms']} ({rule['queries']} q)",
            f"{plain['median_ms']} no rules ({plain['queries']} q)",
            f"{m['ratio_to_move_without_rules']}",
        )
    ]


def _worker_cpu_row(o: dict) -> tuple:
    """Worker CPU per message, the pipeline's and the bare task's (same workers, same run)."""
    return (
        "  worker CPU ms per message",
        f"{o.get('worker_cpu_ms_per_message')}",
        f"{o.get('baseline_worker_cpu_ms_per_message')} bare task",
        "",
    )
