// The vault's domain functions against the real database: what an admin can store, what
// comes back out (never a secret), duplicates, rotation, suspension, deletion and audit.
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decryptCredential, parseKeyRing, type KeyRing } from "../../supabase/functions/_shared/crypto/index.ts";
import {
  createProvider,
  deleteProvider,
  rotateProviderCredentials,
  setProviderSuspended,
  updateProvider,
  type VaultContext,
} from "../../supabase/functions/_shared/domain/providers.ts";
import { PROVIDER_TYPES } from "../../supabase/functions/_shared/schemas/providers.ts";
import { rotateKeys } from "../../scripts/keys-rotate.ts";
import { attempt, connect, type TestUser } from "../support/db.ts";
import { createPersonas, type Personas } from "../support/personas.ts";
import { refusal } from "../support/refusal.ts";
import { firstRow } from "../support/rows.ts";
import { awsSecret, sampleProvider } from "../support/samples.ts";
import { trustedCidrs } from "../support/stack.ts";

let sql: postgres.Sql;
let p: Personas;
let ring: KeyRing;
const ctx = (user: TestUser, keyRing = ring): VaultContext => ({ sql, ring: keyRing, claims: user.claims, trustedCidrs });
const body = (kind: Parameters<typeof sampleProvider>[0], tag: string) => {
  const { canary: _canary, ...rest } = sampleProvider(kind, tag);
  return rest;
};

beforeAll(async () => {
  sql = connect();
  p = await createPersonas(sql, "vault");
  ring = parseKeyRing("k-old:" + Buffer.alloc(32, 7).toString("base64"));
});

afterAll(() => sql.end());

describe("createProvider", () => {
  it("stores one provider of every kind encrypted, with a hint and no secret in any readable column", async () => {
    for (const kind of PROVIDER_TYPES) {
      const sample = sampleProvider(kind, `all${kind.slice(0, 3)}`);
      const { canary, ...input } = sample;
      const created = await createProvider(ctx(p.admin), p.orgId, input);
      expect(created).toMatchObject({ name: input.name, provider_type: kind, status: "pending", organization_id: p.orgId });
      expect(JSON.stringify(created)).not.toContain(canary);

      const row = firstRow(
        await sql`select to_jsonb(c) - 'credentials' as visible, credentials from public.cloud_providers c where id = ${created.id}`,
      );
      expect(JSON.stringify(row.visible)).not.toContain(canary);
      expect(JSON.stringify(row.credentials)).not.toContain(canary);
      const plaintext = await decryptCredential(ring, { organizationId: p.orgId, providerId: created.id }, row.credentials);
      expect(JSON.stringify(plaintext)).toContain(canary);
    }
  });

  it("shows AWS keys as a hint like AKIA…MPLE", async () => {
    const created = await createProvider(ctx(p.admin), p.orgId, {
      name: "Hinted",
      provider_type: "aws",
      credentials: { access_key: "AKIAIOSFODNN7EXAMPLE", secret_key: awsSecret("hint") },
    });
    expect(created.credential_hint).toBe("AKIA…MPLE");
  });

  it("refuses members and viewers even though the input is valid", async () => {
    for (const persona of [p.member, p.viewer]) {
      const r = await refusal(createProvider(ctx(persona), p.orgId, body("aws", "forbid")));
      expect(r).toMatchObject({ code: "forbidden", message: expect.stringContaining("add providers") });
    }
    const outsider = await refusal(createProvider(ctx(p.outsider), p.orgId, body("aws", "forbid")));
    expect(outsider.code).toBe("not_found");
  });

  it("refuses invalid input naming the field, and writes nothing", async () => {
    const { before } = firstRow(await sql`select count(*)::int as before from public.cloud_providers where organization_id = ${p.orgId}`);
    const r = await refusal(
      createProvider(ctx(p.admin), p.orgId, {
        name: "Bad",
        provider_type: "aws",
        credentials: { access_key: "AKIAIOSFODNN7EXAMPLE", secret_key: "short" },
      }),
    );
    expect(r.code).toBe("validation_failed");
    expect(Object.keys(r.fieldErrors ?? {})).toContain("credentials.secret_key");
    const { after } = firstRow(await sql`select count(*)::int as after from public.cloud_providers where organization_id = ${p.orgId}`);
    expect(after).toBe(before);
  });

  it("refuses the same account twice, naming the provider that has it", async () => {
    await createProvider(ctx(p.admin), p.orgId, { ...body("aws", "dupe"), name: "AWS Original" });
    const again = await refusal(createProvider(ctx(p.owner), p.orgId, { ...body("aws", "dupe"), name: "AWS Copy" }));
    expect(again).toMatchObject({ code: "duplicate", message: 'This account is already connected as "AWS Original".' });
  });

  it("refuses the same token twice even though token providers have no account id yet", async () => {
    await createProvider(ctx(p.admin), p.orgId, { ...body("digitalocean", "dupetok"), name: "DO Original" });
    const again = await refusal(createProvider(ctx(p.admin), p.orgId, { ...body("digitalocean", "dupetok"), name: "DO Copy" }));
    expect(again).toMatchObject({ code: "duplicate", message: 'This credential is already stored as "DO Original".' });
  });

  it("allows the same credential in another organization", async () => {
    await createProvider(ctx(p.admin), p.orgId, { ...body("linode", "twoorgs"), name: "Linode A" });
    const other = await createProvider(ctx(p.outsider), p.outsiderOrgId, { ...body("linode", "twoorgs"), name: "Linode B" });
    expect(other.organization_id).toBe(p.outsiderOrgId);
  });

  it("refuses an http endpoint unless the organization allows it", async () => {
    const input = { ...body("s3_compatible", "http"), api_endpoint: "http://10.0.0.5:9000" };
    const r = await refusal(createProvider(ctx(p.admin), p.orgId, input));
    expect(r.fieldErrors).toHaveProperty("api_endpoint");
    await sql`update public.organizations set allow_http_endpoints = true where id = ${p.orgId}`;
    try {
      const created = await createProvider(ctx(p.admin), p.orgId, input);
      expect(created.api_endpoint).toBe("http://10.0.0.5:9000");
    } finally {
      await sql`update public.organizations set allow_http_endpoints = false where id = ${p.orgId}`;
    }
  });
});

describe("rotate, update, suspend, delete", () => {
  it("rotates credentials with a fresh data key, overwriting the old ciphertext", async () => {
    const created = await createProvider(ctx(p.admin), p.orgId, body("vultr", "rotate"));
    const before = firstRow(await sql`select credentials from public.cloud_providers where id = ${created.id}`);
    const next = sampleProvider("vultr", "rotated");
    const rotated = await rotateProviderCredentials(ctx(p.admin), created.id, next.credentials);
    const after = firstRow(await sql`select credentials from public.cloud_providers where id = ${created.id}`);
    expect(after.credentials.wk).not.toBe(before.credentials.wk);
    expect(after.credentials.ct).not.toBe(before.credentials.ct);
    expect(rotated.credentials_rotated_at).toBeInstanceOf(Date);
    expect(rotated.credential_hint).toBe(`…${next.canary.slice(-4)}`);
    const plaintext = await decryptCredential(ring, { organizationId: p.orgId, providerId: created.id }, after.credentials);
    expect(JSON.stringify(plaintext)).toContain(next.canary);
    const audit = firstRow(
      await sql`select action, metadata from public.audit_events where target_id = ${created.id} order by id desc limit 1`,
    );
    expect(audit.action).toBe("provider.credentials_rotated");
    expect(JSON.stringify(audit.metadata)).not.toContain(next.canary);
  });

  it("refuses rotation by a member", async () => {
    const created = await createProvider(ctx(p.admin), p.orgId, body("aws", "norot"));
    const r = await refusal(rotateProviderCredentials(ctx(p.member), created.id, sampleProvider("aws", "norot2").credentials));
    expect(r.code).toBe("forbidden");
  });

  it("updates metadata and records which fields changed", async () => {
    const created = await createProvider(ctx(p.admin), p.orgId, body("azure", "meta"));
    const updated = await updateProvider(ctx(p.admin), created.id, {
      name: "Azure Staging",
      environment: "staging",
      regions: "westeurope, eastus",
    });
    expect(updated).toMatchObject({ name: "Azure Staging", environment: "staging", regions: ["westeurope", "eastus"] });
    const [audit] = await sql`select action, metadata from public.audit_events where target_id = ${created.id} order by id desc limit 1`;
    expect(audit).toMatchObject({ action: "provider.updated", metadata: { changed: ["environment", "name", "regions"] } });
  });

  it("refuses a new endpoint without new credentials, so the stored secret never goes to an address nobody entered it for", async () => {
    const created = await createProvider(ctx(p.admin), p.orgId, body("s3_compatible", "endpoint"));
    const moved = "https://attacker.example.net";
    const r = await refusal(updateProvider(ctx(p.admin), created.id, { api_endpoint: moved }));
    expect(r.code).toBe("validation_failed");
    expect(r.fieldErrors?.api_endpoint?.[0]).toMatch(/credentials entered again/);
    // The same endpoint is not a change; it is accepted alongside other edits.
    const renamed = await updateProvider(ctx(p.admin), created.id, { name: "MinIO renamed", api_endpoint: created.api_endpoint });
    expect(renamed).toMatchObject({ name: "MinIO renamed", api_endpoint: created.api_endpoint });

    // With the credentials typed again the endpoint moves, and the envelope is fresh.
    const rotated = await rotateProviderCredentials(ctx(p.admin), created.id, sampleProvider("s3_compatible", "endpoint2").credentials, {
      apiEndpoint: moved,
    });
    expect(rotated.api_endpoint).toBe(moved);
  });

  it("refuses, in the database itself, an endpoint change that keeps the old ciphertext", async () => {
    const created = await createProvider(ctx(p.admin), p.orgId, body("openstack", "dbguard"));
    const outcome = await attempt(
      sql,
      p.admin.claims,
      (tx) => tx`update public.cloud_providers set api_endpoint = 'https://elsewhere.example.net/v3' where id = ${created.id}`,
    );
    expect(outcome).toMatchObject({ ok: false, code: "22023" });
    const row = firstRow(await sql`select api_endpoint from public.cloud_providers where id = ${created.id}`);
    expect(row.api_endpoint).toBe(created.api_endpoint);
  });

  it("suspends and resumes, auditing both", async () => {
    const created = await createProvider(ctx(p.admin), p.orgId, body("gcp", "susp"));
    expect((await setProviderSuspended(ctx(p.admin), created.id, true)).status).toBe("suspended");
    expect((await setProviderSuspended(ctx(p.admin), created.id, false)).status).toBe("pending");
    const actions = await sql`select action from public.audit_events where target_id = ${created.id} order by id`;
    expect(actions.map((a) => a.action)).toEqual(["provider.created", "provider.suspended", "provider.resumed"]);
  });

  it("deletes only with the exact name typed, and the row is gone", async () => {
    const created = await createProvider(ctx(p.admin), p.orgId, body("openstack", "del"));
    const wrong = await refusal(deleteProvider(ctx(p.admin), created.id, { confirmName: "something else" }));
    expect(wrong.fieldErrors).toEqual({ confirmName: [`Type "${created.name}" to confirm.`] });
    const viewer = await refusal(deleteProvider(ctx(p.viewer), created.id, { confirmName: created.name }));
    expect(viewer.code).toBe("forbidden");
    await deleteProvider(ctx(p.owner), created.id, { confirmName: created.name });
    const rows = await sql`select id from public.cloud_providers where id = ${created.id}`;
    expect(rows).toHaveLength(0);
    const [audit] = await sql`select action, actor_id from public.audit_events where target_id = ${created.id} order by id desc limit 1`;
    expect(audit).toEqual({ action: "provider.deleted", actor_id: p.owner.id });
  });
});

describe("keys:rotate", () => {
  it("re-wraps every data key under the new key, leaves ciphertext and plaintext identical, and lets the old key go", async () => {
    const created = await createProvider(ctx(p.admin), p.orgId, body("s3_compatible", "keyrot"));
    const before = firstRow(await sql`select credentials from public.cloud_providers where id = ${created.id}`);
    const binding = { organizationId: p.orgId, providerId: created.id };
    const plainBefore = await decryptCredential(ring, binding, before.credentials);

    const newKey = "k-new:" + Buffer.alloc(32, 9).toString("base64");
    const bothKeys = parseKeyRing(`${newKey},k-old:${Buffer.alloc(32, 7).toString("base64")}`);
    const auditCount = async () =>
      firstRow(await sql`select count(*)::int as n from public.audit_events where target_id = ${created.id}`).n;
    const eventsBefore = await auditCount();
    const report = await rotateKeys(sql, bothKeys, { batchSize: 3 });
    // Other test files share the database under the stack's own key; only this org's rows count here.
    const ours = new Set((await sql`select id from public.cloud_providers where organization_id = ${p.orgId}`).map((r) => r.id));
    expect(report.failed.filter((f) => ours.has(f.providerId))).toEqual([]);
    expect(await auditCount()).toBe(eventsBefore); // a re-wrap is not a credential change
    expect(report.rewrapped).toBeGreaterThan(0);

    const after = firstRow(await sql`select credentials, credential_fingerprint from public.cloud_providers where id = ${created.id}`);
    expect(after.credentials).toMatchObject({ kid: "k-new", ct: before.credentials.ct, iv: before.credentials.iv });
    expect(after.credential_fingerprint).toMatch(/^k-new:/);
    const onlyNew = parseKeyRing(newKey);
    expect(await decryptCredential(onlyNew, binding, after.credentials)).toEqual(plainBefore);

    // Nothing left to do on a second run, and the duplicate check still works under the new key alone.
    expect((await rotateKeys(sql, bothKeys)).rewrapped).toBe(0);
    const dupe = await refusal(createProvider(ctx(p.admin, onlyNew), p.orgId, { ...body("s3_compatible", "keyrot"), name: "Again" }));
    expect(dupe.code).toBe("duplicate");
    ring = onlyNew;
  });

  it("names the provider whose envelope cannot be read, and carries on", async () => {
    const created = await createProvider(ctx(p.admin), p.orgId, body("aws", "tamper"));
    await sql`update public.cloud_providers set credentials = jsonb_set(credentials, '{kid}', '"k-gone"') where id = ${created.id}`;
    const report = await rotateKeys(
      sql,
      parseKeyRing("k-newer:" + Buffer.alloc(32, 3).toString("base64") + ",k-new:" + Buffer.alloc(32, 9).toString("base64")),
    );
    expect(report.failed).toContainEqual({ providerId: created.id, reason: expect.stringContaining(created.id) });
    await sql`delete from public.cloud_providers where id = ${created.id}`;
  });
});
