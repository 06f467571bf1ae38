// Whole cloud organizations through the HTTP API (gateway → Deno `api` function → Postgres under RLS):
// the scope is set and checked per cloud, discovered accounts are read by every member, only admins
// discover or exclude, API tokens need the right scope, and removing a parent asks about its children.
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessToken, api } from "../support/api.ts";
import { connect, FAKE_ENVELOPE } from "../support/db.ts";
import { createPersonas, type Personas } from "../support/personas.ts";
import { firstRow } from "../support/rows.ts";
import { sampleProvider } from "../support/samples.ts";

let sql: postgres.Sql;
let p: Personas;
const tokens: Record<string, string> = {};
const seen: string[] = [];
const sample = sampleProvider("azure", "apiorg");
const { canary: _canary, ...azureBody } = sample;

async function call(...args: Parameters<typeof api>) {
  const answer = await api(...args);
  seen.push(answer.text);
  return answer;
}

let parents = 0;
async function addParent(name: string) {
  parents += 1;
  const subscription = `99999999-8888-4777-8666-${String(parents).padStart(12, "0")}`;
  const created = await call(`/providers?org=${p.orgSlug}`, {
    token: tokens.admin,
    method: "POST",
    body: {
      ...azureBody,
      credentials: { ...azureBody.credentials, subscription_id: subscription },
      name,
      organization_scope: { management_group_id: null },
    },
  });
  expect(created.status).toBe(201);
  return created.body.data as { id: string; organization_scope: unknown };
}

/** A child as discovery makes them (the service role links it; no client can). */
async function addChild(parentId: string, account: string) {
  const child = firstRow(
    await sql<{ id: string }[]>`
    insert into public.cloud_providers (organization_id, name, provider_type, auth_method, credentials, credential_fingerprint,
                                        account_identifier, parent_provider_id, federation_subject_id)
    values (${p.orgId}, ${`Sub ${account.slice(0, 4)}`}, 'azure', 'client_secret', ${sql.json(FAKE_ENVELOPE)}, ${`k1:${account}`},
            ${account}, ${parentId}, ${parentId})
    returning id`,
  );
  await sql`
    insert into public.provider_discovered_accounts (parent_provider_id, organization_id, account, name, state, child_provider_id)
    values (${parentId}, ${p.orgId}, ${account}, 'Sub', 'connected', ${child.id}),
           (${parentId}, ${p.orgId}, ${`${account}-x`}, 'Disabled sub', 'unavailable', null)`;
  return child.id;
}

async function apiToken(scopes: string[]) {
  const made = await call(`/tokens?org=${p.orgSlug}`, { token: tokens.owner, method: "POST", body: { name: scopes.join(" "), scopes } });
  expect(made.status).toBe(201);
  return made.body.data.token as string;
}

beforeAll(async () => {
  sql = connect();
  p = await createPersonas(sql, "apiorg");
  for (const role of ["owner", "admin", "member", "viewer", "outsider"] as const) tokens[role] = await accessToken(p[role]);
});

afterAll(async () => {
  for (const text of seen) expect(text).not.toContain(sample.canary);
  await sql.end();
});

describe("whole cloud organizations over the API", () => {
  it("stores the scope given at creation and refuses a bad one with a field error, storing nothing", async () => {
    const parent = await addParent("Tenant A");
    expect(parent.organization_scope).toEqual({ cloud: "azure", management_group_id: null });

    const bad = await call(`/providers/${parent.id}/organization-scope`, {
      token: tokens.admin,
      method: "PUT",
      body: { organization_scope: { management_group_id: "has spaces" } },
    });
    expect(bad).toMatchObject({ status: 422, body: { error: { code: "validation_failed" } } });
    expect(bad.body.error.details.fields).toHaveProperty(["organization_scope.management_group_id"]);
    for (const body of [{}, { organization_scope: "everything" }, []]) {
      const refused = await call(`/providers/${parent.id}/organization-scope`, { token: tokens.admin, method: "PUT", body });
      expect(refused, JSON.stringify(body)).toMatchObject({ status: 422, body: { error: { code: "validation_failed" } } });
    }
    const missing = await call(`/providers/${parent.id}/organization-scope`, { token: tokens.admin, method: "PUT", body: {} });
    expect(missing.body.error.details.fields).toEqual({
      organization_scope: ["Send the scope for the provider's cloud as an object, or null to stop connecting the organization."],
    });

    const gcpScope = await call(`/providers?org=${p.orgSlug}`, {
      token: tokens.admin,
      method: "POST",
      body: { ...azureBody, name: "Wrong scope", organization_scope: { management_group_id: 5 } },
    });
    expect(gcpScope).toMatchObject({ status: 422, body: { error: { code: "validation_failed" } } });
    const { count } = firstRow(
      await sql<{ count: number }[]>`
      select count(*)::int as count from public.cloud_providers where organization_id = ${p.orgId} and name = 'Wrong scope'`,
    );
    expect(count).toBe(0);

    const cleared = await call(`/providers/${parent.id}/organization-scope`, {
      token: tokens.admin,
      method: "PUT",
      body: { organization_scope: null },
    });
    expect(cleared).toMatchObject({ status: 200, body: { data: { organization_scope: null } } });
    expect(
      await call(`/providers/${parent.id}/organization-scope`, { token: tokens.member, method: "PUT", body: { organization_scope: null } }),
    ).toMatchObject({ status: 403, body: { error: { code: "forbidden" } } });
  });

  it("shows discovered accounts and the last discovery to every member, with the reasons for what failed; outsiders get 404", async () => {
    const parent = await addParent("Tenant B");
    const child = await addChild(parent.id, "aaaaaaaa-0000-4000-8000-000000000001");
    expect((await call(`/providers/${parent.id}/accounts`, { token: tokens.viewer })).body.last_discovery).toBeNull();
    // The last discovery could not list the tenant (as the domain records it).
    await sql`
      insert into public.provider_discovery_runs (parent_provider_id, organization_id, trigger, ok, error_code, error_message, error_hint)
      values (${parent.id}, ${p.orgId}, 'scheduled', false, 'AuthorizationFailed', 'No authorization to list subscriptions.', 'Give the principal Reader.')`;
    for (const role of ["viewer", "member", "admin", "owner"]) {
      const list = await call(`/providers/${parent.id}/accounts`, { token: tokens[role] });
      expect(list.status).toBe(200);
      expect(list.body.last_discovery).toEqual({
        trigger: "scheduled",
        ran_at: expect.any(String),
        ok: false,
        error: { code: "AuthorizationFailed", message: "No authorization to list subscriptions.", hint: "Give the principal Reader." },
        counts: {},
      });
      expect(list.body.data).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ state: "connected", child_provider_id: child, reason: null }),
          expect.objectContaining({ state: "unavailable", child_provider_id: null }),
        ]),
      );
    }
    expect(await call(`/providers/${parent.id}/accounts`, { token: tokens.outsider })).toMatchObject({
      status: 404,
      body: { error: { code: "not_found" } },
    });
    const read = await call(`/providers/${child}`, { token: tokens.viewer });
    expect(read.body.data).toMatchObject({ parent_provider_id: parent.id });
  });

  it("lets only admins discover and exclude; tokens need providers:write", async () => {
    const parent = await addParent("Tenant C");
    await addChild(parent.id, "bbbbbbbb-0000-4000-8000-000000000002");
    for (const role of ["viewer", "member"]) {
      expect(await call(`/providers/${parent.id}/discover`, { token: tokens[role], method: "POST" })).toMatchObject({ status: 403 });
      expect(
        await call(`/providers/${parent.id}/accounts/bbbbbbbb-0000-4000-8000-000000000002-x`, {
          token: tokens[role],
          method: "PATCH",
          body: { excluded: true },
        }),
      ).toMatchObject({ status: 403 });
    }
    const reader = await apiToken(["providers:read"]);
    expect((await call(`/providers/${parent.id}/accounts`, { token: reader })).status).toBe(200);
    const refused = await call(`/providers/${parent.id}/discover`, { token: reader, method: "POST" });
    expect(refused).toMatchObject({ status: 403, body: { error: { details: { missing_scopes: ["providers:write"] } } } });

    const excluded = await call(`/providers/${parent.id}/accounts/bbbbbbbb-0000-4000-8000-000000000002-x`, {
      token: tokens.admin,
      method: "PATCH",
      body: { excluded: true },
    });
    expect(excluded.status).toBe(204);
    const row = firstRow(
      await sql`select state from public.provider_discovered_accounts where account = 'bbbbbbbb-0000-4000-8000-000000000002-x'`,
    );
    expect(row.state).toBe("excluded");
    expect(
      await call(`/providers/${parent.id}/accounts/bbbbbbbb-0000-4000-8000-000000000002-x`, {
        token: tokens.admin,
        method: "PATCH",
        body: { excluded: "yes" },
      }),
    ).toMatchObject({ status: 422, body: { error: { code: "validation_failed" } } });
  });

  it("asks what to do with a parent's accounts before removing it", async () => {
    const parent = await addParent("Tenant D");
    const child = await addChild(parent.id, "cccccccc-0000-4000-8000-000000000003");
    const unasked = await call(`/providers/${parent.id}`, { token: tokens.admin, method: "DELETE" });
    expect(unasked).toMatchObject({
      status: 422,
      body: { error: { code: "validation_failed", details: { fields: { children: [expect.any(String)] } } } },
    });
    expect(await call(`/providers/${parent.id}?children=both`, { token: tokens.admin, method: "DELETE" })).toMatchObject({ status: 422 });
    expect((await call(`/providers/${parent.id}?children=keep`, { token: tokens.admin, method: "DELETE" })).status).toBe(204);
    const kept = await call(`/providers/${child}`, { token: tokens.admin });
    expect(kept.body.data).toMatchObject({ id: child, parent_provider_id: null });
  });
});
