#!/usr/bin/env bash
# Budget: the hydrate bundle (wasm + js), gzip, under 1 MB. Measures the
# release build in target/site/pkg.
set -euo pipefail
cd "$(dirname "$0")/../.."
pkg=target/site/pkg
total=0
for f in "$pkg/hikeshi.wasm" "$pkg/hikeshi.js"; do
  raw=$(stat -c %s "$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  total=$((total + gz))
  echo "$(basename "$f"): $raw bytes, $gz bytes gzip -9"
done
echo "hydrate bundle total (gzip -9): $total bytes ($(( total / 1024 )) KiB)"
