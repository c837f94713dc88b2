# Two commands on a fresh machine: `make run` and `make test`.

DATABASE_URL ?= ./blog.db
BIND ?= 127.0.0.1:8080
# A development token; set ADMIN_TOKEN to a long random secret in production.
ADMIN_TOKEN ?= dev-token
RUST_LOG ?= info

export DATABASE_URL BIND ADMIN_TOKEN RUST_LOG

.PHONY: run build migrate test test-api bench fuzz lint structure fmt ci

## Build and serve on SQLite (./blog.db) at 127.0.0.1:8080.
run: build
	@echo "blog-backend on http://$(BIND)  database: $(DATABASE_URL)  admin token: $(ADMIN_TOKEN)"
	./target/release/blog-backend serve

build:
	cargo build --release

## Apply pending migrations to DATABASE_URL and exit.
migrate: build
	./target/release/blog-backend migrate

## Unit tests and HTTP integration tests on SQLite and PostgreSQL.
## PostgreSQL tests use TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres);
## outside CI they skip loudly when it is unreachable, with CI=true they fail.
test:
	cargo test

## Schema-driven fuzzing: schemathesis against the served OpenAPI document,
## on the release server, on SQLite and on PostgreSQL (scripts/test-api.sh).
test-api:
	./scripts/test-api.sh

## HTTP load with wrk on the release server, on SQLite and PostgreSQL:
## every scenario at 10k posts, then GET /tags at 100k and 1M posts, alone and
## under a steady write rate (with every count checked after), and at 1M
## searches and deep pages. Prints the table and writes bench/results.md (and
## .json). Takes about forty-five minutes; BENCH_BACKENDS, BENCH_SCALES, BENCH_SECONDS, BENCH_ROUNDS and the
## rest are described in bench/bench.py. Then the delay of webhook deliveries after
## a commit and after a scheduled time (bench/webhook_delays.py). Reports; asserts nothing.
bench: build
	command -v wrk >/dev/null || apt-get install -y wrk || sudo apt-get install -y wrk
	case "$${BENCH_BACKENDS:-postgres}" in *postgres*) ./scripts/ensure-postgres.sh ;; esac
	python3 bench/bench.py
	python3 bench/webhook_delays.py

# schemathesis, pinned, in a virtualenv of the project's own.
.venv/bin/schemathesis: scripts/requirements-api.txt
	python3 -m venv .venv
	.venv/bin/pip install --quiet --disable-pip-version-check -r scripts/requirements-api.txt
	touch $@

## Coverage-guided fuzzing of request-body parsing (nightly, cargo-fuzz):
## FUZZ_SECONDS (default 60). New inputs go to fuzz/corpus, findings to
## fuzz/artifacts; fuzz/seeds holds a body of each kind to start from.
FUZZ_SECONDS ?= 60
fuzz:
	command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
	mkdir -p fuzz/corpus/request_bodies
	cd fuzz && cargo +nightly fuzz run request_bodies corpus/request_bodies seeds/request_bodies \
		-- -max_total_time=$(FUZZ_SECONDS) -max_len=4096

lint: structure
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings

## The house rules no compiler checks: no import cycle between modules of
## src/, no file over 500 lines, no function over 80 (scripts/check-structure.py).
structure:
	python3 scripts/check-structure.py

fmt:
	cargo fmt

## Everything CI runs.
ci:
	bash .ci/run
