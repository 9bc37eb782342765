/**
 * Which events an EventBridge rule matches, as moto's own matcher decides (an implementation
 * nobody here wrote): a rule of the test's own with the pattern under test sends what it matches,
 * untransformed, to a CloudWatch Logs group, read back with moto's Logs API. A test then puts
 * events on the bus and reads what was caught.
 */
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { MOTO_ACCOUNT, type Moto } from "./moto.js";
import { sdkClients } from "./moto-account.js";

/** A CloudWatch Logs call to moto (JSON protocol; the project has no Logs SDK client, moto checks no signature). */
export async function logsCall(moto: Moto, operation: string, body: object): Promise<any> {
  const response = await fetch(moto.directEndpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": `Logs_20140328.${operation}`,
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${moto.region}/logs/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  // An error (a group that does not exist yet) reads as nothing there.
  return response.ok && text ? JSON.parse(text) : {};
}

export interface EventCatcher {
  /** Every event the pattern matched so far, as EventBridge delivers it. */
  caught(): Promise<Array<Record<string, any>>>;
}

/** A rule `name` with `pattern` on the default bus whose matches can be read back. */
export async function catchEvents(moto: Moto, name: string, pattern: string): Promise<EventCatcher> {
  const group = `/flowship-test/${name}`;
  await logsCall(moto, "CreateLogGroup", { logGroupName: group });
  const { events } = sdkClients(moto);
  await events.send(new PutRuleCommand({ Name: name, EventPattern: pattern, State: "ENABLED" }));
  await events.send(
    new PutTargetsCommand({
      Rule: name,
      Targets: [{ Id: "caught", Arn: `arn:aws:logs:${moto.region}:${MOTO_ACCOUNT}:log-group:${group}` }],
    }),
  );
  return {
    async caught() {
      const { logStreams = [] } = await logsCall(moto, "DescribeLogStreams", { logGroupName: group });
      const found: Array<Record<string, any>> = [];
      for (const { logStreamName } of logStreams) {
        const { events: lines = [] } = await logsCall(moto, "GetLogEvents", {
          logGroupName: group,
          logStreamName,
        });
        for (const line of lines) found.push(JSON.parse(line.message));
      }
      return found;
    },
  };
}

/** Puts events on the default bus: `detail` objects with their source and detail-type. */
export async function putEvents(
  moto: Moto,
  entries: ReadonlyArray<{ source: string; detailType: string; detail: object }>,
): Promise<void> {
  await sdkClients(moto).events.send(
    new PutEventsCommand({
      Entries: entries.map((e) => ({
        Source: e.source,
        DetailType: e.detailType,
        Detail: JSON.stringify(e.detail),
      })),
    }),
  );
}
