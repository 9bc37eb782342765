"""Checks recorded AWS requests against AWS's own API models (botocore's service JSON).

Reads a JSON list of {"service", "operation", "input"} on stdin (input as the AWS SDK for
JavaScript v3 sends it: member names are the model's) and prints a JSON list of findings. Two
checkers run: botocore's ParamValidator (required members, types, minimum lengths and values), and
the constraints it does not check (maximum lengths, sizes and values, enums, patterns).
"""
import json
import os
import sys

import botocore.session

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "moto"))
from model_checks import check  # noqa: E402

# The SDK v3 client names flowship uses -> botocore's service names.
SERVICES = {"sfn": "stepfunctions", "batch": "batch", "scheduler": "scheduler", "events": "events", "s3": "s3"}


def main():
    requests = json.load(sys.stdin)
    session = botocore.session.get_session()
    findings = []
    skipped = set()
    for request in requests:
        model = session.get_service_model(SERVICES[request["service"]])
        operation = model.operation_model(request["operation"])
        check(operation, request["input"], f"{request['service']}:{request['operation']}", findings, skipped)
    json.dump({"findings": findings, "skipped": sorted(skipped), "checked": len(requests)}, sys.stdout)


main()
