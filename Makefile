# One set of commands for developers, the README and CI (.ci/run calls `make test`).
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
BENCH_STAMP := $(VENV)/.installed-bench
SAMPLE := src/heard/data/sample/adoption-journeys.csv
OUT ?= heard-out/sample

.PHONY: install install-dev install-bench demo demo-report test lint typecheck unit bench clean assets test-web test-web-pg

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# torch first, exactly this version (the local CPU build); constraints.txt keeps it for every later install.
$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -c constraints.txt -e .
	touch $@

$(DEV_STAMP): $(STAMP)
	$(PIP) install --quiet -c constraints.txt -e ".[dev]"
	touch $@

$(BENCH_STAMP): $(STAMP)
	$(PIP) install --quiet -c constraints.txt -e ".[bench]"
	touch $@

install: $(STAMP)
install-dev: $(DEV_STAMP)
install-bench: $(BENCH_STAMP)

## The main job on the bundled sample (report.html, themes.csv, assignments.csv,
## results.xlsx in heard-out/sample), then the same sample in the web workspace,
## imported and analysed, served at http://127.0.0.1:8000/ with a printed login
## (data in ./heard-demo). Ctrl-C stops the server.
demo: demo-report
	$(BIN)/heard serve --demo

## The sample from the command line only: themes, sentiment, the report files.
demo-report: $(STAMP)
	$(BIN)/heard analyse $(SAMPLE) --text response --by role --by area --time date -o $(OUT)
	@echo "Open $(OUT)/report.html in a browser."

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

unit: $(DEV_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Everything CI runs: lint, type check, the whole test suite.
test: lint typecheck unit

## The web app's tests on PostgreSQL and RQ/Redis (servers on 127.0.0.1, as on the test machines).
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS ?= redis://127.0.0.1:6379/0
test-web: $(DEV_STAMP)
	$(BIN)/python -m pytest tests/web $(PYTEST_ARGS)

test-web-pg: $(DEV_STAMP)
	DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS) $(BIN)/python -m pytest tests/web $(PYTEST_ARGS)

## Rebuild the web assets in src/heard_web/static (needs node and npm; users never run this).
assets:
	cd frontend && npm ci --no-audit --no-fund && npm run build

bench: $(BENCH_STAMP)
	$(BIN)/python benchmarks/themes.py

clean:
	rm -rf $(VENV) heard-out heard-demo .pytest_cache .mypy_cache .ruff_cache
