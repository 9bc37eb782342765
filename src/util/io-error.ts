/**
 * File-system errors a user's machine causes (a full disk, a read-only mount, a permission) as
 * one-line errors that say what could not be done and why, instead of a raw Node.js stack and
 * "Internal error". Anything else is left to propagate as it is.
 */
import { FlowshipError } from "../errors.js";

const WORDS: Record<string, string> = {
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EROFS: "the file system is read-only",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EIO: "input/output error",
  EMFILE: "too many open files",
  ENFILE: "too many open files in the system",
  ENOTDIR: "a part of the path is a file, not a folder",
  EISDIR: "it is a folder, not a file",
  ENAMETOOLONG: "the name is too long",
};

export class FileSystemError extends FlowshipError {}

/** The error's code when the machine, not flowship, is the cause. */
export function machineErrorCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" && code in WORDS ? code : undefined;
}

/** Why the machine refused, in words (`no space left on the device (ENOSPC)`), or undefined when it was not the machine. */
export function machineReason(error: unknown): string | undefined {
  const code = machineErrorCode(error);
  return code === undefined ? undefined : `${WORDS[code]} (${code})`;
}

/**
 * `error` as a FileSystemError saying `Cannot <action> '<path>': <why> (<code>).` when the
 * machine caused it; otherwise `error` itself.
 */
export function explainIoError(error: unknown, action: string, target: string): unknown {
  const code = machineErrorCode(error);
  if (code === undefined) return error;
  return new FileSystemError("FS_IO", `Cannot ${action} '${target}': ${WORDS[code]} (${code}).`, {
    cause: error,
  });
}

/** Runs `work`, turning a machine-caused file-system error into a one-line FileSystemError. */
export function withIoErrors<T>(action: string, target: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw explainIoError(error, action, target);
  }
}
