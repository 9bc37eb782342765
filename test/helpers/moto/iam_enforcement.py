"""moto's IAM enforcement (INITIAL_NO_AUTH_ACTION_COUNT) made to evaluate requests as IAM does,
for the services and calls flowship makes. moto 5.2.5 (moto/iam/access_control.py, called from
moto/core/authorization.py) already checks the signature and evaluates the access key's user's
policies: Allow/Deny, Action, NotAction and Resource with `*` wildcards; a Condition only with
StringEquals and only on keys moto supplies (none outside sts:AssumeRole, so every other
Condition holds). It gets three things wrong that these patches fix:

1. The resource of a request: moto passes the request's ARN for S3 (bucket, bucket/key), IAM,
   STS and SQS only; every other service is evaluated on resource `*`, which an Allow on an ARN
   (`arn:aws:states:...:stateMachine:*`) never matches, so a least-privilege policy denies
   everything. `_determine_resource` gives Step Functions, EventBridge and EventBridge Scheduler
   requests the resource ARN the Service Authorization Reference names for each action.
2. Action names: IAM matches them case-insensitively, moto case-sensitively, and moto names
   Batch actions after the lower-case REST path (`batch:registerjobdefinition`), so no Batch
   statement ever matches.
3. The signature of a request without a body (Scheduler's GET and DELETE): moto recomputes it over
   its parsed parameters instead of the empty body that was signed, and answers
   SignatureDoesNotMatch.
4. The error's protocol: moto answers every service's refused request in IAM's XML, which no
   SDK of a JSON service (Step Functions, EventBridge, Batch, Scheduler) can read. AWS answers
   them in JSON: AccessDeniedException naming the action and resource, UnrecognizedClientException,
   InvalidSignatureException.

Still not evaluated, as in moto: actions AWS authorizes besides the one called (iam:PassRole for
a role in a request, states:TagResource and batch:TagResource for tags on create,
states:PublishStateMachineVersion for `publish: true`), resource-based policies, and condition
keys other than an sts:AssumeRole's.
"""
import json
import re
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse


def _states_resource(self: Any, action: str, body: dict[str, Any]) -> str:
    """Step Functions authorizes each action on the ARN in the request (a state machine, version,
    alias or execution); CreateStateMachine on the ARN it will have, CreateStateMachineAlias on the
    alias's ARN (its state machine's ARN qualified by the alias name).
    https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html
    https://docs.aws.amazon.com/step-functions/latest/dg/auth-version-alias.html
    """
    for key in ("stateMachineArn", "stateMachineAliasArn", "stateMachineVersionArn", "executionArn", "resourceArn"):
        if isinstance(body.get(key), str):
            return body[key]
    if action == "CreateStateMachine" and "name" in body:
        return f"arn:aws:states:{self.region}:{self.current_account}:stateMachine:{body['name']}"
    if action == "CreateStateMachineAlias":
        routes = body.get("routingConfiguration") or []
        version = routes[0].get("stateMachineVersionArn", "") if routes else ""
        return f"{version.rsplit(':', 1)[0]}:{body.get('name', '')}"
    return "*"


def _events_resource(self: Any, action: str, body: dict[str, Any]) -> str:
    """EventBridge: rules (`rule/<name>` on the default bus, `rule/<bus>/<name>` on another),
    connections and API destinations by name; ListRules has no resource.
    https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridge.html
    """
    prefix = f"arn:aws:events:{self.region}:{self.current_account}"
    if action in ("PutRule", "PutTargets", "RemoveTargets", "DeleteRule", "DescribeRule"):
        name = body.get("Name") or body.get("Rule", "")
        bus = str(body.get("EventBusName") or "default").split("/")[-1]
        return f"{prefix}:rule/{name}" if bus == "default" else f"{prefix}:rule/{bus}/{name}"
    if action.endswith("Connection"):
        return f"{prefix}:connection/{body.get('Name', '')}"
    if action.endswith("ApiDestination"):
        return f"{prefix}:api-destination/{body.get('Name', '')}"
    return "*"


def _scheduler_resource(self: Any) -> str:
    """EventBridge Scheduler: `schedule/<group>/<name>`, the group `default` unless named (in the
    body of CreateSchedule and UpdateSchedule, the query of GetSchedule and DeleteSchedule).
    https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridgescheduler.html
    """
    url = urlparse(self.uri)
    match = re.match(r"^/schedules/([^/]+)$", url.path)
    if match is None:
        return "*"
    group = _json_body(self).get("GroupName") or parse_qs(url.query).get("groupName", ["default"])[0]
    return f"arn:aws:scheduler:{self.region}:{self.current_account}:schedule/{group}/{unquote(match[1])}"


def _json_body(self: Any) -> dict[str, Any]:
    try:
        body = json.loads(self.body) if self.body else {}
        return body if isinstance(body, dict) else {}
    except ValueError:
        return {}


def _patch_resources() -> None:
    from moto.events.responses import EventsHandler
    from moto.scheduler.responses import EventBridgeSchedulerResponse
    from moto.stepfunctions.responses import StepFunctionResponse

    # call_action (moto/core/responses.py) authorizes on self._determine_resource() where defined.
    StepFunctionResponse._determine_resource = lambda self: _states_resource(
        self, self._get_action(), _json_body(self)
    )
    EventsHandler._determine_resource = lambda self: _events_resource(self, self._get_action(), _json_body(self))
    EventBridgeSchedulerResponse._determine_resource = _scheduler_resource


def _patch_action_case() -> None:
    """IAM matches actions case-insensitively ("The prefix and the action name are case
    insensitive"); resources stay case-sensitive.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
    """
    from moto.iam.access_control import IAMPolicyStatement

    original = IAMPolicyStatement._check_element_matches

    def check(self: Any, element: str, value: str) -> bool:
        if element not in ("Action", "NotAction"):
            return original(self, element, value)
        patterns = self._statement[element]
        for pattern in patterns if isinstance(patterns, list) else [patterns]:
            if re.match(f"^{re.escape(pattern).replace(re.escape('*'), '.*')}$", value, re.IGNORECASE):
                return True
        return False

    IAMPolicyStatement._check_element_matches = check


def _patch_empty_body_signature() -> None:
    """A request without a body is signed over the empty payload (SigV4's hash of ""): recompute
    it so, not over moto's parsed parameters.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
    """
    from moto.iam.access_control import IAMRequestBase

    original = IAMRequestBase._create_aws_request

    def create(self: Any) -> Any:
        request = original(self)
        if self._method in ("GET", "DELETE", "HEAD") and not self._body:
            request.data = b""
        return request

    IAMRequestBase._create_aws_request = create


def _patch_json_errors() -> None:
    """A refused request to a JSON or REST-JSON service, answered as that service does.
    https://docs.aws.amazon.com/step-functions/latest/apireference/CommonErrors.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
    """
    from moto.core.authorization import ActionAuthenticatorMixin
    from moto.core.exceptions import (
        AccessDeniedError,
        InvalidClientTokenIdError,
        JsonRESTError,
        SignatureDoesNotMatchError,
    )
    from moto.core.responses import get_service_model

    original = ActionAuthenticatorMixin._authenticate_and_authorize_normal_action

    def authorize(self: Any, resource: str = "*") -> None:
        try:
            original(self, resource)
        except (AccessDeniedError, InvalidClientTokenIdError, SignatureDoesNotMatchError) as error:
            model = get_service_model(self.boto3_service_name)
            if model.protocol not in ("json", "rest-json"):
                raise
            if isinstance(error, InvalidClientTokenIdError):
                raise JsonRESTError("UnrecognizedClientException", error.message) from error
            if isinstance(error, SignatureDoesNotMatchError):
                raise JsonRESTError("InvalidSignatureException", error.message) from error
            user, action = re.match(r"^User: (\S+) is not authorized to perform: (\S+)$", error.message).groups()
            # The action as AWS spells it (moto names Batch's after its lower-case REST path).
            prefix, name = action.split(":", 1)
            name = next((op for op in model.operation_names if op.lower() == name.lower()), name)
            action = f"{prefix}:{name}"
            raise JsonRESTError(
                "AccessDeniedException",
                f"User: {user} is not authorized to perform: {action} on resource: {resource} "
                f"because no identity-based policy allows the {action} action",
            ) from error

    ActionAuthenticatorMixin._authenticate_and_authorize_normal_action = authorize


def apply() -> None:
    _patch_json_errors()
    _patch_resources()
    _patch_action_case()
    _patch_empty_body_signature()
