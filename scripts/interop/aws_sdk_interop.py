#!/usr/bin/env python3
"""Interop of drgw's AWS Elastic Disaster Recovery simulator with the official Python SDK.

Usage:
    python scripts/interop/aws_sdk_interop.py --drgw .build/debug/drgw

Packages: scripts/requirements-aws.txt (boto3 and botocore 1.44.18, the botocore whose DRS
service model the simulator follows):
    python3 -m venv .venv && .venv/bin/pip install -r scripts/requirements-aws.txt

Starts `drgw simulate aws-drs --port <free> --access-key AK --secret-key SK --job-seconds 1`,
waits for its `listening on http://127.0.0.1:PORT` line and points an unchanged boto3 `drs`
client at it (endpoint_url, region us-east-1, SigV4 by botocore, one attempt per call so that
errors come back at once). The client validates every parameter against the model before
sending, and parses every answer with it, so ids, ARNs and times must have the model's forms.

Checks: the seeded source servers and recovery plan (list, get, steps); plan and step creates
with a client token (replay gives the same ARN, a reused token with another name conflicts, an
unknown server is refused); a drill launch with tags (202, PENDING, a second launch of the same
server conflicts), polled to COMPLETED with LAUNCHED servers, its job log and drill recovery
instances, the DescribeJobs paginator; the termination job, after which the instances are no
longer listed; a recovery launch and its reverse replication (a drill instance is refused);
ResourceNotFoundException, ValidationException, a wrong secret (InvalidSignatureException, 403),
an unknown access key (UnrecognizedClientException, 403), temporary credentials with a session
token, and a plan delete.

Prints one line per check, ends with `aws interop: N passed, M failed`, exits non-zero on failure. The
simulator is stopped at the end whatever happens (SIGTERM, then SIGKILL after 10 s).
"""

import argparse
import os
import re
import sys
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from drgw_scriptkit import Results, expect, poll, start_simulator, stop_process  # noqa: E402

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

AK = "AK"
SK = "SK"
REGION = "us-east-1"
ACCOUNT = "111122223333"
SERVER_ID = re.compile(r"^s-[0-9a-zA-Z]{17}$")
JOB_ID = re.compile(r"^drsjob-[0-9a-zA-Z]{17}$")
INSTANCE_ID = re.compile(r"^i-[0-9a-fA-F]{8,}$")
TIME = re.compile(r"^[1-9][0-9]*-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?Z$")


def client(port, access_key=AK, secret=SK, token=None):
    return boto3.client(
        "drs", endpoint_url=f"http://127.0.0.1:{port}", region_name=REGION, aws_access_key_id=access_key,
        aws_secret_access_key=secret, aws_session_token=token,
        config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30),
    )


def expect_error(call, code, status):
    """Runs `call`, which must fail with a ClientError of `code` and HTTP `status`; returns the error."""
    try:
        call()
    except ClientError as error:
        got = error.response["Error"]["Code"]
        got_status = error.response["ResponseMetadata"]["HTTPStatusCode"]
        expect(got == code, f"error code {got}, wanted {code}: {error}")
        expect(got_status == status, f"HTTP {got_status}, wanted {status}")
        expect(error.response["ResponseMetadata"].get("RequestId"), "no x-amzn-RequestId on the error")
        return error
    raise AssertionError(f"the call succeeded; wanted {code}")


def job(c, job_id):
    items = c.describe_jobs(filters={"jobIDs": [job_id]})["items"]
    expect(len(items) == 1, f"DescribeJobs by id gave {len(items)} jobs")
    return items[0]


class Scenario:
    """The checks, in order; later ones use what earlier ones found."""

    def __init__(self, port):
        self.port = port
        self.c = client(port)
        self.servers = []
        self.seed_plan = None
        self.plan_arn = None
        self.drill_job = None
        self.drill_instances = []

    def source_servers(self):
        answer = self.c.describe_source_servers()
        expect(answer["ResponseMetadata"]["HTTPStatusCode"] == 200, "status")
        expect(answer["ResponseMetadata"].get("RequestId"), "no x-amzn-RequestId")
        items = answer["items"]
        expect(len(items) == 3, f"{len(items)} source servers")
        for item in items:
            expect(SERVER_ID.match(item["sourceServerID"]), f"server id {item['sourceServerID']}")
            expect(item["arn"] == f"arn:aws:drs:{REGION}:{ACCOUNT}:source-server/{item['sourceServerID']}", f"arn {item['arn']}")
            expect(item["dataReplicationInfo"]["dataReplicationState"] == "CONTINUOUS", "replication state")
            expect(item["tags"].get("drgw-demo") == "true", "tags")
            expect(item["replicationDirection"] == "FAILOVER", "direction")
        expect(sorted(i["tags"]["Name"] for i in items) == ["app-1", "app-2", "db-1"], "Name tags")
        self.servers = items
        one = self.c.describe_source_servers(filters={"sourceServerIDs": [items[2]["sourceServerID"]]})["items"]
        expect([s["sourceServerID"] for s in one] == [items[2]["sourceServerID"]], "sourceServerIDs filter")
        pages = list(self.c.get_paginator("describe_source_servers").paginate(PaginationConfig={"PageSize": 2}))
        expect([len(p["items"]) for p in pages] == [2, 1], f"pages of 2: {[len(p['items']) for p in pages]}")

    def seed_plan_check(self):
        plans = self.c.list_recovery_plans()["recoveryPlans"]
        seeded = [p for p in plans if p["name"] == "seed-recovery-plan"]
        expect(len(seeded) == 1, f"plans: {[p['name'] for p in plans]}")
        self.seed_plan = seeded[0]["recoveryPlanArn"]
        expect(re.match(rf"^arn:aws:drs:{REGION}:{ACCOUNT}:recovery-plan/rp-[0-9a-zA-Z]{{17}}$", self.seed_plan), self.seed_plan)
        plan = self.c.get_recovery_plan(recoveryPlanArn=self.seed_plan)["recoveryPlan"]
        expect(plan["status"] == "ACTIVE", f"status {plan['status']}")
        expect(TIME.match(plan["createdAt"]) and TIME.match(plan["updatedAt"]), f"times {plan['createdAt']}")
        steps = self.c.list_recovery_plan_steps(recoveryPlanArn=self.seed_plan)["recoveryPlanSteps"]
        expect(len(steps) == 1 and steps[0]["stepName"] == "app-tier" and steps[0]["stepOrder"] == 1, f"steps {steps}")
        arns = [s["serverArn"] for s in steps[0]["configuration"]["serverStepConfiguration"]["servers"]]
        expect(arns == [s["arn"] for s in self.servers[:2]], f"step servers {arns}")

    def create_plan(self):
        token = str(uuid.uuid4())
        first = self.c.create_recovery_plan(name="interop-plan", description="boto3 interop", clientToken=token, tags={"k": "v"})
        expect(first["ResponseMetadata"]["HTTPStatusCode"] == 201, f"status {first['ResponseMetadata']['HTTPStatusCode']}")
        again = self.c.create_recovery_plan(name="interop-plan", description="boto3 interop", clientToken=token, tags={"k": "v"})
        expect(first["recoveryPlan"]["recoveryPlanArn"] == again["recoveryPlan"]["recoveryPlanArn"], "a replay made another plan")
        self.plan_arn = first["recoveryPlan"]["recoveryPlanArn"]
        expect(len([p for p in self.c.list_recovery_plans()["recoveryPlans"] if p["name"] == "interop-plan"]) == 1, "two plans")
        expect_error(lambda: self.c.create_recovery_plan(name="other-plan", clientToken=token), "ConflictException", 409)

    def create_step(self):
        token = str(uuid.uuid4())
        servers = [{"serverArn": self.servers[2]["arn"], "impactLevel": "CRITICAL"}]
        first = self.c.create_recovery_plan_step(
            recoveryPlanArn=self.plan_arn, stepName="db", configuration={"serverStepConfiguration": {"servers": servers}},
            clientToken=token)
        expect(first["ResponseMetadata"]["HTTPStatusCode"] == 201, "status")
        again = self.c.create_recovery_plan_step(
            recoveryPlanArn=self.plan_arn, stepName="db", configuration={"serverStepConfiguration": {"servers": servers}},
            clientToken=token)
        expect(first["recoveryPlanStep"]["recoveryPlanStepArn"] == again["recoveryPlanStep"]["recoveryPlanStepArn"], "replay")
        self.c.create_recovery_plan_step(
            recoveryPlanArn=self.plan_arn, stepName="pause", configuration={"waitStepConfiguration": {"waitDurationMinutes": 5}})
        steps = self.c.list_recovery_plan_steps(recoveryPlanArn=self.plan_arn)["recoveryPlanSteps"]
        expect([(s["stepOrder"], s["stepName"]) for s in steps] == [(1, "db"), (2, "pause")], f"steps {steps}")
        unknown = f"arn:aws:drs:{REGION}:{ACCOUNT}:source-server/s-0000000000000000a"
        expect_error(
            lambda: self.c.create_recovery_plan_step(
                recoveryPlanArn=self.plan_arn, stepName="ghost",
                configuration={"serverStepConfiguration": {"servers": [{"serverArn": unknown}]}}),
            "ValidationException", 400)

    def start_drill(self):
        ids = [s["sourceServerID"] for s in self.servers[:2]]
        answer = self.c.start_recovery(
            sourceServers=[{"sourceServerID": i} for i in ids], isDrill=True, tags={"drgw:drill-name": "interop"})
        expect(answer["ResponseMetadata"]["HTTPStatusCode"] == 202, f"status {answer['ResponseMetadata']['HTTPStatusCode']}")
        started = answer["job"]
        expect(JOB_ID.match(started["jobID"]), f"job id {started['jobID']}")
        expect(started["arn"] == f"arn:aws:drs:{REGION}:{ACCOUNT}:job/{started['jobID']}", started["arn"])
        expect((started["type"], started["initiatedBy"], started["status"]) == ("LAUNCH", "START_DRILL", "PENDING"), f"{started}")
        expect(started["tags"] == {"drgw:drill-name": "interop"}, f"tags {started['tags']}")
        expect(sorted(p["sourceServerID"] for p in started["participatingServers"]) == sorted(ids), "participating servers")
        expect(TIME.match(started["creationDateTime"]), started["creationDateTime"])
        self.drill_job = started["jobID"]
        expect_error(
            lambda: self.c.start_recovery(sourceServers=[{"sourceServerID": ids[0]}], isDrill=True), "ConflictException", 409)

    def drill_completes(self):
        done = poll(lambda: job(self.c, self.drill_job), lambda j: j["status"] == "COMPLETED")
        expect(TIME.match(done.get("endDateTime", "")), f"endDateTime {done.get('endDateTime')}")
        statuses = [p["launchStatus"] for p in done["participatingServers"]]
        expect(statuses == ["LAUNCHED", "LAUNCHED"], f"launch statuses {statuses}")
        self.drill_instances = [p["recoveryInstanceID"] for p in done["participatingServers"]]
        expect(all(INSTANCE_ID.match(i) for i in self.drill_instances), f"instance ids {self.drill_instances}")
        server = self.c.describe_source_servers(filters={"sourceServerIDs": [done["participatingServers"][0]["sourceServerID"]]})
        expect(server["items"][0]["lastLaunchResult"] == "SUCCEEDED", "lastLaunchResult")

    def job_log(self):
        events = [i["event"] for i in self.c.describe_job_log_items(jobID=self.drill_job)["items"]]
        expect(events[0] == "JOB_START" and events[-1] == "JOB_END", f"events {events}")
        expect(events.count("LAUNCH_START") == 2, f"events {events}")
        paged = [i["event"] for p in self.c.get_paginator("describe_job_log_items").paginate(
            jobID=self.drill_job, PaginationConfig={"PageSize": 2}) for i in p["items"]]
        expect(paged == events, f"paged log {paged}")

    def drill_instances_listed(self):
        items = self.c.describe_recovery_instances(filters={"recoveryInstanceIDs": self.drill_instances})["items"]
        expect(sorted(i["recoveryInstanceID"] for i in items) == sorted(self.drill_instances), f"instances {items}")
        for item in items:
            expect(item["isDrill"] is True, "isDrill")
            expect(item["ec2InstanceState"] == "RUNNING", item["ec2InstanceState"])
            expect(item["jobID"] == self.drill_job, "jobID")
            expect(item["ec2InstanceID"] == item["recoveryInstanceID"], "ec2InstanceID")
            expect(item["tags"] == {"drgw:drill-name": "interop"}, f"tags {item['tags']}")

    def jobs_paginator(self):
        for server in self.servers[2:]:
            self.c.start_recovery(sourceServers=[{"sourceServerID": server["sourceServerID"]}], isDrill=True)
        pages = list(self.c.get_paginator("describe_jobs").paginate(PaginationConfig={"PageSize": 1}))
        ids = [j["jobID"] for p in pages for j in p["items"]]
        expect(len(pages) >= 2 and all(len(p["items"]) == 1 for p in pages), f"{len(pages)} pages")
        expect(len(ids) == len(set(ids)) and self.drill_job in ids, f"job ids {ids}")
        times = [j["creationDateTime"] for p in pages for j in p["items"]]
        expect(times == sorted(times, reverse=True), "not newest first")

    def terminate(self):
        answer = self.c.terminate_recovery_instances(recoveryInstanceIDs=self.drill_instances)["job"]
        expect((answer["type"], answer["initiatedBy"]) == ("TERMINATE", "TERMINATE_RECOVERY_INSTANCES"), f"{answer}")
        expect(sorted(p["recoveryInstanceID"] for p in answer["participatingServers"]) == sorted(self.drill_instances), "participants")
        states = {i["ec2InstanceState"] for i in self.c.describe_recovery_instances(
            filters={"recoveryInstanceIDs": self.drill_instances})["items"]}
        expect(states <= {"SHUTTING-DOWN"}, f"states right after the terminate: {states}")
        done = poll(lambda: job(self.c, answer["jobID"]), lambda j: j["status"] == "COMPLETED")
        expect({p["launchStatus"] for p in done["participatingServers"]} == {"TERMINATED"}, f"{done['participatingServers']}")
        left = self.c.describe_recovery_instances(filters={"recoveryInstanceIDs": self.drill_instances})["items"]
        expect(left == [], f"still listed: {left}")

    def recovery_and_reverse(self):
        server = self.servers[0]["sourceServerID"]
        started = self.c.start_recovery(sourceServers=[{"sourceServerID": server}], isDrill=False)["job"]
        expect(started["initiatedBy"] == "START_RECOVERY", started["initiatedBy"])
        done = poll(lambda: job(self.c, started["jobID"]), lambda j: j["status"] == "COMPLETED")
        instance = done["participatingServers"][0]["recoveryInstanceID"]
        listed = self.c.describe_recovery_instances(filters={"sourceServerIDs": [server]})["items"]
        expect([i["isDrill"] for i in listed if i["recoveryInstanceID"] == instance] == [False], f"{listed}")
        reversed_arn = self.c.reverse_replication(recoveryInstanceID=instance)["reversedDirectionSourceServerArn"]
        expect(re.match(rf"^arn:aws:drs:[a-z0-9-]+:{ACCOUNT}:source-server/s-[0-9a-zA-Z]{{17}}$", reversed_arn), reversed_arn)
        after = self.c.describe_source_servers(filters={"sourceServerIDs": [server]})["items"][0]
        expect(after["replicationDirection"] == "FAILBACK", after["replicationDirection"])
        drill = [j for j in self.c.describe_jobs()["items"] if j["initiatedBy"] == "START_DRILL" and j["status"] == "COMPLETED"]
        drill_instance = next(
            p["recoveryInstanceID"] for j in drill for p in j["participatingServers"]
            if p.get("recoveryInstanceID") and p["recoveryInstanceID"] not in self.drill_instances)
        expect_error(lambda: self.c.reverse_replication(recoveryInstanceID=drill_instance), "ValidationException", 400)
        expect_error(
            lambda: self.c.reverse_replication(recoveryInstanceID="i-0123456789abcdef0"), "ResourceNotFoundException", 404)

    def not_found(self):
        missing = f"arn:aws:drs:{REGION}:{ACCOUNT}:recovery-plan/rp-0123456789abcdefg"
        error = expect_error(lambda: self.c.get_recovery_plan(recoveryPlanArn=missing), "ResourceNotFoundException", 404)
        expect(error.response.get("resourceId") == missing or missing in str(error), "resourceId")
        expect_error(lambda: self.c.list_recovery_plan_steps(recoveryPlanArn=missing), "ResourceNotFoundException", 404)

    def unknown_server(self):
        error = expect_error(
            lambda: self.c.start_recovery(sourceServers=[{"sourceServerID": "s-0000000000000000a"}], isDrill=True),
            "ValidationException", 400)
        expect(error.response.get("reason") == "fieldValidationFailed", f"reason {error.response.get('reason')}")

    def wrong_secret(self):
        bad = client(self.port, secret="not-the-secret")
        error = expect_error(lambda: bad.describe_source_servers(), "InvalidSignatureException", 403)
        expect("signature" in error.response["Error"]["Message"].lower(), error.response["Error"]["Message"])

    def unknown_key(self):
        stranger = client(self.port, access_key="AKIDUNKNOWN")
        expect_error(lambda: stranger.list_recovery_plans(), "UnrecognizedClientException", 403)

    def session_token(self):
        temporary = client(self.port, token="FQoGZXIvYXdzEXAMPLEsessiontoken//+=")
        items = temporary.describe_source_servers()["items"]
        expect(len(items) == 3, f"{len(items)} servers with a session token")

    def delete_plan(self):
        answer = self.c.delete_recovery_plan(recoveryPlanArn=self.plan_arn)
        expect(answer["recoveryPlanArn"] == self.plan_arn, "answer")
        expect_error(lambda: self.c.get_recovery_plan(recoveryPlanArn=self.plan_arn), "ResourceNotFoundException", 404)
        names = [p["name"] for p in self.c.list_recovery_plans()["recoveryPlans"]]
        expect(names == ["seed-recovery-plan"], f"plans left: {names}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--drgw", required=True, help="path to the drgw binary")
    args = parser.parse_args()

    results = Results(verbose_env=os.environ.get("INTEROP_DEBUG"))
    process = None
    try:
        process, port = start_simulator(os.path.abspath(args.drgw), "aws-drs", AK, SK)
        s = Scenario(port)
        results.check("describe_source_servers: 3 seeded servers, filter, paginator", s.source_servers)
        results.check("seeded recovery plan: list, get, steps", s.seed_plan_check)
        results.check("create_recovery_plan: clientToken replay, conflicting reuse", s.create_plan)
        results.check("create_recovery_plan_step: replay, order, unknown server refused", s.create_step)
        results.check("start_recovery drill with tags: 202 PENDING, second launch conflicts", s.start_drill)
        results.check("describe_jobs polled to COMPLETED with LAUNCHED servers", s.drill_completes)
        results.check("describe_job_log_items and its paginator", s.job_log)
        results.check("describe_recovery_instances: drill instances", s.drill_instances_listed)
        results.check("describe_jobs paginator: newest first, no repeats", s.jobs_paginator)
        results.check("terminate_recovery_instances: job COMPLETED, instances gone", s.terminate)
        results.check("recovery launch and reverse_replication", s.recovery_and_reverse)
        results.check("unknown recovery plan: ResourceNotFoundException 404", s.not_found)
        results.check("start_recovery of an unknown server: ValidationException 400", s.unknown_server)
        results.check("wrong secret key: InvalidSignatureException 403", s.wrong_secret)
        results.check("unknown access key: UnrecognizedClientException 403", s.unknown_key)
        results.check("temporary credentials with a session token", s.session_token)
        results.check("delete_recovery_plan", s.delete_plan)
    except Exception as error:  # noqa: BLE001
        results.failed += 1
        print(f"FAIL simulator: {error!r}")
    finally:
        stop_process(process)

    print(f"aws interop: {results.passed} passed, {results.failed} failed")
    sys.exit(0 if results.failed == 0 else 1)


if __name__ == "__main__":
    main()
