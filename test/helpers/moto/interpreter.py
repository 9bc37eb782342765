"""Gaps of moto 5.2.5's Step Functions interpreter (config `stepfunctions.execute_state_machine`,
a port of LocalStack's), filled as AWS documents the behaviour. Each patch is small and cites the
AWS page it follows; nothing here decides what flowship expects.
"""
import copy
import json
import uuid
from functools import cache
from typing import Any

import botocore.session
from botocore import xform_name
from botocore.model import OperationModel

from moto.stepfunctions.parser.api import ExecutionFailedEventDetails, HistoryEventType
from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
    FailureEvent,
    FailureEventException,
)
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
    StatesErrorNameType,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.distributed_iteration_component import (
    DistributedIterationComponent,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_map.result_writer.result_writer_decl import (
    ResultWriter,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_map.state_map import StateMap
from moto.stepfunctions.parser.asl.component.state.exec.state_map.tolerated_failure import (
    ToleratedFailureCountDecl,
    ToleratedFailurePercentageDecl,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource import (
    ResourceCondition,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service import (
    StateTaskService,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_callback import (
    StateTaskServiceCallback,
)
from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.parser.models import StepFunctionsParserBackend


@cache
def _operation(service: str, action: str) -> OperationModel | None:
    """botocore's model of an operation, from its boto service name and snake_case action."""
    model = botocore.session.get_session().get_service_model(service)
    name = next((op for op in model.operation_names if xform_name(op) == action), None)
    return model.operation_model(name) if name else None


def _patch_sdk_casing() -> None:
    """Task parameters and results are converted between Step Functions' casing and the API's.

    A Task's Parameters name every member in PascalCase (`ContainerOverrides.Environment[].Name`),
    which Step Functions converts to the service API's own members (`environment[].name`), and a
    result comes back with the API's members in PascalCase (`JobId`, `Body` as text). moto's port
    keeps LocalStack's converters (_to_boto_request, _from_boto_response) but its two hooks that call
    them do nothing (getmoto/moto#10076): the job's environment is dropped and `.sync` cannot read
    the submitted job's id.
    https://docs.aws.amazon.com/step-functions/latest/dg/connect-parameters.html
    https://docs.aws.amazon.com/step-functions/latest/dg/connect-batch.html
    https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
    """

    def operation(self: Any, service: str | None, action: str | None) -> OperationModel | None:
        return _operation(self._get_boto_service_name(service), self._get_boto_service_action(action))

    def normalise_parameters(
        self: Any,
        parameters: dict,
        boto_service_name: str | None = None,
        service_action_name: str | None = None,
    ) -> None:
        model = operation(self, boto_service_name, service_action_name)
        if model is not None and model.input_shape is not None:
            self._to_boto_request(parameters, model.input_shape)

    def normalise_response(
        self: Any,
        response: Any,
        boto_service_name: str | None = None,
        service_action_name: str | None = None,
    ) -> None:
        model = operation(self, boto_service_name, service_action_name)
        if model is not None and model.output_shape is not None:
            self._from_boto_response(response, model.output_shape)

    StateTaskService._normalise_parameters = normalise_parameters
    StateTaskService._normalise_response = normalise_response


def _patch_execution_name() -> None:
    """An execution started without a name is named with a UUID.

    moto's interpreter backend keeps None as the name (`...:execution:Machine:None`, and
    `$$.Execution.Name` is null). AWS: "If you don't provide a name for the execution, Step
    Functions automatically generates a universally unique identifier (UUID) as the execution name."
    https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
    """
    original = StepFunctionsParserBackend.start_execution

    def start_execution(
        self: Any, state_machine_arn: str, name: Any = None, *args: Any, **kwargs: Any
    ) -> Any:
        return original(self, state_machine_arn, name or str(uuid.uuid4()), *args, **kwargs)

    StepFunctionsParserBackend.start_execution = start_execution


def _integer_percentages(node: Any) -> bool:
    """Writes every integer ToleratedFailurePercentage as a decimal; whether there was one."""
    found = False
    entries = node.items() if isinstance(node, dict) else enumerate(node if isinstance(node, list) else [])
    for key, value in entries:
        if key == "ToleratedFailurePercentage" and type(value) is int:
            node[key], found = float(value), True
        elif isinstance(value, (dict, list)):
            found = _integer_percentages(value) or found
    return found


def _patch_integer_failure_percentage() -> None:
    """A Distributed Map's `ToleratedFailurePercentage` may be an integer.

    AWS: "a number from 0 through 100", so `0` is as valid as `0.0`. moto's grammar takes only a
    decimal there (its lexer reads `0` as INT, not NUMBER), so CreateStateMachine refused the
    definition. The parser is given the same definition with such integers written as decimals.
    https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html#maprun-fail-threshold
    """
    original = AmazonStateLanguageParser.parse

    def parse(definition: str) -> Any:
        try:
            document = json.loads(definition)
        except ValueError:
            return original(definition)  # moto reports the syntax error
        return original(json.dumps(document) if _integer_percentages(document) else definition)

    AmazonStateLanguageParser.parse = staticmethod(parse)


def _patch_result_writer_input() -> None:
    """A ResultWriter's Parameters read the Map state's input, not the results.

    Its `Prefix.$`/`Bucket.$` paths select from the state input (flowship's inner foreach names
    its prefix from `$.runName` and `$.taskId`); moto evaluated them on top of its stack, where the
    Map's results lie once the items are done, and the path was not found.
    https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
    """

    def eval_body(self: Any, env: Any) -> None:
        # moto's put_object handler pops the parameters, then the results beneath them.
        env.stack.append(copy.deepcopy(env.states.get_input()))
        self.parargs.eval(env=env)
        parameters = env.stack.pop()
        env.stack.pop()
        env.stack.append(parameters)
        self.resource_eval.eval_resource(env=env)

    ResultWriter._eval_body = eval_body


def _patch_failure_threshold() -> None:
    """A Distributed Map fails when more child executions fail than it tolerates.

    With neither ToleratedFailureCount nor ToleratedFailurePercentage, no failure is tolerated; a
    declared one is a limit the failed (or timed-out) items may not exceed. Past it the Map Run
    fails with States.ExceedToleratedFailureThreshold, which the Map state's Catch/Retry see. moto
    counted a failed child and went on ("declarations currently have no effect").
    https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html#maprun-fail-threshold
    https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
    """
    original_props = StateMap.from_state_props

    def from_state_props(self: Any, state_props: Any) -> None:
        original_props(self, state_props)
        self.iteration_component._declared_tolerance = (
            state_props.get(ToleratedFailureCountDecl) is not None,
            state_props.get(ToleratedFailurePercentageDecl) is not None,
        )

    original_run = DistributedIterationComponent._map_run

    def map_run(self: Any, env: Any, eval_input: Any) -> None:
        original_run(self, env, eval_input)
        items = eval_input.map_run_record.item_counter
        failed = items.failed.get() + items.timed_out.get()
        total = items.total.get()
        count_declared, percentage_declared = getattr(self, "_declared_tolerance", (False, False))
        over_count = failed > eval_input.tolerated_failure_count
        over_percentage = total > 0 and failed * 100 / total > eval_input.tolerated_failure_percentage
        if count_declared or percentage_declared:
            exceeded = (count_declared and over_count) or (percentage_declared and over_percentage)
        else:
            exceeded = failed > 0
        if exceeded:
            error = StatesErrorNameType.StatesExceedToleratedFailureThreshold
            raise FailureEventException(
                failure_event=FailureEvent(
                    env=env,
                    error_name=StatesErrorName(typ=error),
                    event_type=HistoryEventType.MapRunFailed,
                    event_details=EventDetails(
                        executionFailedEventDetails=ExecutionFailedEventDetails(
                            error=error.to_name(),
                            cause="The specified tolerated failure threshold was exceeded",
                        )
                    ),
                )
            )

    StateMap.from_state_props = from_state_props
    DistributedIterationComponent._map_run = map_run


def _patch_attempt_callback() -> None:
    """Each attempt of a `.sync` (or callback) Task waits for its own job.

    Retry runs the Task again and `TimeoutSeconds` applies to each attempt. moto listens for the
    outcome of an attempt on a callback endpoint keyed by the state's task token, which it issued
    once per state; the first attempt's end closes that endpoint, so every retry found it closed
    and failed at once with States.Timeout while its job was still running. Each attempt here gets
    a token (and so an endpoint) of its own.
    https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
    https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html
    https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html
    """
    original = StateTaskServiceCallback._eval_execution

    def eval_execution(self: Any, env: Any) -> None:
        if (
            self._is_integration_pattern()
            and ResourceCondition.WaitForTaskToken in self._supported_integration_patterns
        ):
            env.callback_pool_manager.add(env.states.context_object.update_task_token())
        original(self, env)

    StateTaskServiceCallback._eval_execution = eval_execution


def _poll_jobs_sooner() -> None:
    """A `.sync` Task sees its job's end within 100 ms instead of 500 ms.

    Not a gap in moto, and not AWS behaviour: how often the service checks a job is not part of
    the `.sync` contract (the Task ends some time after the job does). The tests run dozens of
    jobs one after another, so moto's half-second poll is most of their wall time.
    https://docs.aws.amazon.com/step-functions/latest/dg/connect-batch.html
    """
    import moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_callback as callback

    callback._DELAY_SECONDS_SYNC_CONDITION_CHECK = 0.1


def apply() -> None:
    _poll_jobs_sooner()
    _patch_sdk_casing()
    _patch_execution_name()
    _patch_integer_failure_percentage()
    _patch_result_writer_input()
    _patch_failure_threshold()
    _patch_attempt_callback()
