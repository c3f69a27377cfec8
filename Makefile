# 基层治理一体化平台 — the two commands: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/jiceng

.PHONY: demo test test-sqlite test-postgres install install-dev chromium lint format lock bench bench-staffing bench-catalog bench-cases bench-grids bench-routing

$(VENV)/.installed: requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q --require-hashes -r requirements.lock
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.lock
	$(PY) -m pip install -q --require-hashes -r requirements-dev.lock
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make demo: set up (venv, locked dependencies, SQLite, demo county) and run on http://127.0.0.1:8000
demo: install
	mkdir -p var
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py seed_demo
	@echo ""
	@echo "平台地址：http://$(HOST):$(PORT)/   （按 Ctrl+C 停止；后台任务进程随之停止）"
	$(PY) manage.py run_worker --interval 30 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver --noreload $(HOST):$(PORT)

## make test: the whole suite on SQLite, then on PostgreSQL when a server is reachable
test: install-dev chromium
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$DATABASE_URL" ] || $(PY) scripts/pg_reachable.py; then \
		$(MAKE) --no-print-directory test-postgres; \
	else echo "PostgreSQL 不可达（127.0.0.1:5432），跳过 PostgreSQL 测试。"; fi

test-sqlite:
	@echo "== SQLite =="
	env -u DATABASE_URL $(VENV)/bin/pytest -n 2 --dist loadfile -q

test-postgres:
	@echo "== PostgreSQL =="
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} $(VENV)/bin/pytest -n 2 --dist loadfile -q

## Debian's Chromium for the browser tests (Playwright drives it; nothing is downloaded by Playwright)
chromium:
	@command -v chromium >/dev/null || test -x /usr/bin/chromium || { \
		echo "安装 Chromium（apt-get）…"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## Regenerate the lock files after editing requirements*.in (needs uv: pip install uv)
lock:
	uv pip compile requirements.in --generate-hashes --python-version 3.11 -o requirements.lock
	uv pip compile requirements-dev.in requirements.in --generate-hashes --python-version 3.11 -o requirements-dev.lock

## make bench: foundation, staffing, catalog and case benchmarks on throwaway databases (tables of medians and ratios)
bench: install
	env -u DATABASE_URL $(PY) bench/bench_foundation.py
	$(MAKE) --no-print-directory bench-staffing
	$(MAKE) --no-print-directory bench-catalog
	$(MAKE) --no-print-directory bench-cases
	$(MAKE) --no-print-directory bench-grids
	$(MAKE) --no-print-directory bench-routing

## make bench-staffing: vacancy report and 60,000-row 花名册 import at city scale, on SQLite and, when
## reachable, on a throwaway PostgreSQL database (a few minutes); BENCH_ARGS="--db sqlite" to narrow it
bench-staffing: install
	env -u DATABASE_URL $(PY) bench/bench_staffing.py $(BENCH_ARGS)

## make bench-catalog: resolution throughput and catalog import time
bench-catalog: install
	env -u DATABASE_URL $(PY) bench/bench_catalog.py

## make bench-cases: intake throughput, one worker sweep over 100,000 open cases, and the case pages with
## 1,000,000 cases in PostgreSQL (when reachable; about 25 minutes); BENCH_ARGS="--quick" for a smoke run
bench-cases: install
	env -u DATABASE_URL $(PY) bench/bench_cases.py $(BENCH_ARGS)

## make bench-grids: point → grid over 5,000 synthetic grids, index against a per-point loop (seconds)
bench-grids: install
	env -u DATABASE_URL $(PY) bench/bench_grids.py

## make bench-routing: text → matter routing against the char 1–3-gram TF-IDF + linear SVM baseline: gov-messages
## 5-fold macro-F1, catalog routing top-1/top-3 (k-fold and cold start), latency, training time (a few minutes)
bench-routing: install
	env -u DATABASE_URL $(PY) bench/bench_routing.py
