# Set-up and the two everyday commands. Everything lives in .venv.
#   make run    build .venv, install crisis-sim, run the bundled US-Colombia scenario
#   make test   install the test extras too, then run ruff, mypy and the test suite (one worker per CPU)
#   make dashboard  install the viz extra, serve the classroom dashboard (crisis-sim dashboard)
#   make figures  regenerate every stored figure that running the model makes (scripts/figures.py)
#   make calibrate  rerun the calibration studies, adopt their posterior if the rule says so, remake what moved
#   make shell  a shell with .venv active: crisis-sim on PATH (exit to leave)
# Override the interpreter with PYTHON=/path/to/python3.12 (>= 3.12 needed).

VENV := .venv
BIN := $(VENV)/bin
ARGS ?=
# setuptools prints a generic "folders with the same name as your package"
# box for every editable install that maps a folder into the package (here
# scenarios/ -> crisis_sim.bundled); the package itself lives in src/, so the
# box says nothing about this project and is silenced.
PIP := PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip

.PHONY: run test lint bench clean dashboard figures calibrate shell

$(BIN)/python:
	@py=$$(scripts/find-python) || exit 1; \
	echo "creating $(VENV) with $$py"; \
	"$$py" -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Each stamp file names the pyproject.toml it was installed from by its
# checksum, not by its modification time: a checkout, merge or copy that
# moves the file's time without changing it reinstalls nothing, and an
# edited pyproject.toml reinstalls once. The test extra includes the viz
# extra, so after `make test` `make dashboard` installs nothing more.
DEPS := $(shell cksum < pyproject.toml | cut -d' ' -f1)
INSTALLED := $(VENV)/.installed-$(DEPS)
INSTALLED_TEST := $(VENV)/.installed-test-$(DEPS)
INSTALLED_VIZ := $(VENV)/.installed-viz-$(DEPS)

$(INSTALLED): | $(BIN)/python
	$(PIP) install --quiet -e .
	@touch $@

$(INSTALLED_TEST): | $(INSTALLED)
	$(PIP) install --quiet -e '.[test]'
	@touch $@

$(INSTALLED_VIZ): | $(INSTALLED)
	@if [ ! -e $(INSTALLED_TEST) ]; then $(PIP) install --quiet -e '.[viz]'; fi
	@touch $@

run: | $(INSTALLED)
	$(BIN)/crisis-sim run $(ARGS)

# The suite starts the crisis-sim command in a few hundred processes: each would compile the
# package afresh where the environment forbids writing bytecode (PYTHONDONTWRITEBYTECODE), so
# the suite writes it (into __pycache__/, ignored by git): 575 -> 532 s of CPU on 2 cores.
test: | $(INSTALLED_TEST)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n auto --dist worksteal $(ARGS)

dashboard: | $(INSTALLED_VIZ)
	$(BIN)/crisis-sim dashboard $(ARGS)

# Your own shell ($$SHELL, else /bin/sh) with .venv's bin/ first on PATH, as
# `. .venv/bin/activate` would give it; `exit` leaves it.
shell: | $(INSTALLED)
	@echo "crisis-sim is on PATH in this shell ($(CURDIR)/$(BIN)); type exit to leave" >&2
	@VIRTUAL_ENV="$(CURDIR)/$(VENV)" PATH="$(CURDIR)/$(BIN):$$PATH" "$${SHELL:-/bin/sh}" -i

bench: | $(INSTALLED)
	$(BIN)/python benchmarks/track.py

# Regenerate every stored figure (docs blocks, teaching tables, gallery, back-test,
# sensitivity, mechanism effects, golden narration, output fingerprint) from the
# manifest in scripts/figures.py, recording the model fingerprint of each.
figures: | $(INSTALLED_TEST)
	$(BIN)/python scripts/figures.py $(ARGS)

# The calibration studies (about 12 minutes on 2 cores); when their verdict adopts new
# defaults, every other figure is remade on them (about 40 minutes more).
calibrate: | $(INSTALLED_TEST)
	$(BIN)/python scripts/figures.py calibration

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
