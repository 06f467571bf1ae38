// Whole cloud organizations, end to end through the domain and the database: an Azure provider that
// connects its tenant discovers subscriptions, connects each one whose derived credential passes a
// real health check (against the Azure wire fake), records why the others could not be connected,
// and keeps its children in step: rotation re-derives them, removal asks what to do with them, a
// removed child is not added back. Per persona and operation, allowed and denied.
import type postgres from "postgres";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { decryptCredential, parseKeyRing, type KeyRing } from "../../supabase/functions/_shared/crypto/index.ts";
import {
  discoverOnSchedule,
  discoverOrganizationAccounts,
  readDiscovery,
  setAccountExcluded,
  setOrganizationScope,
} from "../../supabase/functions/_shared/domain/cloud-organizations.ts";
import { checkProviderHealth } from "../../supabase/functions/_shared/domain/connectivity.ts";
import {
  createProvider,
  deleteProvider,
  rotateProviderCredentials,
  type VaultContext,
} from "../../supabase/functions/_shared/domain/providers.ts";
import { setReadOnlyCredentials } from "../../supabase/functions/_shared/domain/read-only.ts";
import type { AccountDiscovery, DiscoveredAccount, DiscoveryLoader } from "../../supabase/functions/_shared/providers/discovery.ts";
import { UpstreamError } from "../../supabase/functions/_shared/net/http.ts";
import { clearAzureTokens, createAzureAdapter } from "../../supabase/functions/_shared/providers/azure.ts";
import type { AdapterLoader } from "../../supabase/functions/_shared/providers/index.ts";
import type { AzureCredentials } from "../../supabase/functions/_shared/schemas/providers.ts";
import { startAzureFake, TEST_CA, type AzureFake } from "../fakes/azure.ts";
import { attempt, connect } from "../support/db.ts";
import { refusal } from "../support/refusal.ts";
import { createPersonas, type Personas } from "../support/personas.ts";
import { firstRow } from "../support/rows.ts";
import { trustedCidrs } from "../support/stack.ts";

let sql: postgres.Sql;
let ring: KeyRing;
let fake: AzureFake;
let people: Personas;

const CANARY_SECRET = "canary~Q8s.kRt9-disc0very-s3cret";
const PARENT_SUBSCRIPTION = "11111111-1111-4111-8111-111111111111";
const DISABLED_SUBSCRIPTION = "33333333-3333-4333-8333-333333333333";
const NO_ROLE_SUBSCRIPTION = "44444444-4444-4444-8444-444444444444";

/**
 * The tenant's listing, as the cloud gives it: the parent's own subscription, the one the fake serves
 * (Reader granted), one disabled, one where the principal has no role. Listing is the discovery
 * module's job (tested against the wire fakes on its own); here it is given, so these tests hold the
 * domain: what is connected, what is recorded, what is kept.
 */
let listed: DiscoveredAccount[] = [];
/** Set: the tenant cannot be listed at all, and the listing throws this. */
let listingFails: Error | null = null;
const listingCalls: unknown[] = [];
const tenantListing: AccountDiscovery<"azure"> = {
  kind: "azure",
  async discoverAccounts(credentials, scope) {
    listingCalls.push({ credentials, scope });
    if (listingFails) throw listingFails;
    return { accounts: listed };
  },
  childCredentials: (parent, _scope, account) => ({ ...parent, subscription_id: account.account, subscription_name: account.name }),
};
const discovery: DiscoveryLoader = (async () => tenantListing) as never;
const azure = createAzureAdapter({ ca: TEST_CA, retries: 0 });
const adapters: AdapterLoader = (async () => azure) as never;

const vault = (claims = people.admin.claims): VaultContext & { adapters: AdapterLoader; discovery: DiscoveryLoader } => ({
  sql,
  ring,
  claims,
  trustedCidrs,
  adapters,
  discovery,
});

function tenant(): DiscoveredAccount[] {
  return [
    { account: PARENT_SUBSCRIPTION, name: "Management", unavailable: null },
    { account: fake.state.subscriptionId, name: "Production EU", unavailable: null, details: { state: "Enabled" } },
    {
      account: DISABLED_SUBSCRIPTION,
      name: "Old trial",
      unavailable: { code: "subscription_disabled", message: "The subscription is Disabled: Azure allows no reads." },
    },
    { account: NO_ROLE_SUBSCRIPTION, name: "Data team", unavailable: null },
  ];
}

async function addParent(scope: unknown = { management_group_id: null }, secret = CANARY_SECRET) {
  fake.state.clientSecret = secret;
  return createProvider(vault(), people.orgId, {
    name: "Contoso tenant",
    provider_type: "azure",
    api_endpoint: fake.url,
    environment: "staging",
    regions: ["westeurope"],
    credentials: { ...fake.credentials(), client_secret: secret, subscription_id: PARENT_SUBSCRIPTION },
    organization_scope: scope,
  });
}

async function childrenOf(parentId: string) {
  return sql<{ id: string; name: string; account_identifier: string; status: string; environment: string; regions: string[] }[]>`
    select id, name, account_identifier, status, environment, regions from public.cloud_providers
    where parent_provider_id = ${parentId} order by name`;
}

async function childCredentials(childId: string): Promise<AzureCredentials> {
  const row = firstRow(await sql<{ credentials: unknown }[]>`select credentials from public.cloud_providers where id = ${childId}`);
  return (await decryptCredential(ring, { organizationId: people.orgId, providerId: childId }, row.credentials)) as AzureCredentials;
}

beforeAll(async () => {
  sql = connect();
  ring = parseKeyRing(inject("stack").encryptionKeys);
  people = await createPersonas(sql, "cloudorg");
  fake = await startAzureFake();
});
afterAll(async () => {
  await fake?.close();
  await sql?.end({ timeout: 5 });
});
afterEach(async () => {
  clearAzureTokens();
  fake.reset();
  listingCalls.length = 0;
  listingFails = null;
  await sql`delete from public.cloud_providers where organization_id in (${people.orgId}, ${people.outsiderOrgId}) and parent_provider_id is not null`;
  await sql`delete from public.cloud_providers where organization_id in (${people.orgId}, ${people.outsiderOrgId})`;
});

describe("connecting a whole cloud organization", () => {
  it("keeps the scope with the provider, checked for its cloud; bad scopes are field errors and store nothing", async () => {
    listed = tenant();
    const parent = await addParent({ management_group_id: "  platform-mg  " });
    expect(parent.organization_scope).toEqual({ cloud: "azure", management_group_id: "platform-mg" });

    const bad = await refusal(setOrganizationScope(vault(), parent.id, { management_group_id: "no spaces allowed" }));
    expect(bad).toMatchObject({
      code: "validation_failed",
      fieldErrors: { "organization_scope.management_group_id": [expect.any(String)] },
    });
    const kept = firstRow(await sql`select organization_scope from public.cloud_providers where id = ${parent.id}`);
    expect(kept.organization_scope).toEqual({ cloud: "azure", management_group_id: "platform-mg" });

    const token = await refusal(
      createProvider(vault(), people.orgId, {
        name: "DO",
        provider_type: "digitalocean",
        credentials: { access_key: "dop_v1_" + "a".repeat(64) },
        organization_scope: { parent: "organizations/1" },
      }),
    );
    expect(token).toMatchObject({ code: "validation_failed", fieldErrors: { organization_scope: [expect.any(String)] } });
    const { count } = firstRow(
      await sql<{ count: number }[]>`
      select count(*)::int as count from public.cloud_providers where organization_id = ${people.orgId} and provider_type = 'digitalocean'`,
    );
    expect(count).toBe(0);
  });

  it("connects each account whose derived credential passes a health check, and says why the others are not connected", async () => {
    listed = tenant();
    const parent = await addParent();
    const outcome = await discoverOrganizationAccounts(vault(), parent.id);
    expect(outcome).toEqual({ discovered: 3, added: 1, connected: 1, unavailable: 1, failed: 1, excluded: 0 });

    const child = firstRow(await childrenOf(parent.id));
    expect(child).toMatchObject({
      name: "Production EU",
      account_identifier: fake.state.subscriptionId,
      status: "healthy",
      environment: "staging",
      regions: ["westeurope"],
    });
    // Its own envelope, bound to its own row: the parent's principal, its own subscription.
    expect(await childCredentials(child.id)).toMatchObject({ subscription_id: fake.state.subscriptionId, client_secret: CANARY_SECRET });
    // A child is a provider like any other: its next check works on its own credential.
    const { result } = await checkProviderHealth(vault(), child.id);
    expect(result.ok).toBe(true);

    const accounts = (await readDiscovery(vault(people.viewer.claims), parent.id)).accounts;
    const byAccount = Object.fromEntries(accounts.map((a) => [a.account, a]));
    expect(Object.keys(byAccount).sort()).toEqual([fake.state.subscriptionId, DISABLED_SUBSCRIPTION, NO_ROLE_SUBSCRIPTION].sort());
    expect(byAccount[fake.state.subscriptionId]).toMatchObject({ state: "connected", child_provider_id: child.id, reason_code: null });
    expect(byAccount[DISABLED_SUBSCRIPTION]).toMatchObject({ state: "unavailable", reason_code: "subscription_disabled" });
    // The cloud's own reason for the account the principal cannot read, with what to do.
    expect(byAccount[NO_ROLE_SUBSCRIPTION]).toMatchObject({ state: "failed", child_provider_id: null });
    expect(byAccount[NO_ROLE_SUBSCRIPTION]?.reason_message).toMatch(/subscription/i);
  });

  it("is idempotent: a second discovery adds nothing and keeps the connected child", async () => {
    listed = tenant();
    const parent = await addParent();
    await discoverOrganizationAccounts(vault(), parent.id);
    const again = await discoverOrganizationAccounts(vault(), parent.id);
    expect(again).toMatchObject({ added: 0, connected: 1 });
    expect(await childrenOf(parent.id)).toHaveLength(1);
  });

  it("does not connect an account already connected on its own, and says so", async () => {
    listed = tenant();
    await createProvider(vault(), people.orgId, {
      name: "Prod EU (by hand)",
      provider_type: "azure",
      api_endpoint: fake.url,
      credentials: fake.credentials(),
    });
    const parent = await addParent();
    const outcome = await discoverOrganizationAccounts(vault(), parent.id);
    expect(outcome.added).toBe(0);
    const accounts = (await readDiscovery(vault(), parent.id)).accounts;
    expect(accounts.find((a) => a.account === fake.state.subscriptionId)).toMatchObject({
      state: "unavailable",
      reason_code: "already_connected",
      reason_message: 'Already connected as "Prod EU (by hand)".',
    });
  });

  it("does not add back a child an admin removed, until the account is included again", async () => {
    listed = tenant();
    const parent = await addParent();
    await discoverOrganizationAccounts(vault(), parent.id);
    const child = firstRow(await childrenOf(parent.id));
    await deleteProvider(vault(), child.id);

    expect(await discoverOrganizationAccounts(vault(), parent.id)).toMatchObject({ added: 0, excluded: 1 });
    expect(await childrenOf(parent.id)).toHaveLength(0);
    const excluded = (await readDiscovery(vault(), parent.id)).accounts.find((a) => a.account === fake.state.subscriptionId);
    expect(excluded).toMatchObject({ state: "excluded", reason_code: "removed" });

    await setAccountExcluded(vault(), parent.id, fake.state.subscriptionId, false);
    expect(await discoverOrganizationAccounts(vault(), parent.id)).toMatchObject({ added: 1 });
    expect(await childrenOf(parent.id)).toHaveLength(1);
  });

  it("new accounts join on the scheduled run, with no person behind it", async () => {
    listed = tenant().slice(0, 1);
    const parent = await addParent();
    await discoverOrganizationAccounts(vault(), parent.id);
    expect(await childrenOf(parent.id)).toHaveLength(0);

    listed = tenant();
    const report = await discoverOnSchedule({ sql, ring, trustedCidrs, adapters, discovery, organizationIds: [people.orgId] });
    expect(report).toEqual({ parents: 1, added: 1, failed: 0 });
    expect(await childrenOf(parent.id)).toHaveLength(1);
  });

  it("rotating the parent's secret re-derives every child's credential; no child keeps the old secret", async () => {
    listed = tenant();
    const parent = await addParent();
    await discoverOrganizationAccounts(vault(), parent.id);
    const child = firstRow(await childrenOf(parent.id));

    const rotated = "rotated~Z1x.secret-value-0000000000";
    await rotateProviderCredentials(vault(), parent.id, {
      ...fake.credentials(),
      client_secret: rotated,
      subscription_id: PARENT_SUBSCRIPTION,
    });
    const credentials = await childCredentials(child.id);
    expect(credentials).toMatchObject({ client_secret: rotated, subscription_id: fake.state.subscriptionId });
    expect(JSON.stringify(credentials)).not.toContain(CANARY_SECRET);
  });

  it("derives children from the parent's read-only credential when it has one, and follows it when it changes", async () => {
    listed = tenant();
    const parent = await addParent();
    await discoverOrganizationAccounts(vault(), parent.id);
    const child = firstRow(await childrenOf(parent.id));
    const readOnly = "readonly~R3ad.only-secret-000000000000";
    await setReadOnlyCredentials(vault(), parent.id, {
      ...fake.credentials(),
      client_secret: readOnly,
      subscription_id: PARENT_SUBSCRIPTION,
    });
    expect(await childCredentials(child.id)).toMatchObject({ client_secret: readOnly, subscription_id: fake.state.subscriptionId });
    // The full credential rotates; the children stay on the read-only one checks use.
    await rotateProviderCredentials(vault(), parent.id, {
      ...fake.credentials(),
      client_secret: "full~F0ll.rotated-0000000000000",
      subscription_id: PARENT_SUBSCRIPTION,
    });
    expect(await childCredentials(child.id)).toMatchObject({ client_secret: readOnly });
    // Without the read-only one, they are derived from the full credential again.
    await setReadOnlyCredentials(vault(), parent.id, null);
    expect(await childCredentials(child.id)).toMatchObject({ client_secret: "full~F0ll.rotated-0000000000000" });
  });

  it("removing the parent asks what to do with its accounts: remove them too, or keep them working on their own", async () => {
    listed = tenant();
    const parent = await addParent();
    await discoverOrganizationAccounts(vault(), parent.id);
    const child = firstRow(await childrenOf(parent.id));

    const unasked = await refusal(deleteProvider(vault(), parent.id));
    expect(unasked).toMatchObject({ code: "validation_failed", fieldErrors: { children: [expect.any(String)] } });
    expect(unasked.message).toMatch(/connected 1 account of its organization/);
    const { count: still } = firstRow(
      await sql<{ count: number }[]>`select count(*)::int as count from public.cloud_providers where id = ${parent.id}`,
    );
    expect(still).toBe(1);

    expect(await deleteProvider(vault(), parent.id, { children: "keep" })).toMatchObject({ children: { removed: 0, kept: 1 } });
    const kept = firstRow(
      await sql<{ parent_provider_id: string | null }[]>`
      select parent_provider_id from public.cloud_providers where id = ${child.id}`,
    );
    expect(kept.parent_provider_id).toBeNull();
    expect((await checkProviderHealth(vault(), child.id)).result.ok).toBe(true);

    const second = await addParent();
    await discoverOrganizationAccounts(vault(), second.id);
    // The kept child holds that account; discovery says so rather than connecting it twice.
    expect(await childrenOf(second.id)).toHaveLength(0);
    await deleteProvider(vault(), child.id);
    await discoverOrganizationAccounts(vault(), second.id);
    const again = firstRow(await childrenOf(second.id));
    expect(await deleteProvider(vault(), second.id, { children: "remove" })).toMatchObject({ children: { removed: 1, kept: 0 } });
    const { count: gone } = firstRow(
      await sql<{ count: number }[]>`select count(*)::int as count from public.cloud_providers where id = ${again.id}`,
    );
    expect(gone).toBe(0);
  });

  it("remembers a discovery that could not list the organization, for everyone who can see it, until one succeeds", async () => {
    listed = tenant();
    const parent = await addParent();
    await discoverOrganizationAccounts(vault(), parent.id);
    expect((await readDiscovery(vault(), parent.id)).run).toMatchObject({
      trigger: "manual",
      ok: true,
      error_code: null,
      counts: { discovered: 3, added: 1, connected: 1, unavailable: 1, failed: 1, excluded: 0 },
    });

    // The principal lost its role on the tenant: the sweep's discovery fails as a whole.
    listingFails = new UpstreamError({
      code: "AuthorizationFailed",
      message: "The client does not have authorization to perform action 'Microsoft.Resources/subscriptions/read'.",
      hint: "Give the principal Reader on the tenant root management group.",
      status: 502,
    });
    const report = await discoverOnSchedule({ sql, ring, trustedCidrs, adapters, discovery, organizationIds: [people.orgId] });
    expect(report).toMatchObject({ parents: 1, failed: 1 });
    for (const persona of ["admin", "member", "viewer"] as const) {
      const { accounts, run } = await readDiscovery(vault(people[persona].claims), parent.id);
      expect(run, persona).toMatchObject({
        trigger: "scheduled",
        ok: false,
        error_code: "AuthorizationFailed",
        error_message: expect.stringContaining("Microsoft.Resources/subscriptions/read"),
        error_hint: "Give the principal Reader on the tenant root management group.",
        counts: {},
      });
      // What an earlier discovery saw is kept, not wiped by one that saw nothing.
      expect(accounts, persona).toHaveLength(3);
    }
    expect((await readDiscovery(vault(people.outsider.claims), parent.id)).run).toBeNull();

    // An admin's own try fails the same way: the admin is told, and the page says so too.
    await expect(discoverOrganizationAccounts(vault(), parent.id)).rejects.toMatchObject({ failure: { code: "AuthorizationFailed" } });
    expect((await readDiscovery(vault(), parent.id)).run).toMatchObject({ trigger: "manual", ok: false });

    // An unexpected error is stored as the adapters' plain sentence, never as its own text (which could hold anything).
    listingFails = new Error(`socket closed while sending ${CANARY_SECRET}`);
    await discoverOrganizationAccounts(vault(), parent.id).catch(() => null);
    const stored = await sql`select * from public.provider_discovery_runs where parent_provider_id = ${parent.id}`;
    expect(stored[0]).toMatchObject({ ok: false, error_code: "upstream_error" });
    expect(JSON.stringify(stored)).not.toContain(CANARY_SECRET);

    listingFails = null;
    await discoverOrganizationAccounts(vault(), parent.id);
    expect((await readDiscovery(vault(people.viewer.claims), parent.id)).run).toMatchObject({ ok: true, error_code: null });
  });

  it("never lets the parent's secret into what discovery records, returns or audits", async () => {
    listed = tenant();
    const parent = await addParent();
    const outcome = await discoverOrganizationAccounts(vault(), parent.id);
    const rows = await sql`select * from public.provider_discovered_accounts where parent_provider_id = ${parent.id}`;
    const audit = await sql`select metadata from public.audit_events where organization_id = ${people.orgId}`;
    for (const text of [JSON.stringify(outcome), JSON.stringify(rows), JSON.stringify(audit)]) expect(text).not.toContain(CANARY_SECRET);
  });
});

describe("who may do what with discovered accounts", () => {
  it("members and viewers see them; only admins discover, set the scope or exclude; outsiders see nothing", async () => {
    listed = tenant();
    const parent = await addParent();
    await discoverOrganizationAccounts(vault(), parent.id);

    for (const persona of ["owner", "admin", "member", "viewer"] as const) {
      expect((await readDiscovery(vault(people[persona].claims), parent.id)).accounts).toHaveLength(3);
    }
    expect((await readDiscovery(vault(people.outsider.claims), parent.id)).accounts).toHaveLength(0);

    for (const persona of ["member", "viewer"] as const) {
      const claims = people[persona].claims;
      expect(await refusal(discoverOrganizationAccounts(vault(claims), parent.id))).toMatchObject({ code: "forbidden" });
      expect(await refusal(setOrganizationScope(vault(claims), parent.id, null))).toMatchObject({ code: "forbidden" });
      expect(await refusal(setAccountExcluded(vault(claims), parent.id, NO_ROLE_SUBSCRIPTION, true))).toMatchObject({ code: "forbidden" });
    }
    for (const refused of [
      discoverOrganizationAccounts(vault(people.outsider.claims), parent.id),
      setAccountExcluded(vault(people.outsider.claims), parent.id, NO_ROLE_SUBSCRIPTION, true),
    ]) {
      expect(await refusal(refused)).toMatchObject({ code: "not_found" });
    }
    expect(listingCalls).toHaveLength(1);
  });

  it("no client writes discovered accounts or links a provider to a parent directly, not even an admin", async () => {
    listed = tenant();
    const parent = await addParent();
    await discoverOrganizationAccounts(vault(), parent.id);
    const child = firstRow(await childrenOf(parent.id));
    const asAdmin = <T>(run: (tx: postgres.TransactionSql) => Promise<T>) => attempt(sql, people.admin.claims, run);
    expect(
      await asAdmin(
        (tx) => tx`insert into public.provider_discovered_accounts (parent_provider_id, organization_id, account, name, state)
        values (${parent.id}, ${people.orgId}, '999', 'x', 'failed')`,
      ),
    ).toMatchObject({ ok: false });
    expect(await asAdmin((tx) => tx`update public.provider_discovered_accounts set state = 'connected'`)).toMatchObject({ ok: false });
    expect(
      await asAdmin(
        (tx) => tx`insert into public.provider_discovery_runs (parent_provider_id, organization_id, trigger, ok, error_code)
        values (${parent.id}, ${people.orgId}, 'manual', false, 'forged')`,
      ),
    ).toMatchObject({ ok: false });
    expect(await asAdmin((tx) => tx`update public.provider_discovery_runs set ok = false, error_code = 'forged'`)).toMatchObject({
      ok: false,
    });
    expect(await asAdmin((tx) => tx`update public.cloud_providers set parent_provider_id = null where id = ${child.id}`)).toMatchObject({
      ok: false,
    });
    expect(
      await asAdmin((tx) => tx`update public.cloud_providers set federation_subject_id = ${child.id} where id = ${parent.id}`),
    ).toMatchObject({
      ok: false,
    });
    // Nor borrows a parent's external ID for a provider of its own.
    expect(await asAdmin((tx) => tx`select private.inherit_external_id(${parent.id})`)).toMatchObject({ ok: false });
    const after = firstRow(
      await sql<{ parent_provider_id: string }[]>`select parent_provider_id from public.cloud_providers where id = ${child.id}`,
    );
    expect(after.parent_provider_id).toBe(parent.id);
  });
});
