// Benchmark for the organization-wide inventory (issue 15, part 2). Seeds one organization with
// 500,000 resources across 40 providers of every cloud (plus 200 small organizations holding
// 100 resources each, so the table is multi-tenant), then times the inventory read — the page,
// its counts, the whole organization's counts and the filter options, as /orgs/<slug>/inventory
// reads them — for several filter combinations, as a viewer under RLS against the same read as
// service role, alternating. Targets: p95 ≤ 100 ms under RLS, ratio RLS/service ≤ 1.3.
// Also times the API's keyset page with counts and one full CSV export stream.
// Run: npm run bench:inventory [-- --runs 200] [--resources 500000]
import { pathToFileURL } from "node:url";
import postgres from "postgres";
import { asService, onlyRow, readWithRls, type Claims, type Querier } from "../supabase/functions/_shared/db.ts";
import {
  forEachInventoryBatch,
  inventoryCsvLine,
  selectInventoryPage,
  selectInventoryResources,
  type InventoryFilters,
  type InventoryPageOptions,
} from "../supabase/functions/_shared/domain/inventory-queries.ts";
import { startTestStack } from "../tests/support/stack.ts";
import { arg, log, percentile } from "./support.ts";

const RESOURCES = arg("resources", 500_000);
const RUNS = arg("runs", 200);
const PROVIDERS = 40;
const SMALL_ORGS = 200;
const SMALL_ORG_RESOURCES = 100;
const TARGET_P95_MS = 100;
const TARGET_RATIO = 1.3;
const FAKE_ENVELOPE = { v: 1, alg: "A256GCM", kid: "k1", wk: "d2s=", wiv: "aXY=", iv: "aXY=", ct: "Y3Q=" };
const KINDS = ["aws", "azure", "gcp", "digitalocean", "linode", "vultr", "openstack", "s3_compatible"];
const ENVIRONMENTS = ["production", "staging", "development", "other"];

const f = (n: number) => n.toFixed(1).padStart(6);

/**
 * Resources number offset+1 … offset+count for the providers of one organization, in one
 * INSERT … SELECT over generate_series: every column derives from the number, so names,
 * addresses and tags differ across chunks.
 */
async function seedResources(sql: postgres.Sql, organizationId: string, count: number, offset = 0) {
  // Sizes by cloud so the list-price totals have something to add; ips, tags and times vary.
  // The team tag steps every 40 rows, so it does not follow the provider (which is i mod 40).
  await sql`
    insert into public.provider_resources (organization_id, provider_id, resource_id, name, type, region, zone, status, raw_status, size,
                                           public_ips, private_ips, tags, launched_at, console_url)
    select ${organizationId}, p.id, 'res-' || i,
           (array['web', 'api', 'db', 'cache', 'worker', 'batch', 'edge', 'queue'])[1 + i % 8] || '-' || lpad(to_hex(i * 2654435761 % 4294967296), 8, '0'),
           (array['instance', 'instance', 'instance', 'volume', 'bucket', 'database', 'cluster', 'load_balancer'])[1 + (i / 7) % 8],
           (array['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-1', 'nyc3', 'fra1', 'sfo3', 'ams3', 'sgp1',
                  'us-east', 'eu-west', 'ewr', 'lhr', 'westeurope', 'eastus', 'europe-west1', 'us-central1', 'RegionOne', 'tor1'])[1 + (i / 3) % 20],
           null,
           (array['running', 'running', 'running', 'running', 'stopped', 'pending', 'terminated', 'error'])[1 + (i / 11) % 8],
           null,
           case p.provider_type
             when 'digitalocean' then (array['s-1vcpu-1gb', 's-2vcpu-4gb', 's-4vcpu-8gb'])[1 + i % 3]
             when 'linode' then (array['g6-nanode-1', 'g6-standard-1', 'g6-standard-2'])[1 + i % 3]
             when 'vultr' then (array['vc2-1c-1gb', 'vc2-1c-2gb', 'vhf-2c-4gb'])[1 + i % 3]
             else (array['t3.micro', 'm5.large', 'Standard_B2s', 'e2-medium'])[1 + i % 4]
           end,
           array['203.0.' || (i / 256 % 256) || '.' || (i % 256)],
           array['10.' || (i / 65536 % 256) || '.' || (i / 256 % 256) || '.' || (i % 256)],
           jsonb_build_object('env', (array['prod', 'staging', 'dev'])[1 + i % 3], 'team', 'team-' || (i / 40 % 40)),
           now() - make_interval(mins => i % 500000),
           null
    from generate_series(${offset + 1}::int, ${offset + count}::int) i
    join (
      select id, provider_type, row_number() over (order by name) - 1 as n, count(*) over () as providers
      from public.cloud_providers where organization_id = ${organizationId}
    ) p on p.n = i % p.providers`;
}

export async function seed(sql: postgres.Sql) {
  const started = Date.now();
  const viewer = onlyRow(
    await sql<{ id: string }[]>`
    insert into auth.users (id, aud, role, email, email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
    values (gen_random_uuid(), 'authenticated', 'authenticated', 'viewer@bench.test', now(), '{}', '{}', now(), now()) returning id`,
    "insert into auth.users",
  );
  const org = onlyRow(
    await sql<{ id: string }[]>`
    insert into public.organizations (slug, name, created_by) values ('inventory-bench', 'Inventory bench', ${viewer.id}) returning id`,
    "insert into public.organizations",
  );
  await sql`insert into public.organization_members (organization_id, user_id, role) values (${org.id}, ${viewer.id}, 'viewer')`;
  const others = await sql<{ id: string }[]>`
    insert into public.organizations (slug, name, created_by)
    select 'inventory-other-' || i, 'Other ' || i, ${viewer.id} from generate_series(1, ${SMALL_ORGS}) i returning id`;
  await sql.begin(async (tx) => {
    await tx`select set_config('request.jwt.claims', '{"role":"service_role"}', true)`;
    await tx`
      insert into public.cloud_providers (organization_id, name, provider_type, auth_method, credentials, credential_hint, credential_fingerprint, environment, status)
      select ${org.id}, 'Provider ' || lpad(i::text, 2, '0'), (${KINDS}::text[])[1 + i % 8]::public.provider_type, 'api_token', ${tx.json(FAKE_ENVELOPE)},
             '…' || i, 'bench:' || i, (${ENVIRONMENTS}::text[])[1 + i % 4]::public.provider_environment, 'healthy'
      from generate_series(1, ${PROVIDERS}) i`;
    await tx`
      insert into public.cloud_providers (organization_id, name, provider_type, auth_method, credentials, credential_hint, credential_fingerprint, environment, status)
      select o.id, 'Other provider', 'aws', 'api_token', ${tx.json(FAKE_ENVELOPE)}, '…', 'bench-other:' || o.id, 'production', 'healthy'
      from unnest(${others.map((o) => o.id)}::uuid[]) as o(id)`;
  });
  const CHUNK = 100_000;
  for (let offset = 0; offset < RESOURCES; offset += CHUNK) {
    await seedResources(sql, org.id, Math.min(CHUNK, RESOURCES - offset), offset);
    process.stdout.write(`\r  seeded ${Math.min(RESOURCES, offset + CHUNK).toLocaleString("en")} resources`);
  }
  for (const other of others) await seedResources(sql, other.id, SMALL_ORG_RESOURCES);
  await sql`vacuum analyze`;
  await sql`checkpoint`;
  log(`\n  seed took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const claims: Claims = { sub: viewer.id, role: "authenticated", email: "viewer@bench.test" };
  return { orgId: org.id, claims };
}

/** Two reads taking turns after a warm-up, so drift in the shared machine's load falls on both alike. */
async function timePair(a: () => Promise<unknown>, b: () => Promise<unknown>, runs: number) {
  for (let i = 0; i < 20; i++) {
    await a();
    await b();
  }
  const times: [number[], number[]] = [[], []];
  const time = async (run: () => Promise<unknown>, list: number[]) => {
    const t = performance.now();
    await run();
    list.push(performance.now() - t);
  };
  for (let i = 0; i < runs; i++) {
    await time(a, times[0]);
    await time(b, times[1]);
  }
  const stats = (list: number[]) => ({ p50: percentile(list, 50), p95: percentile(list, 95) });
  return [stats(times[0]), stats(times[1])] as const;
}

async function main() {
  log("Starting a private stack…");
  const stack = await startTestStack();
  const sql = postgres(stack.info.databaseUrl, { max: 4, onnotice: () => {} });
  try {
    log(
      `Seeding ${RESOURCES.toLocaleString("en")} resources in one organization (${PROVIDERS} providers), ${SMALL_ORGS} small organizations…`,
    );
    const { orgId, claims } = await seed(sql);
    const providers = await sql<
      { id: string; provider_type: string }[]
    >`select id, provider_type from public.cloud_providers where organization_id = ${orgId} order by name`;
    const linode = providers.find((p) => p.provider_type === "linode")!;

    const combos: [string, InventoryFilters, InventoryPageOptions][] = [
      ["no filter, name order, page 1", {}, {}],
      ["cloud=aws + type=instance", { cloud: "aws", type: "instance" }, {}],
      ["region=eu-west-1 + status=running, page 3", { region: "eu-west-1", status: "running" }, { page: 3 }],
      ["environment=production + status=stopped", { environment: "production", status: "stopped" }, {}],
      ["provider=<linode> + type=volume", { providerId: linode.id, type: "volume" }, {}],
      ['search "web-1f" (name)', { q: "web-1f" }, {}],
      ['search "10.1.7.1" (address)', { q: "10.1.7.1" }, {}],
      ["tag env:prod + type=database", { tags: [["env", "prod"]], type: "database" }, {}],
      ["tag team:team-7 + cloud=vultr", { tags: [["team", "team-7"]], cloud: "vultr" }, {}],
      ["sort created desc + type=cluster", { type: "cluster" }, { sort: "launched_at", direction: "desc" }],
      ["sort status + region=nyc3", { region: "nyc3" }, { sort: "status" }],
      ["sort provider + cloud=gcp", { cloud: "gcp" }, { sort: "provider" }],
      ["no filter, sort created desc, page 40", {}, { sort: "launched_at", direction: "desc", page: 40 }],
      ["status=running, page 400", { status: "running" }, { page: 400 }],
    ];

    log(`\nInventory page (rows + counts + options), viewer under RLS vs service role, ${RUNS} runs each, p50/p95 in ms`);
    log(
      `   ${"filters".padEnd(44)} ${"RLS p50".padStart(8)} ${"RLS p95".padStart(8)} ${"svc p50".padStart(8)} ${"svc p95".padStart(8)}  ratio p50  ratio p95  matches`,
    );
    const worst = { p95: 0, ratio: 0 };
    for (const [label, filters, options] of combos) {
      const read = (tx: Querier) => selectInventoryPage(tx, orgId, filters, options);
      const [rls, svc] = await timePair(
        () => readWithRls(sql, claims, read),
        () => asService(sql, read),
        RUNS,
      );
      const check = await readWithRls(sql, claims, read);
      const ratio50 = rls.p50 / svc.p50;
      const ratio95 = rls.p95 / svc.p95;
      worst.p95 = Math.max(worst.p95, rls.p95);
      worst.ratio = Math.max(worst.ratio, ratio50);
      log(
        `   ${label.padEnd(44)} ${f(rls.p50).padStart(8)} ${f(rls.p95).padStart(8)} ${f(svc.p50).padStart(8)} ${f(svc.p95).padStart(8)}  ${ratio50.toFixed(2).padStart(9)}  ${ratio95.toFixed(2).padStart(9)}  ${check.counts.total.toLocaleString("en")}`,
      );
    }
    log(
      `   worst RLS p95 ${worst.p95.toFixed(1)} ms (target ≤ ${TARGET_P95_MS}); worst p50 ratio ${worst.ratio.toFixed(2)} (target ≤ ${TARGET_RATIO})`,
    );

    log(`\nAPI page (GET /api/resources: keyset, 50 rows, counts=true), ${RUNS} runs each`);
    for (const [label, filters] of [
      ["no filter", {}],
      ["cloud=digitalocean + status=running", { cloud: "digitalocean", status: "running" }],
      ['search "api-"', { q: "api-" }],
    ] as [string, InventoryFilters][]) {
      const first = await readWithRls(sql, claims, (tx) => selectInventoryResources(tx, orgId, filters, { limit: 50 }));
      const read = (tx: Querier) => selectInventoryResources(tx, orgId, filters, { limit: 50, counts: true, cursor: first.nextCursor });
      const [rls, svc] = await timePair(
        () => readWithRls(sql, claims, read),
        () => asService(sql, read),
        RUNS,
      );
      log(
        `   ${`${label}, second page`.padEnd(50)} RLS p50 ${f(rls.p50)} p95 ${f(rls.p95)}   service p50 ${f(svc.p50)} p95 ${f(svc.p95)}   ratio ${(rls.p50 / svc.p50).toFixed(2)}`,
      );
    }

    log("\nCSV export of the whole organization (server-side cursor, 1,000 rows a batch)");
    const started = performance.now();
    let rows = 0;
    let bytes = 0;
    await readWithRls(sql, claims, (tx) =>
      forEachInventoryBatch(tx, orgId, {}, async (batch) => {
        for (const resource of batch) bytes += inventoryCsvLine(resource).length;
        rows += batch.length;
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    log(
      `   ${rows.toLocaleString("en")} rows, ${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s (${Math.round(rows / seconds).toLocaleString("en")} rows/s)`,
    );
  } finally {
    await sql.end({ timeout: 5 });
    await stack.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
