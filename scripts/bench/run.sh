#!/usr/bin/env bash
# Benchmark: drgw against direct calls, an nginx pass-through and the official Python SDK, on one
# machine, in one run, over 127.0.0.1 only. Not part of scripts/test.sh.
#
#   bash scripts/bench/run.sh            # 8 s per case (about 3 minutes of measuring)
#   BENCH_SECONDS=5 bash scripts/bench/run.sh
#   BENCH_ROUNDS=3 bash scripts/bench/run.sh   # each wrk case 3 times, the median-rate run kept
#   BENCH_SCOPE=hop bash scripts/bench/run.sh   # only the gateway hop: GET at 1 and 64 connections + stage timing
#
# Steps: installs wrk and nginx-light when missing (one apt-get update), makes the official SDK
# venv (.venv, scripts/requirements-*.txt) when missing, builds drgw in release into
# .build-release (its own scratch path, so it does not wait on the debug build's lock), then runs
# scripts/bench/bench.py, which starts every simulator, gateway and nginx itself and prints one
# markdown table plus the ratios against the targets. Logs, wrk output and results.json go to
# BENCH_OUT (default: a new temp dir). Every process started here is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
seconds=${BENCH_SECONDS:-8}
rounds=${BENCH_ROUNDS:-1}
out=${BENCH_OUT:-$(mktemp -d /tmp/drgw-bench-XXXXXX)}
mkdir -p "$out"

pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

need=()
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "bench: installing ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
bash scripts/setup.sh venv

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import huaweicloudsdksdrs' >/dev/null 2>&1; then
  echo "bench: creating .venv with the official Huawei SDK"
  python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check -r scripts/requirements-huawei.txt
fi

echo "bench: building drgw (release, .build-release)"
if ! swift build -c release --product drgw --scratch-path .build-release -Xswiftc -cross-module-optimization >"$out/build.log" 2>&1; then
  grep -E "error:" "$out/build.log" | head -20 || tail -20 "$out/build.log"
  echo "bench: release build failed (log: $out/build.log)"
  exit 1
fi
bin="$root/.build-release/release/drgw"

echo "bench: measuring, ${seconds} s per case, output in $out"
# Bounded: 20 wrk cases x rounds (15 in the throughput regime, 5 in the latency regime), the stage-timing
# case and 2 SDK cases of $seconds each, plus process starts.
timeout --signal=TERM $((seconds * (20 * rounds + 3) + 420)) \
  .venv/bin/python scripts/bench/bench.py --drgw "$bin" --seconds "$seconds" --rounds "$rounds" --out "$out" &
pids+=($!)
wait "${pids[0]}"
