// The stored inventory across resource types (migrations …0800 and …1100): a type whose listing failed keeps
// its stored resources, and a refresh of one type can only mark resources of that type vanished.
// Through the domain (refreshResources → private.record_inventory), against the DigitalOcean fake.
import type postgres from "postgres";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { parseKeyRing, type KeyRing } from "../../supabase/functions/_shared/crypto/index.ts";
import { refreshResources, type ConnectivityContext } from "../../supabase/functions/_shared/domain/connectivity.ts";
import { createProvider } from "../../supabase/functions/_shared/domain/providers.ts";
import { startDigitalOceanFake, type DigitalOceanFake } from "../fakes/digitalocean.ts";
import { asService } from "../../supabase/functions/_shared/db.ts";
import { connect } from "../support/db.ts";
import { createPersonas, type Personas } from "../support/personas.ts";
import { firstRow } from "../support/rows.ts";
import { trustedCidrs } from "../support/stack.ts";

let sql: postgres.Sql;
let ring: KeyRing;
let fake: DigitalOceanFake;
let people: Personas;
let providerId: string;

const ctx = (): ConnectivityContext => ({ sql, ring, claims: people.member.claims, trustedCidrs, timeoutMs: 5_000 });
/** Stored resources still live (not vanished), per type. */
async function live() {
  const rows = await sql<{ type: string; n: number }[]>`
    select type, count(*)::int as n from public.provider_resources where provider_id = ${providerId} and vanished_at is null group by type order by type`;
  return Object.fromEntries(rows.map((row) => [row.type, row.n]));
}

beforeAll(async () => {
  sql = connect();
  ring = parseKeyRing(inject("stack").encryptionKeys);
  people = await createPersonas(sql, "invtypes");
  await sql`update public.organizations set allow_http_endpoints = true where id = ${people.orgId}`;
  fake = await startDigitalOceanFake();
});
afterAll(async () => {
  await fake?.close();
  await sql?.end({ timeout: 5 });
});
beforeEach(async () => {
  fake.reset();
  fake.switches.resourceCount = 3;
  Object.assign(fake.digitalocean, { volumes: 2, kubernetesClusters: 1, databases: 1, loadBalancers: 1 });
  const provider = await createProvider({ sql, ring, claims: people.admin.claims, trustedCidrs }, people.orgId, {
    name: `DO ${crypto.randomUUID().slice(0, 8)}`,
    provider_type: "digitalocean",
    api_endpoint: fake.url,
    credentials: { access_key: fake.token },
  });
  providerId = provider.id;
});
afterEach(async () => {
  await sql`delete from public.cloud_providers where organization_id = ${people.orgId}`;
});

describe("the stored inventory across resource types", () => {
  it("stores every type a refresh lists", async () => {
    await refreshResources(ctx(), providerId);
    expect(await live()).toEqual({ database: 1, instance: 3, kubernetes_cluster: 1, load_balancer: 1, volume: 2 });
  });

  it("keeps a type whose listing failed (a partial failure scoped to the type), and marks the rest as the listing says", async () => {
    await refreshResources(ctx(), providerId);
    // The token loses block_storage:read, and a droplet is deleted.
    fake.digitalocean.forbidden = ["volume"];
    fake.switches.resourceCount = 2;
    const listing = await refreshResources(ctx(), providerId);
    expect(listing.partialFailures).toEqual([expect.objectContaining({ scope: "volume" })]);
    expect(await live()).toEqual({ database: 1, instance: 2, kubernetes_cluster: 1, load_balancer: 1, volume: 2 });
  });

  it("a refresh of one type can only say resources of that type are gone", async () => {
    await refreshResources(ctx(), providerId);
    fake.digitalocean.volumes = 1;
    await refreshResources(ctx(), providerId, "volume");
    expect(await live()).toEqual({ database: 1, instance: 3, kubernetes_cluster: 1, load_balancer: 1, volume: 1 });
  });
});

describe("which stored resources a partial failure protects (migration …1100)", () => {
  /** Stores a listing as the writer receives it; `resources` are the ones listed this time. */
  async function record(resources: Record<string, unknown>[], failures: string[], listedType: string | null = null) {
    const rows = resources.map((r) => ({ type: "instance", status: "running", ...r }));
    await asService(
      sql,
      (tx) =>
        tx`select private.record_inventory(${providerId}, ${tx.json(rows as never)}, ${tx.json(failures.map((scope) => ({ scope, code: "x", message: "x" })) as never)}, ${listedType})`,
    );
  }
  const stored = [
    { id: "db-eu", name: "db-eu", type: "database", region: "eu-west-1" },
    { id: "db-us", name: "db-us", type: "database", region: "us-east-1" },
    { id: "vm-a", name: "vm-a", region: "us-central1", zone: "us-central1-a" },
    { id: "vm-b", name: "vm-b", region: "us-central1", zone: "us-central1-b" },
    { id: "disk-a", name: "disk-a", type: "volume", region: "us-central1", zone: "us-central1-a" },
  ];
  const liveIds = async () =>
    (
      await sql<{ resource_id: string }[]>`
        select resource_id from public.provider_resources where provider_id = ${providerId} and vanished_at is null order by resource_id`
    ).map((row) => row.resource_id);

  it("covers its type in one region or zone, a zone or region alone, and nothing it does not name", async () => {
    await record(stored, []);
    // Nothing listed this time; what answered says everything is gone, except what the failures cover.
    await record([], ["database/eu-west-1", "volume/zones/us-central1-a", "power-state"]);
    expect(await liveIds()).toEqual(["db-eu", "disk-a"]);

    await record(stored, []);
    await record([], ["zones/us-central1-a"]);
    expect(await liveIds()).toEqual(["disk-a", "vm-a"]);

    await record(stored, []);
    await record([], ["regions/us-central1"]);
    expect(await liveIds()).toEqual(["disk-a", "vm-a", "vm-b"]);
  });

  it("counts the provider's live resources after a refresh of one type, not that type's alone", async () => {
    await record(stored, []);
    await record([{ id: "db-eu", name: "db-eu", type: "database", region: "eu-west-1" }], [], "database");
    const inventory = firstRow(
      await sql<{ resource_count: number }[]>`
      select resource_count from public.provider_inventory where provider_id = ${providerId}`,
    );
    expect(inventory.resource_count).toBe(4);
  });
});

describe("a listing that repeats an id", () => {
  it("is stored once instead of failing the whole write", async () => {
    const rows = [
      { id: "vol-1", name: "first", type: "volume", status: "running", region: "us-east-1" },
      { id: "vol-1", name: "again", type: "volume", status: "running", region: "us-east-2" },
    ];
    await asService(sql, (tx) => tx`select private.record_inventory(${providerId}, ${tx.json(rows as never)}, '[]')`);
    const { n } = firstRow(
      await sql<{ n: number }[]>`select count(*)::int as n from public.provider_resources where provider_id = ${providerId}`,
    );
    expect(n).toBe(1);
  });
});
