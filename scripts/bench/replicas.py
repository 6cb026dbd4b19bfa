"""Write path on PostgreSQL with 1 and 3 replicas, against SQLite, in one run.

Every case: a Huawei simulator whose answers take BENCH_UPSTREAM_MS (default 50 ms), drill creates
through drgw (a new Idempotency-Key per request) from wrk for BENCH_SECONDS, spread evenly over the
replicas; then the time until every operation the run started has left `running` (the backlog).
The direct case sends the same pre-signed create to the simulator. Each case runs twice: at a light
load (BENCH_LIGHT_CONNECTIONS, 4: what the gateway and its store add to one create) and at
saturation (BENCH_CONNECTIONS, 128: creates/s and the backlog). With BENCH_PIN=1 the gateways run
on core 0 and everything else (simulator, wrk, PostgreSQL) on core 1. BENCH_CASES picks gateway
cases (sqlite-1,postgres-1,postgres-3); BENCH_STORE_QUERY is appended to the PostgreSQL store URL
(e.g. `&pool_max=32`); BENCH_STAGES=1 has each gateway write its stage timing (stages-*.json).
"""
import json
import os
import re
import secrets
import sqlite3
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
from bench import (ACCOUNT, API_KEY, PROJECT, Gateway, Simulator, drgw_post_script, fixed_script, http_get,  # noqa: E402
                   run_wrk_once, signed, wait_until)

SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "128"))
# A light load as well, below saturation: what the gateway and its store add to one create.
LIGHT_CONNECTIONS = int(os.environ.get("BENCH_LIGHT_CONNECTIONS", "4"))
LOADS = [c for c in (LIGHT_CONNECTIONS, CONNECTIONS) if c > 0]
UPSTREAM_MS = int(os.environ.get("BENCH_UPSTREAM_MS", "50"))
PIN = os.environ.get("BENCH_PIN", "0") == "1"
# Gateway cases to run (the direct case always runs: added latency is measured against it).
CASES = os.environ.get("BENCH_CASES", "sqlite-1,postgres-1,postgres-3").split(",")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def pin(pid, cores):
    if PIN:
        subprocess.run(["taskset", "-a", "-cp", cores, str(pid)], stdout=subprocess.DEVNULL, check=False)


def psql(url, sql):
    url = re.sub(r"[&?]pool_max=\d+", "", url)  # drgw's own parameter, unknown to libpq
    run = subprocess.run(["psql", url, "-Atqc", sql], capture_output=True, text=True, timeout=30)
    if run.returncode != 0:
        raise RuntimeError(f"psql: {run.stderr.strip()}")
    return run.stdout.strip()


def replica(drgw, workdir, tag, simulator, store_url):
    """A `drgw serve` on `store_url`, pinned to core 0 when BENCH_PIN=1."""
    stages = os.path.join(workdir, f"stages-{tag}.json") if os.environ.get("BENCH_STAGES") == "1" else None
    gateway = Gateway(drgw, workdir, tag, simulator, store_url=store_url, log_level="warning", stage_file=stages)
    wait_until(lambda: http_get(gateway.port, "/readyz")[0] == 200, "drgw /readyz")
    pin(gateway.process.pid, "0")
    return gateway


def running_operations(store_url):
    if store_url.startswith("sqlite://"):
        with sqlite3.connect(store_url[len("sqlite://"):], timeout=5) as db:
            return db.execute("SELECT count(*) FROM operations WHERE status = 'running'").fetchone()[0]
    return int(psql(store_url, "SELECT count(*) FROM operations WHERE status = 'running'"))


def postgres_pids():
    """Every running PostgreSQL process (postmaster, backends, background workers)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as f:
                    if f.read().strip() == "postgres":
                        pids.append(int(entry))
            except OSError:
                pass
    return pids


def gateway_case(drgw, workdir, name, replicas, store_url):
    """One row per load level (LIGHT_CONNECTIONS, then CONNECTIONS) on the same simulator and replicas."""
    simulator = Simulator(drgw, workdir, f"sim-{name}", UPSTREAM_MS)
    pin(simulator.process.pid, "1")
    gateways = []
    try:
        for i in range(replicas):
            gateways.append(replica(drgw, workdir, f"{name}-{i}", simulator, store_url))
        return [gateway_phase(workdir, name, simulator, gateways, store_url, connections) for connections in LOADS]
    finally:
        for g in gateways:
            g.stop()
        simulator.stop()


def gateway_phase(workdir, name, simulator, gateways, store_url, connections):
    """Creates from wrk for SECONDS over `connections` spread on the replicas, then the backlog's drain."""
    replicas = len(gateways)
    headers = {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"}
    per = max(1, connections // replicas)
    results = [None] * replicas
    errors = []

    def load(i):
        try:
            results[i] = run_wrk_once(
                workdir, f"{name}-r{i}", gateways[i].port, per, SECONDS,
                drgw_post_script(f"/v1/accounts/{ACCOUNT}/drills", headers, simulator.group, f"{name}{i}{secrets.token_hex(3)}"))
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=load, args=(i,)) for i in range(replicas)]
    groups = {"gateway": [g.process.pid for g in gateways], "simulator": [simulator.process.pid],
              "postgres": postgres_pids() if store_url.startswith("postgres") else []}
    cpu_before = {label: bench.cpu_seconds(pids) for label, pids in groups.items()}
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ended = time.monotonic()
    if errors:
        raise errors[0]
    backlog_at_end = running_operations(store_url)
    deadline = ended + 60
    while running_operations(store_url) > 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    drained = time.monotonic() - ended
    left = running_operations(store_url)
    # CPU per create over the load and the drain: every poll and report update a create causes
    cpu_spent = {label: bench.cpu_seconds(pids) - cpu_before[label] for label, pids in groups.items()}
    requests = sum(r["requests"] for r in results)
    return {
        "case": name, "replicas": replicas, "connections": per * replicas,
        "rps": sum(r["rps"] for r in results), "requests": requests,
        "errors": sum(r["errors"] for r in results),
        "p50": sum(r["p50"] for r in results) / replicas, "p99": max(r["p99"] for r in results),
        "backlog_at_end": backlog_at_end, "drain_s": drained if left == 0 else None,
        **{f"cpu_us_{label}": 1e6 * spent / max(1, requests) for label, spent in cpu_spent.items()},
    }


def direct_case(drgw, workdir):
    simulator = Simulator(drgw, workdir, "sim-direct", UPSTREAM_MS)
    pin(simulator.process.pid, "1")
    try:
        path = f"/v1/{PROJECT}/disaster-recovery-drills"
        body = json.dumps({"disaster_recovery_drill": {"server_group_id": simulator.group, "name": "bench_direct"}})
        rows = []
        for connections in LOADS:
            measured = run_wrk_once(workdir, "direct", simulator.port, connections, SECONDS,
                                    fixed_script("POST", path, signed("POST", simulator.host, path, body.encode()), body),
                                    [("simulator", [simulator.process.pid])])
            measured.update({"case": "direct", "replicas": 0, "connections": connections, "backlog_at_end": None, "drain_s": None})
            rows.append(measured)
        return rows
    finally:
        simulator.stop()


def main():
    drgw, workdir, admin_url = sys.argv[1], sys.argv[2], sys.argv[3]
    if PIN:
        os.sched_setaffinity(0, {1})  # wrk, simulators and psql inherit core 1
    rows = direct_case(drgw, workdir)
    sqlite_path = os.path.join(workdir, "bench.sqlite")
    if "sqlite-1" in CASES:
        rows += gateway_case(drgw, workdir, "sqlite-1", 1, "sqlite://" + sqlite_path)
    for replicas in (1, 3):
        if f"postgres-{replicas}" not in CASES:
            continue
        db = f"bench_{replicas}_{secrets.token_hex(3)}"
        psql(admin_url, f"CREATE DATABASE {db}")
        store_url = re.sub(r"/postgres\?", f"/{db}?", admin_url) + os.environ.get("BENCH_STORE_QUERY", "")
        rows += gateway_case(drgw, workdir, f"postgres-{replicas}", replicas, store_url)
    direct = {r["connections"]: r for r in rows if r["case"] == "direct"}

    def cpu(row, label):
        value = row.get(f"cpu_us_{label}")
        return "–" if not value else f"{value:.0f}"

    print(f"\nwrite path, upstream {UPSTREAM_MS} ms, {SECONDS} s per case, pinned: {PIN}; CPU per create counts the "
          "load and the backlog's drain")
    print("| case | replicas | conns | creates/s | p50 ms | p99 ms | added p50 ms | added p99 ms | non-2xx | running at end "
          "| backlog empty after s | CPU µs/create: gateways | simulator | PostgreSQL |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in sorted(rows, key=lambda r: (r["connections"] > LIGHT_CONNECTIONS, r["case"] != "direct")):
        base = direct[min(direct, key=lambda c: abs(c - r["connections"]))]  # 3 replicas get 3 × (4 // 3)
        added50 = "–" if r["case"] == "direct" else f"{r['p50'] - base['p50']:+.2f}"
        added99 = "–" if r["case"] == "direct" else f"{r['p99'] - base['p99']:+.2f}"
        drain = "–" if r["case"] == "direct" else (f"{r['drain_s']:.2f}" if r["drain_s"] is not None else "> 60")
        backlog = "–" if r["backlog_at_end"] is None else str(r["backlog_at_end"])
        print(f"| {r['case']} | {r['replicas']} | {r['connections']} | {r['rps']:.0f} | {r['p50']:.2f} | {r['p99']:.2f} | "
              f"{added50} | {added99} | {r['errors']} | {backlog} | {drain} | {cpu(r, 'gateway')} | {cpu(r, 'simulator')} | "
              f"{cpu(r, 'postgres')} |")
    one = next((r for r in rows if r["case"] == "postgres-1" and r["connections"] == CONNECTIONS), None)
    three = next((r for r in rows if r["case"] == "postgres-3" and r["connections"] >= CONNECTIONS - 2), None)
    if one and three:
        print(f"\n3 replicas / 1 replica at {CONNECTIONS} connections: {three['rps'] / max(1, one['rps']):.2f}×")
    with open(os.path.join(workdir, "replicas.json"), "w") as f:
        json.dump(rows, f, indent=1)


if __name__ == "__main__":
    try:
        main()
    finally:
        bench.stop_all()
