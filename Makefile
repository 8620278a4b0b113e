# Fresh machine: `make run` serves the portal on 127.0.0.1:$(PORT); `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=
# Test processes (pytest-xdist), each with its own test databases; 0 runs in this process.
TEST_WORKERS ?= auto

.PHONY: run dev test lint migrate static messages python-version bench chaos lock compliance

python-version:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
		echo "NEXCORE Support Portal needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1 || echo missing)." >&2; \
		echo "Run with PYTHON=/path/to/python3.11 make ..." >&2; exit 1; }

$(BIN)/python: | python-version
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# The locked versions first (checked against their hashes), then the project itself.
$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

# axe-core (package-lock.json) for the browser tests' accessibility audit; without npm those
# tests skip, saying so.
node_modules/axe-core/axe.min.js: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm is missing (apt-get install npm): the accessibility tests will skip" >&2; fi

var/secret_key: | $(BIN)/python
	mkdir -p var
	umask 077 && $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

migrate: $(VENV)/.installed var/secret_key
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py migrate --database archive --noinput

static: $(VENV)/.installed var/secret_key
	$(BIN)/python manage.py collectstatic --noinput -v 0

run: migrate static
	$(BIN)/gunicorn nexcore_support.wsgi --config gunicorn.conf.py --bind 127.0.0.1:$(PORT) --workers 2

dev: migrate
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: $(VENV)/.installed-dev node_modules/axe-core/axe.min.js var/secret_key
	$(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The proof report (README "Compliance report"): the suite on SQLite, and on PostgreSQL too when
# DATABASE_URL is set, each run recording what its tests prove; then var/compliance/report.{html,
# json,md} from both. Fails on a failed test, an unproven clause or fewer than 95 % tests marked.
compliance: $(VENV)/.installed-dev var/secret_key
	mkdir -p var/compliance && rm -f var/compliance/results-*.json
	@status=0; \
	env -u DATABASE_URL -u ARCHIVE_DATABASE_URL $(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS) \
		--compliance-results var/compliance/results-sqlite.json || status=1; \
	if [ -n "$${DATABASE_URL:-}" ]; then \
		$(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS) --create-db \
			--compliance-results var/compliance/results-postgresql.json || status=1; \
	fi; \
	$(BIN)/python -m tools.compliance var/compliance/results-*.json --out var/compliance || status=1; \
	exit $$status

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Regenerates the translation catalogues after strings change (needs GNU gettext).
messages: $(VENV)/.installed-dev var/secret_key
	$(BIN)/python manage.py makemessages --locale ko --no-obsolete --add-location file --ignore ".venv/*" --ignore "tests/*" --ignore "staticfiles/*" --ignore "bench/*"
	# A guessed ("fuzzy") translation is worse than none: clear the guesses for a translator.
	msgattrib --clear-fuzzy --empty --clear-previous -o locale/ko/LC_MESSAGES/django.po locale/ko/LC_MESSAGES/django.po
	$(BIN)/python manage.py compilemessages

# Benchmarks (README "Performance"): purge_expired and archiving against a plain DELETE on SQLite
# and PostgreSQL, how long PostgreSQL's rewrites hold their locks, the support desk's pages at
# 100,000 inquiries, the knowledge base's search at 10,000 articles, a worker's memory while it
# serves a 1 GB release file, the pages at 100,000 members and 5,000,000 visits, and logins.
# Each prints its figures and adds them to one table of ratios, each against the baseline it
# measured in the same run, printed at the end; a figure that misses its target fails the run.
bench: export BENCH_REPORT := $(abspath var/bench-report.jsonl)
bench: $(VENV)/.installed-dev
	@command -v ab >/dev/null || { echo "bench/pages.py and bench/login.py need ApacheBench: apt-get install apache2-utils" >&2; exit 1; }
	mkdir -p var && rm -f "$$BENCH_REPORT"
	$(BIN)/python bench/purge.py $(BENCH_ARGS)
	$(BIN)/python bench/erasure.py $(ERASURE_ARGS)
	$(BIN)/python bench/support.py $(SUPPORT_BENCH_ARGS)
	$(BIN)/python bench/kb.py $(KB_BENCH_ARGS)
	$(BIN)/python bench/downloads.py $(DOWNLOAD_BENCH_ARGS)
	$(BIN)/python bench/pages.py $(PAGES_BENCH_ARGS)
	$(BIN)/python bench/login.py $(LOGIN_BENCH_ARGS)
	$(BIN)/python bench/report.py "$$BENCH_REPORT"

# The crash campaign: kill -9 during archiving on SQLite and PostgreSQL; fails on any loss.
chaos: $(VENV)/.installed-dev
	$(BIN)/python bench/chaos.py $(CHAOS_ARGS)

# Pins every runtime package with its hashes (requirements.lock), for `make run` and the image;
# run after changing the dependencies in pyproject.toml.
lock: $(VENV)/.installed-dev
	$(BIN)/uv pip compile pyproject.toml --quiet --generate-hashes --universal --python-version 3.11 --no-header -o requirements.lock
