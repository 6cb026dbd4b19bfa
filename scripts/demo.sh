#!/usr/bin/env bash
# One command for a new user: install what is missing, build drgw, and run the embedded demo
# (gateway + Huawei SDRS and Alibaba EBS simulators + SQLite in a temp dir), ending with a real
# drill round trip per account through the gateway over HTTP.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "demo: building drgw (the first build fetches nothing but compiles the packages: a few minutes)"
swift build --product drgw 2>&1 | grep -E "error|warning: unre|Compiling drgw|Build complete" || true
test -x .build/debug/drgw || { echo "demo: build failed" >&2; exit 1; }
exec .build/debug/drgw demo --port "${DRGW_DEMO_PORT:-0}" --round-trip "$@"
