// The organization-wide inventory's domain module (supabase/functions/_shared/domain/inventory-queries.ts)
// against Postgres under RLS: who sees which rows, every filter, search, sort, pages, the counts
// summary kept by triggers, and the CSV export.
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asService, readWithRls, type Claims } from "../../supabase/functions/_shared/db.ts";
import {
  forEachInventoryBatch,
  inventoryCsvHeader,
  inventoryCsvLine,
  selectInventoryPage,
  selectInventoryResources,
  type InventoryFilters,
  type InventoryResource,
} from "../../supabase/functions/_shared/domain/inventory-queries.ts";
import { attempt, connect, FAKE_ENVELOPE } from "../support/db.ts";
import { createPersonas, type Personas } from "../support/personas.ts";
import { firstRow } from "../support/rows.ts";

let sql: postgres.Sql;
let p: Personas;
const ids: Record<string, string> = {};

async function seedProvider(orgId: string, name: string, kind: string, environment = "production") {
  const row = firstRow(
    await sql<{ id: string }[]>`
    insert into public.cloud_providers (organization_id, name, provider_type, auth_method, credentials, credential_hint, credential_fingerprint, environment)
    values (${orgId}, ${name}, ${kind}, 'api_token', ${sql.json(FAKE_ENVELOPE)}, 'hint', ${`fp-${orgId}-${name}`}, ${environment}) returning id`,
  );
  return row.id;
}

type Seed = {
  id: string;
  name: string;
  type?: string;
  region?: string;
  status?: string;
  size?: string;
  public_ips?: string[];
  private_ips?: string[];
  tags?: Record<string, string>;
  launched_at?: string;
};

/** Through the service role's writer, as a refresh stores them (vanishing what it no longer lists). */
async function recordInventory(providerId: string, resources: Seed[]) {
  const rows = resources.map((r) => ({ type: "instance", region: "nyc3", status: "running", ...r, created_at: r.launched_at }));
  await asService(sql, (tx) => tx`select private.record_inventory(${providerId}, ${tx.json(rows as never)}, '[]')`);
}

const page = (
  claims: Claims | null,
  orgId: string,
  filters: InventoryFilters = {},
  options: Parameters<typeof selectInventoryPage>[3] = {},
) => readWithRls(sql, claims, (tx) => selectInventoryPage(tx, orgId, filters, options));
const names = (resources: InventoryResource[]) => resources.map((r) => r.name);

beforeAll(async () => {
  sql = connect();
  p = await createPersonas(sql, "inv");
  ids.aws = await seedProvider(p.orgId, "Prod AWS", "aws", "production");
  ids.doStaging = await seedProvider(p.orgId, "Staging DO", "digitalocean", "staging");
  ids.linode = await seedProvider(p.orgId, "Linode lab", "linode", "development");
  ids.outsiderVultr = await seedProvider(p.outsiderOrgId, "Outsider Vultr", "vultr");
  await recordInventory(ids.aws, [
    {
      id: "i-0001",
      name: "web-1",
      region: "us-east-1",
      public_ips: ["54.1.2.3"],
      private_ips: ["10.0.0.5"],
      tags: { env: "prod", team: "web" },
      launched_at: "2026-01-01T00:00:00Z",
    },
    { id: "i-0002", name: "web-2", region: "us-east-1", status: "stopped", tags: { env: "prod" }, launched_at: "2026-03-01T00:00:00Z" },
    { id: "vol-1", name: "data", type: "volume", region: "eu-west-1", tags: { env: "staging" } },
    { id: "i-0003", name: '=HYPERLINK("http://evil.example")', region: "us-east-1", launched_at: "2026-02-01T00:00:00Z" },
  ]);
  await recordInventory(ids.doStaging, [
    { id: "101", name: "api-1", size: "s-1vcpu-1gb", public_ips: ["159.65.0.1"], tags: { env: "staging", team: "api" } },
    { id: "102", name: "api-2", size: "s-2vcpu-4gb", status: "stopped" },
    { id: "103", name: "web-3", size: "unknown-size" },
  ]);
  await recordInventory(ids.linode, [
    { id: "9001", name: "lab-box", size: "g6-standard-1", region: "us-east", tags: { "team:lead": "a:b" } },
  ]);
  await recordInventory(ids.outsiderVultr, [
    { id: "v-1", name: "web-secret", size: "vc2-1c-2gb", public_ips: ["45.77.0.1"], tags: { env: "prod" } },
  ]);
});

afterAll(async () => {
  await sql.end();
});

describe("who sees the inventory (RLS persona matrix)", () => {
  it("shows every member, from viewer to owner, all of their organization's resources and none of another's", async () => {
    for (const role of ["viewer", "member", "admin", "owner"] as const) {
      const result = await page(p[role].claims, p.orgId, {}, { pageSize: 50 });
      expect(result.counts.total).toBe(8);
      expect(result.resources).toHaveLength(8);
      expect(names(result.resources)).not.toContain("web-secret");
      expect(result.providers.map((x) => x.name)).toEqual(["Linode lab", "Prod AWS", "Staging DO"]);
    }
  });

  it("shows an outsider nothing of another organization, even naming its provider, its cloud or searching its addresses", async () => {
    for (const filters of [
      {},
      { providerId: ids.aws },
      { cloud: "aws" },
      { q: "web" },
      { q: "54.1.2.3" },
      { tags: [["env", "prod"]] },
    ] as InventoryFilters[]) {
      const result = await page(p.outsider.claims, p.orgId, filters);
      expect(result.resources).toEqual([]);
      expect(result.counts.total).toBe(0);
      expect(result.organization.total).toBe(0);
      const api = await readWithRls(sql, p.outsider.claims, (tx) => selectInventoryResources(tx, p.orgId, filters, { counts: true }));
      expect(api.resources).toEqual([]);
    }
    // Their own organization's provider named from ours finds nothing either.
    expect((await page(p.member.claims, p.orgId, { providerId: ids.outsiderVultr })).resources).toEqual([]);
  });

  it("refuses anon outright", async () => {
    const plain = await attempt(sql, null, (tx) => selectInventoryPage(tx, p.orgId, {}));
    expect(plain).toMatchObject({ ok: false, code: "42501" });
    const search = await attempt(sql, null, (tx) => selectInventoryPage(tx, p.orgId, { q: "web" }));
    expect(search).toMatchObject({ ok: false, code: "42501" });
  });

  it("keeps the search functions and the counts table closed to an outsider calling them directly", async () => {
    const rows = await attempt(
      sql,
      p.outsider.claims,
      (tx) =>
        tx`select count(*)::int as n from private.inventory_matches(${p.orgId}, null, null, null, null, null, null, null, false, 'name', false, null, null, 100, 0, true)`,
    );
    expect(rows).toEqual({ ok: true, value: [{ n: 0 }] });
    const counts = await attempt(
      sql,
      p.outsider.claims,
      (tx) => tx`select count(*)::int as n from private.inventory_match_counts(${p.orgId}, '%', null, null, null, null, null, null, false)`,
    );
    expect(counts).toEqual({ ok: true, value: [{ n: 0 }] });
    const summary = await attempt(
      sql,
      p.outsider.claims,
      (tx) => tx`select count(*)::int as n from public.provider_resource_counts where organization_id = ${p.orgId}`,
    );
    expect(summary).toEqual({ ok: true, value: [{ n: 0 }] });
    const write = await attempt(
      sql,
      p.owner.claims,
      (tx) => tx`delete from public.provider_resource_counts where organization_id = ${p.orgId}`,
    );
    expect(write).toMatchObject({ ok: false, code: "42501" });
  });
});

describe("filters, search, sort and pages", () => {
  const viewer = () => p.viewer.claims;

  it("filters by cloud, provider, type, region, status and the provider's environment", async () => {
    expect(names((await page(viewer(), p.orgId, { cloud: "digitalocean" })).resources)).toEqual(["api-1", "api-2", "web-3"]);
    expect(names((await page(viewer(), p.orgId, { providerId: ids.linode })).resources)).toEqual(["lab-box"]);
    expect(names((await page(viewer(), p.orgId, { type: "volume" })).resources)).toEqual(["data"]);
    expect(names((await page(viewer(), p.orgId, { region: "us-east-1", status: "running" })).resources)).toEqual([
      '=HYPERLINK("http://evil.example")',
      "web-1",
    ]);
    expect(names((await page(viewer(), p.orgId, { environment: "staging" })).resources)).toEqual(["api-1", "api-2", "web-3"]);
    expect((await page(viewer(), p.orgId, { environment: "other" })).counts.total).toBe(0);
  });

  it("searches name, id and addresses as case-insensitive substrings, with LIKE wildcards taken literally", async () => {
    expect(names((await page(viewer(), p.orgId, { q: "WEB" })).resources)).toEqual(["web-1", "web-2", "web-3"]);
    expect(names((await page(viewer(), p.orgId, { q: "vol-" })).resources)).toEqual(["data"]);
    expect(names((await page(viewer(), p.orgId, { q: "159.65" })).resources)).toEqual(["api-1"]);
    expect(names((await page(viewer(), p.orgId, { q: "10.0.0.5" })).resources)).toEqual(["web-1"]);
    expect((await page(viewer(), p.orgId, { q: "%" })).resources).toEqual([]);
    expect((await page(viewer(), p.orgId, { q: "web", cloud: "aws", status: "stopped" })).counts.total).toBe(1);
  });

  it("filters by tag key:value, by key alone, and by several tags at once; values may hold colons", async () => {
    expect(names((await page(viewer(), p.orgId, { tags: [["env", "prod"]] })).resources)).toEqual(["web-1", "web-2"]);
    expect(names((await page(viewer(), p.orgId, { tags: [["team", null]] })).resources)).toEqual(["api-1", "web-1"]);
    expect(
      names(
        (
          await page(viewer(), p.orgId, {
            tags: [
              ["env", "prod"],
              ["team", "web"],
            ],
          })
        ).resources,
      ),
    ).toEqual(["web-1"]);
    expect(names((await page(viewer(), p.orgId, { tags: [["team:lead", "a:b"]] })).resources)).toEqual(["lab-box"]);
    expect((await page(viewer(), p.orgId, { tags: [["env", "prod"]], cloud: "digitalocean" })).counts.total).toBe(0);
    // One key cannot hold two values; the organization's totals still show.
    const contradictory = await page(viewer(), p.orgId, {
      tags: [
        ["env", "prod"],
        ["env", "staging"],
      ],
    });
    expect([contradictory.counts.total, contradictory.resources.length, contradictory.organization.total]).toEqual([0, 0, 8]);
  });

  it("sorts by every column both ways, and pages through the result without gaps or repeats", async () => {
    const dated = (await page(viewer(), p.orgId, { cloud: "aws", type: "instance" }, { sort: "launched_at", direction: "desc" })).resources;
    expect(names(dated)).toEqual(["web-2", '=HYPERLINK("http://evil.example")', "web-1"]);
    const byProvider = (await page(viewer(), p.orgId, {}, { sort: "provider", pageSize: 50 })).resources.map((r) => r.provider_name);
    expect(byProvider).toEqual(["Linode lab", "Prod AWS", "Prod AWS", "Prod AWS", "Prod AWS", "Staging DO", "Staging DO", "Staging DO"]);
    const byCloudDesc = (await page(viewer(), p.orgId, {}, { sort: "cloud", direction: "desc", pageSize: 50 })).resources.map(
      (r) => r.provider_type,
    );
    expect(byCloudDesc).toEqual(["linode", "digitalocean", "digitalocean", "digitalocean", "aws", "aws", "aws", "aws"]);
    for (const sort of ["name", "provider", "cloud", "type", "region", "status", "size", "launched_at"] as const) {
      for (const direction of ["asc", "desc"] as const) {
        const whole = names((await page(viewer(), p.orgId, {}, { sort, direction, pageSize: 50 })).resources);
        const paged: string[] = [];
        for (let n = 1; n <= 3; n++)
          paged.push(...names((await page(viewer(), p.orgId, {}, { sort, direction, pageSize: 3, page: n })).resources));
        expect(paged, `${sort} ${direction}`).toEqual(whole);
        expect(new Set(paged).size).toBe(8);
      }
    }
    // Provider order with a search (the function path).
    const searched = names((await page(viewer(), p.orgId, { q: "web" }, { sort: "provider", direction: "desc", pageSize: 50 })).resources);
    expect(searched).toEqual(["web-3", "web-2", "web-1"]);
  });

  it("counts by cloud and type, offers the organization's values to filter by, and adds up list prices", async () => {
    const result = await page(viewer(), p.orgId, { status: "running" });
    expect(result.counts.total).toBe(6);
    expect(result.counts.byCloud).toEqual([
      { cloud: "aws", resources: 3 },
      { cloud: "digitalocean", resources: 2 },
      { cloud: "linode", resources: 1 },
    ]);
    expect(result.counts.byType).toEqual([
      { type: "instance", resources: 5 },
      { type: "volume", resources: 1 },
    ]);
    expect(result.facets).toEqual({
      types: ["instance", "volume"],
      regions: ["eu-west-1", "nyc3", "us-east", "us-east-1"],
      statuses: ["running", "stopped"],
    });
    // s-1vcpu-1gb $6 + s-2vcpu-4gb $24 + g6-standard-1 $12; web-3's size is unknown.
    expect(result.organization.listPrice).toMatchObject({ monthly: 42, priced: 3, unpriced: 5 });
    expect(result.organization.listPrice.byProvider.map((x) => [x.provider_name, x.monthly])).toEqual([
      ["Staging DO", 30],
      ["Linode lab", 12],
    ]);
    expect(result.resources.find((r) => r.name === "api-1")?.list_price_monthly).toBe(6);
    expect(result.resources.find((r) => r.name === "web-1")?.list_price_monthly).toBeNull();
  });

  it("pages the API's keyset order to the end with counts, and refuses nothing it gave out", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const result: Awaited<ReturnType<typeof selectInventoryResources>> = await readWithRls(sql, p.member.claims, (tx) =>
        selectInventoryResources(tx, p.orgId, {}, { limit: 3, cursor, counts: true }),
      );
      expect(result.counts?.total).toBe(8);
      seen.push(...names(result.resources));
      cursor = result.nextCursor;
    } while (cursor);
    expect(seen).toEqual(names((await page(p.member.claims, p.orgId, {}, { pageSize: 50 })).resources));
    const searched = await readWithRls(sql, p.member.claims, (tx) => selectInventoryResources(tx, p.orgId, { q: "web" }, { limit: 2 }));
    expect(names(searched.resources)).toEqual(["web-1", "web-2"]);
    const next = await readWithRls(sql, p.member.claims, (tx) =>
      selectInventoryResources(tx, p.orgId, { q: "web" }, { limit: 2, cursor: searched.nextCursor }),
    );
    expect(names(next.resources)).toEqual(["web-3"]);
    expect(next.nextCursor).toBeNull();
  });
});

describe("the counts summary follows every change to the inventory", () => {
  it("drops vanished resources, shows them on request, and forgets a deleted provider", async () => {
    const id = await seedProvider(p.orgId, "Short-lived Vultr", "vultr");
    await recordInventory(id, [
      { id: "a", name: "zz-a", size: "vc2-1c-1gb" },
      { id: "b", name: "zz-b", size: "vc2-1c-2gb" },
    ]);
    expect((await page(p.viewer.claims, p.orgId, { providerId: id })).counts.total).toBe(2);
    await recordInventory(id, [{ id: "a", name: "zz-a", size: "vc2-1c-1gb" }]);
    const after = await page(p.viewer.claims, p.orgId, { providerId: id });
    expect(after.counts.total).toBe(1);
    expect(after.organization.listPrice.byProvider.find((x) => x.provider_id === id)?.monthly).toBe(5);
    expect(names((await page(p.viewer.claims, p.orgId, { providerId: id, includeVanished: true })).resources)).toEqual(["zz-a", "zz-b"]);
    await sql`delete from public.cloud_providers where id = ${id}`;
    expect(await sql`select * from public.provider_resource_counts where provider_id = ${id}`).toEqual([]);
    expect((await page(p.viewer.claims, p.orgId)).counts.total).toBe(8);
  });

  it("counts one tag from its own summary, which follows retagging, vanishing and deletion", async () => {
    const id = await seedProvider(p.orgId, "Tagged Vultr", "vultr");
    const tagged = (tags: [string, string | null][], extra: InventoryFilters = {}) =>
      page(p.viewer.claims, p.orgId, { providerId: id, tags, ...extra });
    await recordInventory(id, [
      { id: "a", name: "t-a", tags: { env: "prod", team: "web" } },
      { id: "b", name: "t-b", status: "stopped", tags: { env: "prod" } },
      { id: "c", name: "t-c", tags: { env: "dev" } },
    ]);
    expect((await tagged([["env", "prod"]])).counts.total).toBe(2);
    expect((await tagged([["env", "prod"]], { status: "stopped" })).counts.total).toBe(1);
    expect((await tagged([["env", null]])).counts.total).toBe(3);
    // Two tags intersect: counted from the rows, not the summary.
    expect(
      (
        await tagged([
          ["env", "prod"],
          ["team", "web"],
        ])
      ).counts.total,
    ).toBe(1);
    // b is retagged, c vanishes.
    await recordInventory(id, [
      { id: "a", name: "t-a", tags: { env: "prod", team: "web" } },
      { id: "b", name: "t-b", status: "stopped", tags: { env: "dev" } },
    ]);
    expect((await tagged([["env", "prod"]])).counts.total).toBe(1);
    expect((await tagged([["env", "dev"]])).counts.total).toBe(1);
    expect((await tagged([["env", "dev"]], { includeVanished: true })).counts.total).toBe(2);
    // Outsiders read none of it; a deleted provider leaves no counts behind.
    expect(
      await readWithRls(sql, p.outsider.claims, (tx) => tx`select * from public.provider_resource_tag_counts where provider_id = ${id}`),
    ).toEqual([]);
    await sql`delete from public.cloud_providers where id = ${id}`;
    expect(await sql`select * from public.provider_resource_tag_counts where provider_id = ${id}`).toEqual([]);
  });
});

describe("CSV export", () => {
  it("streams every matching row under RLS, with formula cells defused", async () => {
    const lines: string[] = [inventoryCsvHeader()];
    await readWithRls(sql, p.viewer.claims, (tx) =>
      forEachInventoryBatch(tx, p.orgId, { cloud: "aws" }, async (batch) => void lines.push(...batch.map(inventoryCsvLine)), 2),
    );
    const csv = lines.join("");
    expect(lines).toHaveLength(5);
    expect(csv.startsWith("name,resource_id,cloud,provider,provider_id,type,region,zone,status,size,list_price_usd_month,")).toBe(true);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"")",i-0003,aws,Prod AWS,`);
    expect(csv).toContain("web-1,i-0001,aws,Prod AWS");
    expect(csv).toContain("env=prod;team=web");
    expect(csv).not.toContain("web-secret");
    const outsider: string[] = [];
    await readWithRls(sql, p.outsider.claims, (tx) =>
      forEachInventoryBatch(tx, p.orgId, {}, async (batch) => void outsider.push(...batch.map(inventoryCsvLine))),
    );
    expect(outsider).toEqual([]);
  });
});
