// Whole Azure tenants (issue 15 part 3): the parent's principal lists the subscriptions it can read,
// in the whole tenant or under one management group (descendants, nested groups included), with its
// secret or by federation, against the Entra + Resource Manager fake; each subscription becomes a
// child with the parent's credential.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AZURE_FEDERATION_AUDIENCE } from "../../supabase/functions/_shared/federation/issuer.ts";
import { createAzureTenantDiscovery } from "../../supabase/functions/_shared/providers/azure-tenant.ts";
import type { DiscoveredAccount } from "../../supabase/functions/_shared/providers/discovery.ts";
import type { AdapterContext } from "../../supabase/functions/_shared/providers/types.ts";
import type { AzureCredentials } from "../../supabase/functions/_shared/schemas/providers.ts";
import { startAzureFake, TEST_CA, type AzureFake } from "../fakes/azure.ts";
import type { FakeTenant, TenantHost } from "../fakes/azure-tenant.ts";
import { startLocalIssuer, type LocalIssuer } from "../support/local-issuer.ts";

const discovery = createAzureTenantDiscovery({ ca: TEST_CA, backoffBaseMs: 20 });
const outbound = { allowHttp: false, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] };
const sub = (n: number) => `0000000${n}-aaaa-4bbb-8ccc-dddddddddddd`;
let fake: AzureFake;
let issuer: LocalIssuer;

const tenant = (): FakeTenant => ({
  tenantId: fake.state.tenantId,
  rootGroup: fake.state.tenantId,
  groups: { [fake.state.tenantId]: null, platform: fake.state.tenantId, prod: "platform", sandbox: fake.state.tenantId },
  subscriptions: [
    { id: sub(1), name: "root-level", state: "Enabled" },
    { id: sub(2), name: "platform-shared", state: "Enabled", group: "platform" },
    { id: sub(3), name: "prod-web", state: "Warned", group: "prod" },
    { id: sub(4), name: "prod-old", state: "Disabled", group: "prod" },
    { id: sub(5), name: "prod-hidden", state: "Enabled", group: "prod", readable: false },
    { id: sub(6), name: "sandbox", state: "PastDue", group: "sandbox" },
    { id: sub(7), name: "deleted", state: "Deleted", group: "sandbox" },
  ],
  forbiddenGroups: [],
});

beforeAll(async () => {
  fake = await startAzureFake();
  issuer = await startLocalIssuer("RS256");
});
afterAll(async () => {
  await fake.close();
  await issuer.close();
});
beforeEach(() => {
  fake.reset();
  fake.state.clientSecret = `Xy8Q~${randomUUID()}`;
  fake.state.federatedCredentials = [];
  (fake as AzureFake & TenantHost).tenant = tenant();
});

const secretParent = (): AzureCredentials => ({ ...fake.credentials(), subscription_name: "Parent" });
const context = (overrides: Partial<AdapterContext> = {}): AdapterContext => ({
  apiEndpoint: fake.url,
  regions: [],
  outbound,
  timeoutMs: 8_000,
  ...overrides,
});
const byId = (accounts: DiscoveredAccount[]) => Object.fromEntries(accounts.map((a) => [a.account, a]));

describe("Azure tenant discovery", () => {
  it("lists every subscription the principal can read in the tenant, page after page", async () => {
    fake.switches.maxPageSize = 2;
    const { accounts } = await discovery.discoverAccounts(secretParent(), { cloud: "azure", management_group_id: null }, context());
    expect(accounts.map((a) => a.account)).toEqual([sub(1), sub(2), sub(3), sub(4), sub(6), sub(7)]);
    expect(fake.hits("/subscriptions").length).toBe(3);
    expect(byId(accounts)[sub(1)]).toEqual({
      account: sub(1),
      name: "root-level",
      unavailable: null,
      details: { state: "Enabled", tenant: fake.state.tenantId },
    });
  });

  it("keeps Warned and PastDue subscriptions connectable with their warning, and says why Disabled and Deleted are not", async () => {
    const found = byId(
      (await discovery.discoverAccounts(secretParent(), { cloud: "azure", management_group_id: null }, context())).accounts,
    );
    expect(found[sub(3)]?.unavailable).toBeNull();
    expect(found[sub(3)]?.details?.warning).toMatch(/Warned/);
    expect(found[sub(6)]?.unavailable).toBeNull();
    expect(found[sub(6)]?.details?.warning).toMatch(/PastDue/);
    expect(found[sub(4)]?.unavailable).toEqual({ code: "subscription_disabled", message: expect.stringMatching(/disabled/) });
    expect(found[sub(7)]?.unavailable).toEqual({ code: "subscription_deleted", message: "The subscription is deleted." });
  });

  it("lists a management group's subscriptions however deep, naming their group, and one it cannot read as unavailable", async () => {
    fake.switches.maxPageSize = 2;
    const { accounts } = await discovery.discoverAccounts(secretParent(), { cloud: "azure", management_group_id: "platform" }, context());
    expect(accounts.map((a) => a.account).sort()).toEqual([sub(2), sub(3), sub(4), sub(5)]);
    const found = byId(accounts);
    expect(found[sub(3)]?.details).toMatchObject({ management_group: "prod", state: "Warned" });
    expect(found[sub(5)]).toMatchObject({ name: "prod-hidden", unavailable: { code: "subscription_not_readable" } });
    const asked = fake.hits(/descendants/);
    expect(asked.length).toBeGreaterThan(1);
    expect(asked.every((r) => r.url.searchParams.get("api-version") === "2020-05-01")).toBe(true);
  });

  it("refuses a management group the principal may not read, with the role to grant", async () => {
    (fake as AzureFake & TenantHost).tenant!.forbiddenGroups = ["platform"];
    await expect(
      discovery.discoverAccounts(secretParent(), { cloud: "azure", management_group_id: "platform" }, context()),
    ).rejects.toMatchObject({
      code: "management_group_forbidden",
      status: 403,
      hint: expect.stringMatching(/Management Group Reader/),
    });
  });

  it("lists with a federated parent: Cloudkeep's token as the client assertion, no secret", async () => {
    const subject = `org:${randomUUID()}:provider:${randomUUID()}`;
    fake.state.federatedCredentials.push({ issuer: issuer.issuer, subject, audiences: [AZURE_FEDERATION_AUDIENCE] });
    const parent = fake.federatedCredentials();
    const { accounts } = await discovery.discoverAccounts(
      parent,
      { cloud: "azure", management_group_id: null },
      context({ federation: issuer.supplier(subject) }),
    );
    expect(accounts).toHaveLength(6);
    expect(fake.assertions.at(-1)).toMatchObject({ ok: true, sub: subject });
  });

  it("never lets the parent's secret into what it returns or throws (canary)", async () => {
    const parent = secretParent();
    const result = await discovery.discoverAccounts(parent, { cloud: "azure", management_group_id: "platform" }, context());
    const secret = (parent as { client_secret: string }).client_secret;
    expect(JSON.stringify(result)).not.toContain(secret);
    fake.state.echoSecrets = true;
    (fake as AzureFake & TenantHost).tenant!.forbiddenGroups = ["platform"];
    const error = await discovery
      .discoverAccounts(parent, { cloud: "azure", management_group_id: "platform" }, context())
      .catch((e: unknown) => e);
    expect(`${JSON.stringify(error)} ${(error as Error).message} ${(error as { hint?: string }).hint}`).not.toContain(secret);
  });
});

describe("Azure subscription credentials", () => {
  const account: DiscoveredAccount = { account: sub(3).toUpperCase(), name: "prod-web", unavailable: null };

  it("gives a secret parent's child the same principal and secret with the subscription replaced", () => {
    const parent = secretParent();
    expect(discovery.childCredentials(parent, { cloud: "azure", management_group_id: null }, account)).toEqual({
      ...parent,
      subscription_id: sub(3),
      subscription_name: "prod-web",
    });
  });

  it("gives a federated parent's child the same federated principal with the subscription replaced", () => {
    const parent = fake.federatedCredentials();
    expect(discovery.childCredentials(parent, { cloud: "azure", management_group_id: null }, account)).toEqual({
      ...parent,
      subscription_id: sub(3),
      subscription_name: "prod-web",
    });
  });

  it("refuses an account that is not a subscription ID", () => {
    expect(() =>
      discovery.childCredentials(secretParent(), { cloud: "azure", management_group_id: null }, { ...account, account: "nope" }),
    ).toThrow(/not an Azure subscription ID/);
  });
});
