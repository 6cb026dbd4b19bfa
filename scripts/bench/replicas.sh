#!/usr/bin/env bash
# Benchmark of the write path on PostgreSQL (1 and 3 replicas) against SQLite, in one run, over
# 127.0.0.1 only. Not part of scripts/test.sh.
#
#   bash scripts/bench/replicas.sh                  # unpinned, then pinned (BENCH_PIN=1)
#   BENCH_SECONDS=6 BENCH_CONNECTIONS=128 bash scripts/bench/replicas.sh
#   BENCH_PIN_MODES=0 BENCH_CASES=postgres-1 BENCH_PG_OPTIONS="-c synchronous_commit=off" bash scripts/bench/replicas.sh
#
# Starts its own PostgreSQL cluster (default settings, fsync on) and stops it at exit; builds drgw
# in release into .build-release like scripts/bench/run.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
out=${BENCH_OUT:-$(mktemp -d /tmp/drgw-bench-replicas-XXXXXX)}
mkdir -p "$out"
command -v wrk >/dev/null 2>&1 || bash scripts/setup.sh wrk
bash scripts/setup.sh venv postgresql-client
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import huaweicloudsdksdrs' >/dev/null 2>&1; then
  python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check -r scripts/requirements-huawei.txt
fi
echo "bench: building drgw (release, .build-release)"
swift build -c release --product drgw --scratch-path .build-release -Xswiftc -cross-module-optimization >"$out/build.log" 2>&1 \
  || { tail -20 "$out/build.log"; exit 1; }
eval "$(bash scripts/pg-cluster.sh start ${BENCH_PG_OPTIONS:-})"
trap 'bash scripts/pg-cluster.sh stop "$DRGW_TEST_PG_DIR"' EXIT
for pinned in ${BENCH_PIN_MODES:-0 1}; do
  BENCH_PIN=$pinned timeout 600 .venv/bin/python scripts/bench/replicas.py "$root/.build-release/release/drgw" "$out" "$DRGW_TEST_POSTGRES_URL"
done
echo "bench: logs in $out"
