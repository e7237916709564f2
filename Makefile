# The two commands a fresh machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run dev test test-slow test-embedded test-services bench lint format worker demo clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

# DEBUG stays off: a failing request gets the app's own error page, never Django's debug page
# (which shows the settings). Static files are served by WhiteNoise (reviewtool/settings.py).
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo --address $(HOST):$(PORT)
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# `make run` with DEBUG=1 (as `DEBUG=1 make run`): tracebacks in the browser, for development on
# your own machine only.
dev: export DEBUG := 1
dev: run

demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo

# Runs the suite on whatever DATABASE_URL / REDIS_URL say: unset, the embedded default (SQLite,
# tasks inline); set, PostgreSQL with a real Celery worker started by the tests that need one.
test: install
	ALLOW_DEV_SECRET_KEY=1 $(BIN)/python -m pytest $(PYTEST_ARGS)

# The slow tests (issue 19): the fuzzed API (tests/test_api_fuzz.py) with FUZZ_EXAMPLES requests
# per operation and persona (`make test` draws 2): 50 x 6 personas = 300 per operation, 19,200
# requests over 64 operations, about 5 minutes on the embedded default on a 2-core machine.
FUZZ_EXAMPLES ?= 50
test-slow: install
	ALLOW_DEV_SECRET_KEY=1 FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/test_api_fuzz.py $(PYTEST_ARGS)

# Both passes CI makes, on this machine's PostgreSQL and Redis.
test-services: install
	ALLOW_DEV_SECRET_KEY=1 \
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/reviewtool} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/5} \
	$(BIN)/python -m pytest $(PYTEST_ARGS)

worker: install
	$(BIN)/celery -A reviewtool worker --loglevel=INFO

bench: install
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	$(BIN)/python -m benchmarks

# ASReview's own loader reads the decisions RIS, CSV and Excel the app exports: every record,
# title and label. ASReview pins its own pandas, scikit-learn and SQLAlchemy, so it gets an
# environment of its own and never enters the project's .venv; the samples come from a
# throwaway database (benchmarks/export_samples.py). The check runs in var/asreview because
# importing asreview leaves a synergy_cache.sqlite in the working folder.
ASREVIEW_VENV := var/asreview-venv
ASREVIEW_VERSION := 3.0.8
.PHONY: check-asreview
check-asreview: install $(ASREVIEW_VENV)/.installed-$(ASREVIEW_VERSION)
	$(BIN)/python -m benchmarks.export_samples var/asreview
	cd var/asreview && ../asreview-venv/bin/python ../../benchmarks/asreview_reads_exports.py \
		decisions.ris decisions.csv decisions.xlsx expected.json

$(ASREVIEW_VENV)/.installed-$(ASREVIEW_VERSION):
	$(PYTHON) -m venv $(ASREVIEW_VENV)
	$(ASREVIEW_VENV)/bin/python -m pip install --quiet "asreview==$(ASREVIEW_VERSION)"
	touch $@

# Prioritised screening (issue 18) on the six labelled sets, ASReview's default beside it from
# the runs `make bench-asreview` stored in benchmarks/asreview_runs/. RANKING_SETS, RANKING_SEEDS
# and RANKING_MODELS choose a quicker run (benchmarks/bench_ranking.py).
.PHONY: bench-ranking bench-asreview
bench-ranking: install
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	$(BIN)/python -m benchmarks ranking

# ASReview LAB's `simulate` on the same sets, priors and seeds, in its own environment; minutes
# a run, so a run already stored is kept (ASREVIEW_ARGS="--force" re-runs; "--sets a,b",
# "--seeds 0,1", "--jobs 2" narrow or widen it).
bench-asreview: $(ASREVIEW_VENV)/.installed-$(ASREVIEW_VERSION)
	mkdir -p var/asreview
	cd var/asreview && ../asreview-venv/bin/python ../../benchmarks/asreview_simulate.py $(ASREVIEW_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var/reviewtool.sqlite3* var/media var/staticfiles
