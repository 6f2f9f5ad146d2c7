# Hikeshi — the two commands of the README:
#   make run    build and serve the app at http://127.0.0.1:3000
#   make test   run every test (unit, integration on SQLite and PostgreSQL, browser)
# Both install what a bare machine of this project's kind is missing first.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CARGO_LEPTOS_VERSION := 0.3.5
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/{getline; gsub(/[^0-9.]/,""); print; exit}' Cargo.lock)
export CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS := fallback
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/e2e/node_modules/.bin:$(PATH)
PG_ADMIN_URL ?= postgres://postgres@127.0.0.1:5432/postgres
export HIKESHI_TEST_PG_URL ?= $(PG_ADMIN_URL)

.PHONY: help run test setup setup-test build build-release test-rust test-e2e bench lint size

help:
	@echo "make run    — build and serve Hikeshi at http://127.0.0.1:3000"
	@echo "make test   — run every test"
	@echo "make bench  — benchmarks (list page, cold start, bundle size)"

## ---- setup (idempotent) -------------------------------------------------

setup:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@if ! cargo leptos --version 2>/dev/null | grep -q " $(CARGO_LEPTOS_VERSION)"; then \
	  echo "installing cargo-leptos $(CARGO_LEPTOS_VERSION)"; \
	  cargo install cargo-leptos@$(CARGO_LEPTOS_VERSION) --locked --features no_downloads; \
	fi
	@if ! wasm-bindgen --version 2>/dev/null | grep -q " $(WASM_BINDGEN_VERSION)"; then \
	  echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION)"; \
	  cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force; \
	fi
	@[ -x e2e/node_modules/.bin/wasm-opt ] || (cd e2e && npm ci --no-audit --no-fund)

setup-test: setup
	@command -v chromium >/dev/null && fc-list :lang=ja | grep -q . || \
	  { apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk; }
	@python3 -c 'import aiosmtpd' 2>/dev/null || pip install -q aiosmtpd
	@pg_isready -h 127.0.0.1 -p 5432 -q || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@for i in $$(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
	@pg_isready -h 127.0.0.1 -p 5432

## ---- run ----------------------------------------------------------------

build-release: setup
	cargo leptos build --release

run: build-release
	mkdir -p data
	HIKESHI_SITE_ROOT=target/site ./target/release/hikeshi serve

## ---- test ---------------------------------------------------------------

test: setup-test
	$(MAKE) --no-print-directory test-rust
	$(MAKE) --no-print-directory test-e2e

test-rust:
	@# Test databases from earlier runs that were interrupted.
	@psql "$(PG_ADMIN_URL)" -Atc "select datname from pg_database where datname like 'hikeshi_t_%'" \
	  | while read -r db; do psql "$(PG_ADMIN_URL)" -qc "drop database if exists \"$$db\" with (force)"; done
	@# Each test has its own time limit (tests/common); this one catches a hang
	@# that no async timer can interrupt.
	timeout --kill-after=30 2400 cargo test --workspace --exclude frontend

build:
	cargo leptos build

test-e2e: build
	cd e2e && npx playwright test

## ---- quality and measurements --------------------------------------------

lint:
	cargo fmt --all --check
	cargo clippy --all-targets -- -D warnings

bench: build-release
	cargo bench -p server --bench list_page
	bash server/benches/cold_start.sh
	bash server/benches/bundle_size.sh
	bash server/benches/upload.sh
