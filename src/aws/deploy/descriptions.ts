/**
 * The descriptions flowship writes on AWS resources carry names (flows, users, upstream flows)
 * whose lengths add up; each is cut to what its API accepts, so no deploy fails on prose.
 */

/** Maximum lengths, from the API references of each field. */
export const DESCRIPTION_LIMITS = {
  /** @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_PublishStateMachineVersion.html */
  stateMachineVersion: 256,
  /** @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_UpdateStateMachineAlias.html */
  stateMachineAlias: 256,
  /** @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html */
  eventRule: 512,
  /** @see https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html */
  schedule: 512,
} as const;

/** `text`, or its start and "..." when it is longer than `max`. */
export function fitDescription(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}
