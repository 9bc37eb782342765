/**
 * The SDK clients the doctor reads the account with. Credentials are never passed: the SDK's
 * default chain finds them (environment, profile, SSO, instance or task role).
 */
import { BatchClient } from "@aws-sdk/client-batch";
import { ECRClient } from "@aws-sdk/client-ecr";
import { IAMClient } from "@aws-sdk/client-iam";
import { S3Client } from "@aws-sdk/client-s3";
import { STSClient } from "@aws-sdk/client-sts";
import { s3Endpoint } from "../../../config.js";

export interface DoctorClients {
  sts: STSClient;
  iam: IAMClient;
  batch: BatchClient;
  /** S3 in a region (a bucket answers in its own region). */
  s3(region: string): S3Client;
  /** ECR in a region (a private image's registry names its region). */
  ecr(region: string): ECRClient;
}

/** Clients for `region`; S3 by path when FLOWSHIP_S3_ENDPOINT names an S3-compatible endpoint. */
export function createDoctorClients(region: string): DoctorClients {
  const endpoint = s3Endpoint();
  const s3 = new Map<string, S3Client>();
  const ecr = new Map<string, ECRClient>();
  return {
    sts: new STSClient({ region }),
    iam: new IAMClient({ region }),
    batch: new BatchClient({ region }),
    s3: (r) => {
      let client = s3.get(r);
      if (!client) {
        client = new S3Client({
          region: r,
          ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
          followRegionRedirects: true,
        });
        s3.set(r, client);
      }
      return client;
    },
    ecr: (r) => {
      let client = ecr.get(r);
      if (!client) {
        client = new ECRClient({ region: r });
        ecr.set(r, client);
      }
      return client;
    },
  };
}
