"""Batch jobs that run their registered command, for moto's Step Functions interpreter.

moto's `batch_simple` backend (config `batch: {use_docker: false}`) marks every submitted job
SUCCEEDED without running anything. With this patch a submitted container job runs the command of
its job definition (`containerProperties.command`; the image is not pulled) in the bubblewrap
sandbox `step-functions simulate` uses (src/aws/simulate/container-sandbox.ts, called through
run-job.mjs so the sandbox is the same code), with the environment Batch gives a container: the
job definition's variables, then SubmitJob's `containerOverrides.environment`, then Batch's own
AWS_BATCH_* variables. The S3 the job reaches is moto's own. The job is RUNNING while the command
runs and ends SUCCEEDED on exit code 0, FAILED otherwise, with the exit code and status reason where
DescribeJobs shows them (the job's `container`, its attempt's `container` and `statusReason`).
TerminateJob stops the sandbox and everything it started; the job ends FAILED with TerminateJob's
reason as its `statusReason`, as Batch shows a terminated job.
https://docs.aws.amazon.com/batch/latest/APIReference/API_SubmitJob.html
https://docs.aws.amazon.com/batch/latest/APIReference/API_JobDetail.html
https://docs.aws.amazon.com/batch/latest/APIReference/API_AttemptDetail.html
https://docs.aws.amazon.com/batch/latest/userguide/job_env_vars.html
"""
import json
import os
import signal
import subprocess
import threading
import time
from datetime import datetime
from typing import Any

from moto.batch.models import Job
from moto.batch.utils import JobStatus
from moto.batch_simple.models import BatchSimpleBackend

RUN_JOB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "run-job.mjs")

# What ECS reports when a job's one (essential) container ends, whatever its exit code.
STOPPED_REASON = "Essential container in task exited"


def _environment(job: Any, endpoint: str) -> dict[str, str]:
    """The container's environment: job definition, then overrides (which win), then Batch's own."""
    env: dict[str, str] = {}
    for source in (
        job.job_definition.container_properties.get("environment", []),
        job.container_overrides.get("environment", []),
    ):
        for variable in source:
            env[variable["name"]] = variable["value"]
    region = job.job_definition._region
    env.update(
        {
            "AWS_BATCH_JOB_ID": job.job_id,
            "AWS_BATCH_JOB_ATTEMPT": str(len(job.attempts)),
            "AWS_BATCH_JQ_NAME": job.job_queue.name,
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            # Where a real container gets its role's credentials and AWS's endpoints, the sandboxed
            # job gets moto's fake keys and moto's own address.
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_ENDPOINT_URL": endpoint,
            "FLOWSHIP_S3_ENDPOINT": endpoint,
        }
    )
    return env


def _run(job: Any, settings: dict[str, Any]) -> None:
    """Runs the job's command and records how it ended, as Batch would."""
    command = job._add_parameters_to_command(job._get_container_property("command", []))
    spec = {"command": command, "env": _environment(job, settings["endpoint"])}
    lines: list[str] = []
    try:
        # Its own session, so TerminateJob (job.stop) can stop the sandbox and all it started.
        process = subprocess.Popen(
            [settings["node"], RUN_JOB],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        output: dict[str, str] = {}
        reader = threading.Thread(
            target=lambda: output.update(zip(("stdout", "stderr"), process.communicate(json.dumps(spec)))),
            daemon=True,
        )
        reader.start()
        while reader.is_alive():
            if job.stop and process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            reader.join(0.1)
        code = process.returncode
        lines = (output.get("stdout", "") + output.get("stderr", "")).splitlines()
    except OSError as error:  # node itself could not start: the container never ran
        code, lines = 1, [f"cannot start the job's sandbox: {error}"]
    _write_log(job, lines)
    # A terminated job keeps TerminateJob's reason, as Batch shows it.
    reason = job.job_stopped_reason if job.stop else STOPPED_REASON
    job.exit_code = code
    job.job_stopped_reason = reason
    if job.latest_attempt is not None:
        job.latest_attempt["container"]["exitCode"] = code
        job.latest_attempt["container"]["reason"] = STOPPED_REASON
        job.latest_attempt["statusReason"] = reason
    job._mark_stopped(success=code == 0 and not job.stop)


def _write_log(job: Any, lines: list[str]) -> None:
    """The job's output goes to CloudWatch Logs (/aws/batch/job), as the awslogs driver sends it."""
    logs = job._log_backend
    logs.ensure_log_group(job._log_group)
    logs.ensure_log_stream(job._log_group, job.log_stream_name)
    now = int(time.time() * 1000)
    if lines:
        logs.put_log_events(
            job._log_group,
            job.log_stream_name,
            [{"timestamp": now, "message": line} for line in lines],
        )


def _patch_describe_exit_code() -> None:
    """DescribeJobs shows a stopped job's exit code in its `container` (ContainerDetail.exitCode);
    moto's full description replaced the container holding it with one without.
    https://docs.aws.amazon.com/batch/latest/APIReference/API_ContainerDetail.html
    """
    original = Job.describe

    def describe(self: Any) -> dict[str, Any]:
        result = original(self)
        if self.exit_code is not None and isinstance(result.get("container"), dict):
            result["container"]["exitCode"] = self.exit_code
        return result

    Job.describe = describe


def apply(settings: dict[str, Any]) -> None:
    """settings: {"node": path of node, "endpoint": moto's address, seen from the job}."""
    _patch_describe_exit_code()
    original = BatchSimpleBackend._mark_job_as_finished

    def mark_job_as_finished(self: Any, include_start_attempt: bool, job: Any) -> None:
        if not include_start_attempt or job.job_definition.container_properties is None:
            # An array job's parent, or a job that is not a container: as batch_simple has it.
            original(self, include_start_attempt, job)
            return
        self.backend._jobs[job.job_id] = job
        job.job_started_at = datetime.now()
        job.log_stream_name = job._stream_name
        job._start_attempt()
        job.status = JobStatus.RUNNING
        threading.Thread(target=_run, args=(job, settings), daemon=True).start()

    BatchSimpleBackend._mark_job_as_finished = mark_job_as_finished
