"""5. Reading replies: how many inbound texts per second the opt-out rules read (normalising,
keywords, sentences, guards); baseline: the old whole-message keyword lookup."""

from __future__ import annotations

import csv
import time

from bench.common import ROOT

CORPUS = ROOT / "tests" / "sms" / "inbound" / "opt_out_corpus.csv"
REPEATS = 200  # 162 messages × 200 = 32,400 readings
OLD_KEYWORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
)


def bench_replies() -> dict:
    from sms.inbound.keywords import read_reply

    with CORPUS.open(encoding="utf-8", newline="") as file:
        texts = [row["text"] for row in csv.DictReader(file)] * REPEATS

    started = time.perf_counter()
    old = sum((text or "").strip().rstrip(".!").strip().upper() in OLD_KEYWORDS for text in texts)
    baseline = time.perf_counter() - started

    started = time.perf_counter()
    found = sum(1 for text in texts if read_reply(text) is not None)
    elapsed = time.perf_counter() - started
    return {
        "readings": len(texts),
        "per_second": round(len(texts) / elapsed),
        "microseconds_each": round(elapsed / len(texts) * 1e6, 1),
        "baseline_keyword_lookup_per_second": round(len(texts) / baseline),
        "ratio_to_baseline": round(baseline / elapsed, 4),
        "recognised": found // REPEATS,
        "recognised_by_the_old_lookup": old // REPEATS,
    }
