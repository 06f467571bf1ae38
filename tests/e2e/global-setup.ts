// Starts a private stack, builds the portal against it and serves it with `next start`.
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { startPortal } from "../support/portal.ts";
import { startTestStack } from "../support/stack.ts";
import { freePort } from "../../supabase/local/ports.ts";
import { CLOUDKEEP_KEY } from "../fakes/aws.ts";

const root = resolve(import.meta.dirname, "..", "..");

export default async function globalSetup() {
  await mkdir(join(root, "test-results"), { recursive: true });
  const serverLog = join(root, "test-results", "e2e-server.log");
  const log = createWriteStream(serverLog);

  const stack = await startTestStack((line) => log.write(`${line}\n`));
  // Cloudkeep's own AWS identity (for providers connected by role), answered by the AWS fake
  // that tests/e2e/aws-role.spec.ts starts on this port.
  const awsFakePort = await freePort();
  Object.assign(process.env, {
    E2E_AWS_FAKE_PORT: String(awsFakePort),
    AWS_ACCESS_KEY_ID: CLOUDKEEP_KEY.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CLOUDKEEP_KEY.secretAccessKey,
    AWS_ENDPOINT_URL_STS: `http://127.0.0.1:${awsFakePort}`,
    AWS_EC2_METADATA_DISABLED: "true",
    CLOUDKEEP_AWS_PRINCIPAL_ARN: CLOUDKEEP_KEY.arn,
  });
  const portal = await startPortal({
    stack: stack.info,
    // E2E_DIST_DIR lets two builds (say, two people on one machine) not overwrite each other.
    distDir: process.env.E2E_DIST_DIR || ".next-test",
    log,
    logPath: serverLog,
    build: !process.env.E2E_SKIP_BUILD,
  });

  // Workers inherit these; tests read the server log and the database to look for leaks.
  process.env.E2E_BASE_URL = portal.url;
  process.env.E2E_SERVER_LOG = serverLog;
  process.env.E2E_DATABASE_URL = stack.info.databaseUrl;
  process.env.E2E_SUPABASE_URL = stack.info.supabaseUrl;
  process.env.E2E_PUBLISHABLE_KEY = stack.info.publishableKey;
  // For the spec that seeds the demo as `npm run dev` does (it encrypts and creates the demo user).
  process.env.E2E_ENCRYPTION_KEYS = stack.info.encryptionKeys;
  process.env.E2E_SECRET_KEY = stack.info.secretKey;

  return async () => {
    await portal.stop();
    await stack.stop();
    log.end();
  };
}
