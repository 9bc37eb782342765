"""Checks one request's input against its operation in AWS's own API models (botocore's service
JSON): botocore's ParamValidator (required members, types, minimum lengths and values), and the
constraints it does not check (maximum lengths, sizes and values, enums, patterns)."""
import re

from botocore.validate import ParamValidator


def constraints(shape, value, path, findings, skipped):
    meta = shape.metadata
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        for name, member in shape.members.items():
            if name in value and value[name] is not None:
                constraints(member, value[name], f"{path}.{name}", findings, skipped)
    elif kind == "list" and isinstance(value, list):
        if "max" in meta and len(value) > meta["max"]:
            findings.append(f"{path}: {len(value)} items, at most {meta['max']} allowed")
        for i, item in enumerate(value):
            constraints(shape.member, item, f"{path}[{i}]", findings, skipped)
    elif kind == "map" and isinstance(value, dict):
        if "max" in meta and len(value) > meta["max"]:
            findings.append(f"{path}: {len(value)} entries, at most {meta['max']} allowed")
        for key, item in value.items():
            constraints(shape.key, key, f"{path} key {key!r}", findings, skipped)
            constraints(shape.value, item, f"{path}[{key!r}]", findings, skipped)
    elif kind == "string" and isinstance(value, str):
        if "max" in meta and len(value) > meta["max"]:
            findings.append(f"{path}: {len(value)} characters, at most {meta['max']} allowed")
        if shape.enum and value not in shape.enum:
            findings.append(f"{path}: {value!r} is not one of {shape.enum}")
        pattern = meta.get("pattern")
        if pattern:
            try:
                matched = re.search(pattern, value, re.DOTALL) is not None
            except re.error:
                skipped.add(f"{shape.name}: pattern {pattern!r} is not a Python regex")
                return
            if not matched:
                findings.append(f"{path}: {value[:80]!r} does not match the pattern {pattern!r}")
    elif kind in ("integer", "long") and isinstance(value, int):
        if "max" in meta and value > meta["max"]:
            findings.append(f"{path}: {value}, at most {meta['max']} allowed")



def check(operation, value, where, findings, skipped):
    """Adds what is wrong with `value` as the input of `operation` to findings."""
    report = ParamValidator().validate(value, operation.input_shape)
    if report.has_errors():
        findings.extend(f"{where}: {line.strip()}" for line in report.generate_report().splitlines())
    constraints(operation.input_shape, value, where, findings, skipped)
