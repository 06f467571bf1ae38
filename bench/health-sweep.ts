// Benchmark for one health sweep (issue 4 §9): 1,000 providers whose clouds (DigitalOcean fakes,
// one per organization) answer after 200 ms. For each concurrency, one sweep checks them all;
// prints its wall time against the ideal 1,000 × 0.2 s / concurrency (target ≤ 1.25×) and the
// duplicate checks (0).
// Run: npx tsx bench/health-sweep.ts [--providers 1000] [--delay 200] [--organizations 100] [--concurrency 10,25,50]
import { runSweep } from "../supabase/functions/_shared/domain/health-sweep.ts";
import { arg, checksSince, load, log, makeAllDue, numbers, runSweepBench, seconds } from "./sweep-support.ts";

const PROVIDERS = arg("providers", 1_000);
const DELAY_MS = arg("delay", 200);
const ORGANIZATIONS = arg("organizations", 100);
const CONCURRENCIES = numbers("concurrency", [10, 25, 50]);

log(
  `Health sweep: ${PROVIDERS.toLocaleString()} providers in ${ORGANIZATIONS} organizations, fakes answering in ${DELAY_MS} ms (load average ${load()})`,
);
runSweepBench({ organizations: ORGANIZATIONS, providers: PROVIDERS, delayMs: DELAY_MS }, async ({ sql, ring, fleet }) => {
  // Warm-up, not measured: one full round loads the adapter, primes connections and lets the JIT settle.
  await runSweep({ sql, ring, trustedCidrs: ["127.0.0.1/32"], sweeperId: "warm-up", concurrency: Math.max(...CONCURRENCIES) });

  log("\n  concurrency   wall      ideal     ratio   checked  failed  errors  duplicates  mean check  node CPU (sweeper + fakes)  load");
  for (const concurrency of CONCURRENCIES) {
    await makeAllDue(sql);
    const since = new Date();
    const before = fleet.requests();
    const cpu = process.cpuUsage();
    const started = performance.now();
    const result = await runSweep({ sql, ring, trustedCidrs: ["127.0.0.1/32"], sweeperId: `bench-${concurrency}`, concurrency });
    const wall = performance.now() - started;
    const { user, system } = process.cpuUsage(cpu);
    const ideal = (PROVIDERS * DELAY_MS) / concurrency;
    const checks = await checksSince(sql, since);
    log(
      `  ${String(concurrency).padStart(11)}   ${seconds(wall).padEnd(8)}  ${seconds(ideal).padEnd(8)}  ${(wall / ideal).toFixed(2).padStart(5)}×  ` +
        `${String(result.checked).padStart(7)}  ${String(result.failed).padStart(6)}  ${String(result.errors).padStart(6)}  ` +
        `${String(checks.duplicates).padStart(10)}  ${`${Math.round(checks.latency)} ms`.padStart(10)}  ${seconds((user + system) / 1000).padStart(26)}  ${load()}`,
    );
    if (checks.providers !== PROVIDERS || fleet.requests() - before !== PROVIDERS) {
      log(
        `  !! expected ${PROVIDERS} providers checked once each; saw ${checks.providers} providers, ${fleet.requests() - before} cloud calls`,
      );
    }
  }
  log("\n  target: wall ≤ 1.25 × ideal (ideal = providers × delay / concurrency); duplicates 0");
});
