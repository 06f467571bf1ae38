// Benchmark for the AWS inventory (issue 4 §9): 17 regions × 500 instances, the fake answering every
// DescribeInstances page (100 instances, the fake's page limit) after 100 ms. Regions are listed in
// parallel, so a full listing should take about as long as one region's chain of 5 pages (500 ms):
// target ≤ 1.5×. Measured three ways:
//   1. the adapter in Node (the portal's server actions),
//   2. the adapter in Deno (the edge functions' runtime),
//   3. the Deno-served api function end to end, GET /functions/v1/api/providers/{id}/resources?refresh=true,
//      which also stores the 8,500 resources (the inventory write is timed on its own too);
// and 4. the same request shape without the SDK (bench/chains.ts), which shows why Deno lags Node here.
// The fake runs in its own process, so its work never shares the measured event loop. The machine's
// load average is printed: the listing is CPU-bound, so other work on the machine moves the figures.
// Run: npx tsx bench/resources.ts [--runs 5]
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { asService } from "../supabase/functions/_shared/db.ts";
import { awsAdapter } from "../supabase/functions/_shared/providers/aws.ts";
import type { AdapterContext, ListResult } from "../supabase/functions/_shared/providers/types.ts";
import { AWS_FAKE_KEY, DEFAULT_AWS_REGIONS, startAwsFake } from "../tests/fakes/aws.ts";
import { availableParallelism, loadavg } from "node:os";
import { CHAINS, cpuMs, PAGE_BYTES, PAGES, requestChains, startChainsServer } from "./chains.ts";
import { arg, DENO_CONFIG, denoBin, log, median, ms, root, run, startBenchStack, tsxBin } from "./support.ts";

const PER_REGION = 500;
const PAGE = 100;
const PAGE_DELAY_MS = 100;
/** One region's chain of pages: what a perfectly parallel listing would take. */
const CHAIN_MS = (PER_REGION / PAGE) * PAGE_DELAY_MS;
const TOTAL = DEFAULT_AWS_REGIONS.length * PER_REGION;
const RUNS = arg("runs", 5);
const TARGET = 1.5;
/** --allow-all rather than the function's flags: Deno lets only that read /proc/self/stat (the CPU time). */
const DENO_RUN_MEASURED = ["run", "--allow-all", ...DENO_CONFIG];

/** The child side: serve the fake (and the plain server of bench/chains.ts) until the parent closes our stdin. */
async function serveFake() {
  const fake = await startAwsFake({ switches: { resourceCount: PER_REGION, maxPageSize: PAGE }, aws: { pageDelayMs: PAGE_DELAY_MS } });
  console.log(JSON.stringify({ url: fake.url, chainsPort: await startChainsServer() }));
  process.stdin.on("end", () => void fake.close().then(() => process.exit(0)));
  process.stdin.resume();
}

async function startFakeProcess() {
  const child = spawn(tsxBin, [import.meta.filename, "--serve-fake"], { cwd: root, stdio: ["pipe", "pipe", "inherit"] });
  const line = await new Promise<string>((done) => createInterface({ input: child.stdout! }).once("line", done));
  const { url, chainsPort } = JSON.parse(line) as { url: string; chainsPort: number };
  return { url, chainsPort, stop: () => child.stdin?.end() };
}

async function timeNode(context: AdapterContext, credentials: { access_key: string; secret_key: string }) {
  let listing: ListResult | null = null;
  const cpu: number[] = [];
  const once = async () => {
    const [started, cpuBefore] = [performance.now(), cpuMs()];
    listing = await awsAdapter.listResources(credentials, context);
    cpu.push(cpuMs() - cpuBefore);
    return performance.now() - started;
  };
  const first = await once();
  cpu.length = 0;
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await once());
  return { first, runs, cpu, listing: listing! as ListResult };
}

const verdict = (value: number) => `${(value / CHAIN_MS).toFixed(2)}× ${value / CHAIN_MS <= TARGET ? "(meets ≤ 1.5×)" : "(MISSES ≤ 1.5×)"}`;

function report(label: string, first: number, runs: number[], cpu?: number[]) {
  const m = median(runs);
  const cpuNote = cpu ? `  cpu ${ms(median(cpu)).padStart(7)}` : "";
  log(
    `   ${label.padEnd(34)} median ${ms(m).padStart(7)}  min ${ms(Math.min(...runs)).padStart(7)}  max ${ms(Math.max(...runs)).padStart(7)}  first ${ms(first).padStart(7)}${cpuNote}  → ${verdict(m)}`,
  );
}

const load = () =>
  `load average ${loadavg()
    .map((n) => n.toFixed(2))
    .join(" ")} on ${availableParallelism()} cores`;

/** Section 4: the chains of bench/chains.ts in both runtimes, idle and with 5 ms of work per page. */
async function compareChains(port: number) {
  log(
    `\n4. Without the SDK: ${CHAINS} chains × ${PAGES} requests of ${Math.round(PAGE_BYTES / 1000)} KB, ${PAGE_DELAY_MS} ms each (ideal ${PAGES * PAGE_DELAY_MS} ms), then busy work per page`,
  );
  for (const busyMs of [0, 5]) {
    const node: number[] = [];
    await requestChains(port, busyMs);
    for (let i = 0; i < RUNS; i++) node.push(await requestChains(port, busyMs));
    const deno = JSON.parse(
      await run(denoBin, [...DENO_RUN_MEASURED, "bench/resources-deno.ts", JSON.stringify({ mode: "chains", port, runs: RUNS, busyMs })]),
    ) as { runs: number[] };
    log(
      `   ${busyMs} ms of work per page:   Node median ${ms(median(node)).padStart(7)}   Deno median ${ms(median(deno.runs)).padStart(7)}`,
    );
  }
}

async function main() {
  log(`AWS inventory: ${DEFAULT_AWS_REGIONS.length} regions × ${PER_REGION} instances, ${PAGE} a page, ${PAGE_DELAY_MS} ms a page`);
  log(
    `   one region's chain of pages: ${PER_REGION / PAGE} × ${PAGE_DELAY_MS} ms = ${CHAIN_MS} ms; target ≤ ${TARGET}× = ${CHAIN_MS * TARGET} ms; ${RUNS} runs after a first one`,
  );
  log(`   (${load()})`);
  const fake = await startFakeProcess();
  const credentials = { access_key: AWS_FAKE_KEY.accessKeyId, secret_key: AWS_FAKE_KEY.secretAccessKey };
  const context: AdapterContext = {
    apiEndpoint: fake.url,
    regions: [],
    outbound: { allowHttp: true, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] },
  };
  let stack: Awaited<ReturnType<typeof startBenchStack>> | null = null;
  try {
    log("\n1. The adapter in Node");
    const node = await timeNode(context, credentials);
    if (node.listing.resources.length !== TOTAL)
      throw new Error(`Node listed ${node.listing.resources.length} instances, expected ${TOTAL}`);
    const single = await timeNode({ ...context, regions: ["us-east-1"] }, credentials);
    report("one region alone (its chain)", single.first, single.runs);
    report(`all ${DEFAULT_AWS_REGIONS.length} regions`, node.first, node.runs, node.cpu);

    log("\n2. The adapter in Deno");
    const deno = JSON.parse(
      await run(denoBin, [
        ...DENO_RUN_MEASURED,
        "bench/resources-deno.ts",
        JSON.stringify({ mode: "aws", url: fake.url, runs: RUNS, accessKey: credentials.access_key, secretKey: credentials.secret_key }),
      ]),
    ) as { first: number; count: number; runs: number[]; cpu: number[] };
    if (deno.count !== TOTAL) throw new Error(`Deno listed ${deno.count} instances, expected ${TOTAL}`);
    report(`all ${DEFAULT_AWS_REGIONS.length} regions`, deno.first, deno.runs, deno.cpu);

    log("\n3. The api function under Deno: GET /functions/v1/api/providers/{id}/resources?refresh=true");
    stack = await startBenchStack([
      { name: "AWS bench", provider_type: "aws", environment: "production", api_endpoint: fake.url, credentials },
    ]);
    const [provider] = stack.report.providers;
    if (!provider?.healthy || provider.resources !== TOTAL)
      throw new Error(`the seeded provider is not ready: ${JSON.stringify(provider)}`);
    const url = `${stack.info.supabaseUrl}/functions/v1/api/providers/${provider.id}/resources?refresh=true&limit=50`;
    const request = async () => {
      const started = performance.now();
      const res = await fetch(url, { headers: { authorization: `Bearer ${stack!.token}` } });
      const body = await res.text();
      if (res.status !== 200) throw new Error(`refresh answered ${res.status}: ${body.slice(0, 300)}`);
      return performance.now() - started;
    };
    const apiFirst = await request();
    const apiRuns: number[] = [];
    for (let i = 0; i < RUNS; i++) apiRuns.push(await request());
    report("request, listing + inventory write", apiFirst, apiRuns);

    // The write alone, as the api does it: the same 8,500 resources through private.record_inventory.
    const claims = { sub: stack.report.userId, role: "authenticated" };
    const writes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      await asService(
        stack.sql,
        (tx) => tx`select private.record_inventory(${provider.id}, ${tx.json(node.listing.resources as never)}, '[]'::jsonb)`,
        claims,
      );
      writes.push(performance.now() - started);
    }
    log(
      `   inventory write alone (8,500 rows)   median ${ms(median(writes)).padStart(7)}  → request minus write ≈ ${ms(median(apiRuns) - median(writes))} (${((median(apiRuns) - median(writes)) / CHAIN_MS).toFixed(2)}×)`,
    );

    await compareChains(fake.chainsPort);
    log(`\n(${load()})`);
  } finally {
    await stack?.stop();
    fake.stop();
  }
}

if (process.argv.includes("--serve-fake")) void serveFake();
else
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
