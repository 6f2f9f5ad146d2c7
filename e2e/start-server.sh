#!/usr/bin/env bash
# Starts the freshly built server for the browser tests on a fresh database.
set -euo pipefail
cd "$(dirname "$0")"
port="${1:-3100}"
mkdir -p output
rm -f output/e2e.db output/e2e.db-wal output/e2e.db-shm
export HIKESHI_DATABASE_URL="sqlite://$PWD/output/e2e.db?mode=rwc"
export HIKESHI_BIND="127.0.0.1:$port"
export HIKESHI_SITE_ROOT="$PWD/../target/site"
export HIKESHI_ADMIN_PASSWORD="e2e administrator password"
exec ../target/debug/hikeshi serve
