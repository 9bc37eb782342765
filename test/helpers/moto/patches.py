"""What moto 5.2.5 lacks that flowship calls, filled in as AWS documents it.

Each patch is small, keeps moto's own models as the state, and cites the AWS page it follows.
Nothing here decides what flowship expects: it only answers as AWS answers.
"""
from datetime import datetime, timezone
from typing import Any

from moto.core.responses import ActionResult
from moto.stepfunctions import models as sfn_models
from moto.stepfunctions.exceptions import ResourceNotFound, StateMachineDoesNotExist
from moto.stepfunctions.responses import StepFunctionResponse

# Execution ARN -> the version and alias ARNs it was started with (AWS returns them).
_QUALIFIERS: dict[str, dict[str, str]] = {}


def _resolve_qualified(backend: Any, arn: str) -> Any:
    """(state machine, version, alias) for a version or alias ARN, or None for a plain ARN.

    StartExecution accepts `...:stateMachine:Name:Version` and `...:stateMachine:Name:Alias`; an
    alias routes to one of its (at most two) versions by weight.
    https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
    https://docs.aws.amazon.com/step-functions/latest/dg/concepts-state-machine-alias.html
    """
    parts = arn.split(":")
    if len(parts) != 8:
        return None
    base = ":".join(parts[:7])
    machine = next((m for m in backend.state_machines if m.arn == base), None)
    if machine is None:
        raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{arn}'")
    alias = None
    qualifier = parts[7]
    if not qualifier.isdigit():
        alias = machine.aliases.get(qualifier)
        if alias is None:
            raise ResourceNotFound(f"Alias not found: '{arn}'")
        route = max(alias.routing_configuration, key=lambda r: int(r.get("weight", 0)))
        qualifier = route["stateMachineVersionArn"].split(":")[-1]
    version = machine.versions.get(int(qualifier))
    if version is None:
        raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{arn}'")
    return machine, version, alias


def _patch_start_execution(cls: Any) -> None:
    original = cls.start_execution

    def start_execution(self: Any, state_machine_arn: str, *args: Any, **kwargs: Any) -> Any:
        resolved = _resolve_qualified(self, state_machine_arn)
        if resolved is None:
            return original(self, state_machine_arn, *args, **kwargs)
        machine, version, alias = resolved
        # The execution runs the version's definition and is listed under the state machine.
        current = machine.definition
        machine.definition = version.definition
        try:
            execution = original(self, machine.arn, *args, **kwargs)
        finally:
            machine.definition = current
        _QUALIFIERS[execution.execution_arn] = {
            "stateMachineVersionArn": version.arn,
            **({"stateMachineAliasArn": alias.arn} if alias else {}),
        }
        return execution

    cls.start_execution = start_execution


def _with_qualifiers(method_name: str, list_key: str | None) -> None:
    """DescribeExecution and ListExecutions name the version/alias an execution was started with.
    https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html
    https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListExecutions.html
    """
    original = getattr(StepFunctionResponse, method_name)

    def wrapped(self: Any) -> Any:
        result = original(self)
        body = result.result if isinstance(result, ActionResult) else None
        if isinstance(body, dict):
            items = body.get(list_key, []) if list_key else [body]
            for item in items:
                item.update(_QUALIFIERS.get(item.get("executionArn", ""), {}))
        return result

    setattr(StepFunctionResponse, method_name, wrapped)


def list_state_machine_versions(self: Any) -> ActionResult:
    """Versions, newest first, paginated by maxResults/nextToken.
    https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListStateMachineVersions.html
    """
    machine = self.stepfunction_backend.describe_state_machine(self._get_param("stateMachineArn"))
    versions = sorted(machine.versions.values(), key=lambda v: v.version, reverse=True)
    start = int(self._get_param("nextToken") or 0)
    size = int(self._get_param("maxResults") or 100) or 100
    page = versions[start : start + size]
    body: dict[str, Any] = {
        "stateMachineVersions": [
            {"stateMachineVersionArn": v.arn, "creationDate": v.creation_date} for v in page
        ]
    }
    if start + size < len(versions):
        body["nextToken"] = str(start + size)
    return ActionResult(body)


def delete_state_machine_version(self: Any) -> ActionResult:
    """Deletes a version; a version an alias routes to cannot be deleted (ConflictException).
    https://docs.aws.amazon.com/step-functions/latest/apireference/API_DeleteStateMachineVersion.html
    """
    from moto.stepfunctions.exceptions import ValidationException

    arn = self._get_param("stateMachineVersionArn")
    parts = arn.split(":")
    if len(parts) != 8 or not parts[7].isdigit():
        raise ValidationException(f"Invalid Arn: '{arn}'")
    base = ":".join(parts[:7])
    machine = next((m for m in self.stepfunction_backend.state_machines if m.arn == base), None)
    if machine is not None and int(parts[7]) in machine.versions:
        routed = any(
            route["stateMachineVersionArn"] == arn
            for alias in machine.aliases.values()
            for route in alias.routing_configuration
        )
        if routed:
            from moto.core.exceptions import JsonRESTError

            raise JsonRESTError(
                "ConflictException",
                f"Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: {arn}",
            )
        del machine.versions[int(parts[7])]
    return ActionResult({})


def redrive_execution(self: Any) -> ActionResult:
    """Restarts a FAILED, TIMED_OUT or ABORTED standard execution (within 14 days); anything
    else is ExecutionNotRedrivable. Without moto's interpreter the execution is simply RUNNING
    again, as after StartExecution.
    https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html
    """
    from moto.core.exceptions import JsonRESTError

    execution = self.stepfunction_backend.describe_execution(self._get_param("executionArn"))
    if execution.status not in ("FAILED", "TIMED_OUT", "ABORTED"):
        raise JsonRESTError(
            "ExecutionNotRedrivable",
            f"Execution is {execution.status} and cannot be redriven: '{execution.execution_arn}'",
        )
    if not hasattr(execution, "redrive"):
        execution.status = "RUNNING"
        execution.stop_date = None
    else:  # moto's interpreter (stepfunctions.execute_state_machine) has no redrive of its own
        raise JsonRESTError("ExecutionNotRedrivable", "redrive is not simulated by moto's interpreter")
    return ActionResult({"redriveDate": datetime.now(timezone.utc)})


def apply() -> None:
    from moto.stepfunctions.parser import models as parser_models

    _patch_start_execution(sfn_models.StepFunctionBackend)
    _patch_start_execution(parser_models.StepFunctionsParserBackend)
    _with_qualifiers("describe_execution", None)
    _with_qualifiers("list_executions", "executions")
    StepFunctionResponse.list_state_machine_versions = list_state_machine_versions
    StepFunctionResponse.delete_state_machine_version = delete_state_machine_version
    StepFunctionResponse.redrive_execution = redrive_execution
