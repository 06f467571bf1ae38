// The demo seed behind `npm run dev -- --demo`, against a private stack and the fakes on free ports:
// what a newcomer signs in to (providers of every kind, health, pages of resources, one failure that
// says what to do), that a second run duplicates nothing, and that no secret sits in any column.
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { decryptCredential, parseKeyRing, type KeyRing } from "../../supabase/functions/_shared/crypto/index.ts";
import { PROVIDER_TYPES } from "../../supabase/functions/_shared/schemas/providers.ts";
import { DEMO_ORG, DEMO_TENANT, DEMO_USER, seedDemo, startDemoFakes, type DemoFakes, type SeedReport } from "../../supabase/local/demo.ts";
import { connect } from "../support/db.ts";
import { firstRow } from "../support/rows.ts";
import { VULTR_DATABASE_PASSWORD } from "../fakes/vultr.ts";

let sql: postgres.Sql;
let ring: KeyRing;
let fakes: DemoFakes;
let first: SeedReport;

const seed = (withFakes = fakes) => {
  const { supabaseUrl, secretKey } = inject("stack");
  return seedDemo({ sql, ring, supabaseUrl, secretKey, fakes: withFakes });
};

/** Every secret value the demo stores: whole, and the PEM body line by line. */
function demoSecrets(demo: DemoFakes): string[] {
  const secretFields = ["secret_key", "client_secret", "access_key", "password"];
  const out: string[] = [];
  for (const { provider_type, credentials } of demo.providers) {
    for (const field of secretFields) {
      const value = credentials[field];
      // An AWS or S3 access key id is an identifier (shown as its hint), not a secret.
      if (typeof value === "string" && !(field === "access_key" && (provider_type === "aws" || provider_type === "s3_compatible")))
        out.push(value);
    }
    if (typeof credentials.private_key === "string") out.push(...credentials.private_key.split("\n").filter((line) => line.length > 40));
  }
  // Not a credential, but as secret: the password Vultr's databases list carries for each database.
  out.push(VULTR_DATABASE_PASSWORD);
  return out;
}

async function demoProviders() {
  return sql<
    {
      id: string;
      name: string;
      provider_type: string;
      status: string;
      api_endpoint: string;
      last_error_message: string | null;
      credentials_rotated_at: Date | null;
      credentials: unknown;
    }[]
  >`
    select p.id, p.name, p.provider_type, p.status, p.api_endpoint, p.last_error_message, p.credentials_rotated_at, p.credentials
    from public.cloud_providers p join public.organizations o on o.id = p.organization_id
    where o.slug = ${DEMO_ORG.slug} and p.parent_provider_id is null order by p.name`;
}

async function counts() {
  const rows = await sql<{ users: number; orgs: number; providers: number; resources: number; checks: number }[]>`
    select (select count(*)::int from auth.users where email = ${DEMO_USER.email}) as users,
           (select count(*)::int from public.organizations where slug = ${DEMO_ORG.slug}) as orgs,
           (select count(*)::int from public.cloud_providers where organization_id = ${first.organizationId}) as providers,
           (select count(*)::int from public.provider_resources where organization_id = ${first.organizationId} and vanished_at is null) as resources,
           (select count(*)::int from public.provider_health_checks where organization_id = ${first.organizationId}) as checks`;
  return firstRow(rows);
}

beforeAll(async () => {
  sql = connect();
  ring = parseKeyRing(inject("stack").encryptionKeys);
  fakes = await startDemoFakes({ ports: "free" });
  first = await seed();
});

afterAll(async () => {
  await fakes?.stop();
  await sql?.end();
});

describe("the demo seed", () => {
  it("gives the demo user a Demo organization that allow-lists the fakes on loopback", async () => {
    const [org] = await sql`
      select o.name, o.allow_http_endpoints, o.allowed_private_cidrs::text[] as cidrs, m.role
      from public.organizations o join public.organization_members m on m.organization_id = o.id
      where o.slug = ${DEMO_ORG.slug} and m.user_id = ${first.userId}`;
    expect(org).toMatchObject({ name: "Demo", allow_http_endpoints: true, cidrs: [], role: "owner" });
  });

  it("lets the demo user sign in with the password dev.ts prints", async () => {
    const { supabaseUrl, publishableKey } = inject("stack");
    const res = await fetch(`${supabaseUrl}/auth/v1/token?grant_type=password`, {
      method: "POST",
      headers: { apikey: publishableKey, "content-type": "application/json" },
      body: JSON.stringify({ email: DEMO_USER.email, password: DEMO_USER.password }),
    });
    expect(res.status).toBe(200);
    expect((await res.json()).user.id).toBe(first.userId);
  });

  it("connects one provider of every kind, an Azure tenant, plus one DigitalOcean provider that fails", async () => {
    const providers = await demoProviders();
    expect(providers).toHaveLength(10);
    expect(new Set(providers.map((p) => p.provider_type))).toEqual(new Set(PROVIDER_TYPES));
    expect(providers.filter((p) => p.status === "healthy")).toHaveLength(9);
    const failing = providers.find((p) => p.name === fakes.failingName)!;
    expect(failing).toMatchObject({ provider_type: "digitalocean", status: "failed" });
  });

  it("records a health check for every provider; the failing one says what to do", async () => {
    const checks = await sql<{ provider_id: string; ok: boolean; error_message: string | null; error_hint: string | null }[]>`
      select provider_id, ok, error_message, error_hint from public.provider_health_checks where organization_id = ${first.organizationId}`;
    for (const provider of first.providers) expect(checks.filter((c) => c.provider_id === provider.id)).toHaveLength(1);
    const failed = checks.filter((c) => !c.ok);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.error_message).toMatch(/authenticate|token/i);
    expect(failed[0]!.error_hint).toMatch(/token/i);
  });

  it("stores more than one page (25) of resources for every healthy provider", async () => {
    const stored = await sql<{ provider_id: string; n: number }[]>`
      select provider_id, count(*)::int as n from public.provider_resources
      where organization_id = ${first.organizationId} and vanished_at is null group by provider_id`;
    // The tenant's own Platform subscription is empty; its accounts are below.
    const healthy = first.providers.filter((p) => p.healthy && p.name !== DEMO_TENANT.name);
    expect(healthy).toHaveLength(8);
    for (const provider of healthy) {
      const n = stored.find((s) => s.provider_id === provider.id)?.n ?? 0;
      expect(n, provider.name).toBeGreaterThan(25);
      expect(n, provider.name).toBe(provider.resources);
    }
    // AWS lists every one of its 17 default regions.
    const aws = first.providers.find((p) => p.provider_type === "aws")!;
    const { regions } = firstRow(
      await sql`select count(distinct region)::int as regions from public.provider_resources where provider_id = ${aws.id}`,
    );
    expect(regions).toBe(17);
    // Beside instances, each region has EBS volumes, an RDS database, an EKS cluster and a load balancer; the account has three buckets.
    const awsTypes = await sql<{ type: string; n: number }[]>`
      select type, count(*)::int as n from public.provider_resources where provider_id = ${aws.id} group by type order by type`;
    expect(Object.fromEntries(awsTypes.map((t) => [t.type, t.n]))).toEqual({
      bucket: 3,
      database: 17,
      instance: 68,
      kubernetes_cluster: 17,
      load_balancer: 17,
      volume: 34,
    });
    // DigitalOcean shows more than droplets: volumes, Kubernetes clusters, databases, load balancers.
    const digitalocean = first.providers.find((p) => p.name === "DigitalOcean (demo)")!;
    const types = await sql<{ type: string; n: number }[]>`
      select type, count(*)::int as n from public.provider_resources where provider_id = ${digitalocean.id} group by type order by type`;
    expect(Object.fromEntries(types.map((t) => [t.type, t.n]))).toEqual({
      database: 2,
      instance: 120,
      kubernetes_cluster: 2,
      load_balancer: 1,
      volume: 6,
    });
    // Linode: volumes, LKE clusters, databases, NodeBalancers; Vultr: block storage, VKE clusters, databases, a load balancer.
    for (const [name, expected] of [
      ["Linode (demo)", { database: 2, instance: 75, kubernetes_cluster: 2, load_balancer: 2, volume: 5 }],
      ["Vultr (demo)", { database: 2, instance: 55, kubernetes_cluster: 2, load_balancer: 1, volume: 4 }],
    ] as const) {
      const provider = first.providers.find((p) => p.name === name)!;
      const counts = await sql<{ type: string; n: number }[]>`
        select type, count(*)::int as n from public.provider_resources where provider_id = ${provider.id} group by type order by type`;
      expect(Object.fromEntries(counts.map((t) => [t.type, t.n])), name).toEqual(expected);
    }
    // So does Azure: disks, AKS clusters, SQL databases and a PostgreSQL server, storage accounts, load balancers.
    const azure = first.providers.find((p) => p.name === "Azure (demo)")!;
    const azureTypes = await sql<{ type: string; n: number }[]>`
      select type, count(*)::int as n from public.provider_resources where provider_id = ${azure.id} group by type order by type`;
    expect(Object.fromEntries(azureTypes.map((t) => [t.type, t.n]))).toEqual({
      bucket: 3,
      database: 3,
      instance: 60,
      kubernetes_cluster: 2,
      load_balancer: 2,
      volume: 5,
    });
    // And Google Cloud: disks, GKE clusters, Cloud SQL instances, buckets, forwarding rules.
    const gcp = first.providers.find((p) => p.name === "Google Cloud (demo)")!;
    const gcpTypes = await sql<{ type: string; n: number }[]>`
      select type, count(*)::int as n from public.provider_resources where provider_id = ${gcp.id} group by type order by type`;
    expect(Object.fromEntries(gcpTypes.map((t) => [t.type, t.n]))).toEqual({
      bucket: 3,
      database: 2,
      instance: 40,
      kubernetes_cluster: 2,
      load_balancer: 2,
      volume: 6,
    });
  });

  it("encrypts the credentials like any other provider's, bound to their row", async () => {
    for (const provider of await demoProviders()) {
      const spec = fakes.providers.find((p) => p.name === provider.name)!;
      const plain = (await decryptCredential(
        ring,
        { organizationId: first.organizationId, providerId: provider.id },
        provider.credentials,
      )) as Record<string, unknown>;
      for (const [field, value] of Object.entries(spec.credentials)) expect(plain[field], `${provider.name}.${field}`).toEqual(value);
    }
  });

  it("keeps every secret out of every column of every table, ciphertext and audit included", async () => {
    const secrets = demoSecrets(fakes);
    expect(secrets.length).toBeGreaterThan(10);
    const tables = await sql<{ schema: string; name: string }[]>`
      select table_schema as schema, table_name as name from information_schema.tables
      where table_schema in ('public', 'private', 'auth') and table_type = 'BASE TABLE'`;
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(["cloud_providers", "audit_events", "provider_health_checks", "provider_resources"]),
    );
    for (const table of tables) {
      const rows = await sql<{ row: string }[]>`select row_to_json(t)::text as row from ${sql(table.schema)}.${sql(table.name)} t`;
      const text = rows.map((r) => r.row).join("\n");
      for (const secret of secrets) expect(text.includes(secret), `${table.schema}.${table.name} holds a demo secret`).toBe(false);
    }
  });

  it("duplicates nothing and rotates nothing when it runs again", async () => {
    const before = await counts();
    const again = await seed();
    expect(again.providers.map((p) => p.id)).toEqual(first.providers.map((p) => p.id));
    expect(again.providers.every((p) => !p.created)).toBe(true);
    const after = await counts();
    // One more health check per provider; everything else as it was.
    expect(after).toEqual({ ...before, checks: before.checks + 10 });
    // Ten providers and the tenant's two connected subscriptions.
    expect(after).toMatchObject({ users: 1, orgs: 1, providers: 12 });
    expect((await demoProviders()).every((p) => p.credentials_rotated_at === null)).toBe(true);
  });

  it("follows fakes that moved to other ports by rotating the credentials with the new endpoint", async () => {
    const moved = await startDemoFakes({ ports: "free" });
    try {
      const report = await seed(moved);
      expect(report.providers.map((p) => p.id)).toEqual(first.providers.map((p) => p.id));
      const providers = await demoProviders();
      for (const provider of providers) {
        expect(provider.api_endpoint).toBe(moved.providers.find((p) => p.name === provider.name)!.api_endpoint);
        expect(provider.credentials_rotated_at).not.toBeNull();
      }
      expect(providers.filter((p) => p.status === "healthy")).toHaveLength(9);
    } finally {
      await moved.stop();
    }
  });
});

describe("the demo's whole Azure tenant", () => {
  it("connects the tenant's other subscriptions as providers of their own and says why the rest are not connected", async () => {
    const tenant = first.providers.find((p) => p.name === DEMO_TENANT.name)!;
    expect(tenant.discovered).toMatchObject({ discovered: 4, connected: 2, unavailable: 2, failed: 0 });
    // Each connected subscription passed a health check before its provider was created.
    const accounts = await sql<{ name: string; state: string; reason_code: string | null; child_checked_ok: boolean | null }[]>`
      select d.name, d.state, d.reason_code,
             (select bool_or(h.ok) from public.provider_health_checks h where h.provider_id = d.child_provider_id) as child_checked_ok
      from public.provider_discovered_accounts d
      where d.parent_provider_id = ${tenant.id} order by d.name`;
    expect(accounts).toEqual([
      { name: "Data team", state: "connected", reason_code: null, child_checked_ok: true },
      { name: "Demo subscription", state: "unavailable", reason_code: "already_connected", child_checked_ok: null },
      { name: "Old trial", state: "unavailable", reason_code: "subscription_disabled", child_checked_ok: null },
      { name: "Sandbox", state: "connected", reason_code: null, child_checked_ok: true },
    ]);
  });
});

describe("the demo's providers with no secret", () => {
  it("connects a Google project, an AWS account and an Azure subscription by federation against the local issuer, healthy and listed", async () => {
    const { supabaseUrl } = inject("stack");
    const federated = await startDemoFakes({ ports: "free", issuer: `${supabaseUrl}/functions/v1/oidc` });
    try {
      const report = await seed(federated);
      const gcp = report.providers.find((p) => p.name === "Google Cloud (no secret, demo)");
      expect(gcp).toMatchObject({ provider_type: "gcp", healthy: true, resources: 12, error: null });
      const azure = report.providers.find((p) => p.name === "Azure (no secret, demo)");
      expect(azure).toMatchObject({ provider_type: "azure", healthy: true, resources: 8, error: null });
      const rows = await sql<
        { id: string; auth_method: string }[]
      >`select id, auth_method from public.cloud_providers where id in (${gcp!.id}, ${azure!.id})`;
      expect(Object.fromEntries(rows.map((row) => [row.id, row.auth_method]))).toEqual({
        [gcp!.id]: "workload_identity",
        [azure!.id]: "federated",
      });
      // Nothing secret behind the Azure one: its envelope holds the app, tenant and subscription only.
      const stored = firstRow(
        await sql<{ credentials: unknown }[]>`select credentials from public.cloud_providers where id = ${azure!.id}`,
      );
      const envelope = await decryptCredential(ring, { organizationId: report.organizationId, providerId: azure!.id }, stored.credentials);
      expect(Object.keys(envelope as object).sort()).toEqual(["auth_method", "client_id", "subscription_id", "tenant_id"]);
      // Two instances in each of three regions, read with a role assumed by web identity.
      const aws = report.providers.find((p) => p.name === "AWS (no secret, demo)");
      expect(aws).toMatchObject({ provider_type: "aws", healthy: true, resources: 6, error: null });
      const [awsRow] = await sql<
        { auth_method: string; credential_hint: string }[]
      >`select auth_method, credential_hint from public.cloud_providers where id = ${aws!.id}`;
      expect(awsRow).toEqual({ auth_method: "web_identity", credential_hint: "role/CloudkeepReadOnly" });
    } finally {
      await federated.stop();
    }
  });
});
