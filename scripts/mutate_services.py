"""`make mutate`'s second pass: the pipeline code that only runs on PostgreSQL or with a broker.

    python scripts/mutate_services.py        # after (or before) the main `mutmut run`
    python scripts/mutate_services.py 'sms.outbox.outcome.x_forward_to*'   # re-check these

The main pass runs the suite on SQLite with tasks in-process, one test database per mutant.
Four modules do their real work where that pass cannot reach it: `sms.outbox.claiming`
(on PostgreSQL the claim and the load are one statement), `sms.outbox.outcome` (the
one-statement save is PostgreSQL's), `sms.outbox.publishing` (the broker's producer and the
background publishers) and `sms.inbound.events` (the webhooks' coalescing flags live in Redis).
This pass mutates just those, in a copy of the project under `mutants-services/` whose tests
(the outbox's, the automations', inbound, the fault tests and the adapters') run on PostgreSQL
and Redis, the service-marked ones included (127.0.0.1; one child, so the test database is
created once and reused). `scripts/mutation_score.py` takes outcome's and publishing's results
from here; claiming's and events' from both passes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASS_DIR = ROOT / "mutants-services"
MODULES = [
    "sms/outbox/claiming.py",
    "sms/outbox/outcome.py",
    "sms/outbox/publishing.py",
    "sms/inbound/events.py",
]
DATABASE = os.environ.get("MUTATE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/nextal_mutate")
REDIS = os.environ.get("MUTATE_REDIS_URL", "redis://127.0.0.1:6379/8")


def copy_project() -> None:
    """The tracked files as they are now (mutmut's cache under PASS_DIR/mutants is kept)."""
    files = subprocess.run(
        ["git", "ls-files", "-z"],  # noqa: S607 - git from PATH, fixed arguments
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, files):
        source, target = ROOT / name.decode(), PASS_DIR / name.decode()
        if not source.is_file():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_bytes() != source.read_bytes():
            shutil.copy2(source, target)
    # mutmut copies the tests into its mutants/ folder only once: keep that copy current.
    tests = PASS_DIR / "mutants" / "tests"
    if tests.exists():
        shutil.copytree(ROOT / "tests", tests, dirs_exist_ok=True)


def configure() -> None:
    """This pass's [tool.mutmut]: only MODULES; the suite on PostgreSQL + Redis."""
    path = PASS_DIR / "pyproject.toml"
    text = path.read_text()
    text = re.sub(
        r"only_mutate = \[.*?\]", f"only_mutate = {MODULES!r}".replace("'", '"'), text, flags=re.S
    )
    args = ["-p", "no:cacheprovider", "--reuse-db", "-m", "not browser and not rabbitmq"]
    args += ["-x", "-q"]
    text = re.sub(
        r"pytest_add_cli_args = \[.*?\]",
        "pytest_add_cli_args = " + str(args).replace("'", '"'),
        text,
        flags=re.S,
    )
    # The tests that reach these modules with a database and a broker: the outbox, stage
    # automations (they publish after the move), inbound (the webhooks' coalescing flags), the
    # fault tests (a broker stopped, a worker killed) and the adapters.
    selection = ["tests/sms/outbox", "tests/sms/automations", "tests/sms/inbound", "tests/faults"]
    selection += ["tests/integrations"]
    text = re.sub(
        r"pytest_add_cli_args_test_selection = \[.*?\]",
        "pytest_add_cli_args_test_selection = " + str(selection).replace("'", '"'),
        text,
        flags=re.S,
    )
    path.write_text(text)


def main() -> int:
    PASS_DIR.mkdir(exist_ok=True)
    copy_project()
    configure()
    env = {**os.environ, "DATABASE_URL": DATABASE, "REDIS_URL": REDIS}
    env.pop("CI", None)  # a developer's run: no CI service guard
    mutmut = Path(sys.executable).with_name("mutmut")
    names = sys.argv[1:]  # mutant names (globs) to re-check; none: every unchecked one
    return subprocess.run(  # noqa: S603 - our own venv's mutmut
        [str(mutmut), "run", "--max-children", "1", *names], cwd=PASS_DIR, env=env, check=False
    ).returncode


if __name__ == "__main__":
    sys.exit(main())
