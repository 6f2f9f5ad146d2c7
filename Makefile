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
# The machine's one toolchain, for every cargo run: a dependency that ships its
# own rust-toolchain.toml (convert_case 0.11 pins 1.91.1) would otherwise make
# rustup ask for a toolchain that cannot be fetched here.
TOOLCHAIN := $(shell rustup show active-toolchain 2>/dev/null | cut -d' ' -f1)
ifneq ($(TOOLCHAIN),)
export RUSTUP_TOOLCHAIN ?= $(TOOLCHAIN)
endif
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/e2e/node_modules/.bin:$(PATH)
PG_ADMIN_URL ?= postgres://postgres@127.0.0.1:5432/postgres
export HIKESHI_TEST_PG_URL ?= $(PG_ADMIN_URL)

.PHONY: help run test setup setup-test build build-release test-rust test-e2e fuzz bench lint size

help:
	@echo "make run    — build and serve Hikeshi at http://127.0.0.1:3000"
	@echo "make test   — run every test"
	@echo "make bench  — benchmarks (list page, intel, TAXII, log triage, metrics, PDF reports, cold start, bundle size, upload)"
	@echo "make fuzz   — fuzz the form parsers briefly (part of make test)"

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
	@fc-list :lang=ja 2>/dev/null | grep -q . || \
	  { apt-get update -qq && apt-get install -y -qq fonts-noto-cjk fontconfig; }

setup-test: setup
	@command -v chromium >/dev/null && fc-list :lang=ja | grep -q . || \
	  { apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk; }
	@command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null || \
	  { apt-get update -qq && apt-get install -y -qq poppler-utils; }
	@python3 -c 'import aiosmtpd' 2>/dev/null || pip install -q aiosmtpd
	@python3 -c 'import stix2validator, stix2' 2>/dev/null || pip install -q 'stix2-validator==3.3.2' 'stix2==3.0.2'
	@python3 -c 'import taxii2client, medallion' 2>/dev/null || pip install -q 'taxii2-client==2.3.0' 'medallion==3.0.0'
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
	$(MAKE) --no-print-directory fuzz
	$(MAKE) --no-print-directory test-e2e

test-rust:
	@# Test databases from earlier runs that were interrupted.
	@psql "$(PG_ADMIN_URL)" -Atc "select datname from pg_database where datname like 'hikeshi_t_%'" \
	  | while read -r db; do psql "$(PG_ADMIN_URL)" -qc "drop database if exists \"$$db\" with (force)"; done
	@# Each test has its own time limit (tests/common); this one catches a hang
	@# that no async timer can interrupt.
	timeout --kill-after=30 2400 cargo test --workspace --exclude frontend --no-fail-fast

## ---- fuzzing -----------------------------------------------------------------
# cargo-fuzz on stable rustc: without a sanitizer (`--sanitizer none`) it needs
# no -Z flag, only libFuzzer's coverage instrumentation, which stable has. Its
# nested cargo must keep this toolchain: a dependency's own rust-toolchain.toml
# would otherwise ask rustup for another one.
CARGO_FUZZ_VERSION := 0.13.2
FUZZ_TARGETS := report_form local_datetime upload_form engagement_form free_text notice_form
FUZZ_SECONDS ?= 20
FUZZ_TOOLCHAIN := $(TOOLCHAIN)

fuzz:
	@if ! cargo fuzz --version 2>/dev/null | grep -q " $(CARGO_FUZZ_VERSION)$$"; then \
	  echo "installing cargo-fuzz $(CARGO_FUZZ_VERSION)"; \
	  cargo install cargo-fuzz --version $(CARGO_FUZZ_VERSION) --force; \
	fi
	cd fuzz && RUSTUP_TOOLCHAIN=$(FUZZ_TOOLCHAIN) cargo fuzz build --sanitizer none
	@cd fuzz && for t in $(FUZZ_TARGETS); do \
	  log=target/$$t.log; \
	  if RUSTUP_TOOLCHAIN=$(FUZZ_TOOLCHAIN) cargo fuzz run --sanitizer none $$t -- \
	       -dict=forms.dict -max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1 >$$log 2>&1; then \
	    echo "fuzz $$t: $$(grep -h '^Done' $$log), $$(grep -ho 'exec/s: [0-9]*' $$log | tail -1)"; \
	  else \
	    tail -40 $$log; echo "fuzz $$t failed: the input is in fuzz/artifacts/$$t/"; exit 1; \
	  fi; \
	done

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
	cargo bench -p server --bench intel
	BENCH_PG_URL=$(PG_ADMIN_URL) cargo bench -p server --bench taxii
	cargo bench -p server --bench triage
	cargo bench -p server --bench triage_memory
	cargo bench -p server --bench evtx
	BENCH_PG_URL=$(PG_ADMIN_URL) cargo bench -p server --bench metrics
	cargo bench -p server --bench reports
	bash server/benches/cold_start.sh
	bash server/benches/bundle_size.sh
	bash server/benches/upload.sh
