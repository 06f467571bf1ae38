// Builds the portal against a given stack and serves it with `next start` on a free port.
// Used by the browser tests and the benchmarks.
import { spawn, type ChildProcess } from "node:child_process";
import { join, resolve } from "node:path";
import { freePort, waitForPort } from "../../supabase/local/ports.ts";
import { TRUSTED_CIDRS, type TestStackInfo } from "./stack.ts";

const root = resolve(import.meta.dirname, "..", "..");
const nextBin = join(root, "node_modules", ".bin", "next");
const nextScript = join(root, "node_modules", "next", "dist", "bin", "next");
// As `npm start` runs it (package.json): a larger young generation, so the garbage collector
// runs less often under load (measured in bench/providers-list).
const SERVER_NODE_FLAGS = ["--max-semi-space-size=64"];

export function portalEnv(stack: TestStackInfo, distDir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: "production",
    NEXT_DIST_DIR: distDir,
    CLOUDKEEP_TEST_BUILD: "1",
    NEXT_TELEMETRY_DISABLED: "1",
    NEXT_PUBLIC_SUPABASE_URL: stack.supabaseUrl,
    NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY: stack.publishableKey,
    SUPABASE_SECRET_KEY: stack.secretKey,
    DATABASE_URL: stack.databaseUrl,
    CLOUDKEEP_ENCRYPTION_KEYS: stack.encryptionKeys,
    CLOUDKEEP_TRUSTED_CIDRS: TRUSTED_CIDRS,
    // The TLS fakes (Azure, Google) are signed by the test CA, as the demo's are.
    NODE_EXTRA_CA_CERTS: join(root, "tests", "fakes", "certs", "ca.pem"),
  };
}

function pipeTo(child: ChildProcess, log: NodeJS.WritableStream) {
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
}

export async function startPortal(options: {
  stack: TestStackInfo;
  distDir: string;
  log: NodeJS.WritableStream;
  build?: boolean;
  logPath?: string;
}) {
  const env = portalEnv(options.stack, options.distDir);
  if (options.build !== false) {
    const build = spawn(nextBin, ["build"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    pipeTo(build, options.log);
    const code = await new Promise<number | null>((done) => build.on("exit", done));
    if (code !== 0) throw new Error(`next build exited with ${code}${options.logPath ? `; see ${options.logPath}` : ""}`);
  }
  const port = await freePort();
  const server = spawn(process.execPath, [...SERVER_NODE_FLAGS, nextScript, "start", "--port", String(port), "--hostname", "127.0.0.1"], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  pipeTo(server, options.log);
  await waitForPort(port, 60_000, () => server.exitCode !== null);
  if (server.exitCode !== null) throw new Error(`next start exited early${options.logPath ? `; see ${options.logPath}` : ""}`);
  return {
    url: `http://127.0.0.1:${port}`,
    /** The `next start` process itself (benchmarks count its CPU work). */
    pid: server.pid,
    async stop() {
      if (server.exitCode !== null) return;
      const exited = new Promise((done) => server.once("exit", done));
      server.kill("SIGTERM");
      await exited;
    },
  };
}
