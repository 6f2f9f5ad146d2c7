#!/usr/bin/env bash
# Starts the freshly built server for the browser tests on a fresh database.
set -euo pipefail
cd "$(dirname "$0")"
port="${1:-3100}"
mkdir -p output
# A fresh database, evidence store and mail directory each run, under
# output/ (ignored by git).
rm -rf output/e2e.db output/e2e.db-wal output/e2e.db-shm output/evidence output/mail \
  output/audit.key output/audit-heads.log
export HIKESHI_EVIDENCE_DIR="$PWD/output/evidence"
export HIKESHI_MAIL_DIR="$PWD/output/mail"
export HIKESHI_DATABASE_URL="sqlite://$PWD/output/e2e.db?mode=rwc"
export HIKESHI_AUDIT_KEY_FILE="$PWD/output/audit.key"
export HIKESHI_AUDIT_HEADS_FILE="$PWD/output/audit-heads.log"
export HIKESHI_BIND="127.0.0.1:$port"
export HIKESHI_SITE_ROOT="$PWD/../target/site"
# Analyses read slowly enough for the page to show a run at work.
export HIKESHI_TRIAGE_READ_LIMIT=400000
export HIKESHI_ADMIN_PASSWORD="e2e administrator password"
exec ../target/debug/hikeshi serve
