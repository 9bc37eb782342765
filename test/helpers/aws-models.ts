/**
 * AWS's own API models as a check on what flowship sends: every request a FakeAws recorded is
 * validated by botocore (the AWS SDK for Python, whose service JSON models AWS publishes) in the
 * venv that scripts/test-setup.sh creates — required members, types, lengths, ranges, enums and
 * patterns. See validate_aws_requests.py.
 */
import path from "node:path";
import type { FakeAws } from "./aws-mocks.js";
import { REPO, runCommand } from "./cli.js";

/** The venv scripts/test-setup.sh makes; botocore is pinned there. */
export const MODELS_PYTHON = path.join(REPO, "node_modules/.cache/flowship-test-venv/bin/python");

export interface RecordedRequest {
  service: "sfn" | "batch" | "scheduler" | "events";
  operation: string;
  input: unknown;
}

/** Every request the fake's SDK clients were sent, in order per service. */
export function recordedRequests(aws: FakeAws): RecordedRequest[] {
  const services = { sfn: aws.sfn, batch: aws.batch, scheduler: aws.scheduler, events: aws.events } as const;
  return Object.entries(services).flatMap(([service, mock]) =>
    mock.calls().map((call) => {
      const command = call.args[0] as { constructor: { name: string }; input: unknown };
      return {
        service: service as RecordedRequest["service"],
        operation: command.constructor.name.replace(/Command$/, ""),
        input: command.input,
      };
    }),
  );
}

export interface ModelReport {
  findings: string[];
  /** Patterns botocore's model has that Python's re cannot read (reported, never silently passed). */
  skipped: string[];
  checked: number;
}

/** Validates requests against botocore's models. */
export async function validateAgainstModels(requests: readonly RecordedRequest[]): Promise<ModelReport> {
  const result = await runCommand(MODELS_PYTHON, [path.join(REPO, "test/helpers/validate_aws_requests.py")], {
    input: JSON.stringify(requests),
  });
  if (result.code !== 0) throw new Error(`validator failed:\n${result.stderr}`);
  return JSON.parse(result.stdout) as ModelReport;
}
