# cancelsvc — two commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=

.PHONY: run test setup lint bench openapi clean translations

# gettext catalogs: the .po files are the source, the .mo files are built (never committed).
TRANSLATIONS := cancelsvc/translations
CATALOGS := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)
PYBABEL := $(VENV)/bin/pybabel

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Local development settings, created once (never committed).
.env:
	@echo "CANCELSVC_ENV=development" > .env
	@echo "CANCELSVC_LOG_FORMAT=text" >> .env
	@echo "CANCELSVC_JWT_SECRET=$$($(PY) -c 'import secrets; print(secrets.token_hex(32))')" >> .env
	@echo "Created .env with a development customer-token secret."

# Compile a catalog whenever its .po changed.
$(COMPILED): %.mo: %.po $(VENV)/.runtime
	$(PYBABEL) compile --statistics -i $< -o $@

# After adding or changing a text in code or a template: extract, merge into every
# catalog, give the English catalog its source texts, compile. Then translate the new
# empty msgstr entries of zh_CN (tests/test_translations.py names any that are missing).
translations: $(VENV)/.runtime
	$(PYBABEL) extract -F babel.cfg -k NP_:1c,2 -k NPN_:1c,2,3 -k _l -k lazy_gettext --no-location --no-wrap \
		--project cancelsvc --version 1 -o $(TRANSLATIONS)/messages.pot .
	$(PYBABEL) update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-wrap \
		--no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date
	$(PY) -m cancelsvc.texts.catalogs fill-source
	rm -f $(TRANSLATIONS)/messages.pot
	$(MAKE) --no-print-directory $(COMPILED)

setup: $(VENV)/.runtime .env $(COMPILED)
	$(FLASK) db upgrade
	@if [ ! -f instance/model/model.json ]; then \
		echo "Training the default risk model on synthetic history (about half a minute)..."; \
		$(FLASK) ml synth --rows 20000 --seed 7 --out instance/synthetic-history.csv && \
		$(FLASK) ml train --data instance/synthetic-history.csv --out instance/model-candidate --seed 7 --install; \
	fi
	$(FLASK) demo seed | tee instance/demo-credentials.txt

# The links customers get (tracking page, printout QR code, the demo link below) point at
# this server unless the operator set CANCELSVC_PUBLIC_URL (in the environment or in .env).
RUN_ENV = $(if $(CANCELSVC_PUBLIC_URL)$(shell grep -s '^CANCELSVC_PUBLIC_URL=.' .env),,CANCELSVC_PUBLIC_URL=http://$(HOST):$(PORT))

# Seeding refreshes the demo data a running server is using: refuse when the port is taken.
run: $(VENV)/.runtime
	@$(PY) -c "import socket, sys; sys.exit(socket.socket().connect_ex(('$(HOST)', $(PORT))) == 0)" || { \
		echo "Something is already serving on http://$(HOST):$(PORT) (another make run?)." >&2; \
		echo "Nothing was changed. Stop it first (Ctrl-C in its terminal), or use another port: make run PORT=5001" >&2; \
		exit 1; }
	@$(RUN_ENV) $(MAKE) --no-print-directory setup
	@echo
	@echo "cancelsvc is starting on http://$(HOST):$(PORT)"
	@echo "  API docs:      http://$(HOST):$(PORT)/api/v1/docs"
	@echo "  OpenAPI:       http://$(HOST):$(PORT)/api/v1/openapi.json"
	@echo "  Staff console: http://$(HOST):$(PORT)/console/login"
	@echo "  Health:        http://$(HOST):$(PORT)/healthz  (readiness: /readyz)"
	@echo "  Demo credentials above (also in instance/demo-credentials.txt). Stop with Ctrl-C."
	@echo "  Scheduled jobs (deactivation, SLA marks, webhooks, messages) run alongside."
	@echo "  Messages to customers (no SMSC or mail server set): tail -f instance/messages.txt"
	@echo
	@$(RUN_ENV) $(FLASK) jobs run & JOBS=$$!; trap 'kill $$JOBS 2>/dev/null' EXIT; \
		$(RUN_ENV) $(VENV)/bin/gunicorn --bind $(HOST):$(PORT) --workers 2 --no-control-socket wsgi:app

# The gates (ruff, mypy), then the whole suite on SQLite, the request tests again on
# SQLite with the poll front off, and, when TEST_DATABASE_URL is set, the tests that use
# the database again on PostgreSQL. Tests run in XDIST_WORKERS processes (pytest-xdist),
# each with a database of its own (see tests/conftest.py); XDIST_WORKERS=0 runs in one process.
# The browser tests (tests/browser, Chromium) run once: in the PostgreSQL pass when there is one.
XDIST_WORKERS ?= 2
test: lint $(COMPILED)
	@if [ ! -x "$${CANCELSVC_CHROMIUM:-/usr/bin/chromium}" ]; then \
		echo "** No Chromium at $${CANCELSVC_CHROMIUM:-/usr/bin/chromium}: the browser tests are skipped" \
		     "(apt-get install chromium fonts-noto-cjk to run them)."; \
	fi
	TEST_DATABASE_URL= CANCELSVC_TEST_BROWSER=$$([ -n "$$TEST_DATABASE_URL" ] && echo 0 || echo 1) \
		$(PY) -m pytest -n $(XDIST_WORKERS) $(PYTEST_ARGS)
	@echo "== request tests again with CANCELSVC_POLL_FRONT=off"
	TEST_DATABASE_URL= CANCELSVC_POLL_FRONT=off $(PY) -m pytest -n $(XDIST_WORKERS) $(PYTEST_ARGS) tests/requests
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on $$TEST_DATABASE_URL"; \
		$(PY) -m pytest -n $(XDIST_WORKERS) --database-tests-only $(PYTEST_ARGS); \
	fi

# 0 errors required: ruff over all Python, mypy over cancelsvc, models and ml (pyproject.toml).
lint: $(VENV)/.dev
	$(VENV)/bin/ruff check cancelsvc models ml tests bench
	$(VENV)/bin/mypy

openapi: $(VENV)/.runtime $(COMPILED)
	$(FLASK) openapi write docs/openapi.json

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
