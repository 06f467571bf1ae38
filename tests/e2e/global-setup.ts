// Starts a private stack, builds the portal against it and serves it with `next start`.
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { startPortal } from "../support/portal.ts";
import { startTestStack } from "../support/stack.ts";

const root = resolve(import.meta.dirname, "..", "..");

export default async function globalSetup() {
  await mkdir(join(root, "test-results"), { recursive: true });
  const serverLog = join(root, "test-results", "e2e-server.log");
  const log = createWriteStream(serverLog);

  const stack = await startTestStack((line) => log.write(`${line}\n`));
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

  return async () => {
    await portal.stop();
    await stack.stop();
    log.end();
  };
}
