// cloud_providers and audit_events: who may read and write what, per persona and operation.
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAKE_ENVELOPE, affected, attempt, connect, type TestUser } from "../support/db.ts";
import { createPersonas, type Personas } from "../support/personas.ts";
import { firstRow } from "../support/rows.ts";

let sql: postgres.Sql;
let p: Personas;
let providerId: string;

const RLS_VIOLATION = /row-level security/;
type Claims = TestUser["claims"] | null;

beforeAll(async () => {
  sql = connect();
  p = await createPersonas(sql, "prov");
  [{ id: providerId }] = await sql`
    insert into public.cloud_providers (organization_id, name, provider_type, auth_method, credentials, credential_fingerprint, account_identifier, credential_hint)
    values (${p.orgId}, 'AWS Production', 'aws', 'access_key', ${sql.json(FAKE_ENVELOPE)}, 'k1:aaaa', 'AKIAIOSFODNN7EXAMPLE', 'AKIA…MPLE')
    returning id`;
});

afterAll(() => sql.end());

const insertAs = (claims: Claims, org = () => p.orgId) =>
  attempt(
    sql,
    claims,
    (tx) => tx`
    insert into public.cloud_providers (organization_id, name, provider_type, auth_method, credentials, credential_fingerprint)
    values (${org()}, 'DO', 'digitalocean', 'api_token', ${tx.json(FAKE_ENVELOPE)}, ${`k1:${Math.random()}`})`,
  );

describe("cloud_providers", () => {
  it("shows providers to every member of the organization and to nobody else", async () => {
    const count = async (claims: Claims) => {
      const r = await attempt(
        sql,
        claims,
        (tx) => tx`select id, name, credential_hint from public.cloud_providers where id = ${providerId}`,
      );
      return r.ok ? r.value.length : r.code;
    };
    expect(await count(null)).toBe("42501");
    expect(await count(p.outsider.claims)).toBe(0);
    for (const persona of [p.viewer, p.member, p.admin, p.owner]) expect(await count(persona.claims)).toBe(1);
  });

  it("lets no client role select the credentials column, not even the owner", async () => {
    for (const claims of [null, p.outsider.claims, p.viewer.claims, p.member.claims, p.admin.claims, p.owner.claims]) {
      const r = await attempt(sql, claims, (tx) => tx`select credentials from public.cloud_providers where id = ${providerId}`);
      expect(r).toMatchObject({ ok: false, code: "42501", message: "permission denied for table cloud_providers" });
      const star = await attempt(sql, claims, (tx) => tx`select * from public.cloud_providers`);
      expect(star).toMatchObject({ ok: false, code: "42501" });
    }
  });

  it("lets admins and owners add providers, and refuses everyone else", async () => {
    expect(await insertAs(null)).toMatchObject({ ok: false, code: "42501" });
    for (const persona of [p.outsider, p.viewer, p.member]) {
      expect(await insertAs(persona.claims)).toMatchObject({ ok: false, code: "42501", message: expect.stringMatching(RLS_VIOLATION) });
    }
    for (const persona of [p.admin, p.owner]) expect(await insertAs(persona.claims)).toMatchObject({ ok: true });
  });

  it("refuses an admin adding a provider to another organization", async () => {
    expect(await insertAs(p.admin.claims, () => p.outsiderOrgId)).toMatchObject({
      ok: false,
      message: expect.stringMatching(RLS_VIOLATION),
    });
  });

  it("lets admins and owners edit providers, and nobody else", async () => {
    const rename = (claims: Claims) =>
      affected(sql, claims, (tx) => tx`update public.cloud_providers set name = 'Renamed' where id = ${providerId}`);
    expect(await rename(null)).toMatchObject({ ok: false, code: "42501" });
    for (const persona of [p.outsider, p.viewer, p.member]) expect(await rename(persona.claims)).toEqual({ ok: true, count: 0 });
    for (const persona of [p.admin, p.owner]) expect(await rename(persona.claims)).toEqual({ ok: true, count: 1 });
  });

  it("refuses moving a provider to another organization", async () => {
    const r = await attempt(
      sql,
      p.owner.claims,
      (tx) => tx`update public.cloud_providers set organization_id = ${p.outsiderOrgId} where id = ${providerId}`,
    );
    expect(r).toMatchObject({ ok: false, code: "42501" });
  });

  it("refuses a client marking a provider healthy; only health checks do", async () => {
    const r = await attempt(sql, p.admin.claims, (tx) => tx`update public.cloud_providers set status = 'healthy' where id = ${providerId}`);
    expect(r).toMatchObject({ ok: false, code: "42501", message: "Only a health check can mark a provider healthy" });
  });

  it("lets admins and owners delete providers, and nobody else", async () => {
    const remove = (claims: Claims) => affected(sql, claims, (tx) => tx`delete from public.cloud_providers where id = ${providerId}`);
    expect(await remove(null)).toMatchObject({ ok: false, code: "42501" });
    for (const persona of [p.outsider, p.viewer, p.member]) expect(await remove(persona.claims)).toEqual({ ok: true, count: 0 });
    for (const persona of [p.admin, p.owner]) expect(await remove(persona.claims)).toEqual({ ok: true, count: 1 });
  });
});

describe("read_provider_credentials", () => {
  const read = (claims: Claims) =>
    attempt(sql, claims, async (tx) => {
      const rows = await tx`select credentials from private.read_provider_credentials(${providerId}, 'test')`;
      const audit =
        await tx`select action, metadata from public.audit_events where target_id = ${providerId} and action = 'provider.credentials_read'`;
      return { rows, audit };
    });

  it("hands the envelope to members and above, and records the read", async () => {
    for (const persona of [p.member, p.admin, p.owner]) {
      const r = await read(persona.claims);
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      expect(r.value.rows[0]?.credentials).toEqual(FAKE_ENVELOPE);
    }
    const { count } = firstRow(
      await sql`select count(*)::int from public.audit_events where target_id = ${providerId} and action = 'provider.credentials_read'`,
    );
    expect(count).toBe(0); // every attempt above rolled back, its audit row with it
    const r = await read(p.owner.claims);
    expect(r.ok && r.value.audit).toEqual([{ action: "provider.credentials_read", metadata: { purpose: "test", read_only: false } }]);
  });

  it("refuses viewers, outsiders and anon as if the provider did not exist", async () => {
    for (const claims of [p.viewer.claims, p.outsider.claims]) expect(await read(claims)).toMatchObject({ ok: false, code: "P0002" });
    expect(await read(null)).toMatchObject({ ok: false, code: "42501" });
  });
});

describe("audit_events", () => {
  it("records who created a provider, readable by admins and owners only", async () => {
    const r = await attempt(sql, p.admin.claims, async (tx) => {
      const row = firstRow(
        await tx`
        insert into public.cloud_providers (organization_id, name, provider_type, auth_method, credentials, credential_fingerprint)
        values (${p.orgId}, 'Linode', 'linode', 'api_token', ${tx.json(FAKE_ENVELOPE)}, 'k1:bbbb') returning id`,
      );
      return tx`select action, actor_id, actor_email, target_name from public.audit_events where target_id = ${row.id}`;
    });
    expect(r).toEqual({
      ok: true,
      value: [{ action: "provider.created", actor_id: p.admin.id, actor_email: p.admin.email, target_name: "Linode" }],
    });

    const visible = async (claims: Claims) => {
      const res = await attempt(sql, claims, (tx) => tx`select id from public.audit_events where organization_id = ${p.orgId}`);
      return res.ok ? res.value.length > 0 : res.code;
    };
    expect(await visible(null)).toBe("42501");
    for (const persona of [p.outsider, p.viewer, p.member]) expect(await visible(persona.claims)).toBe(false);
    for (const persona of [p.admin, p.owner]) expect(await visible(persona.claims)).toBe(true);
  });

  it("cannot be written, altered or erased by any client role", async () => {
    for (const claims of [null, p.viewer.claims, p.member.claims, p.admin.claims, p.owner.claims]) {
      const ins = await attempt(
        sql,
        claims,
        (tx) => tx`insert into public.audit_events (organization_id, action) values (${p.orgId}, 'forged')`,
      );
      expect(ins).toMatchObject({ ok: false, code: "42501" });
      const upd = await attempt(
        sql,
        claims,
        (tx) => tx`update public.audit_events set action = 'forged' where organization_id = ${p.orgId}`,
      );
      expect(upd).toMatchObject({ ok: false, code: "42501" });
      const del = await attempt(sql, claims, (tx) => tx`delete from public.audit_events where organization_id = ${p.orgId}`);
      expect(del).toMatchObject({ ok: false, code: "42501" });
      const trunc = await attempt(sql, claims, (tx) => tx`truncate public.audit_events`);
      expect(trunc).toMatchObject({ ok: false, code: "42501" });
      const fn = await attempt(sql, claims, (tx) => tx`select private.record_audit_event(${p.orgId}, 'forged', null, null, null, '{}')`);
      expect(fn).toMatchObject({ ok: false, code: "42501" });
    }
  });
});
