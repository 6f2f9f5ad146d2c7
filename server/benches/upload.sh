#!/usr/bin/env bash
# Budget: upload hashing throughput of at least 300 MB/s for a large file on
# loopback. Starts target/release/hikeshi on a fresh SQLite database and
# evidence directory, signs in as the administrator and a handler, reports an
# incident, then uploads a 1 GiB random file with curl (multipart, as the page
# does) three times and prints MB/s for each: the server streams the body to
# disk, hashes it with SHA-256 on the way, and records it. Checks the stored
# hash against sha256sum.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=target/release/hikeshi
[ -x "$bin" ] || { echo "build first: cargo leptos build --release" >&2; exit 1; }
port=3198
base="http://127.0.0.1:$port"
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
HIKESHI_DATABASE_URL="sqlite://$dir/h.db?mode=rwc" HIKESHI_BIND="127.0.0.1:$port" \
  HIKESHI_EVIDENCE_DIR="$dir/evidence" HIKESHI_ADMIN_PASSWORD="upload bench password" \
  HIKESHI_SITE_ROOT=target/site "$bin" serve >"$dir/server.log" 2>&1 &
pid=$!
until curl -sf -o /dev/null "$base/healthz"; do sleep 0.05; done

admin="$dir/admin.jar"; user="$dir/user.jar"
curl -sf -c "$admin" -d username=admin -d 'password=upload bench password' "$base/api/auth/login" >/dev/null
curl -sf -b "$admin" --data-urlencode 'form[username]=bench' --data-urlencode 'form[display_name]=Bench' \
  --data-urlencode 'form[password]=bench user password' --data-urlencode 'form[roles][]=it_lan_admin' \
  "$base/api/users/create" >/dev/null
curl -sf -c "$user" -d username=bench -d 'password=bench user password' "$base/api/auth/login" >/dev/null
id=$(curl -sf -b "$user" --data-urlencode 'form[title]=Upload bench' --data-urlencode 'form[observed]=bench' \
  --data-urlencode 'form[noticed_at]=2026-11-20T09:30' --data-urlencode 'form[location]=bench' \
  --data-urlencode 'form[discovery]=internal_detection' --data-urlencode 'form[kind]=other' \
  --data-urlencode 'form[reporter_contact]=bench' "$base/api/incidents/report" | sed 's/.*"Done":"\([^"]*\)".*/\1/')

size_mib=${UPLOAD_MIB:-1024}
for run in 1 2 3; do
  file="$dir/disk-$run.img"
  head -c "$((size_mib * 1024 * 1024))" /dev/urandom >"$file"
  expected=$(sha256sum "$file" | cut -d' ' -f1)
  start=$(date +%s%N)
  answer=$(curl -sf -b "$user" -F kind=disk_image -F 'description=bench image' -F 'acquired_how=dd' \
    -F 'acquired_at=2026-11-20T10:00' -F "file=@$file" "$base/api/incidents/$id/evidence")
  end=$(date +%s%N)
  ms=$(( (end - start) / 1000000 ))
  echo "$answer" | grep -q '"Done"' || { echo "upload failed: $answer" >&2; exit 1; }
  [ -f "$dir/evidence/sha256/${expected:0:2}/$expected" ] || { echo "stored file missing for $expected" >&2; exit 1; }
  echo "upload of ${size_mib} MiB (run $run): ${ms} ms, $(( size_mib * 1048576 / 1000 / (ms > 0 ? ms : 1) )) MB/s, sha256 matches sha256sum"
  rm -f "$file"
done
