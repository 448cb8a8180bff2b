"""Runs state machine definitions in moto's Step Functions parser mode and reports results.

Input (stdin): {"cases": [{"name": str, "definition": str, "input": str}]}
Output (stdout): {"results": [{"name", "created", "create_error", "status", "error", "cause"}]}

The assertions live in the Rust test that calls this (tests/tests/moto_state_machines.rs).
"""
import json
import os
import sys
import time
import urllib.request
import uuid

import boto3

endpoint = os.environ["AWS_ENDPOINT_URL"]
# Parser mode: definitions are validated and executions really run.
req = urllib.request.Request(
    endpoint + "/moto-api/config",
    data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
    method="POST",
)
urllib.request.urlopen(req).read()

sfn = boto3.client("stepfunctions", endpoint_url=endpoint, region_name="us-east-1")
role = "arn:aws:iam::123456789012:role/sparkform-test"
cases = json.load(sys.stdin)["cases"]
results = []
for i, case in enumerate(cases):
    r = {"name": case["name"], "created": False, "create_error": None, "status": None, "error": None, "cause": None}
    try:
        arn = sfn.create_state_machine(name=f"sm{i}-{uuid.uuid4().hex[:12]}", definition=case["definition"], roleArn=role)["stateMachineArn"]
        r["created"] = True
    except Exception as e:  # the report says why; the Rust test decides
        r["create_error"] = str(e)
        results.append(r)
        continue
    ex = sfn.start_execution(stateMachineArn=arn, input=case.get("input", "{}"))["executionArn"]
    deadline = time.time() + 60
    while time.time() < deadline:
        d = sfn.describe_execution(executionArn=ex)
        if d["status"] != "RUNNING":
            r.update(status=d["status"], error=d.get("error"), cause=d.get("cause"))
            break
        time.sleep(0.2)
    else:
        r["status"] = "STILL_RUNNING"
    results.append(r)
# Back to moto's default mode: with the parser on, state machines created through
# CloudFormation are invisible to the Step Functions API, which the deploy tests use.
req = urllib.request.Request(
    endpoint + "/moto-api/config",
    data=json.dumps({"stepfunctions": {"execute_state_machine": False}}).encode(),
    method="POST",
)
urllib.request.urlopen(req).read()
print(json.dumps({"results": results}))
