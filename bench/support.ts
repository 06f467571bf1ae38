// What the connectivity benchmarks share: a private stack with a signed-in owner of an organization
// that allow-lists the fakes on loopback (seeded like the demo, through the domain functions), the
// Deno binary and its flags, and small statistics helpers.
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import postgres from "postgres";
import { parseKeyRing } from "../supabase/functions/_shared/crypto/index.ts";
import { DEMO_USER, seedDemo, type DemoProviderSpec, type SeedReport } from "../supabase/local/demo.ts";
import { startTestStack } from "../tests/support/stack.ts";

export const root = resolve(import.meta.dirname, "..");
export const denoBin = resolve(root, "node_modules", ".bin", "deno");
export const tsxBin = resolve(root, "node_modules", ".bin", "tsx");
export const DENO_CONFIG = ["--config", resolve(root, "supabase", "functions", "deno.json")];
/** The flags the local stack serves functions with (supabase/local/functions.ts). */
export const DENO_FLAGS = ["--allow-net", "--allow-env", "--allow-read", "--allow-sys", ...DENO_CONFIG];

export const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  // Every index is in range when there are values; with none the median stays NaN, as it was.
  const at = (i: number) => sorted[i] ?? Number.NaN;
  return sorted.length % 2 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
};
/** The value `p` per cent of the way up `values` (nearest rank, rounding down); throws when there are none. */
export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  const value = sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  if (value === undefined) throw new Error("A percentile of no values.");
  return value;
};
export const ms = (n: number) => `${Math.round(n)} ms`;
export const log = (line: string) => console.log(line);

export type BenchStack = Awaited<ReturnType<typeof startBenchStack>>;

/**
 * A private stack (own data directory, free ports) whose demo user owns the "demo" organization with
 * `providers` connected, each checked and listed once by the seed.
 */
export async function startBenchStack(providers: DemoProviderSpec[]) {
  const lines: string[] = [];
  const stack = await startTestStack((line) => lines.push(line));
  const sql = postgres(stack.info.databaseUrl, { max: 10, onnotice: () => {} });
  try {
    const report: SeedReport = await seedDemo({
      sql,
      ring: parseKeyRing(stack.info.encryptionKeys),
      supabaseUrl: stack.info.supabaseUrl,
      secretKey: stack.info.secretKey,
      fakes: { providers, failingName: "", stop: async () => {} },
    });
    const token = await signIn(stack.info.supabaseUrl, stack.info.publishableKey);
    return {
      info: stack.info,
      sql,
      report,
      token,
      /** The function's log lines so far (stdout and stderr of `deno serve`). */
      lines,
      async stop() {
        await sql.end({ timeout: 5 });
        await stack.stop();
      },
    };
  } catch (error) {
    await sql.end({ timeout: 5 });
    await stack.stop();
    throw error;
  }
}

async function signIn(supabaseUrl: string, publishableKey: string): Promise<string> {
  const res = await fetch(`${supabaseUrl}/auth/v1/token?grant_type=password`, {
    method: "POST",
    headers: { apikey: publishableKey, "content-type": "application/json" },
    body: JSON.stringify({ email: DEMO_USER.email, password: DEMO_USER.password }),
  });
  if (!res.ok) throw new Error(`sign-in failed: ${res.status}`);
  return (await res.json()).access_token as string;
}

/** Runs a command to its end and answers its stdout (stderr is passed through). */
export function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((done, fail) => {
    const child: ChildProcess = spawn(command, args, { cwd: root, env, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
    child.on("error", fail);
    child.on("exit", (code) => (code === 0 ? done(out) : fail(new Error(`${command} ${args.join(" ")} exited with ${code}`))));
  });
}
