// `npm run dev`: the whole product on one machine. Starts Postgres (54322), the gateway with
// auth and edge functions (54321) and Next.js (3000); Ctrl-C stops them all. When .env.local
// points at a hosted Supabase project, only Next.js starts.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { generateApiKeys, generateKeyRing, isLocalUrl, readEnvFile, writeEnvFile } from "./env-file.ts";
import { isPortFree } from "./ports.ts";
import { startStack, type Stack } from "./stack.ts";

const root = resolve(import.meta.dirname, "..", "..");
const envPath = join(root, ".env.local");
const DB_PORT = 54322;
const GATEWAY_PORT = 54321;
const APP_PORT = Number(process.env.PORT ?? 3000);

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
  writeEnvFile(envPath, "Written by `npm run dev` for the local stack (like `supabase status -o env`).\nKeep it private: it holds the local secret key and the credential encryption key ring.", values);
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
    console.error("npm run dev starts the development stack; it refuses NODE_ENV=production. Use `npm run build && npm start` with a hosted Supabase project.");
    process.exit(1);
  }
  const env = { ...ensureEnvFile(), ...pickDefined(process.env) };
  const local = isLocalUrl(env.NEXT_PUBLIC_SUPABASE_URL ?? "");
  let stack: Stack | null = null;
  let next: ChildProcess | null = null;
  let stopping = false;

  const shutdown = async (code = 0) => {
    if (stopping) return;
    stopping = true;
    say("stopping…");
    if (next && next.exitCode === null) {
      const exited = new Promise((r) => next!.once("exit", r));
      next.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    }
    await stack?.stop();
    say("stopped");
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  if (local) {
    await assertPortsFree([
      [DB_PORT, "Postgres"],
      [GATEWAY_PORT, "Supabase gateway"],
      [APP_PORT, "Next.js"],
    ]);
    say("starting Postgres, auth and edge functions…");
    try {
      stack = await startStack({
        dataDir: join(root, ".local"),
        dbPort: DB_PORT,
        gatewayPort: GATEWAY_PORT,
        publishableKey: env.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY,
        secretKey: env.SUPABASE_SECRET_KEY,
        functionEnv: { CLOUDKEEP_ENCRYPTION_KEYS: env.CLOUDKEEP_ENCRYPTION_KEYS ?? "" },
        log: (line) => line.includes("[fn:") && console.log(line),
      });
    } catch (error) {
      console.error(`\n${(error as Error).message}\n`);
      return shutdown(1);
    }
    const { applied, skipped } = stack.migrations;
    say(`Postgres      postgresql://127.0.0.1:${DB_PORT}/postgres (${applied.length} migration(s) applied, ${skipped} already there)`);
    say(`Supabase API  ${stack.supabaseUrl}  (/auth/v1, /functions/v1/api)`);
  } else {
    await assertPortsFree([[APP_PORT, "Next.js"]]);
    say(`using hosted Supabase at ${env.NEXT_PUBLIC_SUPABASE_URL}; starting Next.js only`);
  }

  say(`Portal        http://localhost:${APP_PORT}`);
  next = spawn(join(root, "node_modules", ".bin", "next"), ["dev", "--port", String(APP_PORT)], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: "inherit",
  });
  next.on("exit", (code) => void shutdown(code ?? 0));
}

function pickDefined(source: NodeJS.ProcessEnv) {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(source)) if (v !== undefined && /^(NEXT_PUBLIC_SUPABASE_|SUPABASE_|DATABASE_URL|CLOUDKEEP_)/.test(k)) out[k] = v;
  return out;
}

void main();
