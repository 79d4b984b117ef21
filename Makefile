# The two commands users run are `make demo` and `make test`; every target installs what it needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
LINT_PATHS := $(wildcard cio tests benchmarks examples)

.PHONY: browser install demo test test-fast lint format typecheck bench notebooks clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "cio needs Python 3.10 or newer")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]' --config-settings editable_mode=compat
	$(PY) -m ipykernel install --sys-prefix --name python3 > /dev/null
	@command -v chromium > /dev/null || $(MAKE) --no-print-directory browser
	touch $(STAMP)

# Debian's headless Chromium, for the test that renders the HTML report (needs root and apt).
browser:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null

install: $(STAMP)

demo: $(STAMP)
	$(PY) -m cio.demo

lint: $(STAMP)
	$(PY) -m ruff check $(LINT_PATHS)
	$(PY) -m ruff format --check $(LINT_PATHS)

format: $(STAMP)
	$(PY) -m ruff format $(LINT_PATHS)
	$(PY) -m ruff check --fix $(LINT_PATHS)

typecheck: $(STAMP)
	$(PY) -m mypy --strict cio

# The unit and contract suites run a second time with the compiled codecs turned off, so
# both roads through intake (cio/models/_intake.py) are tested on every run.
test: lint typecheck
	$(PY) -m pytest
	CIO_COMPILED_CODECS=0 $(PY) -m pytest -q tests/unit tests/contract

# Unit and contract tests only: the quick loop while developing.
test-fast: $(STAMP)
	$(PY) -m pytest tests/unit tests/contract

bench: $(STAMP)
	$(PY) -m benchmarks.run

# Re-execute every notebook against the local sandbox and save it with its outputs.
notebooks: $(STAMP)
	$(PY) -m tests.notebooks.nbtool

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis build *.egg-info
