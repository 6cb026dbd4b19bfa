#!/usr/bin/env bash
# Fuzzes a live `drgw demo` with schemathesis against its own /openapi.json (every check),
# on 127.0.0.1 only, bounded in time. Usage: scripts/fuzz/schemathesis_run.sh /path/to/drgw
# Exits non-zero on any schemathesis failure; always prints schemathesis' summary.
set -uo pipefail
bin=${1:?usage: schemathesis_run.sh /path/to/drgw}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
st="$root/.venv/bin/schemathesis"
[ -x "$st" ] || st=$(command -v schemathesis || true)
if [ -z "$st" ]; then echo "schemathesis_run: schemathesis is not installed (pip install -r scripts/requirements-fuzz.txt)"; exit 1; fi

key="fuzz-demo-key-$(date +%s)-0123456789"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
log=$(mktemp -t drgw-fuzz-demo.XXXXXX)
out=$(mktemp -d -t drgw-fuzz.XXXXXX)

"$bin" demo --port "$port" --api-key "$key" --job-seconds 0.2 >"$log" 2>&1 &
demo=$!
cleanup() {
  kill "$demo" 2>/dev/null
  wait "$demo" 2>/dev/null
  rm -rf "$out" "$log"
}
trap cleanup EXIT

base="http://127.0.0.1:$port"
ready=0
for _ in $(seq 1 150); do
  if curl -sf "$base/healthz" >/dev/null 2>&1; then ready=1; break; fi
  if ! kill -0 "$demo" 2>/dev/null; then break; fi
  sleep 0.2
done
if [ "$ready" != 1 ]; then
  echo "schemathesis_run: drgw demo did not become healthy on $base"; tail -20 "$log"; exit 1
fi

cd "$out"
timeout 280 "$st" --config-file "$here/schemathesis.toml" run "$base/openapi.json" \
  --url "$base" \
  -H "Authorization: Bearer $key" \
  --checks all \
  --max-examples "${FUZZ_MAX_EXAMPLES:-25}" \
  --workers 1 \
  --request-timeout 15 \
  --generation-database none \
  --no-color \
  --suppress-health-check too_slow,filter_too_much,data_too_large \
  --seed "${FUZZ_SEED:-20261123}" >"$out/schemathesis.txt" 2>&1
status=$?
# The whole report when it is short; else its head, then the summary block in full.
report="$out/schemathesis.txt"
if [ "$(wc -l <"$report")" -le 600 ]; then
  cat "$report"
else
  head -n 450 "$report"
  echo "… (report truncated) …"
  sed -n '/^=* SUMMARY =*$/,$p' "$report"
fi
if grep -qE '"status":"5[0-9][0-9]"' "$log" && grep -E '"status":"5[0-9][0-9]"' "$log" | grep -qv '"status":"501"'; then
  echo "schemathesis_run: the gateway logged 5xx answers other than 501:"
  grep -E '"status":"5[0-9][0-9]"' "$log" | grep -v '"status":"501"' | head -5
  status=1
fi
if [ "$status" -eq 124 ]; then echo "schemathesis_run: timed out"; fi
echo "schemathesis_run: exit $status"
exit "$status"
