// Scheduled health sweeps: leases between concurrent sweepers, the failure threshold, the
// schedule (interval, suspension, lease expiry), the run log, RLS on the new tables, and the
// edge function's secret-key gate. Every sweep here is limited to this file's organizations,
// because the integration stack's database is shared with other test files.
import { randomUUID } from "node:crypto";
import type postgres from "postgres";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { encryptCredential, parseKeyRing } from "../../supabase/functions/_shared/crypto/index.ts";
import { asService, withRls } from "../../supabase/functions/_shared/db.ts";
import { runSweep, type SweepOptions } from "../../supabase/functions/_shared/domain/health-sweep.ts";
import { setProviderSuspended } from "../../supabase/functions/_shared/domain/providers.ts";
import { selectLastSweep } from "../../supabase/functions/_shared/domain/sweep-queries.ts";
import { startDigitalOceanFake, type DigitalOceanFake } from "../fakes/digitalocean.ts";
import { accessToken } from "../support/api.ts";
import { affected, attempt, connect, type TestUser } from "../support/db.ts";
import { createOrganizationAs, createPersonas, type Personas } from "../support/personas.ts";
import { firstRow } from "../support/rows.ts";
import { trustedCidrs } from "../support/stack.ts";

let sql: postgres.Sql;
let p: Personas;
let fake: DigitalOceanFake;
const ring = () => parseKeyRing(inject("stack").encryptionKeys);
type Claims = TestUser["claims"] | null;

beforeAll(async () => {
  sql = connect();
  p = await createPersonas(sql, "sweep");
  fake = await startDigitalOceanFake();
  await allowFake(p.orgId);
  await allowFake(p.outsiderOrgId);
});

beforeEach(() => fake.reset());

afterAll(async () => {
  // The canary: the token the fake accepts never lands in a table a sweep writes.
  const secret = fake.token.slice(7);
  const leaks = firstRow(
    await sql`
    select (select count(*) from public.audit_events where metadata::text like ${`%${secret}%`})::int
         + (select count(*) from public.provider_health_checks where coalesce(error_message, '') || coalesce(identity::text, '') like ${`%${secret}%`})::int
         + (select count(*) from public.provider_status_events where coalesce(error_message, '') like ${`%${secret}%`})::int as n`,
  );
  expect(leaks.n).toBe(0);
  await fake.close();
  await sql.end();
});

async function allowFake(orgId: string) {
  await sql`update public.organizations set allow_http_endpoints = true where id = ${orgId}`;
}

async function newOrganization(label: string) {
  const id = await createOrganizationAs(sql, p.owner, `Sweep ${label}`, `sweep-${label}-${randomUUID().slice(0, 8)}`);
  await allowFake(id);
  return id;
}

/**
 * A DigitalOcean provider pointing at the fake, stored the way the product stores one. Each
 * gets its own account id up front: the fake answers one account for every token, and an
 * organization may hold an account only once.
 */
async function seedProvider(
  orgId: string,
  name: string,
  status: "pending" | "healthy" | "suspended" = "pending",
  options: { accountKnown?: boolean } = {},
) {
  const id = randomUUID();
  const envelope = await encryptCredential(ring(), { organizationId: orgId, providerId: id }, { access_key: fake.token });
  await sql`
    insert into public.cloud_providers (id, organization_id, name, provider_type, api_endpoint, auth_method, credentials, credential_hint,
                                        credential_fingerprint, account_identifier, status)
    values (${id}, ${orgId}, ${name}, 'digitalocean', ${fake.url}, 'api_token', ${sql.json(envelope as never)}, '…test',
            ${`test:${id}`}, ${options.accountKnown === false ? null : `account-${id}`}, ${status})`;
  return id;
}

const readersOf = (personas: Personas) => [personas.viewer, personas.member, personas.admin, personas.owner];

const sweep = (organizationIds: string[], options: Partial<SweepOptions> = {}) =>
  runSweep({ sql, ring: ring(), trustedCidrs, sweeperId: "test-sweeper", concurrency: 4, organizationIds, ...options });

/** Moves a provider's last check an hour back, so it is due again. */
const makeDue = (providerId: string) =>
  sql`update public.cloud_providers set last_checked_at = now() - interval '1 hour' where id = ${providerId}`;

async function scheduledChecks(providerIds: string[]) {
  return sql<{ provider_id: string; ok: boolean }[]>`
    select provider_id, ok from public.provider_health_checks where provider_id = any (${providerIds}::uuid[]) and trigger = 'scheduled' order by id`;
}

async function state(providerId: string) {
  const rows = await sql<
    { status: string; consecutive_failures: number; last_error_code: string | null; leased_by: string | null; never_due: boolean }[]
  >`
    select p.status, s.consecutive_failures, p.last_error_code, s.leased_by, s.next_check_at = 'infinity' as never_due
    from public.cloud_providers p join public.provider_check_schedule s on s.provider_id = p.id where p.id = ${providerId}`;
  return firstRow(rows);
}

describe("claiming", () => {
  it("never checks a provider twice in one round, however many sweepers run at once", async () => {
    const org = await newOrganization("pair");
    const ids = await Promise.all(Array.from({ length: 30 }, (_, i) => seedProvider(org, `droplets-${i}`)));
    fake.switches.delayMs = 40; // long enough for the two sweepers to overlap
    const [a, b] = await Promise.all([
      sweep([org], { sweeperId: "sweeper-a", concurrency: 3, batchSize: 2 }),
      sweep([org], { sweeperId: "sweeper-b", concurrency: 3, batchSize: 2 }),
    ]);

    const history = await scheduledChecks(ids);
    expect(history).toHaveLength(30);
    expect(new Set(history.map((c) => c.provider_id)).size).toBe(30);
    expect(a.checked + b.checked).toBe(30);
    expect(a.checked).toBeGreaterThan(0);
    expect(b.checked).toBeGreaterThan(0);
    expect(fake.hits("/v2/account")).toHaveLength(30);
    // Each check read one credential, audited as Cloudkeep's (no person) with the sweep as its purpose.
    const reads = await sql<{ actor_id: string | null; actor_email: string | null; purpose: string }[]>`
      select distinct actor_id, actor_email, metadata ->> 'purpose' as purpose from public.audit_events
      where organization_id = ${org} and action = 'provider.credentials_read'`;
    expect(reads).toEqual([{ actor_id: null, actor_email: null, purpose: "scheduled_health_check" }]);
    const { n: readCount } = firstRow(
      await sql`select count(*)::int as n from public.audit_events where organization_id = ${org} and action = 'provider.credentials_read'`,
    );
    expect(readCount).toBe(30);
    // Leases are released with the result, and every provider is now due one interval later.
    const leased =
      await sql`select count(*)::int as n from public.provider_check_schedule where organization_id = ${org} and leased_by is not null`;
    expect(firstRow(leased).n).toBe(0);

    const again = await sweep([org]);
    expect(again).toMatchObject({ claimed: 0, checked: 0 });
  });

  it("checks a provider again once its organization's interval has passed, and follows a changed interval", async () => {
    const org = await newOrganization("interval");
    const [old, recent] = [await seedProvider(org, "old"), await seedProvider(org, "recent")];
    expect(await sweep([org])).toMatchObject({ checked: 2 });
    await sql`update public.cloud_providers set last_checked_at = now() - interval '16 minutes' where id = ${old}`;
    await sql`update public.cloud_providers set last_checked_at = now() - interval '10 minutes' where id = ${recent}`;

    expect((await sweep([org])).checked).toBe(1);
    expect((await scheduledChecks([old, recent])).filter((c) => c.provider_id === recent)).toHaveLength(1);

    // An admin shortens the interval to 5 minutes: the provider checked 10 minutes ago is due now.
    await withRls(sql, p.owner.claims, (tx) => tx`update public.organizations set health_check_interval_minutes = 5 where id = ${org}`);
    const third = await sweep([org]);
    expect(third.checked).toBe(1);
    expect(await scheduledChecks([recent])).toHaveLength(2);
  });

  it("skips suspended providers, and checks one soon after it is resumed", async () => {
    const org = await newOrganization("suspended");
    const id = await seedProvider(org, "paused");
    await setProviderSuspended({ sql, ring: ring(), claims: p.owner.claims }, id, true);
    expect(await state(id)).toMatchObject({ never_due: true });
    expect(await sweep([org])).toMatchObject({ claimed: 0 });
    expect(fake.requests).toHaveLength(0);

    await setProviderSuspended({ sql, ring: ring(), claims: p.owner.claims }, id, false);
    expect(await sweep([org])).toMatchObject({ claimed: 1, checked: 1, healthy: 1 });
    expect((await state(id)).status).toBe("healthy");
  });

  it("gives a crashed sweeper's providers to another once the lease runs out", async () => {
    const org = await newOrganization("lease");
    const id = await seedProvider(org, "orphan");
    const crashed = await asService(
      sql,
      (tx) => tx`select id from private.claim_health_checks('crashed-sweeper', 10, now(), interval '1 second', ${[org]}::uuid[])`,
    );
    expect(crashed.map((r) => r.id)).toEqual([id]);
    expect(await state(id)).toMatchObject({ leased_by: "crashed-sweeper" });

    expect(await sweep([org], { sweeperId: "survivor" })).toMatchObject({ claimed: 0 });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await sweep([org], { sweeperId: "survivor" })).toMatchObject({ claimed: 1, checked: 1 });
    expect(await state(id)).toMatchObject({ leased_by: null, status: "healthy" });
    expect(await scheduledChecks([id])).toHaveLength(1);
  });

  it("takes into a round only what was due when the round began", async () => {
    const org = await newOrganization("round");
    const id = await seedProvider(org, "quick");
    const roundStart = new Date(Date.now() - 60_000);
    // Fell due after the round began (checked early in it, with a short interval): the next round's.
    await sql`update public.provider_check_schedule set next_check_at = now() where provider_id = ${id}`;
    const claim = (dueBy: Date) =>
      asService(sql, (tx) => tx`select id from private.claim_health_checks('rounds', 10, ${dueBy}, interval '1 minute', ${[org]}::uuid[])`);
    expect(await claim(roundStart)).toHaveLength(0);
    expect(await claim(new Date())).toHaveLength(1);
  });
});

describe("failure threshold", () => {
  it("marks a provider failed only after two failed checks in a row, and healthy on the first success", async () => {
    const org = await newOrganization("flap");
    const id = await seedProvider(org, "flappy");
    await sweep([org]);
    expect(await state(id)).toMatchObject({ status: "healthy", consecutive_failures: 0 });

    fake.switches.badCredentials = true;
    await makeDue(id);
    expect(await sweep([org])).toMatchObject({ checked: 1, failed: 1 });
    // One failure alone: still healthy, but the provider says what the last check saw.
    expect(await state(id)).toMatchObject({ status: "healthy", consecutive_failures: 1, last_error_code: expect.any(String) });

    await makeDue(id);
    await sweep([org]);
    expect(await state(id)).toMatchObject({ status: "failed", consecutive_failures: 2 });

    fake.switches.badCredentials = false;
    await makeDue(id);
    await sweep([org]);
    expect(await state(id)).toMatchObject({ status: "healthy", consecutive_failures: 0, last_error_code: null });

    const events = await sql<
      { from_status: string; to_status: string; consecutive_failures: number; trigger: string; actor_id: string | null }[]
    >`
      select e.from_status, e.to_status, e.consecutive_failures, c.trigger, e.actor_id
      from public.provider_status_events e join public.provider_health_checks c on c.id = e.health_check_id
      where e.provider_id = ${id} order by e.id`;
    expect(events).toEqual([
      { from_status: "pending", to_status: "healthy", consecutive_failures: 0, trigger: "scheduled", actor_id: null },
      { from_status: "healthy", to_status: "failed", consecutive_failures: 2, trigger: "scheduled", actor_id: null },
      { from_status: "failed", to_status: "healthy", consecutive_failures: 0, trigger: "scheduled", actor_id: null },
    ]);
    const audited = await sql`select metadata -> 'from' as "from", metadata -> 'to' as "to" from public.audit_events
      where target_id = ${id} and action = 'provider.status_changed' order by id`;
    expect(audited.map((r) => `${r.from}→${r.to}`)).toEqual(["pending→healthy", "healthy→failed", "failed→healthy"]);
  });

  it("follows the organization's threshold, and a failure in between resets nothing but the streak", async () => {
    const org = await newOrganization("threshold");
    const id = await seedProvider(org, "strict");
    await sweep([org]);
    fake.switches.badCredentials = true;
    await makeDue(id);
    await sweep([org]);
    fake.switches.badCredentials = false;
    await makeDue(id);
    await sweep([org]);
    fake.switches.badCredentials = true;
    await makeDue(id);
    await sweep([org]);
    // fail, success, fail: never two in a row.
    expect(await state(id)).toMatchObject({ status: "healthy", consecutive_failures: 1 });

    await sql`update public.organizations set health_failure_threshold = 1 where id = ${org}`;
    await makeDue(id);
    await sweep([org]);
    expect(await state(id)).toMatchObject({ status: "failed", consecutive_failures: 2 });
  });

  it("leaves the status of a provider suspended while its check ran", async () => {
    const org = await newOrganization("mid-check");
    const id = await seedProvider(org, "paused-late");
    fake.switches.delayMs = 300;
    const running = sweep([org]);
    for (let waited = 0; fake.requests.length === 0 && waited < 5_000; waited += 10)
      await new Promise((resolve) => setTimeout(resolve, 10));
    await setProviderSuspended({ sql, ring: ring(), claims: p.owner.claims }, id, true);
    expect(await running).toMatchObject({ checked: 1 });
    expect((await state(id)).status).toBe("suspended");
  });

  it("loses only the provider deleted while its check ran, not the others recorded with it", async () => {
    const org = await newOrganization("deleted");
    const ids = await Promise.all(["gone", "stays-1", "stays-2"].map((name) => seedProvider(org, name)));
    fake.switches.delayMs = 300;
    const running = sweep([org]);
    for (let waited = 0; fake.requests.length < 3 && waited < 5_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    await sql`delete from public.cloud_providers where id = ${ids[0]!}`;
    expect(await running).toMatchObject({ claimed: 3, checked: 2, errors: 1 });
    expect((await scheduledChecks(ids)).map((c) => c.provider_id).sort()).toEqual(ids.slice(1).sort());
  });

  it("lets only the service role record a scheduled check", async () => {
    // Suspended, so no sweep of this organization ever picks it up.
    const id = await seedProvider(p.orgId, "not-yours-to-schedule", "suspended");
    for (const persona of [p.member, p.admin, p.owner]) {
      const r = await attempt(
        sql,
        persona.claims,
        (tx) => tx`select private.record_health_check(${id}, false, 1, null, 'x', 'x', 'x', 'scheduled')`,
      );
      expect(r).toMatchObject({ ok: false, code: "42501", message: "permission denied for function record_health_check" });
    }
  });
});

describe("accounts learned from a check", () => {
  it("records a second provider of an already connected account as failed, naming the first", async () => {
    const orgId = await newOrganization("dupe");
    // The fake answers the same account for every token, as two tokens of one account would.
    const first = await seedProvider(orgId, "Droplets", "pending", { accountKnown: false });
    expect((await sweep([orgId])).checked).toBe(1);
    const { account } = firstRow(
      await sql<{ account: string | null }[]>`select account_identifier as account from public.cloud_providers where id = ${first}`,
    );
    expect(account).toBeTruthy();

    const second = await seedProvider(orgId, "Droplets again", "pending", { accountKnown: false });
    const run = await sweep([orgId]);
    expect(run).toMatchObject({ checked: 1, errors: 0 });
    const row = firstRow(
      await sql<{ status: string; account_identifier: string | null; last_error_code: string; last_error_message: string }[]>`
      select status, account_identifier, last_error_code, last_error_message from public.cloud_providers where id = ${second}`,
    );
    expect(row).toMatchObject({ account_identifier: null, last_error_code: "duplicate_account" });
    expect(row.last_error_message).toBe('These credentials reach the same account as "Droplets", which is already connected.');
    const [check] = await sql`select ok, error_code, error_hint from public.provider_health_checks where provider_id = ${second}`;
    expect(check).toMatchObject({
      ok: false,
      error_code: "duplicate_account",
      error_hint: expect.stringContaining("delete this provider"),
    });
    expect(await state(first)).toMatchObject({ status: "healthy", last_error_code: null });
  });
});

describe("retention", () => {
  it("prunes what the sweep piles up, and keeps what people did and each provider's last good check", async () => {
    const orgId = await newOrganization("retention");
    const id = await seedProvider(orgId, "long-lived", "suspended");
    const checks = await sql<{ id: string; label: string }[]>`
      insert into public.provider_health_checks (organization_id, provider_id, ok, latency_ms, error_code, trigger, checked_at)
      values (${orgId}, ${id}, true, 10, null, 'scheduled', now() - interval '200 days'),
             (${orgId}, ${id}, true, 10, null, 'scheduled', now() - interval '120 days'),
             (${orgId}, ${id}, false, 10, 'timeout', 'scheduled', now() - interval '100 days'),
             (${orgId}, ${id}, false, 10, 'timeout', 'scheduled', now() - interval '10 days')
      returning id::text, error_code as label`;
    const event = async (actor: string | null, purpose: string, age: string) =>
      firstRow(
        await sql`
      insert into public.audit_events (organization_id, actor_id, action, target_type, target_id, target_name, metadata, created_at)
      values (${orgId}, ${actor}, 'provider.credentials_read', 'provider', ${id}, 'long-lived', ${sql.json({ purpose })}, now() - ${age}::interval)
      returning id::text`,
      );
    const [sweeperOld, sweeperRecent, personOld, otherOld] = await Promise.all([
      event(null, "scheduled_health_check", "100 days"),
      event(null, "scheduled_health_check", "10 days"),
      event(p.owner.id, "health_check", "100 days"),
      event(null, "list_resources", "100 days"),
    ]);
    // One audit row per federation token issued: the sweep's leave after 90 days too.
    const tokenEvent = async (age: string) =>
      firstRow(
        await sql`
      insert into public.audit_events (organization_id, actor_id, action, target_type, target_id, target_name, metadata, created_at)
      values (${orgId}, null, 'oidc.token_issued', 'provider', ${id}, null, ${sql.json({ jti: age })}, now() - ${age}::interval)
      returning id::text`,
      );
    const [tokenOld, tokenRecent] = await Promise.all([tokenEvent("100 days"), tokenEvent("10 days")]);
    await sql`insert into public.health_sweeps (run_id, organization_id, sweeper_id, started_at, finished_at)
              values (gen_random_uuid(), ${orgId}, 'old', now() - interval '40 days', now() - interval '40 days'),
                     (gen_random_uuid(), ${orgId}, 'new', now() - interval '1 day', now() - interval '1 day')`;

    for (const persona of [p.member, p.owner]) {
      expect(await attempt(sql, persona.claims, (tx) => tx`select * from private.prune_history()`)).toMatchObject({
        ok: false,
        code: "42501",
      });
    }
    // Batches of one, until nothing is left: each call does a bounded amount of work.
    let rounds = 0;
    for (;;) {
      const pruned = firstRow(
        await asService(
          sql,
          (tx) => tx<{ total: number }[]>`
        select (health_checks + credential_reads + sweep_runs + webhook_deliveries)::int as total from private.prune_history(1)`,
        ),
      );
      if (pruned.total === 0) break;
      expect(pruned.total).toBeLessThanOrEqual(4);
      rounds++;
    }
    expect(rounds).toBeGreaterThan(0);

    const kept = await sql<
      { id: string }[]
    >`select id::text from public.provider_health_checks where provider_id = ${id} order by checked_at`;
    // The 200-day check went; the 120-day one stays as the last good check; the old failure went.
    expect(kept.map((row) => row.id)).toEqual([checks[1]?.id, checks[3]?.id]);
    const events = await sql<
      { id: string }[]
    >`select id::text from public.audit_events where target_id = ${id} and action = 'provider.credentials_read' order by id`;
    expect(events.map((row) => row.id).sort()).toEqual([sweeperRecent.id, personOld.id, otherOld.id].sort());
    expect(events.map((row) => row.id)).not.toContain(sweeperOld.id);
    const tokens = await sql<
      { id: string }[]
    >`select id::text from public.audit_events where target_id = ${id} and action = 'oidc.token_issued'`;
    expect(tokens.map((row) => row.id)).toEqual([tokenRecent.id]);
    expect(tokens.map((row) => row.id)).not.toContain(tokenOld.id);
    const sweeps = await sql`select sweeper_id from public.health_sweeps where organization_id = ${orgId}`;
    expect(sweeps).toEqual([{ sweeper_id: "new" }]);
  });
});

describe("read-only credentials", () => {
  /** A provider whose full credential the fake refuses and whose read-only one (bound to `<id>_ro`) it accepts. */
  async function withReadOnlyCredential(org: string, name: string) {
    const id = await seedProvider(org, name);
    const full = await encryptCredential(ring(), { organizationId: org, providerId: id }, { access_key: `dop_v1_${"e".repeat(64)}` });
    const readOnly = await encryptCredential(ring(), { organizationId: org, providerId: `${id}_ro` }, { access_key: fake.token });
    await sql`update public.cloud_providers set credentials = ${sql.json(full as never)}, read_only_credentials = ${sql.json(readOnly as never)} where id = ${id}`;
    return id;
  }

  it("checks with the read-only credential when the provider has one", async () => {
    const org = await newOrganization("read-only");
    const id = await withReadOnlyCredential(org, "two-keys");
    expect(await sweep([org])).toMatchObject({ checked: 1, healthy: 1 });
    const read = firstRow(
      await sql`select metadata from public.audit_events where target_id = ${id} and action = 'provider.credentials_read'`,
    );
    expect(read.metadata).toMatchObject({ purpose: "scheduled_health_check", read_only: true });
  });

  it("fails closed when the organization allows read-only access only and the provider has no read-only credential", async () => {
    const org = await newOrganization("ro-only");
    const id = await seedProvider(org, "full-key-only");
    const other = await withReadOnlyCredential(org, "has-read-only");
    await sql`update public.organizations set read_only_access_only = true where id = ${org}`;
    expect(await sweep([org])).toMatchObject({ checked: 2, healthy: 1, failed: 1, errors: 0 });
    // Only the read-only credential reached the cloud; the full one never left.
    expect(fake.requests).toHaveLength(1);
    expect(await state(other)).toMatchObject({ status: "healthy" });
    const [check] = await sql`select ok, error_code, error_hint from public.provider_health_checks where provider_id = ${id}`;
    expect(check).toMatchObject({
      ok: false,
      error_code: "read_only_required",
      error_hint: expect.stringContaining("read-only credential"),
    });
    // Counted like any failure: the second round in a row marks the provider failed.
    await makeDue(id);
    await sweep([org]);
    expect(await state(id)).toMatchObject({ status: "failed", last_error_code: "read_only_required" });
  });
});

describe("the run log", () => {
  it("counts each organization's checks and failures apart, and shows an organization only its own", async () => {
    const mine = await seedProvider(p.orgId, "mine");
    await seedProvider(p.orgId, "mine-too");
    await seedProvider(p.outsiderOrgId, "theirs");
    // The fake answers one token; make one of ours fail with a credential the fake refuses.
    const bad = await encryptCredential(ring(), { organizationId: p.orgId, providerId: mine }, { access_key: `dop_v1_${"f".repeat(64)}` });
    await sql`update public.cloud_providers set credentials = ${sql.json(bad as never)} where id = ${mine}`;

    const run = await sweep([p.orgId, p.outsiderOrgId], { sweeperId: "log-sweeper" });
    expect(run).toMatchObject({ organizations: 2, failed: 1 });

    const seen = await withRls(sql, p.viewer.claims, (tx) => selectLastSweep(tx, p.orgId));
    expect(seen.last).toMatchObject({ checked: 2, failed: 1, started_at: expect.any(Date), finished_at: expect.any(Date) });
    expect(seen).toMatchObject({ interval_minutes: 15, failure_threshold: 2, next_check_at: expect.any(Date) });
    const theirs = await withRls(sql, p.outsider.claims, (tx) => selectLastSweep(tx, p.outsiderOrgId));
    expect(theirs.last).toMatchObject({ checked: 1, failed: 0 });
    await expect(withRls(sql, p.outsider.claims, (tx) => selectLastSweep(tx, p.orgId))).rejects.toMatchObject({ code: "not_found" });

    const rows =
      await sql`select organization_id, sweeper_id, checked, failed from public.health_sweeps where run_id = ${run.runId} order by checked`;
    expect(rows).toEqual([
      { organization_id: p.outsiderOrgId, sweeper_id: "log-sweeper", checked: 1, failed: 0 },
      { organization_id: p.orgId, sweeper_id: "log-sweeper", checked: 2, failed: 1 },
    ]);
  });

  it("shows nothing before the first sweep", async () => {
    const org = await newOrganization("fresh");
    const status = await withRls(sql, p.owner.claims, (tx) => selectLastSweep(tx, org));
    expect(status).toEqual({ last: null, interval_minutes: 15, failure_threshold: 2, next_check_at: null });
  });
});

describe("row-level security on the sweep tables", () => {
  let providerId: string;
  beforeAll(async () => {
    providerId = await seedProvider(p.orgId, "rls-target");
    fake.reset();
    await sweep([p.orgId]);
    await setProviderSuspended({ sql, ring: ring(), claims: p.admin.claims }, providerId, true);
  });

  const readers = () => readersOf(p);
  const TABLES = {
    provider_check_schedule: "provider_id, organization_id, next_check_at, consecutive_failures",
    provider_status_events: "*",
    health_sweeps: "*",
  } as const;

  for (const [table, columns] of Object.entries(TABLES)) {
    it(`shows ${table} to everyone in the organization and to nobody else`, async () => {
      const count = async (claims: Claims) => {
        const r = await attempt(sql, claims, (tx) =>
          tx.unsafe(`select ${columns} from public.${table} where organization_id = $1`, [p.orgId]),
        );
        return r.ok ? r.value.length : r.code;
      };
      expect(await count(null)).toBe("42501");
      expect(await count(p.outsider.claims)).toBe(0);
      for (const persona of readers()) expect(await count(persona.claims)).toBeGreaterThan(0);
    });

    it(`lets no client insert, update or delete ${table} rows, not even the owner`, async () => {
      for (const claims of [null, p.outsider.claims, ...readers().map((r) => r.claims)]) {
        const update = await attempt(sql, claims, (tx) =>
          tx.unsafe(`update public.${table} set organization_id = organization_id where organization_id = $1`, [p.orgId]),
        );
        expect(update).toMatchObject({ ok: false, code: "42501" });
        const remove = await attempt(sql, claims, (tx) => tx.unsafe(`delete from public.${table} where organization_id = $1`, [p.orgId]));
        expect(remove).toMatchObject({ ok: false, code: "42501" });
        const insert = await attempt(sql, claims, (tx) =>
          tx.unsafe(`insert into public.${table} (organization_id) values ($1)`, [p.orgId]),
        );
        expect(insert).toMatchObject({ ok: false, code: "42501" });
      }
    });
  }

  it("keeps the lease columns from every client", async () => {
    for (const persona of readers()) {
      const r = await attempt(sql, persona.claims, (tx) => tx`select leased_by, leased_until from public.provider_check_schedule`);
      expect(r).toMatchObject({ ok: false, code: "42501", message: "permission denied for table provider_check_schedule" });
    }
  });

  it("records suspending as a status change by the admin who did it", async () => {
    const r = await attempt(
      sql,
      p.viewer.claims,
      (tx) => tx`
      select from_status, to_status, actor_id, health_check_id from public.provider_status_events where provider_id = ${providerId} order by id`,
    );
    expect(r).toMatchObject({
      ok: true,
      value: [
        { from_status: "pending", to_status: "healthy", actor_id: null, health_check_id: expect.any(String) },
        { from_status: "healthy", to_status: "suspended", actor_id: p.admin.id, health_check_id: null },
      ],
    });
  });

  it("lets no client claim providers or write the run log", async () => {
    for (const claims of [null, p.outsider.claims, ...readers().map((r) => r.claims)]) {
      const claim = await attempt(sql, claims, (tx) => tx`select * from private.claim_health_checks('intruder', 10)`);
      expect(claim).toMatchObject({ ok: false, code: "42501" });
      const log = await attempt(
        sql,
        claims,
        (tx) => tx`select private.record_sweep_progress(gen_random_uuid(), 'intruder', now(), '[]'::jsonb)`,
      );
      expect(log).toMatchObject({ ok: false, code: "42501" });
    }
  });
});

describe("organization sweep settings", () => {
  const setInterval = (claims: Claims, minutes: number, org = () => p.orgId) =>
    affected(sql, claims, (tx) => tx`update public.organizations set health_check_interval_minutes = ${minutes} where id = ${org()}`);
  const setThreshold = (claims: Claims, n: number) =>
    affected(sql, claims, (tx) => tx`update public.organizations set health_failure_threshold = ${n} where id = ${p.orgId}`);

  it("lets admins and owners change the interval and threshold, and nobody else", async () => {
    for (const persona of [p.admin, p.owner]) {
      expect(await setInterval(persona.claims, 30)).toEqual({ ok: true, count: 1 });
      expect(await setThreshold(persona.claims, 3)).toEqual({ ok: true, count: 1 });
    }
    for (const persona of [p.viewer, p.member, p.outsider]) {
      expect(await setInterval(persona.claims, 30)).toEqual({ ok: true, count: 0 });
      expect(await setThreshold(persona.claims, 3)).toEqual({ ok: true, count: 0 });
    }
    expect(await setInterval(null, 30)).toMatchObject({ ok: false, code: "42501" });
    expect(await setInterval(p.admin.claims, 30, () => p.outsiderOrgId)).toEqual({ ok: true, count: 0 });
  });

  it("refuses an interval under 5 minutes or over a day, and a threshold outside 1–10", async () => {
    for (const minutes of [4, 1441]) expect(await setInterval(p.admin.claims, minutes)).toMatchObject({ ok: false, code: "23514" });
    for (const n of [0, 11]) expect(await setThreshold(p.admin.claims, n)).toMatchObject({ ok: false, code: "23514" });
  });

  it("is readable by everyone in the organization", async () => {
    await sql`update public.organizations set health_check_interval_minutes = 20, health_failure_threshold = 4 where id = ${p.orgId}`;
    for (const persona of readersOf(p)) {
      const r = await attempt(
        sql,
        persona.claims,
        (tx) => tx`select health_check_interval_minutes, health_failure_threshold from public.organizations where id = ${p.orgId}`,
      );
      expect(r).toMatchObject({ ok: true, value: [{ health_check_interval_minutes: 20, health_failure_threshold: 4 }] });
    }
  });
});

describe("the health-sweep edge function", () => {
  const url = () => `${inject("stack").supabaseUrl}/functions/v1/health-sweep`;
  const post = (headers: Record<string, string>, body = "{}", method = "POST") =>
    fetch(url(), { method, headers: { "content-type": "application/json", ...headers }, body: method === "GET" ? undefined : body });

  it("refuses a caller without the secret key, before doing anything", async () => {
    const org = await newOrganization("gate");
    const id = await seedProvider(org, "guarded");
    const { publishableKey } = inject("stack");
    const userToken = await accessToken(p.owner);
    const attempts: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${publishableKey}` },
      { apikey: publishableKey },
      { authorization: `Bearer ${userToken}` },
      { authorization: "Bearer sb_secret_guess" },
    ];
    for (const headers of attempts) {
      const res = await post(headers, JSON.stringify({ organization_ids: [org] }));
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: "unauthorized", message: expect.stringContaining("secret key") } });
    }
    expect(await scheduledChecks([id])).toHaveLength(0);
    expect(fake.requests).toHaveLength(0);
  });

  it("runs one sweep for a caller with the secret key and answers its counts", async () => {
    const org = await newOrganization("edge");
    const id = await seedProvider(org, "via-edge");
    const { secretKey } = inject("stack");
    const res = await post({ authorization: `Bearer ${secretKey}` }, JSON.stringify({ organization_ids: [org] }));
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(secretKey);
    expect(JSON.parse(text).data).toMatchObject({
      claimed: 1,
      checked: 1,
      healthy: 1,
      failed: 0,
      errors: 0,
      organizations: 1,
      sweeper_id: expect.stringMatching(/^health-sweep\//),
    });
    expect(await scheduledChecks([id])).toEqual([{ provider_id: id, ok: true }]);

    const viaApikey = await post({ apikey: secretKey }, JSON.stringify({ organization_ids: [org] }));
    expect((await viaApikey.json()).data).toMatchObject({ claimed: 0 });
  });

  it("then announces old credentials and delivers webhooks, reporting each part", async () => {
    const org = await newOrganization("after");
    const id = await seedProvider(org, "aged");
    await sql`update public.cloud_providers set credentials_rotated_at = now() - interval '100 days' where id = ${id}`;
    const { secretKey } = inject("stack");
    const res = await post({ authorization: `Bearer ${secretKey}` }, JSON.stringify({ organization_ids: [org] }));
    const { after } = (await res.json()).data;
    expect(after).toMatchObject({
      alerts: expect.any(Number),
      webhooks: { delivered: expect.any(Number) },
      events: { imported: 0 },
      pruned: { health_checks: expect.any(Number), credential_reads: expect.any(Number), sweep_runs: expect.any(Number) },
    });
    const [notice] = await sql`select kind, severity from public.notifications where provider_id = ${id}`;
    expect(notice).toEqual({ kind: "credential.old", severity: "critical" });
  });

  it("answers a wrong method or a malformed body with a clear 4xx", async () => {
    const { secretKey } = inject("stack");
    expect((await post({ authorization: `Bearer ${secretKey}` }, "", "GET")).status).toBe(405);
    expect((await post({ authorization: `Bearer ${secretKey}` }, "{not json")).status).toBe(400);
    const wrong = await post({ authorization: `Bearer ${secretKey}` }, JSON.stringify({ organization_ids: ["not-a-uuid"] }));
    expect(wrong.status).toBe(422);
    expect(await wrong.json()).toMatchObject({ error: { code: "validation_failed" } });
  });
});
