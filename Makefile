# Nextal: `make run` to try it, `make test` to test it. See README.md.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# PUBLIC_BASE_URL follows them when it is not set (nextal/settings.py).
export HOST PORT

.PHONY: run test lint format bench mutate worker beat clean

$(VENV)/.installed: requirements.txt constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -c constraints.txt
	touch $@

run: $(VENV)/.installed
	$(PY) manage.py ensure_dotenv
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	@printf '\nNextal: http://%s:%s/ (Ctrl+C to stop)\n\n' $(HOST) $(PORT)
	$(PY) manage.py runserver

test: $(VENV)/.installed
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(VENV)/.installed
	bash .ci/services
	$(PY) -m bench

# Mutation testing of the pipeline's core (about 3,950 mutants: more than a working session on
# 2 cores; not part of CI). mutmut re-checks only what changed since its verdicts, which this
# target restores from mutation-results/ (committed) and saves back there, also when a run is
# stopped: commit mutation-results/ to keep what a run checked. Survivors: docs/testing.md.
mutate: $(VENV)/.installed
	$(PY) scripts/mutation_cache.py restore
	$(VENV)/bin/mutmut run --max-children $$(nproc); s=$$?; $(PY) scripts/mutation_cache.py save; exit $$s
	bash .ci/services
	$(PY) scripts/mutate_services.py; s=$$?; $(PY) scripts/mutation_cache.py save; exit $$s
	$(PY) scripts/mutation_score.py --min 90

worker: $(VENV)/.installed
	$(VENV)/bin/celery -A nextal worker --loglevel=INFO

beat: $(VENV)/.installed
	$(VENV)/bin/celery -A nextal beat --loglevel=INFO

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache test-artifacts mutants
