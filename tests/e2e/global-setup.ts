// Starts a private stack, builds the portal against it and serves it with `next start`.
import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { freePort, waitForPort } from "../../supabase/local/ports.ts";
import { startTestStack } from "../support/stack.ts";

const root = resolve(import.meta.dirname, "..", "..");
const nextBin = join(root, "node_modules", ".bin", "next");

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, log: NodeJS.WritableStream) {
  return new Promise<void>((done, fail) => {
    const child = spawn(cmd, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.on("exit", (code) => (code === 0 ? done() : fail(new Error(`${cmd} ${args.join(" ")} exited with ${code}; see ${process.env.E2E_SERVER_LOG}`))));
  });
}

export default async function globalSetup() {
  await mkdir(join(root, "test-results"), { recursive: true });
  const serverLog = join(root, "test-results", "e2e-server.log");
  process.env.E2E_SERVER_LOG = serverLog;
  const log = createWriteStream(serverLog);

  const stack = await startTestStack((line) => log.write(`${line}\n`));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_DIST_DIR: ".next-test",
    NEXT_TELEMETRY_DISABLED: "1",
    NEXT_PUBLIC_SUPABASE_URL: stack.info.supabaseUrl,
    NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY: stack.info.publishableKey,
    SUPABASE_SECRET_KEY: stack.info.secretKey,
    DATABASE_URL: stack.info.databaseUrl,
    CLOUDKEEP_ENCRYPTION_KEYS: stack.info.encryptionKeys,
  };

  if (!process.env.E2E_SKIP_BUILD) await run(nextBin, ["build"], env, log);
  const port = await freePort();
  const server = spawn(nextBin, ["start", "--port", String(port), "--hostname", "127.0.0.1"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  server.stdout.pipe(log, { end: false });
  server.stderr.pipe(log, { end: false });
  await waitForPort(port, 60_000, () => server.exitCode !== null);
  if (server.exitCode !== null) throw new Error(`next start exited early; see ${serverLog}`);

  process.env.E2E_BASE_URL = `http://127.0.0.1:${port}`;
  process.env.E2E_DATABASE_URL = stack.info.databaseUrl;
  process.env.E2E_SUPABASE_URL = stack.info.supabaseUrl;
  process.env.E2E_PUBLISHABLE_KEY = stack.info.publishableKey;

  return async () => {
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
    await stack.stop();
    log.end();
  };
}
