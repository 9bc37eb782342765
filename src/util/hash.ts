import { createHash } from "node:crypto";

export const HASH_ALGORITHM = "sha256";

export function sha256(data: string | NodeJS.ArrayBufferView): string {
  return createHash(HASH_ALGORITHM).update(data).digest("hex");
}
