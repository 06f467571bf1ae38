// What the sweep benchmarks share: a fleet of DigitalOcean fakes that answer after a fixed
// delay (one per organization, as each organization's own endpoint), organizations and
// providers seeded straight into a private stack's database, and the figures read back.
import { loadavg } from "node:os";
import postgres from "postgres";
import { encryptCredential, parseKeyRing, type KeyRing } from "../supabase/functions/_shared/crypto/index.ts";
import { onlyRow } from "../supabase/functions/_shared/db.ts";
import { startDigitalOceanFake, type DigitalOceanFake } from "../tests/fakes/digitalocean.ts";
import { startTestStack, type TestStackInfo } from "../tests/support/stack.ts";

export const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
/** `--name 10,25,50` as numbers. */
export const numbers = (name: string, fallback: number[]) => {
  const i = process.argv.indexOf(`--${name}`);
  if (i <= 0) return fallback;
  const list = process.argv[i + 1];
  if (list === undefined) throw new Error(`--${name} needs a list, e.g. --${name} 10,25,50`);
  return list.split(",").map(Number);
};
export const log = (line: string) => console.log(line);
export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
export const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(" ");

export type Fleet = { fakes: DigitalOceanFake[]; requests(): number; stop(): Promise<void> };

/** `count` fakes on loopback, each answering every request after `delayMs`. */
export async function startFleet(count: number, delayMs: number): Promise<Fleet> {
  const fakes: DigitalOceanFake[] = [];
  for (let i = 0; i < count; i++) fakes.push(await startDigitalOceanFake({ switches: { delayMs } }));
  return {
    fakes,
    requests: () => fakes.reduce((sum, fake) => sum + fake.requests.length, 0),
    stop: async () => {
      await Promise.all(fakes.map((fake) => fake.close()));
    },
  };
}

/**
 * `organizations` organizations, each allow-listing loopback and served by its own fake, with
 * `providers` providers spread evenly over them. Providers get an account id up front (the
 * fake answers one account for every token, and an organization holds an account once).
 */
export async function seedFleet(sql: postgres.Sql, ring: KeyRing, fleet: Fleet, organizations: number, providers: number) {
  const orgs = await sql<{ id: string }[]>`
    insert into public.organizations (slug, name, allow_http_endpoints)
    select 'sweep-bench-' || i, 'Sweep bench ' || i, true
    from generate_series(1, ${organizations}) i
    returning id`;
  const CHUNK = 2_000;
  for (let offset = 0; offset < providers; offset += CHUNK) {
    const rows: Record<string, unknown>[] = [];
    for (let i = offset; i < Math.min(providers, offset + CHUNK); i++) {
      const org = orgs[i % orgs.length]!.id;
      const fake = fleet.fakes[(i % orgs.length) % fleet.fakes.length]!;
      const id = crypto.randomUUID();
      const credentials = await encryptCredential(ring, { organizationId: org, providerId: id }, { access_key: fake.token });
      rows.push({
        id,
        organization_id: org,
        name: `droplets-${i}`,
        api_endpoint: fake.url,
        credentials,
        credential_fingerprint: `bench:${i}`,
        account_identifier: `bench-account-${i}`,
      });
    }
    await sql`
      insert into public.cloud_providers (id, organization_id, name, provider_type, api_endpoint, auth_method, credentials, credential_hint,
                                          credential_fingerprint, account_identifier)
      select id, organization_id, name, 'digitalocean', api_endpoint, 'api_token', credentials, '…bench', credential_fingerprint, account_identifier
      from jsonb_to_recordset(${sql.json(rows as never)}) as r(id uuid, organization_id uuid, name text, api_endpoint text, credentials jsonb,
           credential_fingerprint text, account_identifier text)`;
    process.stdout.write(`\r  seeded ${Math.min(providers, offset + CHUNK).toLocaleString()} providers`);
  }
  process.stdout.write("\n");
  await sql`vacuum analyze`;
  return orgs.map((o) => o.id);
}

/** Makes every seeded provider due now, as if never checked (between measured rounds). */
export async function makeAllDue(sql: postgres.Sql) {
  await sql`update public.provider_check_schedule set next_check_at = now(), leased_by = null, leased_until = null`;
}

/** Scheduled checks since `since`: how many, of how many providers, how many providers were checked more than once, and the mean latency the adapter measured. */
export async function checksSince(sql: postgres.Sql, since: Date) {
  const rows = await sql<{ checks: number; providers: number; duplicates: number; latency: number }[]>`
    select count(*)::int as checks, count(distinct provider_id)::int as providers, coalesce(avg(latency_ms), 0)::float8 as latency,
           (select count(*)::int from (
              select provider_id from public.provider_health_checks
              where trigger = 'scheduled' and checked_at >= ${since} group by provider_id having count(*) > 1) d) as duplicates
    from public.provider_health_checks where trigger = 'scheduled' and checked_at >= ${since}`;
  return onlyRow(rows, "select count(*) of scheduled health checks");
}

export type SweepBench = { sql: postgres.Sql; ring: KeyRing; fleet: Fleet; info: TestStackInfo };

/**
 * Runs `measure` against a private stack (no sweep timer) seeded with the fleet, then stops
 * everything; exits non-zero on failure.
 */
export function runSweepBench(
  shape: { organizations: number; providers: number; delayMs: number },
  measure: (bench: SweepBench) => Promise<void>,
) {
  const run = async () => {
    const stack = await startTestStack();
    const fleet = await startFleet(shape.organizations, shape.delayMs);
    const sql = postgres(stack.info.databaseUrl, { max: 20, onnotice: () => {} });
    try {
      const ring = parseKeyRing(stack.info.encryptionKeys);
      await seedFleet(sql, ring, fleet, shape.organizations, shape.providers);
      await measure({ sql, ring, fleet, info: stack.info });
    } finally {
      await sql.end({ timeout: 5 });
      await fleet.stop();
      await stack.stop();
    }
  };
  run().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
