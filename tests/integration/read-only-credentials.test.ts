// Read-only credential pairs: checks and listings use the read-only credential when there is
// one; an organization that allows read-only access only fails closed without one, never
// falling back to the full credential. Against the DigitalOcean fake, which accepts only the
// read-only token here.
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CredentialDecryptError, decryptCredential, parseKeyRing, type KeyRing } from "../../supabase/functions/_shared/crypto/index.ts";
import { checkProviderHealth, refreshResources } from "../../supabase/functions/_shared/domain/connectivity.ts";
import { createProvider, type VaultContext } from "../../supabase/functions/_shared/domain/providers.ts";
import { setReadOnlyCredentials } from "../../supabase/functions/_shared/domain/read-only.ts";
import { updateOrganizationSettings } from "../../supabase/functions/_shared/domain/organization-settings.ts";
import { rotateKeys } from "../../scripts/keys-rotate.ts";
import { startDigitalOceanFake, type DigitalOceanFake } from "../fakes/digitalocean.ts";
import { attempt, connect, type TestUser } from "../support/db.ts";
import { createPersonas, type Personas } from "../support/personas.ts";
import { refusal } from "../support/refusal.ts";
import { firstRow } from "../support/rows.ts";
import { trustedCidrs } from "../support/stack.ts";

let sql: postgres.Sql;
let p: Personas;
let ring: KeyRing;
let fake: DigitalOceanFake;
let providerId: string;
const READ_ONLY_TOKEN = `dop_v1_${"0ead0017".repeat(8)}`;
const FULL_TOKEN = `dop_v1_${"f0110017".repeat(8)}`;
const ctx = (user: TestUser): VaultContext => ({ sql, ring, claims: user.claims, trustedCidrs });

beforeAll(async () => {
  sql = connect();
  p = await createPersonas(sql, "ro");
  ring = parseKeyRing("k-ro:" + Buffer.alloc(32, 11).toString("base64"));
  fake = await startDigitalOceanFake({ token: READ_ONLY_TOKEN });
  fake.switches.resourceCount = 30;
  await sql`update public.organizations set allow_http_endpoints = true where id = ${p.orgId}`;
  const created = await createProvider(ctx(p.admin), p.orgId, {
    name: "Droplets (paired)",
    provider_type: "digitalocean",
    api_endpoint: fake.url,
    credentials: { access_key: FULL_TOKEN },
  });
  providerId = created.id;
});

afterAll(async () => {
  await fake.close();
  await sql.end();
});

describe("read-only credential pairs", () => {
  it("checks and lists with the read-only credential once it is set", async () => {
    const before = await checkProviderHealth(ctx(p.member), providerId);
    expect(before.result.ok).toBe(false); // the fake refuses the full token here

    const updated = await setReadOnlyCredentials(ctx(p.admin), providerId, { access_key: READ_ONLY_TOKEN });
    expect(updated.read_only_credential_hint).toBe(`…${READ_ONLY_TOKEN.slice(-4)}`);
    const after = await checkProviderHealth(ctx(p.member), providerId);
    expect(after.result.ok).toBe(true);
    const listing = await refreshResources(ctx(p.member), providerId);
    expect(listing.resources).toHaveLength(30);

    const read = firstRow(
      await sql`select metadata from public.audit_events where target_id = ${providerId} and action = 'provider.credentials_read' order by id desc limit 1`,
    );
    expect(read.metadata).toMatchObject({ read_only: true });
    const set = firstRow(
      await sql`select metadata from public.audit_events where target_id = ${providerId} and action = 'provider.read_only_credentials_set'`,
    );
    expect(JSON.stringify(set.metadata)).not.toContain(READ_ONLY_TOKEN.slice(7));
  });

  it("binds the read-only envelope to its own slot: it does not decrypt as the full credential", async () => {
    const row = firstRow(await sql`select read_only_credentials from public.cloud_providers where id = ${providerId}`);
    await expect(decryptCredential(ring, { organizationId: p.orgId, providerId }, row.read_only_credentials)).rejects.toBeInstanceOf(
      CredentialDecryptError,
    );
    const plaintext = await decryptCredential(ring, { organizationId: p.orgId, providerId: `${providerId}_ro` }, row.read_only_credentials);
    expect(plaintext).toEqual({ access_key: READ_ONLY_TOKEN });
  });

  it("fails closed when the organization allows read-only access only and a provider has none", async () => {
    await updateOrganizationSettings(ctx(p.admin), p.orgId, { read_only_access_only: true });
    try {
      await setReadOnlyCredentials(ctx(p.admin), providerId, null);
      const hits = fake.requests.length;
      const refused = await refusal(checkProviderHealth(ctx(p.member), providerId));
      expect(refused).toMatchObject({ code: "conflict", message: expect.stringMatching(/read-only access only/) });
      expect((await refusal(refreshResources(ctx(p.member), providerId))).code).toBe("conflict");
      expect(fake.requests.length).toBe(hits);

      await setReadOnlyCredentials(ctx(p.admin), providerId, { access_key: READ_ONLY_TOKEN });
      expect((await checkProviderHealth(ctx(p.member), providerId)).result.ok).toBe(true);
    } finally {
      await updateOrganizationSettings(ctx(p.admin), p.orgId, { read_only_access_only: false });
    }
  });

  it("lets only admins and owners set it, and no client read it back", async () => {
    for (const persona of [p.member, p.viewer]) {
      expect((await refusal(setReadOnlyCredentials(ctx(persona), providerId, { access_key: READ_ONLY_TOKEN }))).code).toBe("forbidden");
    }
    expect((await refusal(setReadOnlyCredentials(ctx(p.outsider), providerId, { access_key: READ_ONLY_TOKEN }))).code).toBe("not_found");
    expect((await refusal(setReadOnlyCredentials(ctx(p.admin), providerId, { access_key: "not-a-token" }))).code).toBe("validation_failed");
    for (const persona of [p.owner, p.admin, p.member]) {
      const read = await attempt(
        sql,
        persona.claims,
        (tx) => tx`select read_only_credentials from public.cloud_providers where id = ${providerId}`,
      );
      expect(read).toMatchObject({ ok: false, code: "42501" });
      const hint = await attempt(
        sql,
        persona.claims,
        (tx) => tx`select read_only_credential_hint from public.cloud_providers where id = ${providerId}`,
      );
      expect(hint.ok).toBe(true);
    }
  });

  it("is re-wrapped by keys:rotate like the full credential, without audit noise", async () => {
    const next = parseKeyRing(`k-ro2:${Buffer.alloc(32, 12).toString("base64")},k-ro:${Buffer.alloc(32, 11).toString("base64")}`);
    const { before } = firstRow(await sql`select count(*)::int as before from public.audit_events where target_id = ${providerId}`);
    const report = await rotateKeys(sql, next);
    // Other tests' providers live under other rings in this shared database; this one must not fail.
    expect(report.failed.filter((failure) => failure.providerId.startsWith(providerId))).toEqual([]);
    const [row] =
      await sql`select credentials ->> 'kid' as kid, read_only_credentials ->> 'kid' as ro_kid from public.cloud_providers where id = ${providerId}`;
    expect(row).toEqual({ kid: "k-ro2", ro_kid: "k-ro2" });
    const { after } = firstRow(await sql`select count(*)::int as after from public.audit_events where target_id = ${providerId}`);
    expect(after).toBe(before);
    ring = parseKeyRing(`k-ro2:${Buffer.alloc(32, 12).toString("base64")}`);
    expect((await checkProviderHealth(ctx(p.member), providerId)).result.ok).toBe(true);
  });
});
