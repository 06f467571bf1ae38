// Benchmark for the api function's cold start (issue 4 §9): a fresh `deno serve` process per
// measurement, timed from spawn to the first response of POST /api/providers/test?org=demo with one
// kind's credentials against its wire-level fake — the route that loads that kind's adapter and makes
// its first call. Targets: ≤ 0.5 s, GCP ≤ 1 s. "warm cache" is Deno's module cache as any second
// start finds it; "cold cache" is one start with an empty DENO_DIR (nothing transpiled yet).
// Then the GCP choice: importing @google-cloud/compute vs the google-auth-library + REST adapter.
// Run: npx tsx bench/cold-start.ts [--runs 5]
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { ProviderType } from "../supabase/functions/_shared/schemas/providers.ts";
import { DEMO_TRUST, startDemoFakes, type DemoProviderSpec } from "../supabase/local/demo.ts";
import { freePort } from "../supabase/local/ports.ts";
import { arg, DENO_FLAGS, denoBin, log, median, ms, root, run, startBenchStack, type BenchStack } from "./support.ts";

const RUNS = arg("runs", 5);
const TARGET_MS: Partial<Record<ProviderType, number>> & { default: number } = { default: 500, gcp: 1000 };
const apiEntry = resolve(root, "supabase", "functions", "api", "index.ts");

type Start = { total: number; listening: number; ok: boolean; detail: string };

function stopProcess(child: ChildProcess) {
  return new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    const force = setTimeout(() => child.kill("SIGKILL"), 2000);
    child.once("exit", () => {
      clearTimeout(force);
      done();
    });
    child.kill("SIGTERM");
  });
}

/** Spawns the api function and sends `spec` to /providers/test as soon as it accepts a connection. */
async function coldStart(stack: BenchStack, spec: DemoProviderSpec, denoDir?: string): Promise<Start> {
  const port = await freePort();
  const env = {
    ...process.env,
    NO_COLOR: "1",
    DENO_NO_UPDATE_CHECK: "1",
    ...(denoDir ? { DENO_DIR: denoDir } : {}),
    SUPABASE_URL: stack.info.supabaseUrl,
    SUPABASE_DB_URL: stack.info.databaseUrl,
    SUPABASE_PUBLISHABLE_KEY: stack.info.publishableKey,
    SUPABASE_SECRET_KEY: stack.info.secretKey,
    CLOUDKEEP_ENCRYPTION_KEYS: stack.info.encryptionKeys,
    // The Azure and GCP fakes speak HTTPS under the test CA, as in demo mode.
    ...DEMO_TRUST.deno,
  };
  const started = performance.now();
  const child = spawn(denoBin, ["serve", "--quiet", "--host", "127.0.0.1", "--port", String(port), ...DENO_FLAGS, apiEntry], {
    cwd: root,
    env,
    stdio: "ignore",
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`deno serve exited with ${child.exitCode}`);
      if (performance.now() - started > 30_000) throw new Error("no answer within 30 s");
      let sent: number;
      try {
        sent = performance.now();
        const res = await fetch(`http://127.0.0.1:${port}/api/providers/test?org=demo`, {
          method: "POST",
          headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" },
          body: JSON.stringify(spec),
        });
        const body = (await res.json()) as { data?: { ok: boolean; error?: { code: string } } };
        const total = performance.now() - started;
        const ok = res.status === 200 && body.data?.ok === true;
        return { total, listening: sent - started, ok, detail: ok ? "" : `${res.status} ${JSON.stringify(body).slice(0, 200)}` };
      } catch (error) {
        // Not listening yet: nothing was sent; try again shortly.
        if ((error as { cause?: { code?: string } }).cause?.code !== "ECONNREFUSED") throw error;
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  } finally {
    await stopProcess(child);
  }
}

async function measureKinds(stack: BenchStack, specs: DemoProviderSpec[]) {
  log(
    `1. Cold start to first response, POST /api/providers/test (${RUNS} fresh processes per kind, warm module cache; one with an empty DENO_DIR)`,
  );
  log(`   ${"kind".padEnd(14)} ${"median".padStart(7)} ${"max".padStart(7)}   listening (median)   cold cache   target`);
  const failures: string[] = [];
  for (const spec of specs) {
    await coldStart(stack, spec); // fills the module cache for this kind's adapter
    const starts: Start[] = [];
    for (let i = 0; i < RUNS; i++) starts.push(await coldStart(stack, spec));
    const denoDir = await mkdtemp(join(tmpdir(), "cloudkeep-deno-dir-"));
    const cold = await coldStart(stack, spec, denoDir).finally(() => rm(denoDir, { recursive: true, force: true }));
    for (const s of [...starts, cold]) if (!s.ok) failures.push(`${spec.provider_type}: ${s.detail}`);
    const totals = starts.map((s) => s.total);
    const target = TARGET_MS[spec.provider_type] ?? TARGET_MS.default;
    const worst = Math.max(...totals);
    log(
      `   ${spec.provider_type.padEnd(14)} ${ms(median(totals)).padStart(7)} ${ms(worst).padStart(7)}   ${ms(median(starts.map((s) => s.listening))).padStart(18)}   ${ms(cold.total).padStart(10)}   ≤ ${target} ms ${worst <= target ? "met (max)" : median(totals) <= target ? "met (median), max over" : "MISSED"}`,
    );
  }
  if (failures.length) log(`   FAILED answers:\n     ${failures.join("\n     ")}`);
}

async function measureGcpImports() {
  log(`\n2. Loading Google Cloud code under Deno, a fresh process each (${RUNS} runs)`);
  for (const [which, label] of [
    ["sdk", "@google-cloud/compute + new InstancesClient()"],
    ["adapter", "google-auth-library + Compute REST (the adapter)"],
  ] as const) {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++)
      times.push((JSON.parse(await run(denoBin, ["run", ...DENO_FLAGS, "bench/gcp-import.ts", which])) as { ms: number }).ms);
    log(`   ${label.padEnd(50)} median ${ms(median(times)).padStart(7)}  max ${ms(Math.max(...times)).padStart(7)}`);
  }
}

async function main() {
  const fakes = await startDemoFakes({ ports: "free" });
  let stack: BenchStack | null = null;
  try {
    stack = await startBenchStack([]);
    const specs = fakes.providers.filter((p) => p.name !== fakes.failingName);
    await measureKinds(stack, specs);
    await measureGcpImports();
  } finally {
    await stack?.stop();
    await fakes.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
