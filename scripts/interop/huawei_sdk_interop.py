#!/usr/bin/env python3
"""Interop of drgw's Huawei SDRS simulator and signer with the official Python SDK.

Usage:
    python scripts/interop/huawei_sdk_interop.py --drgw .build/debug/drgw [--captured FILE | --skip-capture]

Packages: scripts/requirements-huawei.txt (huaweicloudsdkcore and huaweicloudsdksdrs 3.1.219,
the versions the research notes were written against).

Check 1, the official SdrsClient against `drgw simulate huawei-sdrs`:
    starts `drgw simulate huawei-sdrs --port <free> --access-key AK --secret-key SK --setting projectId=P
    --job-seconds 1`, waits for its `listening on http://127.0.0.1:PORT` line, points an SdrsClient
    (BasicCredentials with the project id, with_endpoints, HttpConfig ignoring TLS checks) at it and
    lists active-active domains, creates a protection group and polls its job to SUCCESS, creates a
    drill and polls it, lists and shows drills, deletes the drill (then SDRS.1902 on show), and
    checks that a client with a wrong secret key gets ClientRequestException 401 APIGW.0301.

Check 2, drgw's signer against the SDK's Signer (approach):
    the Swift test `HuaweiInteropCaptureTests` drives drgw's adapter (the production signer) against
    the in-process simulator and, when DRGW_HUAWEI_CAPTURE names a file, writes every request the
    simulator accepted (method, path, query, headers, body, and the test AK/SK) to it as JSON.
    This script re-signs each captured request with `huaweicloudsdkcore.signer.signer.Signer`
    over exactly the headers drgw listed in SignedHeaders, with drgw's X-Sdk-Date, and compares
    the two Authorization values byte for byte. By default the file is produced here by running
    `swift test --skip-build --filter HuaweiInteropCaptureTests` in the repository root (build the
    tests first); `--captured FILE` uses an existing capture, `--skip-capture` leaves check 2 out.
    The research notes' fixed vectors are also re-signed with the SDK as a control.

The script prints one line per check, ends with `huawei interop: N passed, M failed` and exits
non-zero when anything failed.
"""

import argparse
import base64
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from drgw_scriptkit import Results, expect, free_port, stop_process, wait_for_line  # noqa: E402

from huaweicloudsdkcore.auth.credentials import BasicCredentials, Credentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer
from huaweicloudsdksdrs.v1 import (
    CreateDisasterRecoveryDrillRequest,
    CreateDisasterRecoveryDrillRequestBody,
    CreateDisasterRecoveryDrillRequestParams,
    CreateProtectionGroupRequest,
    CreateProtectionGroupRequestBody,
    CreateProtectionGroupRequestParams,
    DeleteDisasterRecoveryDrillRequest,
    ListActiveActiveDomainsRequest,
    ListDisasterRecoveryDrillsRequest,
    ListProtectionGroupsRequest,
    SdrsClient,
    ShowDisasterRecoveryDrillRequest,
    ShowJobStatusRequest,
)

AK = "AK"
SK = "SK"
PROJECT = "0605767a3300d5762fb7c0186d9e1779"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def start_simulator(drgw, port, deadline=60):
    process = subprocess.Popen(
        [drgw, "simulate", "huawei-sdrs", "--port", str(port), "--access-key", AK, "--secret-key", SK,
         "--setting", f"projectId={PROJECT}", "--job-seconds", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True)
    try:
        wait_for_line(process, re.escape(f"listening on http://127.0.0.1:{port}"), deadline=deadline)
    except RuntimeError:
        process.kill()
        raise
    return process


def client(endpoint, sk=SK):
    config = HttpConfig.get_default_config()
    config.ignore_ssl_verification = True
    config.timeout = (5, 30)
    config.retry_times = 0
    return (SdrsClient.new_builder()
            .with_credentials(BasicCredentials(AK, sk, PROJECT))
            .with_endpoints([endpoint])
            .with_http_config(config)
            .build())


def wait_job(sdrs, job_id, deadline=30):
    end = time.monotonic() + deadline
    statuses = []
    while time.monotonic() < end:
        job = sdrs.show_job_status(ShowJobStatusRequest(job_id=job_id))
        statuses.append(job.status)
        if job.status == "SUCCESS":
            return job
        expect(job.status in ("INIT", "RUNNING"), f"job {job_id} ended {job.status}: {job.error_code} {job.fail_reason}")
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {statuses[-1:]} after {deadline}s")


def sdk_against_simulator(results, drgw):
    port = free_port()
    process = results.check("drgw simulate huawei-sdrs starts", start_simulator, drgw, port)
    if process is None:
        return
    try:
        endpoint = f"http://127.0.0.1:{port}"
        sdrs = client(endpoint)
        state = {}

        def domains():
            answer = sdrs.list_active_active_domains(ListActiveActiveDomainsRequest())
            expect(len(answer.domains) >= 1, "no active-active domain")
            state["domain"] = answer.domains[0]

        def seeded_group():
            groups = sdrs.list_protection_groups(ListProtectionGroupsRequest()).server_groups
            expect(any(g.status == "protected" for g in groups), f"no protected group in {[g.status for g in groups]}")

        def create_group():
            domain = state["domain"]
            body = CreateProtectionGroupRequestBody(server_group=CreateProtectionGroupRequestParams(
                name="sdk-interop-pg", description="made by the SDK",
                source_availability_zone=domain.local_replication_cluster.availability_zone,
                target_availability_zone=domain.remote_replication_cluster.availability_zone,
                domain_id=domain.id, source_vpc_id="046852ef-c49d-409b-8389-546aaaa5701f", dr_type="migration"))
            job_id = sdrs.create_protection_group(CreateProtectionGroupRequest(body=body)).job_id
            job = wait_job(sdrs, job_id)
            expect(job.job_type == "createProtectionGroupNoCG", f"job type {job.job_type}")
            state["group"] = job.entities.server_group_id
            expect(state["group"], "job has no server_group_id")

        def create_drill():
            body = CreateDisasterRecoveryDrillRequestBody(disaster_recovery_drill=CreateDisasterRecoveryDrillRequestParams(
                server_group_id=state["group"], name="sdk_interop_drill"))
            job_id = sdrs.create_disaster_recovery_drill(CreateDisasterRecoveryDrillRequest(body=body)).job_id
            wait_job(sdrs, job_id)

        def list_and_show_drills():
            drills = sdrs.list_disaster_recovery_drills(
                ListDisasterRecoveryDrillsRequest(server_group_id=state["group"], limit=10, offset=0)).disaster_recovery_drills
            named = [d for d in drills if d.name == "sdk_interop_drill"]
            expect(len(named) == 1, f"drills listed: {[d.name for d in drills]}")
            expect(named[0].status == "available", f"drill status {named[0].status}")
            state["drill"] = named[0].id
            shown = sdrs.show_disaster_recovery_drill(
                ShowDisasterRecoveryDrillRequest(disaster_recovery_drill_id=state["drill"])).disaster_recovery_drill
            expect(shown.id == state["drill"] and shown.server_group_id == state["group"], "show answered another drill")

        def delete_drill():
            job_id = sdrs.delete_disaster_recovery_drill(
                DeleteDisasterRecoveryDrillRequest(disaster_recovery_drill_id=state["drill"])).job_id
            wait_job(sdrs, job_id)
            try:
                sdrs.show_disaster_recovery_drill(ShowDisasterRecoveryDrillRequest(disaster_recovery_drill_id=state["drill"]))
            except ClientRequestException as error:
                expect(error.error_code == "SDRS.1902", f"after delete: {error.status_code} {error.error_code}")
                return
            raise AssertionError("the deleted drill is still shown")

        def wrong_secret():
            try:
                client(endpoint, sk="not-the-secret").list_protection_groups(ListProtectionGroupsRequest())
            except ClientRequestException as error:
                expect(error.status_code == 401, f"status {error.status_code}")
                expect(error.error_code == "APIGW.0301", f"code {error.error_code}")
                expect(bool(error.request_id), "no X-Request-Id on the 401")
                return
            raise AssertionError("a wrong secret key was accepted")

        for name, fn in [("SDK lists active-active domains", domains),
                         ("SDK sees the seeded protected group", seeded_group),
                         ("SDK creates a protection group and its job succeeds", create_group),
                         ("SDK creates a drill and its job succeeds", create_drill),
                         ("SDK lists and shows the drill", list_and_show_drills),
                         ("SDK deletes the drill", delete_drill),
                         ("SDK with a wrong secret key gets 401 APIGW.0301", wrong_secret)]:
            results.check(name, fn)
    finally:
        stop_process(process)


def sdk_signature(method, host, path, query_pairs, headers, body, ak, sk):
    request = SdkRequest(method=method, schema="http", host=host, resource_path=path,
                         query_params=list(query_pairs), header_params=dict(headers), body=body)
    Signer(Credentials(ak, sk)).sign(request)
    return request.header_params["Authorization"]


def vectors_control():
    """The notes' V1 vector, re-signed with the SDK: proves this script drives Signer correctly."""
    got = sdk_signature(
        "GET", "sdrs.ap-southeast-3.myhuaweicloud.com",
        "/v1/0605767a3300d5762fb7c0186d9e1779/jobs/0000000062db92d70162db9d200f000a", [],
        {"Content-Type": "application/json", "X-Project-Id": "0605767a3300d5762fb7c0186d9e1779",
         "X-Sdk-Date": "20240102T030405Z"},
        b"", "HPUAEXAMPLEAK0000001", "exampleSecretKey/0123456789abcdefghijklmnopqrstuv")
    expect(got.endswith("Signature=6bed235b9bf8bb302384334d5cc3c3d8f5bff64d1a4c59f5cbd1b9554109aa39"), got)


def captured_requests(path):
    if path is None:
        path = os.path.join(tempfile.mkdtemp(prefix="drgw-huawei-"), "captured.json")
        env = dict(os.environ, DRGW_HUAWEI_CAPTURE=path)
        run = subprocess.run(["swift", "test", "--skip-build", "--filter", "HuaweiInteropCaptureTests"],
                             cwd=REPO, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)
        if run.returncode != 0 or not os.path.exists(path):
            tail = (run.stdout + run.stderr).strip().splitlines()[-5:]
            raise RuntimeError("the capture test did not run: " + " | ".join(tail))
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def compare_capture(results, path):
    capture = results.check("captured drgw-signed requests are available", captured_requests, path)
    if capture is None:
        return
    requests = capture["requests"]
    results.check("capture holds requests", lambda: expect(len(requests) >= 10, f"only {len(requests)} requests"))
    for index, item in enumerate(requests):
        def one(item=item):
            headers = {name: value for name, value in item["headers"]}
            lower = {name.lower(): value for name, value in headers.items()}
            authorization = lower["authorization"]
            signed = authorization.split("SignedHeaders=")[1].split(",")[0].split(";")
            chosen = {name: value for name, value in headers.items() if name.lower() in signed}
            expect(set(n.lower() for n in chosen) == set(signed), f"missing signed headers: {signed}")
            query = urllib.parse.parse_qsl(item["query"], keep_blank_values=True)
            body = base64.b64decode(item["bodyBase64"])
            expected = sdk_signature(item["method"], lower["host"], item["path"], query, chosen, body,
                                     capture["accessKey"], capture["secretKey"])
            expect(expected == authorization, f"\n  drgw: {authorization}\n  sdk:  {expected}")
        results.check(f"SDK Signer reproduces drgw's signature #{index} {item['method']} {item['action']}", one)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drgw", required=True, help="path to the drgw binary")
    parser.add_argument("--captured", help="JSON written by HuaweiInteropCaptureTests (default: run that test now)")
    parser.add_argument("--skip-capture", action="store_true", help="leave the signer comparison out")
    args = parser.parse_args()

    results = Results(verbose_env=os.environ.get("INTEROP_DEBUG"))
    results.check("SDK Signer reproduces the notes' vector V1", vectors_control)
    sdk_against_simulator(results, os.path.abspath(args.drgw))
    if not args.skip_capture:
        compare_capture(results, args.captured)
    print(f"huawei interop: {results.passed} passed, {results.failed} failed")
    return 0 if results.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
