"""`make mutate` prints this: the mutation score per module from mutmut's results.

    python scripts/mutation_score.py            # after `mutmut run`
    python scripts/mutation_score.py --min 90   # exit 1 if a module scores below 90 %

Killed (or timed out: the mutant hung the tests) counts as caught. Survived, and "no tests"
(a mutant no test reaches), count against the module. Mutants not checked yet are reported
apart, so an interrupted run does not look better than it is.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

CAUGHT = {"killed", "timeout"}
MISSED = {"survived", "no tests"}
# sms.outbox.sending.x_claim_for_sending__mutmut_3, or for a method:
# integrations.providers.twilio.xǁTwilioProviderǁsend__mutmut_12
NAME = re.compile(r"^(?P<module>[\w.]+?)\.x[_ǁ].*__mutmut_\d+$")


ROOT = Path(__file__).resolve().parent.parent
# The second pass (scripts/mutate_services.py): these modules' results come from there.
SERVICES_DIR = ROOT / "mutants-services"
SERVICES_MODULES = {"sms.outbox.outcome", "sms.outbox.publishing"}
# Mutated in both passes: claiming's SQLite branch is the main pass's, its PostgreSQL one the
# second's; events store on SQLite, but their coalescing flags need Redis (the second pass).
# A mutant counts as caught when either pass caught it.
BOTH_PASSES = {"sms.outbox.claiming", "sms.inbound.events"}


def results() -> list[tuple[str, str]]:
    main = _results(ROOT)
    services = _results(SERVICES_DIR) if SERVICES_DIR.exists() else {}
    if not services:
        print("No second pass yet (scripts/mutate_services.py): claiming, outcome, publishing.")
    rows = []
    for name, (module, status) in main.items():
        if module in BOTH_PASSES:
            rows.append((module, _either(status, services.get(name, (module, "not checked"))[1])))
        elif module not in SERVICES_MODULES:
            rows.append((module, status))
    for name, (module, status) in services.items():
        if module in SERVICES_MODULES or (module in BOTH_PASSES and name not in main):
            rows.append((module, status))
    return rows


def _either(one: str, other: str) -> str:
    if one in CAUGHT or other in CAUGHT:
        return "killed"
    if "not checked" in (one, other):
        return "not checked"
    return one


def _results(folder: Path) -> dict[str, tuple[str, str]]:
    """{mutant name: (module, status)} from the mutmut run in `folder`."""
    output = subprocess.run(  # noqa: S603 - our own venv's mutmut, fixed arguments
        [str(Path(sys.executable).with_name("mutmut")), "results", "--all", "true"],
        capture_output=True,
        text=True,
        check=True,
        cwd=folder,
    ).stdout
    rows = {}
    for line in output.splitlines():
        name, _, status = line.strip().partition(": ")
        match = NAME.match(name)
        if match:
            rows[name] = (match["module"], status.strip())
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min", type=float, default=90.0, help="lowest acceptable score (%%)")
    args = parser.parse_args()
    by_module: dict[str, Counter] = defaultdict(Counter)
    for module, status in results():
        by_module[module][status] += 1
    if not by_module:
        print("No mutmut results: run `mutmut run` first.")
        return 1
    print(f"{'module':<40} {'caught':>7} {'missed':>7} {'unchecked':>9} {'score':>7}")
    below = []
    for module, counts in sorted(by_module.items()):
        caught = sum(counts[s] for s in CAUGHT)
        missed = sum(counts[s] for s in MISSED)
        unchecked = sum(counts.values()) - caught - missed
        score = 100.0 * caught / (caught + missed) if caught + missed else 0.0
        print(f"{module:<40} {caught:>7} {missed:>7} {unchecked:>9} {score:>6.1f}%")
        if unchecked or score < args.min:
            below.append(module)
    total_caught = sum(sum(c[s] for s in CAUGHT) for c in by_module.values())
    total_missed = sum(sum(c[s] for s in MISSED) for c in by_module.values())
    overall = 100.0 * total_caught / max(total_caught + total_missed, 1)
    print(f"{'all':<40} {total_caught:>7} {total_missed:>7} {'':>9} {overall:>6.1f}%")
    if below:
        print(f"Below {args.min:.0f} % or not fully checked: {', '.join(below)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
