/**
 * Reads every object under an S3 datastore root straight from the bucket, the way
 * scan-datastore.ts reads a local one: records must pass their checksum, blobs and code packages
 * must match the hash in their name.
 */
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { FAST_HASH_FROM, matchesContentName, prepareContentHash } from "../../src/datastore/content-hash.js";
import { decodeRecord } from "../../src/datastore/records.js";
import { isStepFunctionsFile, type ScanResult, stepFunctionsFileProblem } from "./scan-datastore.js";

// Blobs of 64 MiB and more are named by XXH3-128, which must be loaded before a synchronous check.
await prepareContentHash({ sizes: [FAST_HASH_FROM] });

export async function scanS3(options: {
  endpoint: string;
  bucket: string;
  prefix: string;
}): Promise<ScanResult> {
  const client = new S3Client({ endpoint: options.endpoint, forcePathStyle: true, region: "us-east-1" });
  const result: ScanResult = { records: 0, blobs: 0, leftovers: 0, problems: [] };
  try {
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: options.bucket,
          Prefix: `${options.prefix}/`,
          ContinuationToken: token,
        }),
      );
      for (const { Key } of page.Contents ?? []) {
        const response = await client.send(new GetObjectCommand({ Bucket: options.bucket, Key }));
        const bytes = Buffer.from(await response.Body!.transformToByteArray());
        const name = Key!.split("/").at(-1)!;
        const hashed = /^([0-9a-f]{32}|[0-9a-f]{64})(\.tgz)?$/.exec(name);
        if (isStepFunctionsFile(Key!)) {
          const problem = stepFunctionsFileProblem(Key!, bytes);
          if (problem) result.problems.push(problem);
        } else if (name.endsWith(".json") || name === "latest_run") {
          result.records++;
          try {
            decodeRecord(Key!, bytes, options.bucket);
          } catch (error) {
            result.problems.push(`${Key}: ${(error as Error).message}`);
          }
        } else if (hashed) {
          result.blobs++;
          if (!matchesContentName(hashed[1]!, bytes))
            result.problems.push(`${Key}: content does not match its name`);
        }
      }
      token = page.NextContinuationToken;
    } while (token);
  } finally {
    client.destroy();
  }
  return result;
}
