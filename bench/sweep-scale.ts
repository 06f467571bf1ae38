// Benchmark for sweeps at scale (issue 5 §7): 20,000 providers across 2,000 organizations, 4
// sweepers in their own processes at once, clouds (DigitalOcean fakes, one per organization)
// answering in 100 ms. Prints providers checked per second against the ideal
// (sweepers × concurrency / 0.1 s) and the duplicate checks, read from the history (target 0).
// Run: npx tsx bench/sweep-scale.ts [--providers 20000] [--organizations 2000] [--sweepers 4] [--concurrency 25] [--delay 100]
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import type postgres from "postgres";
import type { SweepResult } from "../supabase/functions/_shared/domain/health-sweep.ts";
import { arg, checksSince, load, log, makeAllDue, runSweepBench, seconds, type Fleet } from "./sweep-support.ts";

const PROVIDERS = arg("providers", 20_000);
const ORGANIZATIONS = arg("organizations", 2_000);
const SWEEPERS = arg("sweepers", 4);
const CONCURRENCY = arg("concurrency", 25);
const DELAY_MS = arg("delay", 100);

type Worker = { child: ChildProcess; next(): Promise<string> };

/** Starts one sweeper process; it answers "ready" once connected and warm, then one result line per "go". */
async function startWorker(id: string, env: NodeJS.ProcessEnv): Promise<Worker> {
  const child = spawn(process.execPath, [...process.execArgv, resolve(import.meta.dirname, "sweep-worker.ts"), id, String(CONCURRENCY)], {
    env,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`sweeper ${id} exited early`);
    return value as string;
  };
  const first = await next();
  if (first !== "ready") throw new Error(`sweeper ${id} said ${first}`);
  return { child, next };
}

/** Every sweeper sweeps once, all at the same moment; answers the figures read back from the history. */
async function round(sql: postgres.Sql, fleet: Fleet, workers: Worker[], title: string) {
  await makeAllDue(sql);
  const calls = fleet.requests();
  const since = new Date();
  const started = performance.now();
  for (const w of workers) w.child.stdin!.write("go\n");
  const results = await Promise.all(workers.map(async (w) => JSON.parse(await w.next()) as SweepResult));
  const wall = performance.now() - started;

  const checks = await checksSince(sql, since);
  const rate = checks.checks / (wall / 1000);
  const ideal = (SWEEPERS * CONCURRENCY * 1000) / DELAY_MS;
  log(`\n${title}`);
  log("  sweeper     claimed  checked  failed  errors  wall");
  for (const r of results) {
    const ms = new Date(r.finishedAt).getTime() - new Date(r.startedAt).getTime();
    log(
      `  ${r.sweeperId.padEnd(10)}  ${String(r.claimed).padStart(7)}  ${String(r.checked).padStart(7)}  ${String(r.failed).padStart(6)}  ${String(r.errors).padStart(6)}  ${seconds(ms)}`,
    );
  }
  log(
    `  wall time            ${seconds(wall)} for ${checks.checks.toLocaleString()} checks of ${checks.providers.toLocaleString()} providers (cloud calls: ${(fleet.requests() - calls).toLocaleString()})`,
  );
  log(`  mean check           ${Math.round(checks.latency)} ms (the cloud call as the adapter timed it)`);
  log(`  checked per second   ${Math.round(rate).toLocaleString()} /s`);
  log(`  ideal                ${Math.round(ideal).toLocaleString()} /s (${SWEEPERS} × ${CONCURRENCY} in flight / ${DELAY_MS / 1000} s)`);
  log(`  ratio                ${(rate / ideal).toFixed(2)} of ideal`);
  log(`  duplicate checks     ${checks.duplicates} (target 0)`);
  log(`  load average         ${load()}`);
}

log(
  `Sweep scale: ${PROVIDERS.toLocaleString()} providers in ${ORGANIZATIONS.toLocaleString()} organizations, ${SWEEPERS} sweepers × concurrency ${CONCURRENCY}, ` +
    `fakes answering in ${DELAY_MS} ms (load average ${load()})`,
);
runSweepBench({ organizations: ORGANIZATIONS, providers: PROVIDERS, delayMs: DELAY_MS }, async ({ sql, fleet, info }) => {
  const env = { ...process.env, DATABASE_URL: info.databaseUrl, CLOUDKEEP_ENCRYPTION_KEYS: info.encryptionKeys };
  const workers = await Promise.all(Array.from({ length: SWEEPERS }, (_, i) => startWorker(`sweeper-${i + 1}`, env)));
  try {
    await round(sql, fleet, workers, "Round 1: first checks (every provider turns pending → healthy)");
    await round(sql, fleet, workers, "Round 2: steady state (every provider stays healthy)");
  } finally {
    for (const w of workers) w.child.stdin!.end();
  }
});
