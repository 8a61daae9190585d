# Set-up and the two everyday commands. Everything lives in .venv.
#   make run    build .venv, install crisis-sim, run the bundled US-Colombia scenario
#   make test   install the test extras too, then run the test suite and ruff
#   make dashboard  install the viz extra, serve the classroom dashboard (crisis-sim dashboard)
# Override the interpreter with PYTHON=/path/to/python3.12 (>= 3.12 needed).

VENV := .venv
BIN := $(VENV)/bin
ARGS ?=
# setuptools prints a generic "folders with the same name as your package"
# box for every editable install that maps a folder into the package (here
# scenarios/ -> crisis_sim.bundled); the package itself lives in src/, so the
# box says nothing about this project and is silenced.
PIP := PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip

.PHONY: run test lint bench clean dashboard

$(BIN)/python:
	@py=$$(scripts/find-python) || exit 1; \
	echo "creating $(VENV) with $$py"; \
	"$$py" -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PIP) install --quiet -e '.[test]'
	@touch $@

$(VENV)/.installed-viz: pyproject.toml $(VENV)/.installed
	$(PIP) install --quiet -e '.[viz]'
	@touch $@

run: $(VENV)/.installed
	$(BIN)/crisis-sim run $(ARGS)

test: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest $(ARGS)

dashboard: $(VENV)/.installed-viz
	$(BIN)/crisis-sim dashboard $(ARGS)

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/bench_run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
