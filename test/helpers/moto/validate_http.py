"""Checks HTTP requests, as the AWS SDK for JavaScript sent them, against AWS's API models.

Reads a JSON list of {"method", "url", "headers", "body"} on stdin; prints
{"findings", "skipped", "checked", "unchecked"}. Each request is read back into its operation's
input the way the service's protocol lays it out, driven by the model alone (botocore's service
JSON), then checked by model_checks.check:
- json (Step Functions, EventBridge): the operation is X-Amz-Target, the body is the input;
- rest-json (Batch, Scheduler): the operation is the one whose method and request URI match;
  URI labels, query strings, headers and body members are put back by their model location;
- query and ec2 (IAM, STS, CloudFormation, SNS, EC2): the Action and the flattened form fields.
REST-XML (S3) is not read back: those requests are listed as unchecked.
https://smithy.io/2.0/aws/protocols/index.html
"""
import json
import os
import re
import sys
from urllib.parse import parse_qsl, unquote, urlsplit

import botocore.session

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model_checks import check  # noqa: E402

# SigV4 signing names that differ from botocore's service names.
SIGNING_NAMES = {"states": "stepfunctions", "scheduler": "scheduler"}


def scalar(shape, text):
    kind = shape.type_name
    if kind in ("integer", "long"):
        return int(text)
    if kind in ("float", "double"):
        return float(text)
    if kind == "boolean":
        return text == "true"
    return text


def from_form(shape, fields, prefix, ec2):
    """The value at `prefix` in the query protocol's flattened fields, or None when absent."""
    if prefix and not any(key == prefix or key.startswith(prefix + ".") for key in fields):
        return None
    kind = shape.type_name
    if kind == "structure":
        value = {}
        for name, member in shape.members.items():
            ser = member.serialization
            if ec2:
                key = ser.get("queryName") or (ser.get("name", name)[:1].upper() + ser.get("name", name)[1:])
            else:
                key = ser.get("name", name)
            found = from_form(member, fields, f"{prefix}.{key}" if prefix else key, ec2)
            if found is not None:
                value[name] = found
        return value
    if kind == "list":
        flat = ec2 or shape.serialization.get("flattened")
        item_prefix = prefix if flat else f"{prefix}.{shape.member.serialization.get('name', 'member')}"
        items = []
        index = 1
        while True:
            item = from_form(shape.member, fields, f"{item_prefix}.{index}", ec2)
            if item is None:
                break
            items.append(item)
            index += 1
        return items
    if kind == "map":
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        entry = prefix if shape.serialization.get("flattened") else f"{prefix}.entry"
        result = {}
        index = 1
        while f"{entry}.{index}.{key_name}" in fields:
            result[fields[f"{entry}.{index}.{key_name}"]] = from_form(
                shape.value, fields, f"{entry}.{index}.{value_name}", ec2
            )
            index += 1
        return result
    return scalar(shape, fields[prefix]) if prefix in fields else None


def uri_pattern(request_uri):
    """A regex for a rest-json request URI template, with its labels' names."""
    path, _, query = request_uri.partition("?")
    labels = []

    def label(match):
        name = match.group(1)
        greedy = name.endswith("+")
        labels.append(name.rstrip("+"))
        return "(.+)" if greedy else "([^/]+)"

    regex = re.sub(r"\{([^}]+)\}", label, re.escape(path).replace(r"\{", "{").replace(r"\}", "}"))
    return re.compile(f"^{regex}$"), labels, dict(parse_qsl(query, keep_blank_values=True))


def rest_operation(model, method, url):
    """The operation (and its URI labels) whose method and URI template match, most literal first."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    best = None
    for name in model.operation_names:
        operation = model.operation_model(name)
        http = operation.http
        if http.get("method") != method:
            continue
        regex, labels, needed = uri_pattern(http["requestUri"])
        match = regex.match(parts.path)
        if not match or any(key not in query for key in needed):
            continue
        literal = len(re.sub(r"\{[^}]+\}", "", http["requestUri"]))
        if best is None or literal > best[0]:
            best = (literal, operation, dict(zip(labels, (unquote(g) for g in match.groups()))))
    return best, query


def rest_input(operation, labels, query, headers, body):
    shape = operation.input_shape
    value = json.loads(body) if body else {}
    if shape is None:
        return value
    lowered = {k.lower(): v for k, v in headers.items()}
    for name, member in shape.members.items():
        ser = member.serialization
        where = ser.get("location")
        key = ser.get("name", name)
        if where == "uri" and key in labels:
            value[name] = scalar(member, labels[key])
        elif where == "querystring" and key in query:
            value[name] = scalar(member, query[key]) if member.type_name != "list" else [query[key]]
        elif where == "header" and key.lower() in lowered:
            value[name] = scalar(member, lowered[key.lower()])
    return value


def read_request(session, request):
    """(service name, operation model, input) of a request, or (service, None, None) if unread."""
    headers = request["headers"]
    scope = re.search(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/", headers.get("authorization", ""))
    signing = scope.group(1) if scope else "unknown"
    service = SIGNING_NAMES.get(signing, signing)
    model = session.get_service_model(service)
    protocol = model.protocol
    body = request["body"]
    if protocol == "json":
        operation = model.operation_model(headers["x-amz-target"].split(".")[-1])
        return service, operation, json.loads(body or "{}")
    if protocol in ("query", "ec2"):
        fields = dict(parse_qsl(body, keep_blank_values=True))
        operation = model.operation_model(fields.pop("Action"))
        fields.pop("Version", None)
        value = from_form(operation.input_shape, fields, "", protocol == "ec2") if operation.input_shape else {}
        return service, operation, value or {}
    if protocol == "rest-json":
        found, query = rest_operation(model, request["method"], request["url"])
        if found is None:
            raise ValueError(f"{service}: no operation for {request['method']} {request['url']}")
        _, operation, labels = found
        return service, operation, rest_input(operation, labels, query, headers, body)
    return service, None, None


def main():
    requests = json.load(sys.stdin)
    session = botocore.session.get_session()
    findings, skipped, unchecked = [], set(), []
    checked = 0
    for request in requests:
        service, operation, value = read_request(session, request)
        if operation is None:
            unchecked.append(f"{service}:{request['method']}")
            continue
        checked += 1
        check(operation, value, f"{service}:{operation.name}", findings, skipped)
    json.dump(
        {"findings": findings, "skipped": sorted(skipped), "checked": checked, "unchecked": unchecked},
        sys.stdout,
    )


main()
