// The HTTP API end to end: through the gateway into the Deno-served `api` function, with
// real access tokens from the auth server and RLS in Postgres.
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessToken, api } from "../support/api.ts";
import { connect } from "../support/db.ts";
import { createPersonas, type Personas } from "../support/personas.ts";
import { firstRow } from "../support/rows.ts";
import { sampleProvider } from "../support/samples.ts";

let sql: postgres.Sql;
let p: Personas;
const tokens: Record<string, string> = {};
let providerId: string;
const seen: string[] = [];
const sample = sampleProvider("aws", "apiaws");
const { canary: _c, ...awsBody } = sample;

async function call(...args: Parameters<typeof api>) {
  const answer = await api(...args);
  seen.push(answer.text);
  return answer;
}

beforeAll(async () => {
  sql = connect();
  p = await createPersonas(sql, "api");
  for (const role of ["owner", "admin", "member", "viewer", "outsider"] as const) tokens[role] = await accessToken(p[role]);
  const created = await call(`/providers?org=${p.orgSlug}`, { token: tokens.admin, method: "POST", body: awsBody });
  expect(created.status).toBe(201);
  providerId = created.body.data.id;
});

afterAll(async () => {
  // Whatever the API said, it never said a secret.
  for (const text of seen) expect(text).not.toContain(sample.canary);
  await sql.end();
});

describe("authentication", () => {
  it("answers health and the OpenAPI document without a token", async () => {
    expect((await call("/health")).body).toEqual({ status: "ok", service: "cloudkeep-api" });
    const doc = await call("/openapi.json");
    expect(doc.body).toMatchObject({
      openapi: "3.1.0",
      paths: { "/providers": expect.any(Object), "/providers/{id}": expect.any(Object) },
    });
  });

  it("refuses a request without a token, or with a forged one, as 401", async () => {
    const none = await call(`/providers?org=${p.orgSlug}`);
    expect(none).toMatchObject({ status: 401, body: { error: { code: "unauthorized" } } });
    const [h, payload] = tokens.member!.split(".");
    const forged = await call(`/providers?org=${p.orgSlug}`, { token: `${h}.${payload}.AAAA` });
    expect(forged).toMatchObject({ status: 401, body: { error: { code: "unauthorized" } } });
  });
});

describe("providers", () => {
  it("lists providers to every member without any secret", async () => {
    for (const role of ["viewer", "member", "admin", "owner"]) {
      const list = await call(`/providers?org=${p.orgSlug}`, { token: tokens[role] });
      expect(list.status).toBe(200);
      expect(list.body.data).toEqual([expect.objectContaining({ id: providerId, credential_hint: expect.stringMatching(/^AKIA…/) })]);
      expect(list.body.data[0]).not.toHaveProperty("credentials");
    }
  });

  it("hides another organization's providers as 404", async () => {
    expect(await call(`/providers?org=${p.orgSlug}`, { token: tokens.outsider })).toMatchObject({
      status: 404,
      body: { error: { code: "not_found" } },
    });
    expect(await call(`/providers/${providerId}`, { token: tokens.outsider })).toMatchObject({ status: 404 });
    expect(await call(`/providers/${providerId}`, { token: tokens.outsider, method: "DELETE" })).toMatchObject({ status: 404 });
  });

  it("refuses writes from viewers and members with 403", async () => {
    for (const role of ["viewer", "member"]) {
      const create = await call(`/providers?org=${p.orgSlug}`, { token: tokens[role], method: "POST", body: { ...awsBody, name: "x" } });
      expect(create).toMatchObject({ status: 403, body: { error: { code: "forbidden" } } });
      const patch = await call(`/providers/${providerId}`, { token: tokens[role], method: "PATCH", body: { name: "Renamed" } });
      expect(patch.status).toBe(403);
    }
  });

  it("answers broken JSON with 400, an oversized body with 413 and a schema error with 422 naming the field", async () => {
    const broken = await call(`/providers?org=${p.orgSlug}`, {
      token: tokens.admin,
      method: "POST",
      rawBody: `{"name": "x", "credentials": {"secret_key": "${sample.canary}"`,
    });
    expect(broken).toMatchObject({ status: 400, body: { error: { code: "bad_request", message: "The body is not valid JSON." } } });
    const huge = await call(`/providers?org=${p.orgSlug}`, {
      token: tokens.admin,
      method: "POST",
      rawBody: JSON.stringify({ name: "x".repeat(70 * 1024) }),
    });
    expect(huge).toMatchObject({ status: 413, body: { error: { code: "payload_too_large" } } });
    const invalid = await call(`/providers?org=${p.orgSlug}`, {
      token: tokens.admin,
      method: "POST",
      body: { ...awsBody, credentials: { access_key: "AKIAIOSFODNN7EXAMPLE", secret_key: "too-short" } },
    });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error.code).toBe("validation_failed");
    expect(Object.keys(invalid.body.error.details.fields)).toContain("credentials.secret_key");
  });

  it("refuses a duplicate with 409 naming the existing provider", async () => {
    const again = await call(`/providers?org=${p.orgSlug}`, { token: tokens.owner, method: "POST", body: { ...awsBody, name: "Second" } });
    expect(again).toMatchObject({
      status: 409,
      body: { error: { code: "duplicate", message: `This account is already connected as "${awsBody.name}".` } },
    });
  });

  it("renames, rotates, suspends and deletes, one change per request", async () => {
    const renamed = await call(`/providers/${providerId}`, {
      token: tokens.admin,
      method: "PATCH",
      body: { name: "AWS Prod", environment: "staging" },
    });
    expect(renamed.body.data).toMatchObject({ name: "AWS Prod", environment: "staging" });

    const mixed = await call(`/providers/${providerId}`, { token: tokens.admin, method: "PATCH", body: { name: "x", suspended: true } });
    expect(mixed).toMatchObject({ status: 422 });

    const next = sampleProvider("aws", "apirot");
    const rotated = await call(`/providers/${providerId}`, {
      token: tokens.admin,
      method: "PATCH",
      body: { credentials: next.credentials },
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.data.credentials_rotated_at).toEqual(expect.any(String));
    expect(rotated.text).not.toContain(next.canary);

    const suspended = await call(`/providers/${providerId}`, { token: tokens.admin, method: "PATCH", body: { suspended: true } });
    expect(suspended.body.data.status).toBe("suspended");

    expect((await call(`/providers/${providerId}`, { token: tokens.owner, method: "DELETE" })).status).toBe(204);
    expect((await call(`/providers/${providerId}`, { token: tokens.owner })).status).toBe(404);
    const audit = firstRow(await sql`select action from public.audit_events where target_id = ${providerId} order by id desc limit 1`);
    expect(audit.action).toBe("provider.deleted");
  });

  it("moves an endpoint only together with new credentials", async () => {
    const s3 = sampleProvider("s3_compatible", "apimove");
    const { canary: _s3c, ...s3Body } = s3;
    const created = await call(`/providers?org=${p.orgSlug}`, { token: tokens.admin, method: "POST", body: s3Body });
    expect(created.status).toBe(201);
    const id = created.body.data.id;
    const alone = await call(`/providers/${id}`, {
      token: tokens.admin,
      method: "PATCH",
      body: { api_endpoint: "https://collector.example.org" },
    });
    expect(alone.status).toBe(422);
    expect(alone.body.error.message).toMatch(/credentials entered again/);
    const next = sampleProvider("s3_compatible", "apimove2");
    const moved = await call(`/providers/${id}`, {
      token: tokens.admin,
      method: "PATCH",
      body: { credentials: next.credentials, api_endpoint: "https://s3.example.org" },
    });
    expect(moved.status).toBe(200);
    expect(moved.body.data.api_endpoint).toBe("https://s3.example.org");
    expect(moved.text).not.toContain(next.canary);
  });

  it("answers an unknown route with 404 and a wrong method with 405", async () => {
    expect(await call("/nothing-here", { token: tokens.member })).toMatchObject({ status: 404, body: { error: { code: "not_found" } } });
    expect(await call("/providers", { token: tokens.member, method: "PUT" })).toMatchObject({
      status: 405,
      body: { error: { code: "method_not_allowed" } },
    });
  });
});
