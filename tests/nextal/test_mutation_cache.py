"""`scripts/mutation_cache.py`: what `make mutate` keeps of mutmut's working folder between
checkouts (verdicts and stats, never the mutated copies or the tests), and that restoring
never overwrites a local run's newer files."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "mutation_cache.py"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("mutation_cache", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "ROOT", tmp_path)
    monkeypatch.setattr(module, "PASSES", [(tmp_path / "kept", tmp_path / "mutants")])
    return module


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_save_keeps_the_verdicts_and_stats_only(cache, tmp_path):
    working = tmp_path / "mutants"
    write(working / "sms" / "optouts.py.meta", "verdicts")
    write(working / "sms" / "optouts.py", "mutated copy")
    write(working / "tests" / "sms" / "x.py.meta", "a test file's")
    write(working / "mutmut-stats.json", "stats")
    assert cache.save() == 0
    kept = sorted(
        p.relative_to(tmp_path / "kept").as_posix() for p in (tmp_path / "kept").rglob("*")
    )
    assert kept == ["mutmut-stats.json", "sms", "sms/optouts.py.meta"]


def test_save_without_a_run_says_so(cache, capsys):
    assert cache.save() == 1
    assert "Nothing to save" in capsys.readouterr().out


def test_restore_fills_in_what_is_missing_and_keeps_a_local_runs_files(cache, tmp_path):
    write(tmp_path / "kept" / "sms" / "optouts.py.meta", "saved")
    write(tmp_path / "kept" / "sms" / "events.py.meta", "saved")
    write(tmp_path / "kept" / "mutmut-stats.json", "saved stats")
    write(tmp_path / "mutants" / "sms" / "events.py.meta", "local, newer")
    assert cache.restore() == 0
    working = tmp_path / "mutants"
    assert (working / "sms" / "optouts.py.meta").read_text() == "saved"
    assert (working / "sms" / "events.py.meta").read_text() == "local, newer"
    assert (working / "mutmut-stats.json").read_text() == "saved stats"
