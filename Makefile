# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install db run serve production checkdeploy loadtest test lint check pytest bench makedata superuser clean

help:
	@echo "make run        install, migrate, load the content, serve http://$(HOST):$(PORT)/"
	@echo "make test       lint, Django checks, migration check and the test suite"
	@echo "make superuser  create an admin account"
	@echo "make serve      as in production: nginx on $(HOST):$(PORT) in front of gunicorn"
	@echo "make checkdeploy  manage.py check --deploy with deploy/production.env.example"
	@echo "make loadtest   readers and two editors at once against gunicorn (LOADTEST_SECONDS=30)"
	@echo "make bench      serve 100,000 generated events with gunicorn; print each page's"
	@echo "                time, CPU, size and queries (BENCH_EVENTS=5000 for fewer)"
	@echo "make makedata   add EVENTS=1000 generated events to the development database"

$(STAMP):
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

db: install
	$(MANAGE) migrate --no-input
	$(MANAGE) loadcontent

run: db
	$(MANAGE) collectstatic --no-input --verbosity 0
	$(MANAGE) runserver $(HOST):$(PORT)

# nginx (deploy/nginx.conf) on HOST:PORT serves /static/ and /media/ and passes the
# rest to gunicorn (deploy/gunicorn.conf.py) on APP_PORT; without nginx, gunicorn alone.
APP_PORT ?= 8001
serve: db
	DJANGO_DEBUG=false $(MANAGE) collectstatic --no-input --verbosity 0
	DJANGO_DEBUG=false $(BIN)/python deploy/serve.py --listen $(HOST):$(PORT) --app 127.0.0.1:$(APP_PORT)

production: serve

# The example production environment, its secret replaced, passes check --deploy.
checkdeploy: install
	set -a && . deploy/production.env.example && set +a && \
	DJANGO_SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	$(MANAGE) check --deploy --fail-level WARNING

# LOADTEST_SECONDS, LOADTEST_READERS and DATABASE_URL pass through the environment.
loadtest: install
	$(BIN)/python -m tests.loadtest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: install
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

pytest: install
	$(BIN)/pytest

test: lint check pytest

# BENCH_EVENTS (default 100000) and DATABASE_URL pass through the environment.
bench: install
	$(BIN)/python -m tests.bench

EVENTS ?= 1000
makedata: install
	$(MANAGE) migrate --no-input
	$(MANAGE) makedata --events $(EVENTS)

superuser: install
	$(MANAGE) migrate --no-input
	$(MANAGE) createsuperuser

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
