/**
 * Builds the one S3Client an S3 datastore uses. Everything that makes S3-compatible stores work
 * and transient failures survivable is decided here.
 */
import { S3Client } from "@aws-sdk/client-s3";

/** How to reach S3. */
export interface S3ClientSettings {
  /** An S3-compatible endpoint (MinIO, s3rver); switches to path-style addressing. */
  endpoint?: string;
  /** @default the SDK's region chain (AWS_REGION, the shared config file), else us-east-1 */
  region?: string;
  /** Attempts per request, the first included. */
  maxAttempts: number;
}

/** Used when neither the options nor the SDK's region chain name a region. */
export const FALLBACK_REGION = "us-east-1";

let sdkRegion: Promise<string> | undefined;

/** The region the SDK's own chain finds, or the fallback; resolved once per process. */
function defaultRegion(): Promise<string> {
  sdkRegion ??= (async () => {
    const probe = new S3Client({});
    try {
      return await probe.config.region();
    } catch {
      return FALLBACK_REGION;
    } finally {
      probe.destroy();
    }
  })();
  return sdkRegion;
}

/**
 * Credentials are never passed here: the SDK's default provider chain finds them (environment,
 * shared files, SSO, container and instance roles), so no secret passes through flowship.
 */
export function createS3Client(settings: S3ClientSettings): S3Client {
  return new S3Client({
    region: settings.region ?? defaultRegion,
    // Custom endpoints rarely have wildcard DNS for virtual-hosted buckets.
    ...(settings.endpoint ? { endpoint: settings.endpoint, forcePathStyle: true } : {}),
    // A bucket in another region answers 301; let the SDK follow it instead of failing.
    followRegionRedirects: true,
    // The SDK's standard strategy retries throttling (503 SlowDown, 429), 5xx and connection
    // errors with exponential backoff and full jitter.
    maxAttempts: settings.maxAttempts,
    // SDK v3 otherwise adds CRC32 checksums that many S3-compatible stores reject.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    requestHandler: {
      connectionTimeout: 10_000,
      // Idle time on an open socket; a hung store becomes a retryable timeout, not a hang.
      requestTimeout: 120_000,
    },
  });
}
