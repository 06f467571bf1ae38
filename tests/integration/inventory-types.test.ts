// The stored inventory across resource types (migration …0800): a type whose listing failed keeps
// its stored resources, and a refresh of one type can only mark resources of that type vanished.
// Through the domain (refreshResources → private.record_inventory), against the DigitalOcean fake.
import type postgres from "postgres";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { parseKeyRing, type KeyRing } from "../../supabase/functions/_shared/crypto/index.ts";
import { refreshResources, type ConnectivityContext } from "../../supabase/functions/_shared/domain/connectivity.ts";
import { createProvider } from "../../supabase/functions/_shared/domain/providers.ts";
import { startDigitalOceanFake, type DigitalOceanFake } from "../fakes/digitalocean.ts";
import { connect } from "../support/db.ts";
import { createPersonas, type Personas } from "../support/personas.ts";
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
