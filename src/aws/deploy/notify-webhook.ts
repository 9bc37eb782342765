/**
 * Webhook alerts (`step-functions create --notify-on-error --notify-webhook-url URL`): EventBridge
 * calls an HTTPS endpoint through an API destination, whose connection holds the header it
 * authenticates with. EventBridge keeps that header in Secrets Manager; the URL lives only in the
 * API destination. Neither is ever written into a definition, tag, description or message of
 * flowship: messages show the URL's origin, and AWS errors are scrubbed of both before they are
 * shown, since a refused value is often quoted back.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-api-destinations.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-target-connection.html
 */
import { FlowshipError } from "../../errors.js";
import { redactUrl } from "./aws-settings.js";
import { DESCRIPTION_LIMITS, fitDescription } from "./descriptions.js";
import { AwsCallError } from "./errors.js";
import type { EventsDeployClient } from "./events-client.js";
import { type DeployTarget, notifyRuleName } from "./resource-names.js";

export interface WebhookChoice {
  url: string;
  /** The header sent with each call, when the endpoint wants one (from FLOWSHIP_AWS_NOTIFY_WEBHOOK_AUTH). */
  auth?: { header: string; value: string };
}

/** The id of the notify rule's webhook target. */
export const WEBHOOK_TARGET_ID = "flowship-notify-webhook";

/**
 * A connection must authorize somehow; a webhook whose secret is its URL (Slack's) gets this
 * header, which tells the receiver who calls and is no secret.
 */
const PLAIN_HEADER = { header: "X-Flowship-Alert", value: "flowship" };

/** At most this many calls per second to the webhook: alerts are rare, a storm of failures is not. */
const RATE_PER_SECOND = 5;

/**
 * Parses FLOWSHIP_AWS_NOTIFY_WEBHOOK_AUTH, "Name: value". The error never repeats the value.
 * Header names as EventBridge's ApiKeyName accepts them: no control characters and no colon;
 * values of one line.
 */
export function parseWebhookAuth(text: string): { header: string; value: string } {
  const colon = text.indexOf(":");
  const header = colon > 0 ? text.slice(0, colon).trim() : "";
  const value = colon > 0 ? text.slice(colon + 1).trim() : "";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (header === "" || value === "" || !/^[^\x00-\x1F\x7F:\s]+$/.test(header)) {
    throw new FlowshipError(
      "FS_AWS_SETTINGS",
      "FLOWSHIP_AWS_NOTIFY_WEBHOOK_AUTH must be 'Header-Name: value', e.g. 'Authorization: Bearer <token>' (its value is not shown here).",
      { exitCode: 2 },
    );
  }
  // A line break in the value would end the header and start another on the wire (header
  // injection); other control characters no HTTP header may carry either. A tab may.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\x00-\x08\x0A-\x1F\x7F]/.test(value)) {
    throw new FlowshipError(
      "FS_AWS_SETTINGS",
      "FLOWSHIP_AWS_NOTIFY_WEBHOOK_AUTH has a line break or another control character in its value, which no HTTP header may carry: give one line, 'Header-Name: value' (its value is not shown here).",
      { exitCode: 2 },
    );
  }
  return { header, value };
}

/** Runs AWS calls whose errors could quote a secret back, and shows their errors without it. */
async function scrubbed<T>(secrets: readonly string[], call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    let message = error.message;
    for (const secret of secrets) if (secret) message = message.split(secret).join("[hidden]");
    // A new error without `cause`: --debug prints causes, and the SDK's error holds the request.
    throw new FlowshipError("FS_AWS_CALL", message);
  }
}

export interface ApplyWebhookOptions {
  events: EventsDeployClient;
  target: DeployTarget;
  choice: WebhookChoice;
  /** Waits between looks at a new connection's state. @default a 1 s timer */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Creates or updates the connection and the API destination of the alerts; returns the API
 * destination's ARN, the target of the notify rule.
 */
export async function applyWebhook(options: ApplyWebhookOptions): Promise<string> {
  const { events, target, choice } = options;
  const name = notifyRuleName(target.name);
  const auth = choice.auth ?? PLAIN_HEADER;
  const secrets = [choice.url, ...(choice.auth ? [choice.auth.value] : [])];
  const description = fitDescription(
    `flowship: alerts of flow ${target.flow} (state machine ${target.name})`,
    DESCRIPTION_LIMITS.eventRule,
  );
  return scrubbed(secrets, async () => {
    const connectionArn = await events.putConnection({
      Name: name,
      Description: description,
      AuthorizationType: "API_KEY",
      AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: auth.header, ApiKeyValue: auth.value } },
    });
    await waitAuthorized(events, name, options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))));
    return events.putApiDestination({
      Name: name,
      Description: description,
      ConnectionArn: connectionArn,
      InvocationEndpoint: choice.url,
      HttpMethod: "POST",
      InvocationRateLimitPerSecond: RATE_PER_SECOND,
    });
  });
}

/**
 * A new connection is CREATING, then AUTHORIZED once EventBridge has stored its secret (seconds
 * for an API key). Waits up to 30 s; a connection that cannot authorize is an error with AWS's reason.
 */
async function waitAuthorized(
  events: EventsDeployClient,
  name: string,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  for (let look = 0; look < 30; look++) {
    const { state, reason } = await events.connectionState(name);
    if (state === "AUTHORIZED") return;
    if (state === "DEAUTHORIZED" || state === "DEAUTHORIZING") {
      throw new FlowshipError(
        "FS_AWS_CALL",
        `EventBridge connection ${name} is ${state}${reason ? `: ${reason}` : ""}. Check the header in FLOWSHIP_AWS_NOTIFY_WEBHOOK_AUTH and deploy again.`,
      );
    }
    await sleep(1000);
  }
  throw new FlowshipError(
    "FS_AWS_CALL",
    `EventBridge connection ${name} was not authorized within 30 s; deploy again in a minute.`,
  );
}

/**
 * Deletes the API destination and the connection; false when there were none. Every deploy without
 * a webhook calls this; a deployer whose policy predates webhook alerts (no events:DeleteApiDestination)
 * cannot have created one, so being refused means there is nothing to remove, not a failed deploy.
 */
export async function removeWebhook(events: EventsDeployClient, target: DeployTarget): Promise<boolean> {
  const name = notifyRuleName(target.name);
  try {
    const destination = await events.deleteApiDestination(name);
    const connection = await events.deleteConnection(name);
    return destination || connection;
  } catch (error) {
    if (error instanceof AwsCallError && /AccessDenied/.test(error.awsError)) return false;
    throw error;
  }
}

/** The webhook as messages show it: its origin only. */
export function shownWebhook(choice: WebhookChoice): string {
  return `${redactUrl(choice.url)} (webhook)`;
}
