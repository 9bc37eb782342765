/**
 * One line of `flowship aws doctor`: what a check looked at, what it found and, when something
 * is wrong, what fixes it (a command to run or the setting to change).
 */
import { AWS_SETTINGS, type AwsSettingName } from "../../deploy/aws-settings.js";

/** ok ✔, fail ✘ (the doctor exits 1), warn ! (worth a look, not a failure), skip (not checked). */
export const CHECK_STATUSES = ["ok", "fail", "warn", "skip"] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

export interface CheckResult {
  /**
   * Stable name of the check: `credentials`, `s3-root`, `job-queue`, `compute-environments`,
   * `role:<setting>` (e.g. `role:sfnRole`), `permissions:deployer`, `permissions:<setting>`, `image`.
   */
  id: string;
  /** What was checked, e.g. `S3 root s3://my-bucket/flowship`. */
  subject: string;
  status: CheckStatus;
  /** What the check found. */
  found: string;
  /** What fixes it; given with every failure and with warnings that have a fix. */
  remedy?: string;
}

export const ok = (id: string, subject: string, found: string): CheckResult => ({
  id,
  subject,
  status: "ok",
  found,
});

export const fail = (id: string, subject: string, found: string, remedy: string): CheckResult => ({
  id,
  subject,
  status: "fail",
  found,
  remedy,
});

export const warn = (id: string, subject: string, found: string, remedy?: string): CheckResult => ({
  id,
  subject,
  status: "warn",
  found,
  ...(remedy ? { remedy } : {}),
});

export const skip = (id: string, subject: string, found: string): CheckResult => ({
  id,
  subject,
  status: "skip",
  found,
});

/** How to set a setting: the `configure aws` flag with an example, or its variable. */
export function settingRemedy(name: AwsSettingName, value: string = AWS_SETTINGS[name].example): string {
  const rule = AWS_SETTINGS[name];
  return `flowship configure aws ${rule.flag} ${value} (or set ${rule.env})`;
}

/** A setting in words for a remedy: `the setting jobQueue (--job-queue, FLOWSHIP_AWS_JOB_QUEUE)`. */
export function settingWords(name: AwsSettingName): string {
  const rule = AWS_SETTINGS[name];
  return `the setting ${name} (flowship configure aws ${rule.flag}, or ${rule.env})`;
}

/**
 * A setting a check needs: its value, or the failure to report (missing, or not well formed).
 */
export function requireSetting(
  settings: Partial<Record<AwsSettingName, string>>,
  name: AwsSettingName,
  id: string,
  subject: string,
): { value: string } | { problem: CheckResult } {
  const value = settings[name];
  const rule = AWS_SETTINGS[name];
  if (value === undefined || value === "") {
    return { problem: fail(id, subject, `no ${rule.label} is configured`, settingRemedy(name)) };
  }
  if (!rule.valid(value)) {
    return {
      problem: fail(
        id,
        subject,
        `'${value}' is not a valid ${rule.label} (e.g. ${rule.example})`,
        settingRemedy(name),
      ),
    };
  }
  return { value };
}
