#!/usr/bin/env python3
"""Interop of drgw's Alibaba EBS simulator and signers with the official Python SDK.

Usage:
    python scripts/interop/alibaba_sdk_interop.py --drgw .build/debug/drgw [--captured FILE | --skip-capture]

Packages: scripts/requirements-alibaba.txt (alibabacloud-ebs20210730 5.0.1 with
alibabacloud-tea-openapi 0.4.6, the versions the research notes were written against):
    python3 -m venv .venv && .venv/bin/pip install -r scripts/requirements-alibaba.txt

Check 1, the SDK's own signing code against the research notes' vectors (a control: the same
vectors are asserted byte for byte by drgw's Swift tests, SignerVectorTests):
    V1 `Utils.get_rpcsignature` and V3 `Utils.get_authorization` must give the notes' values.

Check 2, the official ebs20210730 Client, unchanged, against `drgw simulate alibaba-ebs`:
    starts `drgw simulate alibaba-ebs --port <free> --access-key AK --secret-key SK --job-seconds 1`,
    waits for its `listening on http://127.0.0.1:PORT` line, then, once with the default V3
    signature (ACS3-HMAC-SHA256) and once with V1 (`signature_algorithm='v2'`, HMAC-SHA1):
    describes pairs and groups (the seed must be there), starts a pair drill with a ClientToken,
    sends the same ClientToken again (same DrillId, no second drill), polls DescribePairDrills
    until `executed`, clears the drill and polls until it is gone; a client with a wrong secret
    must be refused with SignatureDoesNotMatch.

Check 3, drgw's signers against the SDK's signing code on live requests:
    the Swift test `InteropCaptureTests` drives drgw's adapter (V3 and V1 accounts with an STS
    token) against the in-process simulator and, when DRGW_ALIBABA_CAPTURE names a file, writes
    every request the simulator accepted (method, raw query, headers, test AK/SK) to it as JSON.
    Each captured V3 request is re-signed with `Utils.get_authorization` over exactly the headers
    drgw listed in SignedHeaders, each V1 request with `Utils.get_rpcsignature` over its query
    without `Signature`, and the results must equal drgw's byte for byte. By default the file is
    produced here by running `swift test --skip-build --filter InteropCaptureTests` in the
    repository root (build the tests first); `--captured FILE` uses an existing capture,
    `--skip-capture` leaves check 3 out.

Prints one line per check, ends with `alibaba interop: N passed, M failed`, exits non-zero on failure.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from drgw_scriptkit import Results, expect, poll, start_simulator, stop_process  # noqa: E402

from alibabacloud_ebs20210730 import models as ebs_models
from alibabacloud_ebs20210730.client import Client
from alibabacloud_tea_openapi import models as open_api_models
from alibabacloud_tea_openapi.utils import Utils

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AK = "AK"
SK = "SK"
REGION = "cn-shanghai"
SECONDARY = "cn-hangzhou"
SEED_GROUP = "pg-sim0seed0group"
SEED_GROUP_PAIR = "pair-cn-sim0seed0grp1"
SEED_PAIR = "pair-cn-sim0seed0solo"


# ---------------------------------------------------------------------------------------------
# Check 1: the notes' vectors through the SDK's signing code.

NOTES_AK = "LTAI5tTESTAKIDexample"
NOTES_SK = "TestSecretKey0123456789abcdefXYZ"
NOTES_STS = "CAIS+STS/token==example"


def sdk_v1_vectors():
    doc = {
        "Action": "DescribeRegions", "Version": "2014-05-26", "Format": "XML", "AccessKeyId": "testid",
        "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf", "Timestamp": "2016-02-23T12:46:24Z",
    }
    expect(Utils.get_rpcsignature(doc, "GET", "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY=", "V1 #0")
    v1 = {
        "AccessKeyId": NOTES_AK, "Action": "DescribeDiskReplicaPairs", "Format": "JSON", "MaxResults": "10",
        "PairIds": "pair-cn-abc123,pair-cn-def456", "RegionId": "cn-hangzhou", "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "c7a1e0f2-9b3d-4e5f-8a6b-1c2d3e4f5a6b", "SignatureVersion": "1.0",
        "Timestamp": "2026-01-15T08:30:00Z", "Version": "2021-07-30",
    }
    expect(Utils.get_rpcsignature(v1, "GET", NOTES_SK) == "fV1e6i9kpSzrv/Dt6k66VMliYCU=", "V1 #1")
    v3 = {
        "AccessKeyId": NOTES_AK, "Action": "StartDiskReplicaPair", "ClientToken": "tok-0001", "Format": "json",
        "OneShot": "true", "RegionId": "cn-shanghai", "ReplicaPairId": "pair-cn-dsa1234", "SecurityToken": NOTES_STS,
        "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "0f9e8d7c6b5a49382716051423324150", "SignatureVersion": "1.0",
        "Timestamp": "2026-01-15T08:32:10Z", "Version": "2021-07-30",
    }
    expect(Utils.get_rpcsignature(v3, "POST", NOTES_SK) == "PFrHMx+ji8hu1TVv7OlIgDdEErg=", "V1 #3")


class _Request:
    def __init__(self, method, pathname, query, headers):
        self.method = method
        self.pathname = pathname
        self.query = query
        self.headers = headers


def sdk_v3_vector():
    empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    request = _Request(
        "POST", "/",
        {"MaxResults": "10", "PairIds": "pair-cn-abc123,pair-cn-def456", "RegionId": "cn-hangzhou"},
        {
            "host": "ebs.cn-hangzhou.aliyuncs.com", "x-acs-action": "DescribeDiskReplicaPairs",
            "x-acs-content-sha256": empty, "x-acs-date": "2026-01-15T08:30:00Z",
            "x-acs-signature-nonce": "3f1b2c4d5e6f708192a3b4c5d6e7f809", "x-acs-version": "2021-07-30",
        },
    )
    authorization = Utils.get_authorization(request, "ACS3-HMAC-SHA256", empty, NOTES_AK, NOTES_SK)
    expect(authorization.endswith(
        "Signature=d83ef2a85ab7f910fe02b1b8430ebb7d6e7d819cb1b73e5341428ad7d480e81e"), f"V3 #1: {authorization}")


# ---------------------------------------------------------------------------------------------
# Check 2: the official client against the simulator.


CALLS = {"rpc": 0, "v3": 0}


def _count(name, original):
    def wrapper(self, *args, **kwargs):
        CALLS[name] += 1
        return original(self, *args, **kwargs)
    return wrapper


# Count which signing path the unchanged client takes (do_request = V3, do_rpcrequest = V1).
Client.do_request = _count("v3", Client.do_request)
Client.do_rpcrequest = _count("rpc", Client.do_rpcrequest)


def client(port, v1, secret=SK):
    config = open_api_models.Config(
        access_key_id=AK, access_key_secret=secret, endpoint=f"127.0.0.1:{port}", protocol="http", region_id=REGION,
    )
    if v1:
        config.signature_algorithm = "v2"
    return Client(config)


def describe(port, v1):
    c = client(port, v1)
    before = dict(CALLS)
    pairs = c.describe_disk_replica_pairs(ebs_models.DescribeDiskReplicaPairsRequest(region_id=REGION)).body
    pair_ids = {p.replica_pair_id: p for p in pairs.replica_pairs}
    expect({SEED_PAIR, SEED_GROUP_PAIR} <= set(pair_ids), f"pairs: {sorted(pair_ids)}")
    expect(pair_ids[SEED_PAIR].status == "normal", f"seed pair status {pair_ids[SEED_PAIR].status}")
    expect(pair_ids[SEED_PAIR].destination_region == SECONDARY, "destination region")
    expect(pair_ids[SEED_GROUP_PAIR].replica_group_id == SEED_GROUP, "grouped pair's group id")
    expect(pairs.request_id, "RequestId")
    groups = c.describe_disk_replica_groups(ebs_models.DescribeDiskReplicaGroupsRequest(region_id=REGION)).body
    group_ids = {g.replica_group_id: g for g in groups.replica_groups}
    expect(SEED_GROUP in group_ids, f"groups: {sorted(group_ids)}")
    expect(group_ids[SEED_GROUP].status == "normal", "seed group status")
    expect(group_ids[SEED_GROUP].destination_region_id == SECONDARY, "group destination region")
    path = "rpc" if v1 else "v3"
    expect(CALLS[path] - before[path] == 2, f"the SDK did not take the {path} signing path: {CALLS}")


def drill_round_trip(port, v1):
    c = client(port, v1)
    token = str(uuid.uuid4())
    start = ebs_models.StartPairDrillRequest(pair_id=SEED_PAIR, region_id=SECONDARY, client_token=token)
    first = c.start_pair_drill(start).body.drill_id
    again = c.start_pair_drill(ebs_models.StartPairDrillRequest(pair_id=SEED_PAIR, region_id=SECONDARY, client_token=token)).body.drill_id
    expect(first and first == again, f"same ClientToken gave {first} then {again}")

    def drills():
        return c.describe_pair_drills(ebs_models.DescribePairDrillsRequest(pair_id=SEED_PAIR, region_id=SECONDARY)).body.drills or []

    expect(len([d for d in drills() if d.drill_id == first]) == 1 and len(drills()) == 1, "exactly one drill")
    done = poll(
        lambda: [d for d in drills() if d.drill_id == first][0],
        lambda d: d.status in ("executed", "execute_failed"),
    )
    expect(done.status == "executed", f"drill ended {done.status}")
    expect(done.drill_disk_id, "DrillDiskId")
    c.clear_pair_drill(ebs_models.ClearPairDrillRequest(pair_id=SEED_PAIR, region_id=SECONDARY, drill_id=first))
    poll(lambda: [d for d in drills() if d.drill_id == first], lambda found: not found)


def mismatched_token(port, v1):
    c = client(port, v1)
    token = str(uuid.uuid4())
    c.start_replica_group_drill(ebs_models.StartReplicaGroupDrillRequest(group_id=SEED_GROUP, region_id=SECONDARY, client_token=token))
    try:
        c.start_pair_drill(ebs_models.StartPairDrillRequest(pair_id=SEED_PAIR, region_id=SECONDARY, client_token=token))
    except Exception as error:  # noqa: BLE001
        expect(getattr(error, "code", None) == "IdempotentParameterMismatch", f"got {error!r}")
    else:
        raise AssertionError("a reused ClientToken with other parameters was accepted")


def wrong_secret(port, v1):
    c = client(port, v1, secret="not-the-secret")
    try:
        c.describe_disk_replica_groups(ebs_models.DescribeDiskReplicaGroupsRequest(region_id=REGION))
    except Exception as error:  # noqa: BLE001
        code = getattr(error, "code", None)
        expect(code == "SignatureDoesNotMatch", f"got {error!r}")
        status = getattr(error, "status_code", None) or getattr(error, "statusCode", None)
        expect(status in (None, 400), f"status {status}")
    else:
        raise AssertionError("a wrong secret was accepted")


# ---------------------------------------------------------------------------------------------
# Check 3: drgw's signatures on live requests, re-signed by the SDK.


def produce_capture():
    path = os.path.join(tempfile.mkdtemp(prefix="drgw-alibaba-"), "capture.json")
    env = dict(os.environ, DRGW_ALIBABA_CAPTURE=path)
    run = subprocess.run(
        ["swift", "test", "--skip-build", "--filter", "InteropCaptureTests"], cwd=REPO, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600,
    )
    if run.returncode != 0 or not os.path.exists(path):
        raise RuntimeError("InteropCaptureTests did not produce a capture:\n" + run.stdout[-2000:])
    return path


def resign_captured(path):
    with open(path, encoding="utf-8") as f:
        captured = json.load(f)
    expect(len(captured) >= 10, f"only {len(captured)} captured requests")
    versions = {"v3": 0, "v1": 0}
    for item in captured:
        query = dict(urllib.parse.parse_qsl(item["query"], keep_blank_values=True))
        headers = {name.lower(): value for name, value in item["headers"]}
        authorization = headers.get("authorization", "")
        if authorization.startswith("ACS3-HMAC-SHA256 "):
            fields = dict(part.split("=", 1) for part in authorization.split(" ", 1)[1].split(","))
            signed = fields["SignedHeaders"].split(";")
            request = _Request(item["method"], "/", query, {name: headers[name] for name in signed})
            expected = Utils.get_authorization(
                request, "ACS3-HMAC-SHA256", headers["x-acs-content-sha256"], item["accessKey"], item["secretKey"])
            expect(expected == authorization, f"V3 differs for {headers.get('x-acs-action')}: {authorization} vs {expected}")
            expect("x-acs-security-token" in signed, "the STS token is not signed")
            versions["v3"] += 1
        else:
            signature = query.pop("Signature")
            expected = Utils.get_rpcsignature(query, item["method"], item["secretKey"])
            expect(expected == signature, f"V1 differs for {query.get('Action')}: {signature} vs {expected}")
            expect(query.get("SecurityToken"), "no SecurityToken in a V1 request")
            versions["v1"] += 1
    expect(versions["v3"] > 0 and versions["v1"] > 0, f"both versions must be captured: {versions}")
    print(f"     | re-signed {versions['v3']} V3 and {versions['v1']} V1 requests")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--drgw", required=True, help="path to the drgw binary")
    parser.add_argument("--captured", help="a capture written by InteropCaptureTests (DRGW_ALIBABA_CAPTURE)")
    parser.add_argument("--skip-capture", action="store_true", help="leave out check 3")
    args = parser.parse_args()

    results = Results(verbose_env=os.environ.get("INTEROP_DEBUG"))
    results.check("SDK V1 signing reproduces the notes' vectors", sdk_v1_vectors)
    results.check("SDK V3 signing reproduces the notes' vector", sdk_v3_vector)

    process = None
    try:
        process, port = start_simulator(os.path.abspath(args.drgw), "alibaba-ebs", AK, SK)
        for v1 in (False, True):
            label = "V1 HMAC-SHA1" if v1 else "V3 ACS3-HMAC-SHA256"
            results.check(f"{label}: describe pairs and groups", describe, port, v1)
            results.check(f"{label}: pair drill start/replay/executed/clear", drill_round_trip, port, v1)
            results.check(f"{label}: ClientToken reused with other parameters", mismatched_token, port, v1)
            results.check(f"{label}: wrong secret refused", wrong_secret, port, v1)
            if not v1:
                # The group drill of the mismatch check must be cleared before the V1 round.
                c = client(port, False)
                for d in c.describe_replica_group_drills(
                    ebs_models.DescribeReplicaGroupDrillsRequest(group_id=SEED_GROUP, region_id=SECONDARY)).body.drills or []:
                    poll(lambda: [x for x in c.describe_replica_group_drills(
                        ebs_models.DescribeReplicaGroupDrillsRequest(group_id=SEED_GROUP, region_id=SECONDARY, drill_id=d.drill_id)
                    ).body.drills or []][0], lambda x: x.status != "executing")
                    c.clear_replica_group_drill(ebs_models.ClearReplicaGroupDrillRequest(
                        group_id=SEED_GROUP, region_id=SECONDARY, drill_id=d.drill_id))
                    poll(lambda: c.describe_replica_group_drills(ebs_models.DescribeReplicaGroupDrillsRequest(
                        group_id=SEED_GROUP, region_id=SECONDARY)).body.drills or [], lambda found: not found)
    except Exception as error:  # noqa: BLE001
        results.failed += 1
        print(f"FAIL simulator: {error!r}")
    finally:
        stop_process(process)

    if not args.skip_capture:
        def capture_check():
            resign_captured(args.captured or produce_capture())

        results.check("drgw's V3 and V1 signatures equal the SDK's on captured requests", capture_check)

    print(f"alibaba interop: {results.passed} passed, {results.failed} failed")
    sys.exit(0 if results.failed == 0 else 1)


if __name__ == "__main__":
    main()
