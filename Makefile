# Tradeoff Lab — two commands on a fresh machine:
#   make run    create .venv, install, start the app (http://localhost:8501)
#   make test   install what tests need, run the whole suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run bytecode test lint bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.installed bytecode
	TF_CPP_MIN_LOG_LEVEL=2 $(PY) -m streamlit run app.py --server.port $(PORT)

# The app's own bytecode, written now: where PYTHONDONTWRITEBYTECODE is set (many containers, this lab's machines)
# a fresh server compiled every module of the app before its first page (≈ 0.2 s of Home's first view here).
# Up-to-date files are skipped; benchmarks/bench_app.py runs this too, as the first step of what it measures.
bytecode: | $(PY)
	$(PY) -m compileall -q app.py app_pages ui core

# two pytest workers (pytest-xdist), each test file whole on one worker (its module fixtures are built once);
# PYTEST_WORKERS=0 runs the suite in this one process, as before
PYTEST_WORKERS ?= 2
PYTEST_DIST := $(if $(filter-out 0,$(PYTEST_WORKERS)),-n $(PYTEST_WORKERS) --dist loadfile,-p no:xdist)

test: $(VENV)/.dev-installed
	TF_CPP_MIN_LOG_LEVEL=2 $(PY) -m pytest $(PYTEST_DIST) $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed
	$(PY) -m ruff check core app_pages ui app.py tests benchmarks

bench: $(VENV)/.installed
	TRADEOFF_LAB_DATA=$${TRADEOFF_LAB_DATA:-../shared/data} $(PY) benchmarks/bench_core.py

clean:
	rm -rf $(VENV) .pytest_cache artifacts
