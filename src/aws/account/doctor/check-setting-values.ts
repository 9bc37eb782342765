/**
 * Every setting is checked with the rules `step-functions create` applies (AWS_SETTINGS' `valid`,
 * through invalidSettings): a value create would refuse is a ✘ line naming the setting, where it
 * came from and how to fix it. The checks that read a setting's value (region, S3 root, job queue,
 * roles) report their own setting; the others (compute, image, the Fargate and alert settings)
 * are reported here, and the checks that depend on them do not guess from an invalid value.
 */
import {
  AWS_SETTINGS,
  type AwsSettingName,
  invalidSettings,
  type PartialAwsSettings,
  shownSetting,
} from "../../deploy/aws-settings.js";
import { type CheckResult, fail, settingRemedy } from "./check-result.js";

/** The settings whose own check reports an invalid value. */
export const CHECKED_ELSEWHERE: ReadonlySet<AwsSettingName> = new Set([
  "region",
  "s3Root",
  "jobQueue",
  "sfnRole",
  "batchJobRole",
  "executionRole",
  "schedulerRole",
  "eventsRole",
]);

/** Whether a setting is given and create would refuse its value. */
export function isInvalid(settings: PartialAwsSettings, name: AwsSettingName): boolean {
  return invalidSettings({ [name]: settings[name] }).length > 0;
}

/**
 * A ✘ line for each invalid setting among `names` (default: those no other check reports).
 * `fromEnv` names the settings the environment gave, which win over the file.
 */
export function checkSettingValues(
  settings: PartialAwsSettings,
  fromEnv: ReadonlySet<AwsSettingName>,
  names: (name: AwsSettingName) => boolean = (name) => !CHECKED_ELSEWHERE.has(name),
): CheckResult[] {
  return invalidSettings(settings)
    .filter(names)
    .map((name) => {
      const rule = AWS_SETTINGS[name];
      const env = fromEnv.has(name);
      return fail(
        `setting:${name}`,
        `setting ${name}`,
        `'${shownSetting(name, settings[name]!)}'${env ? ` (from ${rule.env})` : ""} is not valid (${rule.label}; e.g. ${rule.example}): step-functions create would refuse it`,
        env
          ? `set ${rule.env} to a valid value, e.g. ${rule.example}, or unset it to use the settings file's`
          : settingRemedy(name),
      );
    });
}
