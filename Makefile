# Service Hall: `make run` serves the demo hall, `make test` runs every test.
# Needs only Python 3.11 and make; everything else goes into .venv.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := hall.web:create_app

PO := $(wildcard translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

.PHONY: run test test-fast lint setup dev-setup db translations extract-messages bench bench-all bench-sockets bench-displays bench-track bench-overdue bench-dashboard bench-cluster bench-mobile bench-booking bench-qa bench-online bench-limits clean

run: setup db
	$(BIN)/python run.py

test: dev-setup translations lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# ruff (lint and import order, ruff.toml) and mypy on hall/ (mypy.ini): part of `make test`,
# and so of CI.
lint: dev-setup
	$(BIN)/ruff check .
	$(BIN)/mypy

# The edit-test loop: every test but those that drive Chromium, start server processes or
# pass over every route (pytest markers browser, cluster, slow; set in tests/conftest.py),
# on two workers. `make test` stays what CI runs.
FAST_WORKERS ?= 2
test-fast: dev-setup translations
	$(BIN)/python -m pytest -q -m "not browser and not cluster and not slow" \
		-n $(FAST_WORKERS) $(PYTEST_ARGS)

# The environment, rebuilt when a requirements file changes.
setup: $(VENV)/.installed translations
dev-setup: $(VENV)/.installed-dev

$(VENV)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ needed"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# Create or migrate the database, and load the demo hall into an empty one.
db: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty

translations: $(MO)

%.mo: %.po $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@ >/dev/null

extract-messages: setup
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _l -o translations/messages.pot --no-location --sort-output --ignore-dirs='.* _* .venv tests bench migrations' .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --ignore-obsolete

bench: dev-setup translations
	$(BIN)/python bench/tickets.py $(BENCH_ARGS)

# Every figure of the public paths beside its baseline (README, "Performance").
bench-all: dev-setup translations
	$(BIN)/python bench/all.py $(BENCH_ARGS)

bench-sockets: dev-setup translations
	$(BIN)/python bench/sockets.py $(BENCH_ARGS)

bench-displays: dev-setup translations
	$(BIN)/python bench/display_latency.py $(BENCH_ARGS)

bench-booking: dev-setup translations
	$(BIN)/python bench/bookings.py $(BENCH_ARGS)

bench-mobile: dev-setup translations
	$(BIN)/python bench/mobile.py $(BENCH_ARGS)

bench-track: dev-setup translations
	$(BIN)/python bench/track.py $(BENCH_ARGS)

bench-dashboard: dev-setup translations
	$(BIN)/python bench/dashboard.py $(BENCH_ARGS)

bench-cluster: dev-setup translations
	$(BIN)/python bench/cluster.py $(BENCH_ARGS)

bench-overdue: dev-setup translations
	$(BIN)/python bench/overdue.py $(BENCH_ARGS)

# Public Q&A searches/s over 100,000 published answers, beside a bare endpoint.
bench-qa: dev-setup translations
	$(BIN)/python bench/qa_searches.py $(BENCH_ARGS)

# Issue 15's figures: applications with two 1 MB documents per second beside a bare upload,
# then the public Q&A's searches over 100,000 answers.
bench-online: dev-setup translations
	$(BIN)/python bench/online.py $(BENCH_ARGS)
	$(BIN)/python bench/qa_searches.py

clean:
	rm -rf $(VENV) .pytest_cache

# The rate limiter's in-process storage (hall-memory:// against the library's memory://),
# by how many addresses it counts.
bench-limits: dev-setup
	$(BIN)/python bench/rate_limits.py $(BENCH_ARGS)
