# The two commands of the README: `make run` serves the demo, `make test` checks everything.
# Each creates .venv and installs what it needs on first use.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ARGS ?=
PYTEST_ARGS ?=

.PHONY: run test test-quick lint typecheck chromium redis-server nginx bench bench-jobs bench-smoke wheel-check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.run-deps: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

# The tests include a smoke run of the benchmarks, so they install the bench extra too.
$(VENV)/.test-deps: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test,bench]'
	touch $@ $(VENV)/.run-deps

run: $(VENV)/.run-deps
	$(BIN)/python -m aiohttp_sse_demo $(ARGS)

# Debian's Chromium for the browser tests: CHROMIUM=/path/to/chromium uses another one.
chromium:
	@if [ -n "$$CHROMIUM" ]; then \
		test -x "$$CHROMIUM" || { echo "CHROMIUM=$$CHROMIUM is not an executable" >&2; exit 1; }; \
	elif [ -x /usr/bin/chromium ]; then :; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		echo "installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "Chromium is missing: apt-get install chromium, or set CHROMIUM=/path/to/chromium" >&2; exit 1; \
	fi

# Debian's redis-server for the jobs tests (each test session starts its own on a free port):
# REDIS_SERVER=/path/to/redis-server uses another one.
redis-server:
	@if [ -n "$$REDIS_SERVER" ]; then \
		test -x "$$REDIS_SERVER" || { echo "REDIS_SERVER=$$REDIS_SERVER is not an executable" >&2; exit 1; }; \
	elif command -v redis-server >/dev/null; then :; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		echo "installing Debian's redis-server for the jobs tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	else \
		echo "redis-server is missing: apt-get install redis-server, or set REDIS_SERVER=/path/to/redis-server" >&2; exit 1; \
	fi

# Debian's nginx for the reverse-proxy tests (each test runs its own on a free port, with
# docs/deploy/nginx-sse.conf): NGINX=/path/to/nginx uses another one.
nginx:
	@if [ -n "$$NGINX" ]; then \
		test -x "$$NGINX" || { echo "NGINX=$$NGINX is not an executable" >&2; exit 1; }; \
	elif command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; then :; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		echo "installing Debian's nginx for the reverse-proxy tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; \
	else \
		echo "nginx is missing: apt-get install nginx, or set NGINX=/path/to/nginx" >&2; exit 1; \
	fi

# The Node SSE libraries of the peer tests (tests/peers/node), exactly as its lock file pins them.
NODE_PEERS := tests/peers/node
.PHONY: node-peers
node-peers: $(NODE_PEERS)/node_modules/.installed

$(NODE_PEERS)/node_modules/.installed: $(NODE_PEERS)/package.json $(NODE_PEERS)/package-lock.json
	cd $(NODE_PEERS) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

lint: $(VENV)/.test-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.test-deps
	$(BIN)/mypy

# pytest exits 5 when it collected no test: make treats that as a failure like any non-zero status.
test: $(VENV)/.test-deps chromium redis-server nginx node-peers lint typecheck
	$(BIN)/pytest $(PYTEST_ARGS)

test-quick: $(VENV)/.test-deps redis-server nginx node-peers
	$(BIN)/pytest -m "not slow and not browser" $(PYTEST_ARGS)

bench: $(VENV)/.test-deps
	$(BIN)/python -m benchmarks $(ARGS)

# Fan-out of one job to many viewers: the embedded broker, the Redis broker, a naive Redis design.
bench-jobs: $(VENV)/.test-deps redis-server
	$(BIN)/python -m benchmarks jobs $(ARGS)

bench-smoke: $(VENV)/.test-deps redis-server
	$(BIN)/python -m benchmarks --smoke
	$(BIN)/python -m benchmarks jobs --smoke

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache .hypothesis
