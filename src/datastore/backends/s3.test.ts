import { randomUUID } from "node:crypto";
import path from "node:path";
import { after, before } from "node:test";
import { tempDir } from "../../../test/helpers/cli.js";
import { type S3TestServer, startS3Server } from "../../../test/helpers/s3-server.js";
import { storageConformance } from "../storage.case.js";
import { S3Storage } from "./s3.js";

const caches = tempDir("flowship-s3-cache-");
let server: S3TestServer;
before(async () => {
  server = await startS3Server();
});
after(() => server.close());

storageConformance(
  "s3 (s3rver)",
  () =>
    new S3Storage({
      root: `s3://${server.bucket}/${randomUUID()}`,
      endpoint: server.endpoint,
      cacheDir: path.join(caches, randomUUID()),
    }),
);
