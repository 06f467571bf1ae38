// Organization API tokens end to end: minted and revoked through the Deno-served API, used in
// place of a user's access token, held to their scopes and organization by the router and by
// RLS in Postgres; plus api_tokens' own policies per persona.
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateApiToken, hashApiToken } from "../../supabase/functions/_shared/domain/api-tokens.ts";
import type { ApiTokenScope } from "../../supabase/functions/_shared/schemas/tokens.ts";
import { startDigitalOceanFake, type DigitalOceanFake } from "../fakes/digitalocean.ts";
import { accessToken, api } from "../support/api.ts";
import { affected, attempt, connect, createUser, type TestUser } from "../support/db.ts";
import { createPersonas, type Personas } from "../support/personas.ts";
import { firstRow } from "../support/rows.ts";
import { sampleProvider } from "../support/samples.ts";

let sql: postgres.Sql;
let p: Personas;
let fake: DigitalOceanFake;
let outsiderSlug: string;
let providerId: string;
let foreignProviderId: string;
const users: Record<string, string> = {};
const minted: string[] = [];
const seen: string[] = [];
const foreign = sampleProvider("aws", "tokforeign");
const { canary: _c, ...foreignBody } = foreign;

const RLS_VIOLATION = /row-level security/;
type Claims = TestUser["claims"] | null;

async function call(...args: Parameters<typeof api>) {
  const answer = await api(...args);
  seen.push(answer.text);
  return answer;
}

/** Mints a token through the API as `as` (the admin by default); returns the secret and its id. */
async function mint(scopes: ApiTokenScope[], options: { as?: string; name?: string; expires_in_days?: number } = {}) {
  const made = await call(`/tokens?org=${p.orgSlug}`, {
    token: options.as ?? users.admin,
    method: "POST",
    body: {
      name: options.name ?? `svc ${scopes.join(" ")}`,
      scopes,
      ...(options.expires_in_days ? { expires_in_days: options.expires_in_days } : {}),
    },
  });
  expect(made.status).toBe(201);
  minted.push(made.body.data.token);
  return { token: made.body.data.token as string, id: made.body.data.id as string };
}

/** A token row written straight into the table (as the service would), e.g. one that already expired. */
async function plantToken(createdBy: string, columns: { expires_at?: Date; created_at?: Date } = {}) {
  const token = generateApiToken();
  minted.push(token);
  await sql`
    insert into public.api_tokens (organization_id, name, scopes, token_hash, token_prefix, expires_at, created_by, created_at)
    values (${p.orgId}, 'planted', ${["providers:read"]}, ${await hashApiToken(token)}, ${token.slice(0, 11)},
            ${columns.expires_at ?? null}, ${createdBy}, ${columns.created_at ?? new Date()})`;
  return token;
}

/** An extra admin, so a test may demote or remove the creator without disturbing the personas. */
async function extraAdmin(label: string) {
  const user = await createUser(sql, label);
  await sql`insert into public.organization_members (organization_id, user_id, role) values (${p.orgId}, ${user.id}, 'admin')`;
  return { user, access: await accessToken(user) };
}

beforeAll(async () => {
  sql = connect();
  p = await createPersonas(sql, "tok");
  [{ slug: outsiderSlug }] = await sql`select slug from public.organizations where id = ${p.outsiderOrgId}`;
  fake = await startDigitalOceanFake();
  fake.switches.resourceCount = 12;
  await sql`update public.organizations set allow_http_endpoints = true where id = ${p.orgId}`;
  // The owner also belongs to the outsider's organization: their tokens must still stay in one.
  await sql`insert into public.organization_members (organization_id, user_id, role) values (${p.outsiderOrgId}, ${p.owner.id}, 'admin')`;
  for (const role of ["owner", "admin", "member", "viewer", "outsider"] as const) users[role] = await accessToken(p[role]);

  const created = await call(`/providers?org=${p.orgSlug}`, {
    token: users.admin,
    method: "POST",
    body: { name: "DO fake", provider_type: "digitalocean", api_endpoint: fake.url, credentials: { access_key: fake.token } },
  });
  expect(created.status).toBe(201);
  providerId = created.body.data.id;
  const other = await call(`/providers?org=${outsiderSlug}`, { token: users.outsider, method: "POST", body: foreignBody });
  expect(other.status).toBe(201);
  foreignProviderId = other.body.data.id;
});

afterAll(async () => {
  // Whatever the API said, it never repeated a provider secret, and never a token after minting it.
  for (const text of seen) expect(text).not.toContain(foreign.canary);
  await fake.close();
  await sql.end();
});

describe("minting and listing tokens", () => {
  it("shows a new token once, and stores only its SHA-256", async () => {
    const made = await call(`/tokens?org=${p.orgSlug}`, {
      token: users.admin,
      method: "POST",
      body: { name: "deploy-bot", scopes: ["health:run", "providers:read", "providers:read"], expires_in_days: 30 },
    });
    expect(made.status).toBe(201);
    const { token, id } = made.body.data;
    minted.push(token);
    expect(token).toMatch(/^ck_[0-9A-Za-z]{43}$/);
    expect(made.body.data).toMatchObject({
      name: "deploy-bot",
      scopes: ["providers:read", "health:run"],
      token_prefix: token.slice(0, 11),
      status: "active",
      created_by: p.admin.id,
      created_by_email: p.admin.email,
      last_used_at: null,
      revoked_at: null,
    });
    expect(made.body.data).not.toHaveProperty("token_hash");
    const days = (Date.parse(made.body.data.expires_at) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);

    const row = firstRow(await sql`select token_hash, token_prefix from public.api_tokens where id = ${id}`);
    expect(row.token_hash).toBe(await hashApiToken(token));
    const { stored } = firstRow(
      await sql`
      select (select count(*) from public.api_tokens t where t::text like ${`%${token.slice(3)}%`})
           + (select count(*) from public.audit_events a where a::text like ${`%${token.slice(3)}%`}) as stored`,
    );
    expect(Number(stored)).toBe(0);

    const list = await call(`/tokens?org=${p.orgSlug}`, { token: users.owner });
    expect(list.status).toBe(200);
    expect(list.body.data.find((t: { id: string }) => t.id === id)).toMatchObject({ name: "deploy-bot", token_prefix: token.slice(0, 11) });
    expect(list.text).not.toContain(token);
    expect(list.text).not.toContain(row.token_hash);

    const [audit] =
      await sql`select action, actor_id, actor_token_id, metadata from public.audit_events where target_id = ${id} and action = 'api_token.created'`;
    expect(audit).toMatchObject({
      actor_id: p.admin.id,
      actor_token_id: null,
      metadata: { scopes: ["providers:read", "health:run"], token_prefix: token.slice(0, 11) },
    });
  });

  it("refuses members and viewers with 403 and hides the organization from outsiders", async () => {
    for (const role of ["member", "viewer"]) {
      const create = await call(`/tokens?org=${p.orgSlug}`, {
        token: users[role],
        method: "POST",
        body: { name: "x", scopes: ["providers:read"] },
      });
      expect(create).toMatchObject({
        status: 403,
        body: { error: { code: "forbidden", message: `Only an admin or owner can create API tokens; your role is ${role}.` } },
      });
      expect(await call(`/tokens?org=${p.orgSlug}`, { token: users[role] })).toMatchObject({
        status: 403,
        body: { error: { code: "forbidden" } },
      });
    }
    expect(await call(`/tokens?org=${p.orgSlug}`, { token: users.outsider })).toMatchObject({ status: 404 });
    expect(
      await call(`/tokens?org=${p.orgSlug}`, { token: users.outsider, method: "POST", body: { name: "x", scopes: ["providers:read"] } }),
    ).toMatchObject({
      status: 404,
    });
  });

  it("answers an invalid body with 422 naming the field", async () => {
    const cases: [unknown, string][] = [
      [{ name: "x", scopes: ["admin:everything"] }, "scopes.0"],
      [{ name: "x", scopes: [] }, "scopes"],
      [{ name: " ", scopes: ["providers:read"] }, "name"],
      [{ name: "x", scopes: ["providers:read"], expires_at: "2001-01-01T00:00:00Z" }, "expires_at"],
      [{ name: "x", scopes: ["providers:read"], expires_at: "2099-01-01T00:00:00Z", expires_in_days: 3 }, "expires_in_days"],
      [{ name: "x", scopes: ["providers:read"], token: "ck_mine" }, "body"],
    ];
    for (const [body, field] of cases) {
      const answer = await call(`/tokens?org=${p.orgSlug}`, { token: users.admin, method: "POST", body });
      expect(answer.status, JSON.stringify(body)).toBe(422);
      expect(Object.keys(answer.body.error.details.fields)).toContain(field);
    }
  });

  it("lets no API token list, mint or revoke tokens, whatever its scopes", async () => {
    const { token, id } = await mint(["providers:read", "providers:write", "health:run", "resources:read"]);
    const list = await call(`/tokens?org=${p.orgSlug}`, { token });
    expect(list).toMatchObject({
      status: 403,
      body: { error: { code: "forbidden", message: expect.stringMatching(/API tokens cannot call GET \/api\/tokens/) } },
    });
    expect(await call("/tokens", { token, method: "POST", body: { name: "child", scopes: ["providers:read"] } })).toMatchObject({
      status: 403,
    });
    expect(await call(`/tokens/${id}`, { token, method: "DELETE" })).toMatchObject({ status: 403 });
    const { revoked_at } = firstRow(await sql`select revoked_at from public.api_tokens where id = ${id}`);
    expect(revoked_at).toBeNull();
  });
});

describe("scopes", () => {
  const routes: { route: string; path: () => string; method: string; body?: () => unknown; needs: ApiTokenScope }[] = [
    { route: "GET /providers", method: "GET", path: () => "/providers", needs: "providers:read" },
    { route: "GET /providers/:id", method: "GET", path: () => `/providers/${providerId}`, needs: "providers:read" },
    { route: "GET /providers/:id/health", method: "GET", path: () => `/providers/${providerId}/health`, needs: "providers:read" },
    { route: "POST /providers", method: "POST", path: () => "/providers", body: () => ({ name: "x" }), needs: "providers:write" },
    {
      route: "PATCH /providers/:id",
      method: "PATCH",
      path: () => `/providers/${providerId}`,
      body: () => ({ name: "Renamed" }),
      needs: "providers:write",
    },
    { route: "DELETE /providers/:id", method: "DELETE", path: () => `/providers/${providerId}`, needs: "providers:write" },
    { route: "POST /providers/test", method: "POST", path: () => "/providers/test", body: () => ({ name: "x" }), needs: "providers:write" },
    { route: "POST /providers/:id/health", method: "POST", path: () => `/providers/${providerId}/health`, needs: "health:run" },
    { route: "GET /providers/:id/resources", method: "GET", path: () => `/providers/${providerId}/resources`, needs: "resources:read" },
  ];

  it("refuses every route with 403 naming the scope the token lacks, and changes nothing", async () => {
    const all = ["providers:read", "providers:write", "health:run", "resources:read"] as const;
    const tokens = Object.fromEntries(
      await Promise.all(all.map(async (scope) => [scope, (await mint(all.filter((s) => s !== scope))).token])),
    );
    const auditBefore =
      await sql`select count(*)::int as n from public.audit_events where organization_id = ${p.orgId} and action like 'provider.%'`;
    for (const { route, method, path, body, needs } of routes) {
      const answer = await call(path(), { token: tokens[needs], method, body: body?.() });
      expect(answer.status, route).toBe(403);
      expect(answer.body.error.message).toBe(`This API token lacks the ${needs} scope that ${route.replace(" ", " /api")} needs.`);
      expect(answer.body.error.details).toEqual({ missing_scopes: [needs] });
    }
    const auditAfter =
      await sql`select count(*)::int as n from public.audit_events where organization_id = ${p.orgId} and action like 'provider.%'`;
    expect(firstRow(auditAfter).n).toBe(firstRow(auditBefore).n);
    expect((await call(`/providers/${providerId}`, { token: users.viewer })).body.data.name).toBe("DO fake");
  });

  it("reads providers and their history with providers:read, in the token's organization without ?org=", async () => {
    const { token } = await mint(["providers:read"]);
    const list = await call("/providers", { token });
    expect(list.status).toBe(200);
    expect(list.body.data.map((x: { id: string }) => x.id)).toEqual([providerId]);
    expect((await call(`/providers?org=${p.orgSlug}`, { token })).status).toBe(200);
    expect((await call(`/providers/${providerId}`, { token })).body.data).toMatchObject({ id: providerId, name: "DO fake" });
    expect((await call(`/providers/${providerId}/health`, { token })).status).toBe(200);
  });

  it("runs a health check with health:run, and refreshes resources only with resources:read and health:run", async () => {
    const { token: check } = await mint(["health:run"]);
    const ran = await call(`/providers/${providerId}/health`, { token: check, method: "POST" });
    expect(ran).toMatchObject({ status: 201, body: { data: { ok: true, trigger: "api" } } });

    const { token: read } = await mint(["resources:read"]);
    expect((await call(`/providers/${providerId}/resources`, { token: read })).status).toBe(200);
    const refused = await call(`/providers/${providerId}/resources?refresh=true`, { token: read });
    expect(refused).toMatchObject({
      status: 403,
      body: { error: { message: "This API token lacks the health:run scope that GET /api/providers/:id/resources?refresh=true needs." } },
    });
    const { token: both } = await mint(["resources:read", "health:run"]);
    const live = await call(`/providers/${providerId}/resources?refresh=true`, { token: both });
    expect(live.status).toBe(200);
    expect(live.body.data).toHaveLength(12);
  });

  it("tests, creates, renames and deletes providers with providers:write, and the audit log names the token", async () => {
    const { token, id: tokenId } = await mint(["providers:write"], { name: "terraform" });
    const probe = { name: "Second DO", provider_type: "digitalocean", api_endpoint: fake.url, credentials: { access_key: fake.token } };
    expect((await call("/providers/test", { token, method: "POST", body: probe })).body.data).toMatchObject({ ok: true });
    const created = await call("/providers", {
      token,
      method: "POST",
      body: { ...probe, credentials: { access_key: `dop_v1_${"e".repeat(64)}` } },
    });
    expect(created.status).toBe(201);
    const id = created.body.data.id;
    expect(created.body.data.created_by).toBe(p.admin.id);
    expect((await call(`/providers/${id}`, { token, method: "PATCH", body: { name: "Renamed by token" } })).body.data.name).toBe(
      "Renamed by token",
    );
    expect((await call(`/providers/${id}`, { token, method: "DELETE" })).status).toBe(204);

    const events =
      await sql`select action, actor_id, actor_email, actor_token_id from public.audit_events where target_id = ${id} order by id`;
    expect(events.map((e) => e.action)).toEqual(["provider.created", "provider.updated", "provider.deleted"]);
    for (const event of events) {
      expect(event).toMatchObject({
        actor_id: p.admin.id,
        actor_token_id: tokenId,
        actor_email: `API token "terraform" (${token.slice(0, 11)}…)`,
      });
    }
  });
});

describe("one organization per token", () => {
  it("cannot reach another organization, even when its creator belongs to both", async () => {
    // The owner is also an admin of the outsider's organization and sees its provider as a person.
    expect((await call(`/providers/${foreignProviderId}`, { token: users.owner })).status).toBe(200);
    const { token } = await mint(["providers:read", "providers:write", "health:run", "resources:read"], { as: users.owner });

    const named = await call(`/providers?org=${outsiderSlug}`, { token });
    expect(named).toMatchObject({
      status: 403,
      body: { error: { code: "forbidden", message: expect.stringContaining(`belongs to the organization "${p.orgSlug}"`) } },
    });
    expect(await call(`/providers?org=${outsiderSlug}`, { token, method: "POST", body: foreignBody })).toMatchObject({ status: 403 });
    for (const [method, suffix, body] of [
      ["GET", "", undefined],
      ["PATCH", "", { name: "Taken over" }],
      ["DELETE", "", undefined],
      ["POST", "/health", undefined],
      ["GET", "/health", undefined],
      ["GET", "/resources", undefined],
    ] as const) {
      const answer = await call(`/providers/${foreignProviderId}${suffix}`, { token, method, body });
      expect(answer, `${method} ${suffix}`).toMatchObject({ status: 404, body: { error: { code: "not_found" } } });
    }
    const { name } = firstRow(await sql`select name from public.cloud_providers where id = ${foreignProviderId}`);
    expect(name).toBe(foreignBody.name);
    const list = await call("/providers", { token });
    expect(list.body.data.map((x: { id: string }) => x.id)).not.toContain(foreignProviderId);
  });

  it("never acts with more than its creator's current role", async () => {
    const creator = await extraAdmin("tok-demoted");
    const { token } = await mint(["providers:read", "providers:write"], { as: creator.access });
    await sql`update public.organization_members set role = 'viewer' where organization_id = ${p.orgId} and user_id = ${creator.user.id}`;
    expect((await call("/providers", { token })).status).toBe(200);
    const write = await call(`/providers/${providerId}`, { token, method: "PATCH", body: { name: "Demoted write" } });
    expect(write).toMatchObject({ status: 403, body: { error: { code: "forbidden" } } });
    const { name } = firstRow(await sql`select name from public.cloud_providers where id = ${providerId}`);
    expect(name).toBe("DO fake");
  });

  it("dies for good when its creator leaves the organization, even if they rejoin", async () => {
    const creator = await extraAdmin("tok-leaver");
    const { token, id } = await mint(["providers:read"], { as: creator.access });
    expect((await call("/providers", { token })).status).toBe(200);
    await sql`delete from public.organization_members where organization_id = ${p.orgId} and user_id = ${creator.user.id}`;
    const refused = { status: 401, body: { error: { code: "unauthorized", message: expect.stringMatching(/revoked/) } } };
    expect(await call("/providers", { token })).toMatchObject(refused);
    const row = firstRow(await sql`select revoked_at from public.api_tokens where id = ${id}`);
    expect(row.revoked_at).toBeInstanceOf(Date);
    // Rejoining (an admin adds them back) does not revive the token.
    await sql`insert into public.organization_members (organization_id, user_id, role) values (${p.orgId}, ${creator.user.id}, 'admin')`;
    expect(await call("/providers", { token })).toMatchObject(refused);
  });
});

describe("revocation, expiry and use", () => {
  it("answers 401 from the moment a token is revoked; revoking again changes nothing", async () => {
    const { token, id } = await mint(["providers:read"]);
    expect((await call("/providers", { token })).status).toBe(200);
    expect(await call(`/tokens/${id}`, { token: users.member, method: "DELETE" })).toMatchObject({ status: 404 });
    expect(await call(`/tokens/${id}`, { token: users.outsider, method: "DELETE" })).toMatchObject({ status: 404 });
    expect((await call(`/tokens/${id}`, { token: users.owner, method: "DELETE" })).status).toBe(204);
    const refused = await call("/providers", { token });
    expect(refused).toMatchObject({ status: 401, body: { error: { code: "unauthorized", message: expect.stringMatching(/revoked/) } } });

    const first = firstRow(await sql`select revoked_at from public.api_tokens where id = ${id}`);
    expect((await call(`/tokens/${id}`, { token: users.admin, method: "DELETE" })).status).toBe(204);
    const second = firstRow(await sql`select revoked_at from public.api_tokens where id = ${id}`);
    expect(second.revoked_at).toEqual(first.revoked_at);
    const events = await sql`select actor_id from public.audit_events where target_id = ${id} and action = 'api_token.revoked'`;
    expect(events).toEqual([{ actor_id: p.owner.id }]);
    expect((await call(`/tokens?org=${p.orgSlug}`, { token: users.admin })).body.data.find((t: { id: string }) => t.id === id).status).toBe(
      "revoked",
    );
    expect(await call("/tokens/not-a-uuid", { token: users.admin, method: "DELETE" })).toMatchObject({ status: 404 });
  });

  it("answers 401 once a token has expired", async () => {
    const hourAgo = new Date(Date.now() - 3_600_000);
    const expired = await plantToken(p.admin.id, { expires_at: hourAgo, created_at: new Date(hourAgo.getTime() - 60_000) });
    expect(await call("/providers", { token: expired })).toMatchObject({
      status: 401,
      body: { error: { code: "unauthorized", message: expect.stringMatching(/expired/) } },
    });
  });

  it("answers 401 to an unknown or malformed ck_ token", async () => {
    for (const token of [generateApiToken(), "ck_short", `${generateApiToken()}x`]) {
      expect(await call("/providers", { token }), token).toMatchObject({ status: 401, body: { error: { code: "unauthorized" } } });
    }
  });

  it("keeps last_used_at and audits the first use, not every request", async () => {
    const { token, id } = await mint(["providers:read"]);
    const before = firstRow(await sql`select last_used_at from public.api_tokens where id = ${id}`);
    expect(before.last_used_at).toBeNull();
    const start = Date.now();
    for (let i = 0; i < 3; i++) expect((await call("/providers", { token })).status).toBe(200);
    const after = firstRow(await sql`select last_used_at from public.api_tokens where id = ${id}`);
    expect(after.last_used_at.getTime()).toBeGreaterThanOrEqual(start - 1000);
    const used =
      await sql`select actor_id, actor_token_id, metadata from public.audit_events where target_id = ${id} and action = 'api_token.used'`;
    expect(used).toEqual([{ actor_id: p.admin.id, actor_token_id: id, metadata: { first_use: true } }]);
    const listed = (await call(`/tokens?org=${p.orgSlug}`, { token: users.admin })).body.data.find((t: { id: string }) => t.id === id);
    expect(Date.parse(listed.last_used_at)).toBe(after.last_used_at.getTime());
  });

  it("never stored or logged any token it handed out", async () => {
    expect(minted.length).toBeGreaterThan(5);
    const rows = await sql<{ text: string }[]>`
      select t::text as text from public.api_tokens t where organization_id = ${p.orgId}
      union all select a::text from public.audit_events a where organization_id = ${p.orgId}`;
    for (const token of minted) for (const { text } of rows) expect(text).not.toContain(token.slice(3));
  });
});

describe("the contract", () => {
  it("documents both kinds of bearer token, the scopes per route and the token routes", async () => {
    const doc = (await call("/openapi.json")).body;
    expect(Object.keys(doc.components.securitySchemes)).toEqual(["userToken", "apiToken"]);
    expect(doc.paths["/providers/{id}/resources"].get).toMatchObject({
      security: [{ userToken: [] }, { apiToken: ["resources:read", "health:run"] }],
      "x-api-token-scopes": { required: ["resources:read"], "when refresh=true": ["health:run"] },
    });
    expect(doc.paths["/providers"].post.description).toContain("**API token scope:** `providers:write`.");
    expect(doc.paths["/providers"].post.description).toMatch(/curl -H "Authorization: Bearer \$CLOUDKEEP_TOKEN"/);
    expect(doc.paths["/tokens"].post).toMatchObject({ security: [{ userToken: [] }], "x-api-token-scopes": null });
    expect(doc.paths["/tokens/{id}"].delete.responses).toHaveProperty("204");
  });
});

describe("user access tokens", () => {
  it("still work as before: ?org= required, the person's own role applies", async () => {
    expect(await call("/providers", { token: users.admin })).toMatchObject({ status: 400, body: { error: { code: "bad_request" } } });
    expect((await call(`/providers?org=${p.orgSlug}`, { token: users.viewer })).status).toBe(200);
    expect((await call(`/providers/${providerId}/health`, { token: users.viewer, method: "POST" })).status).toBe(403);
    expect((await call(`/providers/${providerId}/health`, { token: users.member, method: "POST" })).status).toBe(201);
  });
});

describe("api_tokens under RLS, per persona", () => {
  let tokenId: string;
  const hash = "0".repeat(64);
  beforeAll(async () => {
    [{ id: tokenId }] = await sql`
      insert into public.api_tokens (organization_id, name, scopes, token_hash, token_prefix, created_by)
      values (${p.orgId}, 'rls fixture', ${["providers:read"]}, ${"f".repeat(64)}, 'ck_AAAAAAAA', ${p.owner.id}) returning id`;
  });

  const insertAs = (claims: Claims, org = () => p.orgId) =>
    attempt(
      sql,
      claims,
      (tx) => tx`
      insert into public.api_tokens (organization_id, name, scopes, token_hash, token_prefix)
      values (${org()}, 'x', ${["providers:read"]}, ${hash}, 'ck_BBBBBBBB') returning id, created_by, last_used_at`,
    );

  it("shows tokens to admins and owners of the organization only", async () => {
    const count = async (claims: Claims) => {
      const r = await attempt(sql, claims, (tx) => tx`select id, name, scopes, token_prefix from public.api_tokens where id = ${tokenId}`);
      return r.ok ? r.value.length : r.code;
    };
    expect(await count(null)).toBe("42501");
    for (const persona of [p.outsider, p.viewer, p.member]) expect(await count(persona.claims)).toBe(0);
    for (const persona of [p.admin, p.owner]) expect(await count(persona.claims)).toBe(1);
  });

  it("lets nobody select the hash, not even the owner", async () => {
    for (const claims of [null, p.outsider.claims, p.viewer.claims, p.member.claims, p.admin.claims, p.owner.claims]) {
      const r = await attempt(sql, claims, (tx) => tx`select token_hash from public.api_tokens where id = ${tokenId}`);
      expect(r).toMatchObject({ ok: false, code: "42501", message: "permission denied for table api_tokens" });
      expect(await attempt(sql, claims, (tx) => tx`select * from public.api_tokens`)).toMatchObject({ ok: false, code: "42501" });
    }
  });

  it("lets admins and owners create tokens in their organization, as themselves, and nobody else", async () => {
    expect(await insertAs(null)).toMatchObject({ ok: false, code: "42501" });
    for (const persona of [p.outsider, p.viewer, p.member]) {
      expect(await insertAs(persona.claims)).toMatchObject({ ok: false, code: "42501", message: expect.stringMatching(RLS_VIOLATION) });
    }
    for (const persona of [p.admin, p.owner]) {
      expect(await insertAs(persona.claims)).toMatchObject({ ok: true, value: [{ created_by: persona.id, last_used_at: null }] });
    }
    expect(await insertAs(p.admin.claims, () => p.outsiderOrgId)).toMatchObject({
      ok: false,
      message: expect.stringMatching(RLS_VIOLATION),
    });
    const forged = await attempt(
      sql,
      p.admin.claims,
      (tx) => tx`
      insert into public.api_tokens (organization_id, name, scopes, token_hash, token_prefix, created_by)
      values (${p.orgId}, 'x', ${["providers:read"]}, ${hash}, 'ck_BBBBBBBB', ${p.owner.id})`,
    );
    expect(forged).toMatchObject({ ok: false, code: "42501", message: "permission denied for table api_tokens" });
    const badScope = await attempt(
      sql,
      p.admin.claims,
      (tx) => tx`
      insert into public.api_tokens (organization_id, name, scopes, token_hash, token_prefix) values (${p.orgId}, 'x', ${["root"]}, ${hash}, 'ck_BBBBBBBB')`,
    );
    expect(badScope).toMatchObject({ ok: false, code: "23514" });
  });

  it("lets admins and owners revoke, only revoke, and never un-revoke", async () => {
    const revoke = (claims: Claims) =>
      affected(sql, claims, (tx) => tx`update public.api_tokens set revoked_at = now() where id = ${tokenId}`);
    expect(await revoke(null)).toMatchObject({ ok: false, code: "42501" });
    for (const persona of [p.outsider, p.viewer, p.member]) expect(await revoke(persona.claims)).toEqual({ ok: true, count: 0 });
    for (const persona of [p.admin, p.owner]) expect(await revoke(persona.claims)).toEqual({ ok: true, count: 1 });
    for (const column of ["name", "scopes", "expires_at", "last_used_at", "organization_id"]) {
      const r = await attempt(
        sql,
        p.owner.claims,
        (tx) => tx`update public.api_tokens set ${tx(column)} = ${column === "scopes" ? ["providers:write"] : null} where id = ${tokenId}`,
      );
      expect(r, column).toMatchObject({ ok: false, code: "42501" });
    }
    const unrevoke = await attempt(sql, p.owner.claims, async (tx) => {
      await tx`update public.api_tokens set revoked_at = now() where id = ${tokenId}`;
      return tx`update public.api_tokens set revoked_at = null where id = ${tokenId}`;
    });
    expect(unrevoke).toMatchObject({ ok: false, code: "42501", message: "A revoked token stays revoked" });
  });

  it("lets no client delete a token (revoked ones stay listed)", async () => {
    for (const claims of [null, p.outsider.claims, p.viewer.claims, p.member.claims, p.admin.claims, p.owner.claims]) {
      expect(await attempt(sql, claims, (tx) => tx`delete from public.api_tokens where id = ${tokenId}`)).toMatchObject({
        ok: false,
        code: "42501",
      });
    }
  });

  it("narrows the database to the token's organization and scopes when the request runs on a token", async () => {
    // The owner (also an admin elsewhere) acting through their read-only token: viewer rights, one organization.
    const readOnly = { ...p.owner.claims, ck_token: { id: tokenId } };
    const seenOrgs = await attempt(sql, readOnly, (tx) => tx`select id from public.organizations order by id`);
    expect(seenOrgs).toEqual({ ok: true, value: [{ id: p.orgId }] });
    const rename = await affected(sql, readOnly, (tx) => tx`update public.cloud_providers set name = 'x' where id = ${providerId}`);
    expect(rename).toEqual({ ok: true, count: 0 });
    expect(await attempt(sql, readOnly, (tx) => tx`select * from private.read_provider_credentials(${providerId}, 'test')`)).toMatchObject({
      ok: false,
      code: "P0002",
    });
    expect(await attempt(sql, readOnly, (tx) => tx`select id from public.api_tokens`)).toEqual({ ok: true, value: [] });
    expect(await insertAs(readOnly)).toMatchObject({ ok: false, message: expect.stringMatching(RLS_VIOLATION) });
    // A token id under someone else's claims grants nothing at all.
    expect(await attempt(sql, { ...p.admin.claims, ck_token: { id: tokenId } }, (tx) => tx`select id from public.organizations`)).toEqual({
      ok: true,
      value: [],
    });
    // The owner's own claims, without the token, still reach both organizations.
    expect(await attempt(sql, p.owner.claims, (tx) => tx`select id from public.organizations`)).toMatchObject({
      ok: true,
      value: expect.arrayContaining([{ id: p.outsiderOrgId }]),
    });
  });
});
