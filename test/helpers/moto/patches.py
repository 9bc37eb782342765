"""What moto 5.2.5 lacks that flowship calls, filled in as AWS documents it.

Each patch is small, keeps moto's own models as the state, and cites the AWS page it follows.
Nothing here decides what flowship expects: it only answers as AWS answers.
"""
import json
import re
import urllib.parse
from datetime import datetime, timezone
from typing import Any

from moto.batch import models as batch_models
from moto.cloudformation import models as cloudformation_models
from moto.core.responses import ActionResult
from moto.events import models as events_models
from moto.iam.responses import IamResponse
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
    if hasattr(execution, "exec_status"):
        # moto's interpreter (stepfunctions.execute_state_machine) cannot restart an execution
        # from its failed state; say so rather than pretend it ran again.
        raise JsonRESTError("ExecutionNotRedrivable", "redrive is not simulated by moto's interpreter")
    execution.status = "RUNNING"
    execution.stop_date = None
    return ActionResult({"redriveDate": datetime.now(timezone.utc)})


def _principal_policies(backend: Any, arn: str) -> list[tuple[str, str, str]]:
    """(policy id, source type, JSON document) of every identity policy of a user, group or role:
    inline and attached, a user's groups' too, as SimulatePrincipalPolicy includes them.
    https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
    """
    from moto.iam.exceptions import InvalidInput, NoSuchEntity

    def managed(policies: Any) -> list[tuple[str, str, str]]:
        kind = lambda p: "aws-managed" if ":aws:policy/" in p.arn else "user-managed"  # noqa: E731
        return [
            (p.name, kind(p), next(v.document for v in p.versions if v.is_default)) for p in policies
        ]

    def group(name: str) -> list[tuple[str, str, str]]:
        inline = [
            (n, "group", backend.get_group_policy(name, n)["policy_document"])
            for n in backend.list_group_policies(name)
        ]
        return inline + managed(backend.list_attached_group_policies(name)[0])

    match = re.match(r"^arn:aws[a-z-]*:iam::\d{12}:(user|group|role)/(?:.*/)?([\w+=,.@-]+)$", arn)
    if match is None:
        raise InvalidInput(f"Invalid ARN: '{arn}'. Give the ARN of a user, group or role.")
    kind, name = match.groups()
    try:
        if kind == "role":
            inline = [
                (n, "role", backend.get_role_policy(name, n)[1]) for n in backend.list_role_policies(name)
            ]
            return inline + managed(backend.list_attached_role_policies(name)[0])
        if kind == "group":
            return group(name)
        inline = [
            (n, "user", backend.get_user_policy(name, n)["policy_document"])
            for n in backend.list_user_policies(name)
        ]
        attached = managed(backend.list_attached_user_policies(name)[0])
        return inline + attached + [p for g in backend.get_groups_for_user(name) for p in group(g.name)]
    except Exception as error:
        if getattr(error, "code", None) == "NoSuchEntity":
            raise NoSuchEntity(f"The {kind} with name {name} cannot be found.") from error
        raise


def _policy_document(document: Any) -> dict:
    """A policy document as moto stores it: a JSON string (made through the API, possibly
    URL-encoded as IAM returns it) or already a dict (roles CloudFormation made: moto keeps an
    AWS::IAM::Role's inline Policies as the template gave them)."""
    if isinstance(document, dict):
        return document
    text = document if document.lstrip().startswith("{") else urllib.parse.unquote(document)
    return json.loads(text)


def _decide(policies: list[tuple[str, str, str]], action: str, resource: str, context: dict[str, str]):
    """Evaluates identity policies for one action on one resource with moto's own statement
    evaluator (moto/iam/access_control.py): an explicit Deny wins, then any Allow, else the
    implicit deny. moto answers DENIED for an Allow statement whose Condition does not hold; in
    IAM such a statement simply does not apply, so it counts as not matching here.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    """
    from moto.iam.access_control import IAMPolicyStatement, PermissionResult

    allowed, denied = [], []
    for policy_id, source_type, document in policies:
        statements = _policy_document(document)["Statement"]
        for statement in statements if isinstance(statements, list) else [statements]:
            result = IAMPolicyStatement(statement).is_action_permitted(action, resource, None, context)
            matched = {"SourcePolicyId": policy_id, "SourcePolicyType": source_type}
            if result == PermissionResult.DENIED and statement.get("Effect") == "Deny":
                denied.append(matched)
            elif result == PermissionResult.PERMITTED:
                allowed.append(matched)
    if denied:
        return "explicitDeny", denied  # only the deny statements are listed (API_EvaluationResult)
    return ("allowed", allowed) if allowed else ("implicitDeny", [])


def simulate_principal_policy(self: Any) -> ActionResult:
    """SimulatePrincipalPolicy over the principal's identity policies (and PolicyInputList): one
    EvaluationResult per action; with ResourceArns, ResourceSpecificResults holds each resource's
    decision and EvalDecision the most restrictive of them. The top-level EvalResourceName is an
    ARN template from AWS's service reference, which moto does not have: it is given as `*` only
    when no resource is. No organization SCPs, permission boundaries or resource policies.
    https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
    https://docs.aws.amazon.com/IAM/latest/APIReference/API_EvaluationResult.html
    """
    policies = _principal_policies(self.backend, self._get_param("PolicySourceArn"))
    extra = self._get_param("PolicyInputList", [])
    policies += [(f"PolicyInputList.{i + 1}", "none", doc) for i, doc in enumerate(extra)]
    context = {
        e["ContextKeyName"]: (e.get("ContextKeyValues") or [""])[0]
        for e in self._get_param("ContextEntries", [])
    }
    resources = self._get_param("ResourceArns", [])
    rank = {"allowed": 0, "implicitDeny": 1, "explicitDeny": 2}
    results = []
    for action in self._get_param("ActionNames", []):
        if not resources:
            decision, matched = _decide(policies, action, "*", context)
            results.append(
                {
                    "EvalActionName": action,
                    "EvalResourceName": "*",
                    "EvalDecision": decision,
                    "MatchedStatements": matched,
                    "MissingContextValues": [],
                }
            )
            continue
        specific = []
        for resource in resources:
            decision, matched = _decide(policies, action, resource, context)
            specific.append(
                {
                    "EvalResourceName": resource,
                    "EvalResourceDecision": decision,
                    "MatchedStatements": matched,
                    "MissingContextValues": [],
                }
            )
        worst = max(specific, key=lambda r: rank[r["EvalResourceDecision"]])
        results.append(
            {
                "EvalActionName": action,
                "EvalDecision": worst["EvalResourceDecision"],
                "MatchedStatements": worst["MatchedStatements"],
                "MissingContextValues": [],
                "ResourceSpecificResults": specific,
            }
        )
    return ActionResult({"EvaluationResults": results, "IsTruncated": False})


def _compute_environment_status(cls: Any) -> None:
    """A compute environment whose service role does not exist is INVALID: Batch cannot check a
    role ARN given to the API, accepts it, and the environment then fails ("Incorrect role name
    or ARN", the most common cause), as it does when the role is deleted later. moto reports
    every environment VALID (and refuses a missing role at creation, so the case it meets is a
    role deleted afterwards); this keeps its answer but reports INVALID, with a CLIENT_ERROR
    reason, when the named role is not in IAM.
    https://docs.aws.amazon.com/batch/latest/userguide/invalid_compute_environment.html
    https://docs.aws.amazon.com/batch/latest/APIReference/API_ComputeEnvironmentDetail.html
    """
    from moto.iam.models import iam_backends

    original = cls.describe_compute_environments

    def describe_compute_environments(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        iam = iam_backends[self.account_id]["aws"]
        for environment in result:
            role = environment.get("serviceRole") or ""
            # An empty service role means Batch's service-linked role, which Batch creates itself.
            if role and "/aws-service-role/" not in role:
                try:
                    iam.get_role_by_arn(role) if role.startswith("arn:") else iam.get_role(role)
                except Exception:
                    environment["status"] = "INVALID"
                    environment["statusReason"] = (
                        f"CLIENT_ERROR - Role {role} does not exist or cannot be assumed by batch.amazonaws.com"
                    )
        return result

    cls.describe_compute_environments = describe_compute_environments


def _revision_platform_capabilities(cls: Any) -> None:
    """Each RegisterJobDefinition names its revision's own platformCapabilities (absent: EC2), so
    one job definition name may have EC2 and Fargate revisions. moto gives a second revision the
    first one's capabilities, whatever the request says; this sets the request's.
    https://docs.aws.amazon.com/batch/latest/APIReference/API_RegisterJobDefinition.html
    """
    original = cls.register_job_definition

    def register_job_definition(self: Any, *args: Any, **kwargs: Any) -> Any:
        job_def = original(self, *args, **kwargs)
        job_def.platform_capabilities = kwargs.get("platform_capabilities")
        return job_def

    cls.register_job_definition = register_job_definition


def _refuse_existing_connections(cls: Any) -> None:
    """CreateConnection and CreateApiDestination refuse a name that exists with
    ResourceAlreadyExistsException (UpdateConnection/UpdateApiDestination change one); moto
    replaced the existing one silently.
    https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateConnection.html
    https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateApiDestination.html
    """
    from moto.events.exceptions import ResourceAlreadyExistsException

    create_connection = cls.create_connection
    create_api_destination = cls.create_api_destination

    def create_connection_once(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        if name in self.connections:
            raise ResourceAlreadyExistsException(f"Connection {name} already exists.")
        return create_connection(self, name, *args, **kwargs)

    def create_api_destination_once(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        if name in self.destinations:
            raise ResourceAlreadyExistsException(f"An api-destination '{name}' already exists.")
        return create_api_destination(self, name, *args, **kwargs)

    cls.create_connection = create_connection_once
    cls.create_api_destination = create_api_destination_once


def _stop_answers_when_stopped() -> None:
    """StopExecution answers with the date the execution stopped (stopDate, a required member of
    its output), and the execution is ABORTED from then on. moto's interpreter
    (stepfunctions.execute_state_machine) only signals the execution's worker, so it answered
    before the worker had stopped, with a null stopDate; this waits (5 s at most) until the
    worker has ended the execution.
    https://docs.aws.amazon.com/step-functions/latest/apireference/API_StopExecution.html
    """
    import time

    from moto.stepfunctions.parser.backend.execution import Execution

    original = Execution.stop

    def stop(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        deadline = time.monotonic() + 5
        while self.stop_date is None and time.monotonic() < deadline:
            time.sleep(0.01)

    Execution.stop = stop


def _change_set_outputs(cls: Any) -> None:
    """After a change set is executed the stack is the change set's template: DescribeStacks
    lists that template's Outputs. moto 5.2.5's ExecuteChangeSet applies the resources and
    stores the new template, but keeps the outputs parsed when the stack was made (none, for a
    CREATE change set); this rebuilds them from the stored template, as moto's own UpdateStack
    does (moto/cloudformation/models.py, Stack.update).
    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ExecuteChangeSet.html
    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Stack.html
    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/outputs-section-structure.html
    """
    original = cls.execute_change_set

    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        original(self, change_set_name, stack_name)
        change_set = self.change_sets.get(change_set_name) or next(
            c for c in self.change_sets.values() if c.change_set_name == change_set_name
        )
        stack = self.stacks[change_set.stack_id]
        stack._parse_template()
        stack.output_map = stack._create_output_map()

    cls.execute_change_set = execute_change_set


def apply() -> None:
    from moto.stepfunctions.parser import models as parser_models

    _patch_start_execution(sfn_models.StepFunctionBackend)
    _patch_start_execution(parser_models.StepFunctionsParserBackend)
    _with_qualifiers("describe_execution", None)
    _with_qualifiers("list_executions", "executions")
    StepFunctionResponse.list_state_machine_versions = list_state_machine_versions
    StepFunctionResponse.delete_state_machine_version = delete_state_machine_version
    StepFunctionResponse.redrive_execution = redrive_execution
    IamResponse.simulate_principal_policy = simulate_principal_policy
    _compute_environment_status(batch_models.BatchBackend)
    _revision_platform_capabilities(batch_models.BatchBackend)
    _refuse_existing_connections(events_models.EventsBackend)
    _stop_answers_when_stopped()
    _change_set_outputs(cloudformation_models.CloudFormationBackend)
    # IAM enforcement evaluating requests as IAM does (see iam_enforcement.py).
    import iam_enforcement

    iam_enforcement.apply()
