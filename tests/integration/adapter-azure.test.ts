// The Azure adapter (official @azure/identity + ARM SDKs) against the wire-level Entra ID + Resource
// Manager fake over HTTPS with the test CA: token grant, subscription state, VM pages and power states.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { UpstreamError } from "../../supabase/functions/_shared/net/http.ts";
import { createAzureAdapter, NO_ENABLED_SUBSCRIPTION } from "../../supabase/functions/_shared/providers/azure.ts";
import type { AdapterContext, HealthResult, ProviderFailure } from "../../supabase/functions/_shared/providers/types.ts";
import type { AzureCredentials } from "../../supabase/functions/_shared/schemas/providers.ts";
import { startAzureFake, TEST_CA, TEST_TLS, type AzureFake } from "../fakes/azure.ts";
import { startFake } from "../fakes/server.ts";

const adapter = createAzureAdapter({ ca: TEST_CA, backoffBaseMs: 20 });
const outbound = { allowHttp: false, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] };
let fake: AzureFake;

beforeAll(async () => {
  fake = await startAzureFake();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.reset();
  Object.assign(fake.state, {
    subscriptionState: "Enabled",
    noRole: false,
    secretExpired: false,
    statusOnlyBroken: false,
    networkForbidden: false,
    echoSecrets: false,
    scaleSets: [],
    nextLinkOrigin: null,
  });
  // A fresh secret per test: the adapter's in-memory token cache never carries a token from one test into the next.
  fake.state.clientSecret = `Xy8Q~${randomUUID()}`;
});

const credentials = (overrides: Partial<AzureCredentials> = {}): AzureCredentials => ({ ...fake.credentials(), ...overrides });
const context = (overrides: Partial<AdapterContext> = {}): AdapterContext => ({
  apiEndpoint: fake.url,
  regions: [],
  outbound,
  timeoutMs: 5_000,
  ...overrides,
});

function failureOf(result: HealthResult): ProviderFailure {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.identity)}`);
  return result.error;
}

async function listFailure(promise: Promise<unknown>): Promise<UpstreamError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UpstreamError) return error;
    throw error;
  }
  throw new Error("expected the listing to fail");
}

describe("azure checkHealth", () => {
  it("reports the subscription as the identity after a client-credentials grant for the ARM audience", async () => {
    const result = await adapter.checkHealth(credentials(), context());
    expect(result).toMatchObject({
      ok: true,
      identity: { account: fake.state.subscriptionId, label: "Contoso Production", details: { tenant: fake.state.tenantId } },
    });
    // A healthy answer needed a token, so there was a grant.
    const grant = fake.tokenRequests()[0]!;
    const form = new URLSearchParams(grant.body);
    expect(grant.path).toBe(`/${fake.state.tenantId}/oauth2/v2.0/token`);
    expect(form.get("grant_type")).toBe("client_credentials");
    expect(form.get("scope")).toBe(`${fake.url}/.default`);
    const subscription = fake.hits(`/subscriptions/${fake.state.subscriptionId}`);
    expect(subscription).toHaveLength(1);
    expect(subscription[0]!.url.searchParams.get("api-version")).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // Instance discovery would have gone to login.microsoftonline.com: everything stayed on the fake.
    expect(fake.hits("/common/discovery/instance")).toHaveLength(0);
  });

  it("keeps the access token in memory between checks instead of asking Entra ID again", async () => {
    expect((await adapter.checkHealth(credentials(), context())).ok).toBe(true);
    expect((await adapter.checkHealth(credentials(), context())).ok).toBe(true);
    expect(fake.tokenRequests()).toHaveLength(1);
    expect(fake.hits(`/subscriptions/${fake.state.subscriptionId}`)).toHaveLength(2);
  });

  it("says the client secret is wrong (AADSTS7000215) and to copy the secret's Value, not its ID", async () => {
    const error = failureOf(await adapter.checkHealth(credentials({ client_secret: "not-the-secret-value" }), context()));
    expect(error).toMatchObject({ code: "invalid_client_secret", status: 401, retryable: false });
    expect(error.message).toContain("the client secret is wrong — copy the secret's Value, not its ID");
    expect(error.hint).toContain("Certificates & secrets");
    expect(fake.hits(/^\/subscriptions/)).toHaveLength(0);
  });

  it("tells an expired secret (AADSTS7000222), an unknown app (AADSTS700016) and an unknown tenant (AADSTS90002) apart", async () => {
    fake.state.secretExpired = true;
    expect(failureOf(await adapter.checkHealth(credentials(), context()))).toMatchObject({ code: "client_secret_expired", status: 401 });
    fake.state.secretExpired = false;

    const unknownApp = "00000000-1111-4222-8333-444444444444";
    const app = failureOf(await adapter.checkHealth(credentials({ client_id: unknownApp }), context()));
    expect(app.code).toBe("application_not_found");
    expect(app.message).toContain(unknownApp);

    const tenant = failureOf(await adapter.checkHealth(credentials({ tenant_id: "22222222-3333-4444-8555-666666666666" }), context()));
    expect(tenant.code).toBe("tenant_not_found");
    expect(tenant.hint).toContain("not the subscription ID");
  });

  it("answers No enabled subscription found when the subscription is Disabled", async () => {
    fake.state.subscriptionState = "Disabled";
    const error = failureOf(await adapter.checkHealth(credentials(), context()));
    expect(error.code).toBe("subscription_not_enabled");
    expect(error.message).toBe(`${NO_ENABLED_SUBSCRIPTION}: subscription ${fake.state.subscriptionId} is Disabled, not Enabled.`);
    expect(error.hint).toContain("--role Reader");
  });

  it.each(["Warned", "PastDue"])("passes a %s subscription, which still serves requests, with a warning", async (state) => {
    fake.state.subscriptionState = state;
    const result = await adapter.checkHealth(credentials(), context());
    expect(result).toMatchObject({ ok: true, identity: { account: fake.state.subscriptionId, details: { subscription_state: state } } });
    if (result.ok) expect(result.identity.details?.warning).toContain(`The subscription is ${state}`);
  });

  it("passes an Enabled subscription without a warning", async () => {
    const result = await adapter.checkHealth(credentials(), context());
    expect(result).toMatchObject({ ok: true, identity: { details: { subscription_state: "Enabled" } } });
    if (result.ok) expect(result.identity.details).not.toHaveProperty("warning");
  });

  it.each(["Deleted", "constructor"])("fails a subscription in state %s, like a Disabled one", async (state) => {
    fake.state.subscriptionState = state;
    const error = failureOf(await adapter.checkHealth(credentials(), context()));
    expect(error).toMatchObject({ code: "subscription_not_enabled" });
    expect(error.message).toContain(`is ${state}, not Enabled`);
  });

  it("answers No enabled subscription found for a subscription the service principal cannot see or that does not exist", async () => {
    fake.state.noRole = true;
    const forbidden = failureOf(await adapter.checkHealth(credentials(), context()));
    expect(forbidden).toMatchObject({ code: "subscription_not_enabled", status: 403 });
    expect(forbidden.message).toContain(NO_ENABLED_SUBSCRIPTION);
    fake.state.noRole = false;

    const missing = failureOf(
      await adapter.checkHealth(credentials({ subscription_id: "12345678-1234-4234-8234-123456789012" }), context()),
    );
    expect(missing.code).toBe("subscription_not_enabled");
    expect(missing.message).toContain("does not exist in tenant");
    expect(missing.hint).toContain("Check the subscription ID");
  });

  it("gives up on an attempt that gets no answer within the timeout, without retrying it", async () => {
    fake.switches.delayMs = 3_000;
    fake.switches.match = /^\/subscriptions/;
    const started = Date.now();
    const error = failureOf(await adapter.checkHealth(credentials(), context({ timeoutMs: 400 })));
    expect(error).toMatchObject({ code: "timeout", status: 504, retryable: true });
    expect(error.message).toContain("400 ms");
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(fake.hits(/^\/subscriptions/)).toHaveLength(1);
  });

  it("retries a 429 after the Retry-After it was given, then succeeds", async () => {
    fake.switches.rateLimit = { count: 1, retryAfter: "1" };
    fake.switches.match = /^\/subscriptions/;
    const started = Date.now();
    const result = await adapter.checkHealth(credentials(), context());
    expect(result.ok).toBe(true);
    const hits = fake.hits(/^\/subscriptions/);
    expect(hits).toHaveLength(2);
    expect(hits[1]!.at - hits[0]!.at).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it("fails at once as rate_limited when Retry-After asks for longer than it waits", async () => {
    fake.switches.rateLimit = { count: 5, retryAfter: "120" };
    fake.switches.match = /^\/subscriptions/;
    const started = Date.now();
    const error = failureOf(await adapter.checkHealth(credentials(), context()));
    expect(error).toMatchObject({ code: "rate_limited", status: 429, retryable: true });
    expect(error.message).toContain("120 s");
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("reports a malformed Resource Manager body as malformed_response without crashing", async () => {
    fake.switches.malformedBody = true;
    fake.switches.match = /^\/subscriptions/;
    const error = failureOf(await adapter.checkHealth(credentials(), context()));
    expect(error).toMatchObject({ code: "malformed_response", status: 502 });
    expect(error.hint).toContain("Azure Resource Manager");
  });

  it("reports a token endpoint that answers garbage as malformed_response, not as a bad secret", async () => {
    fake.switches.malformedBody = true;
    fake.switches.match = /\/oauth2\/v2\.0\/token$/;
    const error = failureOf(await adapter.checkHealth(credentials(), context()));
    expect(error).toMatchObject({ code: "malformed_response", status: 502 });
    expect(fake.hits(/^\/subscriptions/)).toHaveLength(0);
  });

  it("refuses an endpoint the outbound policy does not allow before sending anything", async () => {
    const error = failureOf(await adapter.checkHealth(credentials(), context({ outbound: { allowHttp: false, allowedCidrs: [] } })));
    expect(error).toMatchObject({ code: "refused_endpoint", status: 422 });
    expect(error.message).toContain("[rule: loopback]");
    expect(fake.requests).toHaveLength(0);
  });

  it("does not trust the fake's certificate unless it is given the test CA", async () => {
    const untrusting = createAzureAdapter();
    const error = failureOf(await untrusting.checkHealth(credentials(), context()));
    expect(["unreachable", "unknown_cloud"]).toContain(error.code);
    expect(error.message).toMatch(/certificate|TLS/i);
    expect(fake.tokenRequests()).toHaveLength(0);
  });
});

describe("azure listResources", () => {
  it("lists every virtual machine across nextLink pages with its power state", async () => {
    fake.switches.resourceCount = 7;
    fake.switches.maxPageSize = 3;
    const { resources, partialFailures } = await adapter.listResources(credentials(), context());
    expect(partialFailures).toEqual([]);
    expect(resources.map((r) => r.name)).toEqual(["vm-0001", "vm-0002", "vm-0003", "vm-0004", "vm-0005", "vm-0006", "vm-0007"]);
    const listPages = fake.hits(/virtualMachines$/);
    expect(listPages.filter((r) => r.url.searchParams.get("statusOnly") !== "true")).toHaveLength(3);
    expect(listPages.filter((r) => r.url.searchParams.get("statusOnly") === "true")).toHaveLength(3);

    const first = resources[0];
    const armId = `/subscriptions/${fake.state.subscriptionId}/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/vm-0001`;
    expect(first).toEqual({
      id: armId,
      name: "vm-0001",
      type: "instance",
      region: "westeurope",
      zone: "1",
      status: "running",
      raw_status: "PowerState/running",
      size: "Standard_B2s",
      public_ips: ["20.0.0.1"],
      private_ips: ["10.0.0.4"],
      tags: { env: "production", owner: "team-a" },
      created_at: "2025-01-01T12:00:00.000Z",
      console_url: `https://portal.azure.com/#@${fake.state.tenantId}/resource${armId}/overview`,
    });
    expect(resources.map((r) => r.status)).toEqual(["running", "stopped", "stopped", "pending", "running", "stopped", "stopped"]);
    // Addresses from the network interfaces (every VM) and public IPs (every other VM), also across pages;
    // vm-0002's interface names its VM in other letter case, as ARM may.
    expect(resources.map((r) => [r.private_ips, r.public_ips])).toEqual([
      [["10.0.0.4"], ["20.0.0.1"]],
      [["10.0.0.5"], []],
      [["10.0.0.6"], ["20.0.2.3"]],
      [["10.0.0.7"], []],
      [["10.0.0.8"], ["20.0.4.5"]],
      [["10.0.0.9"], []],
      [["10.0.0.10"], ["20.0.6.7"]],
    ]);
    expect(fake.hits(/networkInterfaces$/)).toHaveLength(3);
    expect(fake.hits(/publicIPAddresses$/)).toHaveLength(2);
  });

  it("follows a chain of 40 nextLink pages to the end: 1,000 machines, 25 a page", async () => {
    fake.switches.resourceCount = 1_000;
    fake.switches.maxPageSize = 25;
    const { resources, partialFailures } = await adapter.listResources(credentials(), context());
    expect(partialFailures).toEqual([]);
    expect(resources).toHaveLength(1_000);
    expect(new Set(resources.map((r) => r.id)).size).toBe(1_000);
    expect(fake.hits(/virtualMachines$/).filter((r) => r.url.searchParams.get("statusOnly") !== "true")).toHaveLength(40);
    expect(resources.every((r) => r.status !== "unknown")).toBe(true);
  });

  it("refuses a nextLink on another host: the token never leaves Resource Manager's origin", async () => {
    const elsewhere = await startFake(() => ({ body: { value: [] } }), { https: TEST_TLS });
    try {
      fake.switches.resourceCount = 5;
      fake.switches.maxPageSize = 2;
      fake.state.nextLinkOrigin = elsewhere.url;
      const error = await listFailure(adapter.listResources(credentials(), context()));
      expect(error).toMatchObject({ code: "foreign_next_link", status: 502 });
      expect(error.message).toContain(`127.0.0.1:${elsewhere.port}`);
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await elsewhere.close();
    }
  });

  it("lists the instances of Uniform scale sets, which the VM listing leaves out, with their power state", async () => {
    fake.switches.resourceCount = 2;
    fake.switches.maxPageSize = 2;
    fake.state.scaleSets = [
      { name: "web-pool", resourceGroup: "rg-web", orchestrationMode: "Uniform", capacity: 3 },
      { name: "flex-pool", resourceGroup: "rg-web", orchestrationMode: "Flexible", capacity: 4 },
    ];
    const { resources, partialFailures } = await adapter.listResources(credentials(), context());
    expect(partialFailures).toEqual([]);
    expect(resources.map((r) => r.name)).toEqual(["vm-0001", "vm-0002", "web-pool_0", "web-pool_1", "web-pool_2"]);
    const setId = `/subscriptions/${fake.state.subscriptionId}/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachineScaleSets/web-pool`;
    expect(resources[2]).toMatchObject({
      id: `${setId}/virtualMachines/0`,
      type: "instance",
      region: "westeurope",
      zone: "1",
      status: "running",
      raw_status: "PowerState/running",
      size: "Standard_D2s_v5",
      tags: { pool: "web-pool" },
    });
    expect(resources[3]).toMatchObject({ status: "stopped", raw_status: "PowerState/deallocated" });
    // Asked with the instance view, across the pages of the set, and never for the Flexible set (its VMs are VMs).
    const setPages = fake.hits(/virtualMachineScaleSets\/[^/]+\/virtualMachines$/);
    expect(setPages.map((r) => r.path.split("/")[8])).toEqual(["web-pool", "web-pool"]);
    expect(setPages.every((r) => r.url.searchParams.get("$expand") === "instanceView")).toBe(true);
  });

  it("still lists the machines when their addresses cannot be read, and says so", async () => {
    fake.switches.resourceCount = 2;
    fake.state.networkForbidden = true;
    const { resources, partialFailures } = await adapter.listResources(credentials(), context());
    expect(resources.map((r) => [r.name, r.status, r.private_ips])).toEqual([
      ["vm-0001", "running", []],
      ["vm-0002", "stopped", []],
    ]);
    expect(partialFailures).toEqual([
      {
        scope: "ip-addresses",
        code: "network_read_failed",
        message:
          "IP addresses could not be read from Microsoft.Network (AuthorizationFailed), so they show empty. The service principal needs Reader on the subscription.",
      },
    ]);
  });

  it("keeps only the regions the provider is limited to", async () => {
    fake.switches.resourceCount = 8;
    const { resources } = await adapter.listResources(credentials(), context({ regions: ["eastus"] }));
    expect(resources.map((r) => r.name)).toEqual(["vm-0002", "vm-0006"]);
    expect(new Set(resources.map((r) => r.region))).toEqual(new Set(["eastus"]));
  });

  it("still lists the machines when power states cannot be read, and says so", async () => {
    fake.state.statusOnlyBroken = true;
    const { resources, partialFailures } = await adapter.listResources(credentials(), context());
    expect(resources).toHaveLength(3);
    expect(resources.every((r) => r.status === "unknown" && r.raw_status === "ProvisioningState/Succeeded")).toBe(true);
    expect(partialFailures).toEqual([expect.objectContaining({ scope: "power-state" })]);
  });

  it("throws an actionable error when the service principal may not read virtual machines", async () => {
    fake.state.noRole = true;
    const error = await listFailure(adapter.listResources(credentials(), context()));
    expect(error).toMatchObject({ code: "permission_denied", status: 403 });
    expect(error.hint).toContain("--role Reader");
  });

  it("reports a malformed page as malformed_response", async () => {
    fake.switches.malformedBody = true;
    fake.switches.match = /virtualMachines$/;
    // Asked for VMs alone: among the other types a malformed VM listing is one type's partial failure.
    const error = await listFailure(adapter.listResources(credentials(), { ...context(), type: "instance" }));
    expect(error.code).toBe("malformed_response");
  });

  it("retries a 5xx page and carries on to the end", async () => {
    fake.switches.resourceCount = 5;
    fake.switches.maxPageSize = 2;
    fake.switches.serverErrors = { count: 1, status: 503 };
    fake.switches.match = /virtualMachines$/;
    const { resources } = await adapter.listResources(credentials(), context());
    expect(resources).toHaveLength(5);
  });
});

describe("azure secrets", () => {
  it("never returns the client secret or a token, even from an endpoint that echoes them back", async () => {
    const canary = `CANARY~${randomUUID()}~azure-secret`;
    fake.state.echoSecrets = true;
    const outputs: unknown[] = [];

    // Wrong secret: the fake's error description quotes the whole form body, secret included.
    outputs.push(await adapter.checkHealth(credentials({ client_secret: canary }), context()));
    // Right secret (the canary itself), then every failure after the token was issued.
    fake.state.clientSecret = canary;
    outputs.push(await adapter.checkHealth(credentials(), context()));
    fake.state.subscriptionState = "Disabled";
    outputs.push(await adapter.checkHealth(credentials(), context()));
    fake.state.subscriptionState = "Enabled";
    fake.state.noRole = true;
    outputs.push(await listFailure(adapter.listResources(credentials(), context())));
    fake.state.noRole = false;
    outputs.push(await adapter.listResources(credentials(), context()));
    fake.switches.malformedBody = true;
    outputs.push(await adapter.checkHealth(credentials({ client_secret: `${canary}-other` }), context()));

    const issuedTokens = fake.tokenRequests().length;
    expect(issuedTokens).toBeGreaterThan(0);
    const text = outputs
      .map((o) =>
        o instanceof Error
          ? `${o.message} ${o.stack} ${JSON.stringify(o)} ${JSON.stringify((o as UpstreamError).toFailure())}`
          : JSON.stringify(o),
      )
      .join("\n");
    expect(text).not.toContain(canary);
    expect(text).not.toContain(encodeURIComponent(canary));
    expect(text).not.toMatch(/fake-aad\.[0-9a-f-]{36}/);
    expect(outputs[0]).toMatchObject({ ok: false, error: { code: "invalid_client_secret" } });
  });
});
