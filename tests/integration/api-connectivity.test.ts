// Health checks, history, resources and credential tests through the Deno-served API,
// against wire-level fakes on loopback (allow-listed by the organization, as a customer
// would allow-list an on-premises endpoint).
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDigitalOceanFake, type DigitalOceanFake } from "../fakes/digitalocean.ts";
import { accessToken, api } from "../support/api.ts";
import { connect } from "../support/db.ts";
import { createPersonas, type Personas } from "../support/personas.ts";
import { firstRow } from "../support/rows.ts";

let sql: postgres.Sql;
let p: Personas;
let fake: DigitalOceanFake;
const tokens: Record<string, string> = {};
let providerId: string;
const seen: string[] = [];

async function call(...args: Parameters<typeof api>) {
  const answer = await api(...args);
  seen.push(answer.text);
  return answer;
}

beforeAll(async () => {
  sql = connect();
  p = await createPersonas(sql, "conn");
  fake = await startDigitalOceanFake();
  fake.switches.resourceCount = 450;
  await sql`update public.organizations set allow_http_endpoints = true where id = ${p.orgId}`;
  for (const role of ["admin", "member", "viewer", "outsider"] as const) tokens[role] = await accessToken(p[role]);
  const created = await call(`/providers?org=${p.orgSlug}`, {
    token: tokens.admin,
    method: "POST",
    body: { name: "DO fake", provider_type: "digitalocean", api_endpoint: fake.url, credentials: { access_key: fake.token } },
  });
  expect(created.status).toBe(201);
  providerId = created.body.data.id;
});

afterAll(async () => {
  for (const text of seen) expect(text).not.toContain(fake.token.slice(7));
  await fake.close();
  await sql.end();
});

describe("health", () => {
  it("checks a provider now, learns its account, and marks it healthy", async () => {
    const check = await call(`/providers/${providerId}/health`, { token: tokens.member, method: "POST" });
    expect(check.status).toBe(201);
    expect(check.body.data).toMatchObject({ ok: true, trigger: "api", identity: { account: expect.any(String) } });
    const provider = await call(`/providers/${providerId}`, { token: tokens.viewer });
    expect(provider.body.data).toMatchObject({ status: "healthy", last_error_code: null, account_identifier: expect.any(String) });
    const read = firstRow(
      await sql`select count(*)::int as n from public.audit_events where target_id = ${providerId} and action = 'provider.credentials_read'`,
    );
    expect(read.n).toBeGreaterThan(0);
  });

  it("records a failing check with an actionable message and keeps the history", async () => {
    fake.switches.badCredentials = true;
    try {
      const check = await call(`/providers/${providerId}/health`, { token: tokens.admin, method: "POST" });
      expect(check.body.data).toMatchObject({ ok: false, error_code: expect.any(String), error_hint: expect.stringMatching(/token/i) });
    } finally {
      fake.switches.badCredentials = false;
    }
    const provider = await call(`/providers/${providerId}`, { token: tokens.viewer });
    expect(provider.body.data.status).toBe("failed");
    const history = await call(`/providers/${providerId}/health`, { token: tokens.viewer });
    expect(history.body.data.map((c: { ok: boolean }) => c.ok)).toEqual([false, true]);
  });

  it("refuses live checks from a viewer, and from another organization as not found", async () => {
    expect(await call(`/providers/${providerId}/health`, { token: tokens.viewer, method: "POST" })).toMatchObject({
      status: 403,
      body: { error: { code: "forbidden" } },
    });
    expect(await call(`/providers/${providerId}/health`, { token: tokens.outsider, method: "POST" })).toMatchObject({ status: 404 });
  });

  it("refuses a check of a suspended provider until it is resumed", async () => {
    await call(`/providers/${providerId}`, { token: tokens.admin, method: "PATCH", body: { suspended: true } });
    expect(await call(`/providers/${providerId}/health`, { token: tokens.member, method: "POST" })).toMatchObject({
      status: 409,
      body: { error: { code: "conflict" } },
    });
    await call(`/providers/${providerId}`, { token: tokens.admin, method: "PATCH", body: { suspended: false } });
  });
});

describe("resources", () => {
  it("lists live with refresh=true, then pages through the stored inventory", async () => {
    const first = await call(`/providers/${providerId}/resources?refresh=true&limit=200`, { token: tokens.member });
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(200);
    expect(first.body.refreshed_at).toEqual(expect.any(String));
    const ids = new Set(first.body.data.map((r: { resource_id: string }) => r.resource_id));
    let cursor = first.body.next_cursor;
    while (cursor) {
      const page = await call(`/providers/${providerId}/resources?limit=200&cursor=${encodeURIComponent(cursor)}`, {
        token: tokens.viewer,
      });
      for (const r of page.body.data) ids.add(r.resource_id);
      cursor = page.body.next_cursor;
    }
    expect(ids.size).toBe(450);
    expect(first.body.data[0]).toMatchObject({
      type: "instance",
      console_url: expect.stringMatching(/^https:\/\/cloud\.digitalocean\.com\/droplets\//),
    });
  });

  it("marks resources that vanished instead of keeping them silently", async () => {
    fake.switches.resourceCount = 440;
    await call(`/providers/${providerId}/resources?refresh=true`, { token: tokens.member });
    const { gone } = firstRow(
      await sql`select count(*)::int as gone from public.provider_resources where provider_id = ${providerId} and vanished_at is not null`,
    );
    expect(gone).toBe(10);
  });

  it("answers a listing the cloud refused with 502 and the provider's actionable error, keeping the stored inventory", async () => {
    const { before } = firstRow(
      await sql`select count(*)::int as before from public.provider_resources where provider_id = ${providerId} and vanished_at is null`,
    );
    fake.switches.badCredentials = true;
    try {
      const refused = await call(`/providers/${providerId}/resources?refresh=true`, { token: tokens.member });
      expect(refused.status).toBe(502);
      expect(refused.body.error).toMatchObject({
        code: "upstream_failed",
        details: { provider_error: { code: expect.any(String), hint: expect.stringMatching(/token/i) } },
      });
    } finally {
      fake.switches.badCredentials = false;
    }
    const { after } = firstRow(
      await sql`select count(*)::int as after from public.provider_resources where provider_id = ${providerId} and vanished_at is null`,
    );
    expect(after).toBe(before);
  });

  it("keeps viewers to the stored inventory", async () => {
    expect(await call(`/providers/${providerId}/resources?refresh=true`, { token: tokens.viewer })).toMatchObject({ status: 403 });
    expect((await call(`/providers/${providerId}/resources`, { token: tokens.viewer })).status).toBe(200);
  });
});

describe("testing unsaved credentials", () => {
  it("reports success or the actionable failure, and stores nothing", async () => {
    const { before } = firstRow(await sql`select count(*)::int as before from public.cloud_providers where organization_id = ${p.orgId}`);
    const good = await call(`/providers/test?org=${p.orgSlug}`, {
      token: tokens.admin,
      method: "POST",
      body: { name: "Probe", provider_type: "digitalocean", api_endpoint: fake.url, credentials: { access_key: fake.token } },
    });
    expect(good.body.data).toMatchObject({ ok: true });
    const bad = await call(`/providers/test?org=${p.orgSlug}`, {
      token: tokens.admin,
      method: "POST",
      body: {
        name: "Probe",
        provider_type: "digitalocean",
        api_endpoint: fake.url,
        credentials: { access_key: `dop_v1_${"f".repeat(64)}` },
      },
    });
    expect(bad.body.data).toMatchObject({ ok: false, error: { code: expect.any(String), hint: expect.any(String) } });
    const { after } = firstRow(await sql`select count(*)::int as after from public.cloud_providers where organization_id = ${p.orgId}`);
    expect(after).toBe(before);
  });

  it("refuses an endpoint on a private network the organization did not allow, without calling it", async () => {
    const hits = fake.requests.length;
    const refused = await call(`/providers/test?org=${p.orgSlug}`, {
      token: tokens.admin,
      method: "POST",
      body: {
        name: "Probe",
        provider_type: "digitalocean",
        api_endpoint: fake.url.replace("127.0.0.1", "127.0.0.2"),
        credentials: { access_key: fake.token },
      },
    });
    expect(refused.body.data).toMatchObject({
      ok: false,
      error: { code: "refused_endpoint", message: expect.stringMatching(/loopback/i) },
    });
    expect(fake.requests.length).toBe(hits);
  });
});
