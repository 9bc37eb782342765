/**
 * The Batch job queue: it exists, is VALID and ENABLED; and its compute environments are VALID,
 * ENABLED and of the kind the `compute` setting says (FARGATE/FARGATE_SPOT for fargate, EC2/SPOT
 * otherwise), since job definitions are compiled for that kind.
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_DescribeJobQueues.html
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_DescribeComputeEnvironments.html
 */
import {
  type ComputeEnvironmentDetail,
  DescribeComputeEnvironmentsCommand,
  DescribeJobQueuesCommand,
  type JobQueueDetail,
} from "@aws-sdk/client-batch";
import { computeKind, foreignQueueRegion, type PartialAwsSettings } from "../../deploy/aws-settings.js";
import { lookupFailed } from "./aws-problem.js";
import {
  type CheckResult,
  fail,
  ok,
  requireSetting,
  settingRemedy,
  settingWords,
  skip,
} from "./check-result.js";
import { isInvalid } from "./check-setting-values.js";
import type { DoctorClients } from "./doctor-clients.js";

const QUEUE = "job-queue";
const ENVIRONMENTS = "compute-environments";

/** The compute resource types each `compute` setting runs on. */
const RESOURCE_TYPES = { fargate: ["FARGATE", "FARGATE_SPOT"], ec2: ["EC2", "SPOT"] } as const;

/** The queue's line, and the queue for the environments' check when it is usable. */
async function checkQueue(
  clients: DoctorClients,
  name: string,
): Promise<{ result: CheckResult; queue?: JobQueueDetail }> {
  const subject = `job queue ${name}`;
  let queue: JobQueueDetail | undefined;
  try {
    const answer = await clients.batch.send(new DescribeJobQueuesCommand({ jobQueues: [name] }));
    queue = answer.jobQueues?.[0];
  } catch (error) {
    return {
      result: lookupFailed(QUEUE, subject, "batch:DescribeJobQueues", error, settingWords("jobQueue")),
    };
  }
  if (!queue) {
    return {
      result: fail(
        QUEUE,
        subject,
        "does not exist in this region",
        `create it ('flowship aws stack deploy' makes one), or ${settingRemedy("jobQueue")}`,
      ),
    };
  }
  const problems: string[] = [];
  if (queue.status !== "VALID")
    problems.push(`is ${queue.status}${queue.statusReason ? ` (${queue.statusReason})` : ""}`);
  if (queue.state !== "ENABLED") problems.push(`is ${queue.state}: it takes no jobs`);
  if (problems.length > 0) {
    const remedy =
      queue.state !== "ENABLED"
        ? `aws batch update-job-queue --job-queue ${name} --state ENABLED`
        : "fix what the reason says (see https://docs.aws.amazon.com/batch/latest/userguide/troubleshooting.html), then check again";
    return { result: fail(QUEUE, subject, problems.join(", "), remedy), queue };
  }
  return { result: ok(QUEUE, subject, "VALID and ENABLED"), queue };
}

/** What is wrong with one environment, or nothing. */
function environmentProblem(
  environment: ComputeEnvironmentDetail,
  expected: readonly string[],
): string | undefined {
  const name = environment.computeEnvironmentName;
  const type = environment.computeResources?.type ?? "unmanaged EC2";
  const problems: string[] = [];
  if (environment.status !== "VALID") {
    problems.push(`${environment.status}${environment.statusReason ? ` (${environment.statusReason})` : ""}`);
  }
  if (environment.state !== "ENABLED") problems.push(environment.state ?? "not ENABLED");
  if (!expected.includes(environment.computeResources?.type ?? "EC2"))
    problems.push(`${type}, not ${expected.join(" or ")}`);
  return problems.length > 0 ? `${name} is ${problems.join(", ")}` : undefined;
}

function environmentsRemedy(
  environments: ComputeEnvironmentDetail[],
  expected: readonly string[],
  settings: PartialAwsSettings,
): string {
  const fixes: string[] = [];
  for (const environment of environments) {
    const name = environment.computeEnvironmentName;
    if (environment.state !== "ENABLED")
      fixes.push(`aws batch update-compute-environment --compute-environment ${name} --state ENABLED`);
    if (environment.status !== "VALID") {
      fixes.push(
        `repair ${name} as its reason says (https://docs.aws.amazon.com/batch/latest/userguide/invalid_compute_environment.html)`,
      );
    }
  }
  if (environments.some((e) => !expected.includes(e.computeResources?.type ?? "EC2"))) {
    const other = computeKind(settings) === "fargate" ? "ec2" : "fargate";
    fixes.push(
      `use a job queue whose environments are ${expected.join("/")}: ${settingRemedy("jobQueue", "QUEUE")}; or ${settingRemedy("compute", other)}`,
    );
  }
  return fixes.join("; ");
}

async function checkEnvironments(
  clients: DoctorClients,
  queue: JobQueueDetail,
  settings: PartialAwsSettings,
): Promise<CheckResult> {
  const kind = computeKind(settings);
  const expected = RESOURCE_TYPES[kind];
  const subject = `compute environments of ${queue.jobQueueName}`;
  const order = (queue.computeEnvironmentOrder ?? []).map((e) => e.computeEnvironment!).filter(Boolean);
  if (order.length === 0) {
    return fail(
      ENVIRONMENTS,
      subject,
      "the queue has no compute environment: its jobs would never start",
      `aws batch update-job-queue --job-queue ${queue.jobQueueName} --compute-environment-order order=1,computeEnvironment=NAME`,
    );
  }
  let environments: ComputeEnvironmentDetail[];
  try {
    const answer = await clients.batch.send(
      new DescribeComputeEnvironmentsCommand({ computeEnvironments: order }),
    );
    environments = answer.computeEnvironments ?? [];
  } catch (error) {
    return lookupFailed(
      ENVIRONMENTS,
      subject,
      "batch:DescribeComputeEnvironments",
      error,
      `the compute environments of job queue ${queue.jobQueueName} (${settingWords("jobQueue")})`,
    );
  }
  const found = new Set(environments.flatMap((e) => [e.computeEnvironmentArn, e.computeEnvironmentName]));
  const missing = order.filter((e) => !found.has(e));
  const problems = [
    ...missing.map((e) => `${e} does not exist`),
    ...environments.flatMap((e) => environmentProblem(e, expected) ?? []),
  ];
  if (problems.length > 0) {
    const broken = environments.filter((e) => environmentProblem(e, expected) !== undefined);
    const remedy = [
      ...(missing.length > 0
        ? [
            `point the queue at existing environments (aws batch update-job-queue --job-queue ${queue.jobQueueName} --compute-environment-order …)`,
          ]
        : []),
      environmentsRemedy(broken, expected, settings),
    ]
      .filter(Boolean)
      .join("; ");
    return fail(ENVIRONMENTS, subject, `${problems.join("; ")} (compute is ${kind})`, remedy);
  }
  const kinds = [...new Set(environments.map((e) => e.computeResources?.type ?? "EC2"))].join(", ");
  // The most vCPUs a step's job can ask for and still start (a larger ask waits RUNNABLE for good);
  // unknown when an environment is unmanaged.
  const caps = environments.map((e) => e.computeResources?.maxvCpus);
  const most = caps.every((cap) => cap !== undefined) ? `, at most ${Math.max(...caps)} vCPUs a job` : "";
  return ok(
    ENVIRONMENTS,
    subject,
    `${environments.map((e) => e.computeEnvironmentName).join(", ")}: VALID, ENABLED, ${kinds}${most} (compute is ${kind})`,
  );
}

/** The queue's line and its environments' line. */
export async function checkJobQueue(
  clients: DoctorClients,
  settings: PartialAwsSettings,
): Promise<CheckResult[]> {
  const setting = requireSetting(settings, "jobQueue", QUEUE, "job queue");
  if ("problem" in setting) return [setting.problem];
  const queueRegion = foreignQueueRegion(settings);
  if (queueRegion !== undefined) {
    // What create refuses, said as create says it; no look-up in a region it is not in.
    return [
      fail(
        QUEUE,
        `job queue ${setting.value}`,
        `is a queue of ${queueRegion}, and flows deploy to region ${settings.region}: step-functions create would refuse it`,
        `${settingRemedy("jobQueue")}; or ${settingRemedy("region", queueRegion)}`,
      ),
      skip(ENVIRONMENTS, "compute environments", "not checked: the job queue is in another region"),
    ];
  }
  const { result, queue } = await checkQueue(clients, setting.value);
  if (queue && isInvalid(settings, "compute")) {
    // Which kind the environments should be is what the compute setting says.
    return [
      result,
      skip(
        ENVIRONMENTS,
        "compute environments",
        "not checked: the compute setting is not valid (see its line)",
      ),
    ];
  }
  if (!queue)
    return [
      result,
      skip(ENVIRONMENTS, "compute environments", "not checked: no job queue to read them from"),
    ];
  return [result, await checkEnvironments(clients, queue, settings)];
}
