#!/usr/bin/env bash
# Budget: cold start of the built server to the first served page, SQLite,
# under 1 s. Starts target/release/hikeshi on a fresh database (migrations and
# the first administrator included) and polls /login every 5 ms. Runs 5 times.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=target/release/hikeshi
[ -x "$bin" ] || { echo "build first: cargo leptos build --release" >&2; exit 1; }
port=3199
for run in 1 2 3 4 5; do
  dir=$(mktemp -d)
  start=$(date +%s%N)
  HIKESHI_DATABASE_URL="sqlite://$dir/h.db?mode=rwc" HIKESHI_BIND="127.0.0.1:$port" \
    HIKESHI_ADMIN_PASSWORD="cold start password" HIKESHI_SITE_ROOT=target/site "$bin" serve >/dev/null 2>&1 &
  pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$port/login"; do sleep 0.005; done
  end=$(date +%s%N)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
  echo "cold start to first page (fresh SQLite, run $run): $(( (end - start) / 1000000 )) ms"
done
