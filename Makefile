# Every target creates .venv on first use and reinstalls when pyproject.toml changes.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench lint clean system-packages

# Qt's Debian packages (scripts/qt-debs.txt, shared with .ci/run), installed before anything
# is built where that can be done (root, or sudo without a password); else one line says how.
system-packages:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: install Python 3.11 or run 'make PYTHON=python3 ...'"; exit 1; }
	@PYTHON=$(PYTHON) sh scripts/system-packages $(EXTRA_DEBS)

$(STAMP): pyproject.toml | system-packages
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Byte-code compiled ahead, as a wheel install would: an editable install otherwise
# compiles every module on each start when PYTHONDONTWRITEBYTECODE is set.
run: $(STAMP)
	@$(PY) -m compileall -q studio
	$(VENV)/bin/studio

# In parallel: most tests wait on renders and sockets, so more workers than cores pays off
# (6 measured best on 2 cores); each test owns its ports, folders and keyring.
WORKERS ?= 6
test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -n $(WORKERS) $(PYTEST_ARGS)

bench: EXTRA_DEBS = xdotool
bench: $(STAMP)
	@$(PY) -m compileall -q studio
	$(PY) bench/run_all.py

lint: $(STAMP)
	$(VENV)/bin/ruff check studio tests bench
	$(VENV)/bin/ruff format --check studio tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
