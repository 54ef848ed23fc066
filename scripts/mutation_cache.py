"""mutmut's verdicts, kept in the repository so that `make mutate` resumes instead of starting over.

    python scripts/mutation_cache.py restore   # before `mutmut run` (what `make mutate` does)
    python scripts/mutation_cache.py save      # after it, or after a stopped run; then commit

A full run is about 4,000 mutants, more than a 2-core machine checks in one sitting, and
`mutants/` (mutmut's working copy) is gitignored. `mutation-results/` keeps what mutmut needs
to go on: per mutated file its `.meta` (each mutant's verdict and the hash of every function it
was decided on) and `mutmut-stats.json` (which tests reach which function, and how long they
take). mutmut itself decides what is still valid: when it regenerates a file's mutants it keeps a
verdict only where the function's hash is unchanged, re-tests the rest, and re-runs the stats
for tests it has not seen (mutmut 3's incremental mode). A changed pytest configuration resets
everything. Restoring never overwrites a local `mutants/` file: a local run is newer.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "mutation-results"
# (cache folder, mutmut's folder): the main pass, and scripts/mutate_services.py's pass.
PASSES = [
    (CACHE / "main", ROOT / "mutants"),
    (CACHE / "services", ROOT / "mutants-services" / "mutants"),
]
STATS = "mutmut-stats.json"


def _kept(folder: Path) -> list[Path]:
    """The files of `folder` worth keeping, relative to it (never the mutated sources)."""
    if not folder.exists():
        return []
    files = [path for path in folder.rglob("*.meta") if "tests" not in path.parts]
    if (folder / STATS).exists():
        files.append(folder / STATS)
    return sorted(path.relative_to(folder) for path in files)


def save() -> int:
    saved = 0
    for cache, working in PASSES:
        kept = _kept(working)
        if not kept:
            continue
        if cache.exists():
            shutil.rmtree(cache)
        for name in kept:
            (cache / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(working / name, cache / name)
        saved += len(kept)
        print(
            f"saved {len(kept)} files of {working.relative_to(ROOT)} to {cache.relative_to(ROOT)}"
        )
    if not saved:
        print("Nothing to save: run `mutmut run` first.")
        return 1
    return 0


def restore() -> int:
    for cache, working in PASSES:
        restored = 0
        for name in _kept(cache):
            target = working / name
            if target.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(cache / name, target)
            restored += 1
        if restored:
            print(f"restored {restored} files of {working.relative_to(ROOT)}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["save", "restore"])
    args = parser.parse_args()
    return save() if args.action == "save" else restore()


if __name__ == "__main__":
    sys.exit(main())
