// GET /api/resources end to end: through the gateway into the Deno-served `api` function, with
// real access tokens and API tokens, RLS in Postgres.
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asService } from "../../supabase/functions/_shared/db.ts";
import { accessToken, api } from "../support/api.ts";
import { connect, FAKE_ENVELOPE } from "../support/db.ts";
import { createPersonas, type Personas } from "../support/personas.ts";
import { firstRow } from "../support/rows.ts";

let sql: postgres.Sql;
let p: Personas;
const tokens: Record<string, string> = {};
let doId: string;
let awsId: string;
let outsiderProviderId: string;

async function seedProvider(orgId: string, name: string, kind: string) {
  const row = firstRow(
    await sql<{ id: string }[]>`
    insert into public.cloud_providers (organization_id, name, provider_type, auth_method, credentials, credential_hint, credential_fingerprint)
    values (${orgId}, ${name}, ${kind}, 'api_token', ${sql.json(FAKE_ENVELOPE)}, 'hint', ${`fp-api-${orgId}-${name}`}) returning id`,
  );
  return row.id;
}

async function record(providerId: string, resources: Record<string, unknown>[]) {
  const rows = resources.map((r) => ({ type: "instance", region: "nyc3", status: "running", ...r }));
  await asService(sql, (tx) => tx`select private.record_inventory(${providerId}, ${tx.json(rows as never)}, '[]')`);
}

async function mint(scopes: string[]) {
  const made = await api(`/tokens?org=${p.orgSlug}`, {
    token: tokens.admin,
    method: "POST",
    body: { name: `inv ${scopes.join(" ")}`, scopes },
  });
  expect(made.status).toBe(201);
  return made.body.data.token as string;
}

beforeAll(async () => {
  sql = connect();
  p = await createPersonas(sql, "apiinv");
  for (const role of ["owner", "admin", "member", "viewer", "outsider"] as const) tokens[role] = await accessToken(p[role]);
  doId = await seedProvider(p.orgId, "Droplets", "digitalocean");
  awsId = await seedProvider(p.orgId, "Main AWS", "aws");
  outsiderProviderId = await seedProvider(p.outsiderOrgId, "Theirs", "linode");
  await record(doId, [
    { id: "1", name: "api-1", size: "s-1vcpu-1gb", public_ips: ["159.65.0.1"], tags: { env: "prod" } },
    { id: "2", name: "api-2", size: "s-2vcpu-4gb", status: "stopped", tags: { env: "staging" } },
  ]);
  await record(awsId, [
    { id: "i-1", name: "web-1", region: "us-east-1", tags: { env: "prod" } },
    { id: "i-2", name: "web-2", region: "us-east-1", type: "volume" },
    { id: "i-3", name: "web-3", region: "us-east-1" },
  ]);
  await record(outsiderProviderId, [{ id: "x", name: "their-box", size: "g6-standard-1" }]);
});

afterAll(async () => {
  await sql.end();
});

describe("GET /api/resources", () => {
  it("lists every provider's resources to every member, in name order, with provider and list price", async () => {
    for (const role of ["viewer", "member", "admin", "owner"]) {
      const answer = await api(`/resources?org=${p.orgSlug}`, { token: tokens[role] });
      expect(answer.status).toBe(200);
      expect(answer.body.data.map((r: { name: string }) => r.name)).toEqual(["api-1", "api-2", "web-1", "web-2", "web-3"]);
      expect(answer.body.next_cursor).toBeNull();
      expect(answer.body).not.toHaveProperty("counts");
    }
    const answer = await api(`/resources?org=${p.orgSlug}`, { token: tokens.viewer });
    expect(answer.body.data[0]).toMatchObject({
      resource_id: "1",
      provider_id: doId,
      provider_name: "Droplets",
      provider_type: "digitalocean",
      list_price_monthly: 6,
    });
    expect(answer.body.data[2]).toMatchObject({ provider_type: "aws", list_price_monthly: null });
  });

  it("filters like the page: cloud, provider, type, region, status, environment, search and tags", async () => {
    const names = async (query: string) =>
      (await api(`/resources?org=${p.orgSlug}&${query}`, { token: tokens.member })).body.data.map((r: { name: string }) => r.name);
    expect(await names("provider_type=aws")).toEqual(["web-1", "web-2", "web-3"]);
    expect(await names(`provider_id=${doId}`)).toEqual(["api-1", "api-2"]);
    expect(await names("type=volume")).toEqual(["web-2"]);
    expect(await names("region=nyc3&status=stopped")).toEqual(["api-2"]);
    expect(await names("environment=staging")).toEqual([]);
    expect(await names("q=159.65")).toEqual(["api-1"]);
    expect(await names("tag=env:prod")).toEqual(["api-1", "web-1"]);
    expect(await names("tag=env:prod&tag=env:staging")).toEqual([]);
    expect(await names(`provider_id=${outsiderProviderId}`)).toEqual([]);
  });

  it("pages with next_cursor and answers counts, by cloud and type, and list-price totals on request", async () => {
    const first = await api(`/resources?org=${p.orgSlug}&limit=2&counts=true`, { token: tokens.viewer });
    expect(first.body.data.map((r: { name: string }) => r.name)).toEqual(["api-1", "api-2"]);
    expect(first.body.counts).toEqual({
      total: 5,
      by_cloud: { aws: 3, digitalocean: 2 },
      by_type: { instance: 4, volume: 1 },
      by_provider: { [awsId]: 3, [doId]: 2 },
      list_price_monthly_usd: { total: 30, priced_resources: 2, unpriced_resources: 3, by_provider: { [doId]: 30 } },
    });
    const second = await api(`/resources?org=${p.orgSlug}&limit=2&cursor=${first.body.next_cursor}`, { token: tokens.viewer });
    expect(second.body.data.map((r: { name: string }) => r.name)).toEqual(["web-1", "web-2"]);
    const third = await api(`/resources?org=${p.orgSlug}&limit=2&cursor=${second.body.next_cursor}`, { token: tokens.viewer });
    expect(third.body.data.map((r: { name: string }) => r.name)).toEqual(["web-3"]);
    expect(third.body.next_cursor).toBeNull();
  });

  it("hides another organization as 404, and needs ?org= with a person's token", async () => {
    expect(await api(`/resources?org=${p.orgSlug}`, { token: tokens.outsider })).toMatchObject({
      status: 404,
      body: { error: { code: "not_found" } },
    });
    expect(await api(`/resources`, { token: tokens.member })).toMatchObject({ status: 400, body: { error: { code: "bad_request" } } });
    expect(await api(`/resources?org=${p.orgSlug}`)).toMatchObject({ status: 401 });
  });

  it("answers 422 naming the parameter for a malformed filter, cursor or limit", async () => {
    for (const [query, field] of [
      ["provider_type=ibm", "provider_type"],
      ["provider_id=not-a-uuid", "provider_id"],
      ["environment=prod", "environment"],
      ["tag=:x", "tag"],
      ["limit=0", "limit"],
      ["limit=201", "limit"],
      ["cursor=garbage", "cursor"],
      ["counts=yes", "counts"],
      ["include_vanished=1", "include_vanished"],
      [`q=${"x".repeat(201)}`, "q"],
    ] as const) {
      const answer = await api(`/resources?org=${p.orgSlug}&${query}`, { token: tokens.member });
      expect(answer, query).toMatchObject({
        status: 422,
        body: { error: { code: "validation_failed", details: { fields: { [field]: expect.any(Array) } } } },
      });
    }
  });

  it("serves an API token with resources:read its own organization only, and refuses one without the scope", async () => {
    const reader = await mint(["resources:read"]);
    const answer = await api("/resources", { token: reader });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toHaveLength(5);
    expect(await api(`/resources?org=${p.outsiderOrgId}`, { token: reader })).toMatchObject({ status: 403 });
    const other = await mint(["providers:read"]);
    const refused = await api("/resources", { token: other });
    expect(refused).toMatchObject({ status: 403, body: { error: { code: "forbidden", details: { missing_scopes: ["resources:read"] } } } });
  });

  it("is in the OpenAPI document with its scope", async () => {
    const doc = await api("/openapi.json");
    expect(doc.body.paths["/resources"].get["x-api-token-scopes"]).toEqual({ required: ["resources:read"] });
    expect(doc.body.components.schemas.InventoryPage).toBeDefined();
  });
});
