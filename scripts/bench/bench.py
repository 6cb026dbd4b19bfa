#!/usr/bin/env python3
"""drgw benchmark: direct calls, drgw, nginx pass-through and the official SDK, on loopback only.

Usage (run.sh does the setup and calls this):
    .venv/bin/python scripts/bench/bench.py --drgw .build-release/release/drgw [--seconds 8] [--out DIR]

Every process it starts (simulators, gateways, nginx, wrk) listens on or talks to 127.0.0.1 only
and is stopped when this script ends, also on SIGTERM/SIGINT (and, through PR_SET_PDEATHSIG, when
this script dies). Every wrk run is bounded by `-d`, every wait by a deadline.

Cases (all against `drgw simulate huawei-sdrs`, with `--job-seconds 0.05`):
  direct GET   wrk -> simulator: GET /v1/{project}/disaster-recovery-drills/{id}, one request signed
               once with the official SDK's Signer (SDK-HMAC-SHA256) and replayed (valid 15 minutes).
  direct POST  wrk -> simulator: POST /v1/{project}/disaster-recovery-drills, pre-signed the same way
               (each request creates a drill).
  nginx GET    wrk -> nginx (reverse proxy, upstream keepalive 64) -> simulator, same signed GET.
  drgw GET     wrk -> drgw serve -> simulator: GET /v1/accounts/hw-demo/drills/{id}.
  drgw POST    wrk -> drgw serve -> simulator: POST /v1/accounts/hw-demo/drills with a unique
               Idempotency-Key and drill name per request (answers 202 with an operation).
  SDK          the official Python SDK (huaweicloudsdksdrs SdrsClient), one client, sequential:
               create_disaster_recovery_drill and show_disaster_recovery_drill calls per second.
Each write case gets a fresh simulator (and a fresh gateway with a fresh SQLite file), so drills
created by one case do not slow the next one down.

Upstream connections: drgw exports libcurl's CURLINFO_NUM_CONNECTS sum as
`drgw_upstream_connections_opened_total` and its transfers as `drgw_upstream_transfers_total` on
/metrics; the script reads both before and after each drgw case.
Peak RSS: VmHWM from /proc/<drgw pid>/status after each case (the write cases start a new process,
so the 64-connection write value is the peak of that run).
"""

import argparse
import ctypes
import hashlib
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from drgw_scriptkit import free_port, stop_process as stop, wait_for_line  # noqa: E402

from huaweicloudsdkcore.auth.credentials import BasicCredentials, Credentials
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer
from huaweicloudsdksdrs.v1 import (
    CreateDisasterRecoveryDrillRequest,
    CreateDisasterRecoveryDrillRequestBody,
    CreateDisasterRecoveryDrillRequestParams,
    ListDisasterRecoveryDrillsRequest,
    SdrsClient,
    ShowDisasterRecoveryDrillRequest,
    ShowJobStatusRequest,
)

AK = "BENCHAK0000000000001"
SK = "bench-secret-" + secrets.token_hex(12)
PROJECT = "0605767a3300d5762fb7c0186d9e1779"
ACCOUNT = "hw-demo"
API_KEY = "bench-" + secrets.token_hex(16)
CONNECTIONS = (1, 16, 64)
SCOPE = os.environ.get("BENCH_SCOPE", "all")  # "hop": only the GET at 1 and 64 connections and the stage timing

children = []  # every Popen this script started


def die_with_parent():
    """preexec_fn: the child gets SIGTERM when this script dies, however it dies."""
    try:
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def spawn(args, **kwargs):
    process = subprocess.Popen(args, stdin=subprocess.DEVNULL, preexec_fn=die_with_parent, **kwargs)
    children.append(process)
    return process


def stop_all():
    for process in reversed(children):
        stop(process)


def wait_until(check, what, deadline=30.0):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"timed out waiting for {what}")


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids):
    """utime + stime of the given processes (and their threads), in seconds."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / TICKS


def children_of(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def load_average():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def port_open(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


# ---------------------------------------------------------------- processes

class Simulator:
    def __init__(self, drgw, workdir, tag, latency_ms=0):
        self.port = free_port()
        self.log = open(os.path.join(workdir, f"simulator-{tag}.log"), "w")
        self.process = spawn(
            [drgw, "simulate", "huawei-sdrs", "--host", "127.0.0.1", "--port", str(self.port), "--access-key", AK,
             "--secret-key", SK, "--setting", f"projectId={PROJECT}", "--job-seconds", "0.05", "--seed", "42",
             "--latency-ms", str(latency_ms), "--latency-jitter-ms", str(latency_ms * UPSTREAM_JITTER_PERCENT // 100)],
            stdout=subprocess.PIPE, stderr=self.log, text=True)
        try:
            self.group = wait_for_line(self.process, r"protection group id: ([0-9a-f-]+)", deadline=30).group(1)
        except RuntimeError as error:
            raise RuntimeError(f"simulator did not start: {error}") from None
        wait_until(lambda: port_open(self.port), "simulator port")
        self.host = f"127.0.0.1:{self.port}"

    def stop(self):
        stop(self.process)


class Gateway:
    def __init__(self, drgw, workdir, tag, simulator, store_url=None, log_level=None, stage_file=None):
        self.port = free_port()
        directory = os.path.join(workdir, f"gateway-{tag}")
        os.makedirs(directory, exist_ok=True)
        config = os.path.join(directory, "drgw.yaml")
        with open(config, "w") as f:
            f.write(f"""server:
  host: 127.0.0.1
  port: {self.port}
store:
  url: {store_url or f"sqlite://{directory}/drgw.sqlite"}
rateLimit:
  requestsPerSecond: 1000000
  burst: 1000000
logging:
  level: {log_level or os.environ.get("BENCH_LOG_LEVEL", "info")}
tenants:
  - name: bench
    apiKeySha256: ["{hashlib.sha256(API_KEY.encode()).hexdigest()}"]
    accounts: [{ACCOUNT}]
accounts:
  - id: {ACCOUNT}
    provider: huawei-sdrs
    region: ap-southeast-3
    projectId: {PROJECT}
    endpoint: http://127.0.0.1:{simulator.port}
    credentials:
      accessKeyEnv: BENCH_HW_AK
      secretKeyEnv: BENCH_HW_SK
""")
        env = dict(os.environ, BENCH_HW_AK=AK, BENCH_HW_SK=SK)
        if stage_file:
            env["DRGW_STAGE_TIMING_FILE"] = stage_file  # written when the gateway stops
        self.log = open(os.path.join(directory, "drgw.log"), "w")
        self.process = spawn([drgw, "serve", "--config", config], stdout=self.log, stderr=subprocess.STDOUT, env=env)
        wait_until(lambda: self.process.poll() is None and http_get(self.port, "/healthz")[0] == 200, "drgw /healthz")

    def metrics(self):
        status, body = http_get(self.port, "/metrics")
        values = {}
        for name in ("drgw_upstream_connections_opened_total", "drgw_upstream_transfers_total"):
            match = re.search(r"^" + name + r"(?:\{[^}]*\})? ([0-9.e+]+)$", body, re.M)
            values[name] = float(match.group(1)) if match else 0.0
        return values

    def memory(self):
        values = {}
        with open(f"/proc/{self.process.pid}/status") as f:
            for line in f:
                if line.startswith(("VmHWM:", "VmRSS:")):
                    values[line.split(":")[0]] = int(line.split()[1]) / 1024.0  # MiB
        return values

    def stop(self):
        stop(self.process)


class Nginx:
    def __init__(self, workdir, simulator):
        self.port = free_port()
        directory = os.path.join(workdir, "nginx")
        os.makedirs(directory, exist_ok=True)
        config = os.path.join(directory, "nginx.conf")
        with open(config, "w") as f:
            f.write(f"""worker_processes auto;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log {directory}/access.log;
  client_body_temp_path {directory}/body;
  proxy_temp_path {directory}/proxy;
  fastcgi_temp_path {directory}/fastcgi;
  uwsgi_temp_path {directory}/uwsgi;
  scgi_temp_path {directory}/scgi;
  upstream simulator {{
    server 127.0.0.1:{simulator.port};
    keepalive 64;
  }}
  server {{
    listen 127.0.0.1:{self.port};
    location / {{
      proxy_pass http://simulator;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
    }}
  }}
}}
""")
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.process = spawn([nginx, "-p", directory, "-c", config, "-g", "daemon off;"],
                             stdout=subprocess.DEVNULL, stderr=open(os.path.join(directory, "stderr.log"), "w"))
        wait_until(lambda: self.process.poll() is None and port_open(self.port), "nginx port")

    def stop(self):
        stop(self.process)


def http_get(port, path, headers=None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except (urllib.error.URLError, ConnectionError, socket.timeout):
        return 0, ""


# ---------------------------------------------------------------- signing and SDK

def signed(method, host, path, body=b""):
    """Headers of one request signed with the official SDK's Signer (valid for 15 minutes)."""
    headers = {"Content-Type": "application/json;charset=UTF-8" if body else "application/json", "X-Project-Id": PROJECT}
    request = SdkRequest(method=method, schema="http", host=host, resource_path=path, query_params=[],
                         header_params=headers, body=body)
    Signer(Credentials(AK, SK)).sign(request)
    return dict(request.header_params)


def sdk_client(simulator):
    config = HttpConfig.get_default_config()
    config.timeout = (5, 30)
    config.retry_times = 0
    return (SdrsClient.new_builder().with_credentials(BasicCredentials(AK, SK, PROJECT))
            .with_endpoints([f"http://{simulator.host}"]).with_http_config(config).build())


def sdk_create_drill(sdrs, group, name):
    body = CreateDisasterRecoveryDrillRequestBody(
        disaster_recovery_drill=CreateDisasterRecoveryDrillRequestParams(server_group_id=group, name=name))
    return sdrs.create_disaster_recovery_drill(CreateDisasterRecoveryDrillRequest(body=body)).job_id


def sdk_drill_from_job(sdrs, job_id, group, name):
    end = time.monotonic() + 30
    while time.monotonic() < end:
        job = sdrs.show_job_status(ShowJobStatusRequest(job_id=job_id))
        if job.status == "SUCCESS":
            # the SDK's JobEntities model has no drill id field: look the drill up by its name
            drills = sdrs.list_disaster_recovery_drills(
                ListDisasterRecoveryDrillsRequest(server_group_id=group, name=name)).disaster_recovery_drills
            named = [d.id for d in drills if d.name == name]
            if len(named) != 1:
                raise RuntimeError(f"expected one drill named {name}, found {len(named)}")
            return named[0]
        if job.status not in ("INIT", "RUNNING"):
            raise RuntimeError(f"drill job ended {job.status}")
        time.sleep(0.05)
    raise RuntimeError("drill job did not end")


def sdk_loop(seconds, call):
    """Sequential calls for `seconds`; returns calls/s and per-call latencies (ms)."""
    latencies = []
    start = time.monotonic()
    end = start + seconds
    while time.monotonic() < end:
        t0 = time.perf_counter()
        call(len(latencies))
        latencies.append((time.perf_counter() - t0) * 1000)
    elapsed = time.monotonic() - start
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
    return {"rps": len(latencies) / elapsed, "p50": pick(0.50), "p99": pick(0.99), "requests": len(latencies),
            "errors": 0}


# ---------------------------------------------------------------- wrk

def lua_string(value):
    """A Lua string literal (JSON escapes of ASCII text are valid Lua escapes)."""
    return json.dumps(value, ensure_ascii=True)


def lua_headers(headers):
    return "\n".join(f"wrk.headers[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items())


DONE = """
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCHJSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def fixed_script(method, path, headers, body=""):
    return (f"wrk.method = {lua_string(method)}\nwrk.path = {lua_string(path)}\n"
            f"wrk.body = {lua_string(body) if body else 'nil'}\n{lua_headers(headers)}\n{DONE}")


def drgw_post_script(path, headers, group, run_id):
    return f"""
{lua_headers(headers)}
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tag", "t" .. threads)
end
local counter = 0
function request()
  counter = counter + 1
  local id = {lua_string(run_id)} .. "-" .. tag .. "-" .. counter
  wrk.headers["Idempotency-Key"] = id
  local body = '{{"name":"bench_' .. id .. '","protectionGroupId":"{group}"}}'
  return wrk.format("POST", {lua_string(path)}, nil, body)
end
{DONE}
"""


ROUNDS = 1
UPSTREAM_MS = int(os.environ.get("BENCH_UPSTREAM_MS", "50"))  # service time of the latency regime; 0 skips it
UPSTREAM_JITTER_PERCENT = int(os.environ.get("BENCH_UPSTREAM_JITTER_PERCENT", "20"))  # ± uniform, of UPSTREAM_MS


def median_run(rounds):
    """The round with the median rate, plus request and upstream totals over all rounds."""
    ordered = sorted(rounds, key=lambda m: m["rps"])
    chosen = dict(ordered[len(ordered) // 2])
    chosen["requests_all_rounds"] = sum(m["requests"] for m in rounds)
    if "upstream_transfers" in chosen:
        chosen["upstream_transfers_all_rounds"] = sum(m["upstream_transfers"] for m in rounds)
        chosen["upstream_connects_all_rounds"] = sum(m["upstream_connects"] for m in rounds)
    return chosen


def paired_added(cases, directs):
    """Median over rounds of what a case added to the direct call of the same round (p50 and p99, ms)."""
    def median(values):
        values = sorted(values)
        middle = len(values) // 2
        return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
    return {q: median([c[q] - d[q] for c, d in zip(cases, directs)]) for q in ("p50", "p99")}


def run_wrk_once(workdir, name, port, connections, seconds, script, cpu_pids=()):
    path = os.path.join(workdir, f"{name}-c{connections}.lua")
    with open(path, "w") as f:
        f.write(script)
    threads = min(2, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "--latency",
               "-s", path, f"http://127.0.0.1:{port}"]
    load = load_average()
    cpu_before = {label: cpu_seconds(pids) for label, pids in cpu_pids}
    run = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=seconds + 30,
                         preexec_fn=die_with_parent)
    cpu_after = {label: cpu_seconds(pids) for label, pids in cpu_pids}
    with open(os.path.join(workdir, f"{name}-c{connections}.wrk.txt"), "w") as f:
        f.write(run.stdout + run.stderr)
    match = re.search(r"^BENCHJSON (\{.*\})$", run.stdout, re.M)
    if run.returncode != 0 or not match:
        raise RuntimeError(f"wrk {name} c{connections} failed: {(run.stdout + run.stderr)[-400:]}")
    raw = json.loads(match.group(1))
    errors = raw["connect"] + raw["read"] + raw["write"] + raw["status"] + raw["timeout"]
    measured = {"rps": raw["requests"] / (raw["duration_us"] / 1e6), "p50": raw["p50_us"] / 1000.0,
                "p99": raw["p99_us"] / 1000.0, "requests": raw["requests"], "errors": errors, "load": load}
    for label in cpu_before:  # CPU time per request (µs) of each named process group
        measured["cpu_us_" + label] = 1e6 * (cpu_after[label] - cpu_before[label]) / max(1, raw["requests"])
    return measured


# ---------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drgw", required=True)
    parser.add_argument("--seconds", type=int, default=8, help="duration of each case")
    parser.add_argument("--rounds", type=int, default=1, help="runs per wrk case; the median-rate run is kept")
    parser.add_argument("--out", help="directory for logs, wrk output and results.json (default: a temp dir)")
    args = parser.parse_args()
    drgw = os.path.abspath(args.drgw)
    workdir = args.out or tempfile.mkdtemp(prefix="drgw-bench-")
    os.makedirs(workdir, exist_ok=True)
    seconds = args.seconds
    global ROUNDS
    ROUNDS = max(1, args.rounds)
    results = {}  # (case, connections) -> measurement
    paired = {}  # (case, connections) -> median over rounds of (case - direct) p50 and p99, same round
    extra = {}

    def log(message):
        print(f"bench: {message}", flush=True)

    bearer = {"Authorization": f"Bearer {API_KEY}"}

    def measure_reads(latency_ms, connection_counts, suffix, with_sdk):
        """direct, nginx and drgw GET against one simulator (answers after `latency_ms`)."""
        tag = "read" + suffix.replace(" ", "").replace("@", "-")
        simulator = Simulator(drgw, workdir, tag, latency_ms)
        sdrs = sdk_client(simulator)
        drill = sdk_drill_from_job(sdrs, sdk_create_drill(sdrs, simulator.group, "bench_seed_drill"), simulator.group,
                                   "bench_seed_drill")
        drill_path = f"/v1/{PROJECT}/disaster-recovery-drills/{drill}"
        get_headers = signed("GET", simulator.host, drill_path)
        nginx = Nginx(workdir, simulator)
        gateway = Gateway(drgw, workdir, tag, simulator)
        status, body = http_get(gateway.port, f"/v1/accounts/{ACCOUNT}/drills/{drill}", bearer)
        if status != 200:
            raise RuntimeError(f"drgw GET drill answered {status}: {body[:200]}")
        drgw_get = fixed_script("GET", f"/v1/accounts/{ACCOUNT}/drills/{drill}", bearer)
        for connections in connection_counts:
            log(f"GET c={connections}{suffix}")
            sim = ("sim", [simulator.process.pid])
            direct, proxied, gated, front = [], [], [], []
            # Interleaved rounds (direct, nginx, drgw, then again): a slow spell of the machine hits all
            # three cases of a round, and added latency is judged per round (paired), not across rounds.
            for i in range(ROUNDS):
                name = f"-r{i}" if ROUNDS > 1 else ""
                direct.append(run_wrk_once(workdir, f"direct-get{tag}{name}", simulator.port, connections, seconds,
                                           fixed_script("GET", drill_path, get_headers), [sim]))
                proxied.append(run_wrk_once(workdir, f"nginx-get{tag}{name}", nginx.port, connections, seconds,
                                            fixed_script("GET", drill_path, get_headers),
                                            [sim, ("proxy", [nginx.process.pid] + children_of(nginx.process.pid))]))
                before = gateway.metrics()
                measured = run_wrk_once(workdir, f"drgw-get{tag}{name}", gateway.port, connections, seconds, drgw_get,
                                        [sim, ("proxy", [gateway.process.pid])])
                time.sleep(0.7)  # the exporter copies the transport counters every 0.5 s
                after = gateway.metrics()
                measured["upstream_transfers"] = (after["drgw_upstream_transfers_total"]
                                                  - before["drgw_upstream_transfers_total"])
                measured["upstream_connects"] = (after["drgw_upstream_connections_opened_total"]
                                                 - before["drgw_upstream_connections_opened_total"])
                measured.update(gateway.memory())
                gated.append(measured)
                if latency_ms == 0:
                    # drgw's front alone: the HTTP server, middleware and log line, no store, no upstream
                    front.append(run_wrk_once(workdir, f"drgw-health{tag}{name}", gateway.port, connections, seconds,
                                              fixed_script("GET", "/healthz", {}), [("proxy", [gateway.process.pid])]))
            results[("direct GET" + suffix, connections)] = median_run(direct)
            results[("nginx GET" + suffix, connections)] = median_run(proxied)
            results[("drgw GET" + suffix, connections)] = median_run(gated)
            if front:
                results[("drgw /healthz" + suffix, connections)] = median_run(front)
            paired[("drgw GET" + suffix, connections)] = paired_added(gated, direct)
            paired[("nginx GET" + suffix, connections)] = paired_added(proxied, direct)
        if with_sdk:
            log("SDK show_disaster_recovery_drill, 1 client")
            results[("SDK GET", 1)] = sdk_loop(seconds, lambda i: sdrs.show_disaster_recovery_drill(
                ShowDisasterRecoveryDrillRequest(disaster_recovery_drill_id=drill)))
        gateway.stop()
        nginx.stop()
        simulator.stop()

    def measure_stages():
        """One connection of drgw GETs with the stage-timing diagnostic on: where a request's time goes."""
        log("stage timing, drgw GET c=1")
        simulator = Simulator(drgw, workdir, "stages")
        sdrs = sdk_client(simulator)
        drill = sdk_drill_from_job(sdrs, sdk_create_drill(sdrs, simulator.group, "bench_stage_drill"), simulator.group,
                                   "bench_stage_drill")
        stage_file = os.path.join(workdir, "stages.json")
        gateway = Gateway(drgw, workdir, "stages", simulator, stage_file=stage_file)
        try:
            measured = run_wrk_once(workdir, "drgw-get-stages", gateway.port, 1, seconds,
                                    fixed_script("GET", f"/v1/accounts/{ACCOUNT}/drills/{drill}", bearer),
                                    [("proxy", [gateway.process.pid])])
        finally:
            gateway.stop()
            simulator.stop()
        with open(stage_file) as f:
            extra["stages"] = json.load(f)
        extra["stages"]["wrk"] = measured

    # --- write path: a fresh simulator (and gateway) per case and round, so that drills created by one
    # measurement do not carry over into the next
    def direct_post(connections, round_, latency_ms):
        simulator = Simulator(drgw, workdir, f"direct-post-{connections}-{latency_ms}-{round_}", latency_ms)
        try:
            create_path = f"/v1/{PROJECT}/disaster-recovery-drills"
            body = json.dumps({"disaster_recovery_drill": {"server_group_id": simulator.group, "name": "bench_direct"}})
            post_headers = signed("POST", simulator.host, create_path, body.encode())
            return run_wrk_once(workdir, f"direct-post-{latency_ms}-r{round_}", simulator.port, connections, seconds,
                                fixed_script("POST", create_path, post_headers, body),
                                [("sim", [simulator.process.pid])])
        finally:
            simulator.stop()

    def drgw_post(connections, round_, latency_ms):
        simulator = Simulator(drgw, workdir, f"drgw-post-{connections}-{latency_ms}-{round_}", latency_ms)
        gateway = Gateway(drgw, workdir, f"post-{connections}-{latency_ms}-{round_}", simulator)
        try:
            headers = dict(bearer, **{"Content-Type": "application/json"})
            before = gateway.metrics()
            measured = run_wrk_once(workdir, f"drgw-post-{latency_ms}-r{round_}", gateway.port, connections, seconds,
                                    drgw_post_script(f"/v1/accounts/{ACCOUNT}/drills", headers, simulator.group,
                                                     f"c{connections}{secrets.token_hex(3)}"),
                                    [("sim", [simulator.process.pid]), ("proxy", [gateway.process.pid])])
            measured.update(gateway.memory())  # before the poller's tail: the peak of the run itself
            time.sleep(0.7)
            after = gateway.metrics()
            measured["upstream_transfers"] = (after["drgw_upstream_transfers_total"]
                                              - before["drgw_upstream_transfers_total"])
            measured["upstream_connects"] = (after["drgw_upstream_connections_opened_total"]
                                             - before["drgw_upstream_connections_opened_total"])
            return measured
        finally:
            gateway.stop()
            simulator.stop()

    def measure_writes(latency_ms, connection_counts, suffix):
        for connections in connection_counts:
            log(f"POST c={connections}{suffix}")
            direct, gated = [], []
            for i in range(ROUNDS):  # interleaved and paired, as for the reads
                direct.append(direct_post(connections, i, latency_ms))
                gated.append(drgw_post(connections, i, latency_ms))
            results[("direct POST" + suffix, connections)] = median_run(direct)
            results[("drgw POST" + suffix, connections)] = median_run(gated)
            paired[("drgw POST" + suffix, connections)] = paired_added(gated, direct)

    if SCOPE == "hop":
        # The gateway hop alone: GET at 1 and 64 connections against direct and nginx, plus the stages.
        measure_reads(0, (1, 64), "", with_sdk=False)
        measure_stages()
        report_hop(results, paired, extra, seconds, workdir)
        return

    # 1. throughput regime: the simulator answers at once, so every case saturates the two cores
    measure_reads(0, CONNECTIONS, "", with_sdk=True)
    measure_stages()
    measure_writes(0, CONNECTIONS, "")
    log("SDK create_disaster_recovery_drill, 1 client")
    simulator = Simulator(drgw, workdir, "sdk-post")
    sdrs = sdk_client(simulator)
    results[("SDK POST", 1)] = sdk_loop(seconds, lambda i: sdk_create_drill(sdrs, simulator.group, f"bench_sdk_{i}"))
    simulator.stop()

    # 2. latency regime: every simulator answer takes UPSTREAM_MS, like a cloud API across a network, so
    # 64 connections keep the machine well below CPU saturation and added latency is the proxy's own time
    if UPSTREAM_MS > 0:
        suffix = f" @{UPSTREAM_MS}ms"
        measure_reads(UPSTREAM_MS, (64,), suffix, with_sdk=False)
        measure_writes(UPSTREAM_MS, (64,), suffix)

    report(results, paired, seconds, workdir, extra)


def fmt(value, digits=2):
    return "–" if value is None else f"{value:.{digits}f}"


def save_results(results, paired, extra, workdir):
    with open(os.path.join(workdir, "results.json"), "w") as f:
        json.dump({"cases": {f"{k[0]} c{k[1]}": v for k, v in results.items()},
                   "paired_added_ms": {f"{k[0]} c{k[1]}": v for k, v in paired.items()}, **extra}, f, indent=1)


def print_table(results, cases, connection_counts):
    print("| case | conns | req/s | p50 ms | p99 ms | errors | proxy CPU µs/req | simulator CPU µs/req "
          "| upstream connects / 100 upstream calls | drgw peak RSS MiB | load avg |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for case in cases:
        for connections in connection_counts:
            m = results.get((case, connections))
            if m is None:
                continue
            connects = "–"
            if m.get("upstream_transfers"):
                connects = f"{100.0 * m['upstream_connects'] / m['upstream_transfers']:.2f}"
            rss = fmt(m.get("VmHWM"), 1) if "VmHWM" in m else "–"
            proxy = f"{m['cpu_us_proxy']:.0f}" if "cpu_us_proxy" in m else "–"
            sim = f"{m['cpu_us_sim']:.0f}" if "cpu_us_sim" in m else "–"
            load = f"{m['load']:.1f}" if "load" in m else "–"
            print(f"| {case} | {connections} | {m['rps']:.0f} | {m['p50']:.2f} | {m['p99']:.2f} | {m['errors']} | "
                  f"{proxy} | {sim} | {connects} | {rss} | {load} |")
    print()


def print_stages(extra):
    """The stage-timing run: time from the previous stage to each, over every request of the run."""
    stages = extra.get("stages")
    if not stages:
        return
    wrk = stages["wrk"]
    print(f"Stages of a drgw GET at 1 connection ({stages['requests']} requests with the stage-timing diagnostic on; "
          f"{wrk['rps']:.0f} req/s, p50 {wrk['p50']:.2f} ms):")
    print()
    print("| stage (time since the previous one) | p50 µs | p90 µs | p99 µs | mean µs |")
    print("|---|---:|---:|---:|---:|")
    for row in stages["stages"] + ([stages["total"]] if stages.get("total") else []):
        print(f"| {row['stage']} | {row['p50']:.1f} | {row['p90']:.1f} | {row['p99']:.1f} | {row['mean']:.1f} |")
    print()


def failed_cases(results):
    """A case with non-2xx answers or socket errors measured something else (refusals are fast)."""
    failed = sorted(f"{case} c={c}: {m['errors']}" for (case, c), m in results.items() if m.get("errors", 0) > 0)
    if failed:
        print("bench: FAILED, cases with errors (non-2xx answers, socket errors or timeouts): " + "; ".join(failed))
        sys.exit(1)


def print_cpu_budget(results, share=0.60):
    """At 64 connections the cores are saturated, so a proxy's rate follows from its CPU per request:
    what wrk, the simulator and the kernel spent per request in the nginx case stays, and the rest of the
    cores is what drgw may spend per GET to reach `share` of nginx's rate."""
    nginx, front, gated = (results.get((case, 64)) for case in ("nginx GET", "drgw /healthz", "drgw GET"))
    if not nginx or "cpu_us_proxy" not in nginx or not gated:
        return
    cores = os.cpu_count()
    rest = cores * 1e6 / nginx["rps"] - nginx["cpu_us_proxy"]
    budget = cores * 1e6 / (share * nginx["rps"]) - rest
    line = (f"- c=64 CPU budget: {share:.2f} × nginx's rate leaves drgw {budget:.0f} µs of CPU per GET ({cores} cores, "
            f"{rest:.0f} µs per request for wrk, the simulator and the kernel as in the nginx case); a drgw GET took "
            f"{gated['cpu_us_proxy']:.0f} µs")
    if front and "cpu_us_proxy" in front:
        line += f", drgw's front alone (/healthz: HTTP server, middleware, log line) {front['cpu_us_proxy']:.0f} µs"
    print(line)


def report_hop(results, paired, extra, seconds, workdir):
    save_results(results, paired, extra, workdir)
    print()
    print(f"drgw benchmark (gateway hop), {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.machine()}, "
          f"{os.cpu_count()} cores, loopback, {seconds} s per case, median of {ROUNDS} interleaved round(s)")
    print()
    print_table(results, ["direct GET", "nginx GET", "drgw GET", "drgw /healthz"], (1, 64))
    print_stages(extra)
    one, wide = paired[("drgw GET", 1)], results[("drgw GET", 64)]
    nginx_one = paired[("nginx GET", 1)]
    connects = sum(results[("drgw GET", c)].get("upstream_connects", 0) for c in (1, 64))
    transfers = sum(results[("drgw GET", c)].get("upstream_transfers", 0) for c in (1, 64))
    ratio = wide["rps"] / results[("nginx GET", 64)]["rps"]
    print(f"- c=1: drgw added p50 {one['p50']:+.2f} ms (target ≤ 0.5), p99 {one['p99']:+.2f} ms (target ≤ 2); "
          f"nginx added p50 {nginx_one['p50']:+.2f} ms, p99 {nginx_one['p99']:+.2f} ms")
    print(f"- c=64: drgw ÷ nginx rate {ratio:.2f} (target ≥ 0.60)")
    print_cpu_budget(results)
    if transfers:
        print(f"- upstream connects per 100 upstream calls: {100.0 * connects / transfers:.3f} (target ≤ 1)")
    print(f"- drgw peak RSS: {max(results[('drgw GET', c)]['VmHWM'] for c in (1, 64)):.1f} MiB (target ≤ 64)")
    print(f"- raw wrk output, logs and results.json: {workdir}")
    failed_cases(results)


def report(results, paired, seconds, workdir, extra):
    save_results(results, paired, extra, workdir)
    cores = os.cpu_count()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    print()
    print(f"drgw benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.machine()}, "
          f"{cores} cores, {mem:.0f} GiB, loopback, {seconds} s per case (wrk -t2, -t1 at 1 connection), "
          f"median of {ROUNDS} interleaved round(s); added latency = median over rounds of (case − direct) in the same round")
    loads = [m["load"] for m in results.values() if "load" in m]
    if loads and max(loads) > 1.0:
        print(f"WARNING: the 1-minute load average reached {max(loads):.1f} before some cases (the load avg column): "
              "other work shared the CPUs, so rates and latencies are noisy; CPU µs per request is the steadier "
              "measure.")
    print()
    order = ["direct GET", "nginx GET", "drgw GET", "drgw /healthz", "SDK GET", "direct POST", "drgw POST", "SDK POST"]
    lat = f" @{UPSTREAM_MS}ms"
    order += [c + lat for c in ("direct GET", "nginx GET", "drgw GET", "direct POST", "drgw POST")]
    print_table(results, order, CONNECTIONS)
    print_stages(extra)

    def r(case, c):  # noqa: E306
        return results.get((case, c))

    verdicts = []

    def target(label, value, limit, ok):
        verdicts.append(ok)
        print(f"- {label}: {value} (target {limit}) — {'MET' if ok else 'MISSED'}")

    def added(case, c, q):  # paired (same-round) added latency, ms
        return paired[(case, c)][q]

    print("Ratios and targets (64 connections unless said):")
    for c in CONNECTIONS:
        g = r("drgw GET", c)
        print(f"- c={c}: GET added p50 {added('drgw GET', c, 'p50'):+.2f} ms, p99 {added('drgw GET', c, 'p99'):+.2f} ms; "
              f"POST added p50 {added('drgw POST', c, 'p50'):+.2f} ms, p99 {added('drgw POST', c, 'p99'):+.2f} ms; "
              f"drgw GET / nginx GET = {g['rps'] / r('nginx GET', c)['rps']:.2f}")
    g, p, n = r("drgw GET", 64), r("drgw POST", 64), r("nginx GET", 64)
    print(f"- throughput regime, c=64: nginx GET added p50 {added('nginx GET', 64, 'p50'):+.2f} ms, p99 "
          f"{added('nginx GET', 64, 'p99'):+.2f} ms (a saturated machine turns every proxy's CPU time into queueing)")
    latency = (("drgw GET" + lat, 64) in paired) and (("drgw POST" + lat, 64) in paired)
    if latency:
        print(f"- latency regime (simulator answers after {UPSTREAM_MS} ms ± {UPSTREAM_JITTER_PERCENT}%), c=64: drgw GET added "
              f"p50 {added('drgw GET' + lat, 64, 'p50'):+.2f} ms, p99 {added('drgw GET' + lat, 64, 'p99'):+.2f} ms; "
              f"nginx GET added p50 {added('nginx GET' + lat, 64, 'p50'):+.2f} ms, p99 "
              f"{added('nginx GET' + lat, 64, 'p99'):+.2f} ms")
        print(f"- latency regime, c=64: drgw POST added p50 {added('drgw POST' + lat, 64, 'p50'):+.2f} ms, p99 "
              f"{added('drgw POST' + lat, 64, 'p99'):+.2f} ms (drgw's create also checks the group, reusing a passed "
              "check for groupCheckSeconds, writes the key record and the operation, and its poller follows every job)")
    # Added latency is judged where the machine is not saturated (the latency regime) when it ran.
    get_case, post_case = ("drgw GET" + lat, "drgw POST" + lat) if latency else ("drgw GET", "drgw POST")
    where = f" ({'latency regime' if latency else 'throughput regime'})"
    get50, get99, post50 = added(get_case, 64, "p50"), added(get_case, 64, "p99"), added(post_case, 64, "p50")
    one = paired[("drgw GET", 1)]
    target("GET added p50 at 1 connection", f"{one['p50']:+.2f} ms", "≤ 0.5 ms", one["p50"] <= 0.5)
    target("GET added p99 at 1 connection", f"{one['p99']:+.2f} ms", "≤ 2 ms", one["p99"] <= 2.0)
    target("GET added p50" + where, f"{get50:+.2f} ms", "≤ 0.5 ms", get50 <= 0.5)
    target("GET added p99" + where, f"{get99:+.2f} ms", "≤ 2 ms", get99 <= 2.0)
    target("POST added p50" + where, f"{post50:+.2f} ms", "≤ 1 ms", post50 <= 1.0)
    target("drgw GET RPS ÷ nginx GET RPS (throughput regime)", f"{g['rps'] / n['rps']:.2f}", "≥ 0.60",
           g["rps"] / n["rps"] >= 0.60)
    print_cpu_budget(results)
    sdk, p1 = r("SDK POST", 1), r("drgw POST", 1)
    print(f"- drill create at 1 connection, drgw calls/s ÷ SDK calls/s: {p1['rps'] / sdk['rps']:.2f}× (no target: "
          "the upstream's own time bounds both)")
    # A bound no gateway can beat: its create needs at least the create upstream, which costs at least
    # what wrk alone sees for the same call directly at 1 connection.
    floor = r("direct POST", 1)["p50"]
    print(f"  bound: the direct upstream create takes {floor:.2f} ms (p50) at 1 connection, so even a gateway that "
          f"added nothing would reach at most {sdk['p50'] / floor:.2f}× the SDK's {sdk['p50']:.2f} ms per create")
    drgw_cases = [m for (k, _), m in results.items() if k.startswith("drgw ") and "healthz" not in k]
    transfers = sum(m.get("upstream_transfers_all_rounds", m.get("upstream_transfers", 0)) for m in drgw_cases)
    connects = sum(m.get("upstream_connects_all_rounds", m.get("upstream_connects", 0)) for m in drgw_cases)
    clients = sum(m.get("requests_all_rounds", m["requests"]) for m in drgw_cases)
    if transfers > 0:
        per100 = 100.0 * connects / transfers
        target("upstream connects per 100 upstream calls (all drgw cases)",
               f"{per100:.3f} ({connects:.0f} connects, {transfers:.0f} upstream calls, {clients} client requests, "
               f"{100.0 * connects / clients:.3f} per 100 client requests)", "≤ 1", per100 <= 1.0)
    else:
        print("- upstream connects: not measured (this drgw has no drgw_upstream_* counters on /metrics)")
    target("drgw peak RSS during the 64-connection write run", f"{p['VmHWM']:.1f} MiB", "≤ 64 MiB", p["VmHWM"] <= 64)
    print(f"- targets met: {sum(verdicts)} of {len(verdicts)}")
    print(f"- raw wrk output, logs and results.json: {workdir}")
    failed_cases(results)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        main()
    finally:
        stop_all()
