// The OpenStack adapter against a wire-level Keystone v3 + Nova fake on 127.0.0.1.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { clearOpenStackTokens, openstackAdapter } from "../../supabase/functions/_shared/providers/openstack.ts";
import type { AdapterContext } from "../../supabase/functions/_shared/providers/types.ts";
import type { OpenStackCredentials } from "../../supabase/functions/_shared/schemas/providers.ts";
import { OPENSTACK_TEST_APP_CREDENTIAL, OPENSTACK_TEST_USER, startOpenStackFake, type OpenStackFake } from "../fakes/openstack.ts";

describe("the openstack adapter", () => {
  let fake: OpenStackFake;
  let context: AdapterContext;
  const password: OpenStackCredentials = { ...OPENSTACK_TEST_USER };
  const appCredential: OpenStackCredentials = {
    application_credential_id: OPENSTACK_TEST_APP_CREDENTIAL.id,
    application_credential_secret: OPENSTACK_TEST_APP_CREDENTIAL.secret,
  };

  beforeAll(async () => {
    fake = await startOpenStackFake();
    context = {
      apiEndpoint: fake.keystoneUrl,
      regions: [],
      timeoutMs: 2_000,
      outbound: { allowHttp: true, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] },
    };
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.reset();
    clearOpenStackTokens();
  });

  it("logs in with a user name and password scoped to the project and reports the project", async () => {
    const result = await openstackAdapter.checkHealth(password, context);
    expect(result).toMatchObject({
      ok: true,
      identity: {
        account: "8f2c4e6a0b1d3f5e7a9c1e3b5d7f9a1c",
        label: "demo-project (demo)",
        details: {
          user: "demo",
          project: "demo-project",
          project_domain: "Default",
          compute_regions: "RegionOne, RegionTwo",
          region: "RegionOne",
        },
      },
    });
    const login = JSON.parse(fake.hits("/identity/v3/auth/tokens")[0]!.body);
    expect(login.auth.scope.project).toEqual({ name: "demo-project", domain: { name: "Default" } });
  });

  it("logs in with an application credential", async () => {
    const result = await openstackAdapter.checkHealth(appCredential, context);
    expect(result).toMatchObject({ ok: true, identity: { account: "8f2c4e6a0b1d3f5e7a9c1e3b5d7f9a1c" } });
    const login = JSON.parse(fake.hits("/identity/v3/auth/tokens")[0]!.body);
    expect(login.auth.identity.methods).toEqual(["application_credential"]);
  });

  it("adds /v3 to a Keystone URL given without it", async () => {
    const result = await openstackAdapter.checkHealth(password, { ...context, apiEndpoint: `${fake.url}/identity` });
    expect(result.ok).toBe(true);
  });

  it("answers a wrong password with invalid_credentials and a hint about the domain and project", async () => {
    const result = await openstackAdapter.checkHealth({ ...OPENSTACK_TEST_USER, password: "wrong-password" }, context);
    expect(result).toMatchObject({ ok: false, error: { code: "invalid_credentials", status: 401 } });
    if (result.ok) return;
    expect(result.error.message).toBe("Keystone refused the user name, password, project or domain (401).");
    expect(result.error.hint).toMatch(/domain \(often `Default`\) and that the project exists/);
    expect(JSON.stringify(result)).not.toContain("wrong-password");
  });

  it("answers a wrong application credential secret with invalid_credentials", async () => {
    const result = await openstackAdapter.checkHealth(
      { ...appCredential, application_credential_secret: "nope" } as OpenStackCredentials,
      context,
    );
    expect(result).toMatchObject({
      ok: false,
      error: { code: "invalid_credentials", message: "Keystone refused the application credential (401)." },
    });
  });

  it("reuses the Keystone token across calls instead of logging in again", async () => {
    await openstackAdapter.checkHealth(password, context);
    await openstackAdapter.listResources(password, context);
    await openstackAdapter.checkHealth(password, context);
    expect(fake.hits("/identity/v3/auth/tokens")).toHaveLength(1);
  });

  it("shares one login between concurrent calls", async () => {
    await Promise.all([
      openstackAdapter.checkHealth(password, context),
      openstackAdapter.listResources(password, context),
      openstackAdapter.checkHealth(password, context),
    ]);
    expect(fake.hits("/identity/v3/auth/tokens")).toHaveLength(1);
  });

  it("does not keep a token that expires within the minute", async () => {
    const shortLived = await startOpenStackFake({ tokenTtlMs: 30_000 });
    try {
      const ctx = { ...context, apiEndpoint: shortLived.keystoneUrl };
      await openstackAdapter.checkHealth(password, ctx);
      await openstackAdapter.checkHealth(password, ctx);
      expect(shortLived.issuedTokens()).toBe(2);
    } finally {
      await shortLived.close();
    }
  });

  it("logs in again once when Nova refuses a cached token that was revoked", async () => {
    await openstackAdapter.checkHealth(password, context);
    fake.revokeTokens();
    const { resources } = await openstackAdapter.listResources(password, context);
    expect(resources).toHaveLength(3);
    expect(fake.hits("/identity/v3/auth/tokens")).toHaveLength(2);
  });

  it("follows Nova's markers to the end: 1,234 servers in pages of 100", async () => {
    fake.switches.resourceCount = 1_234;
    fake.switches.maxPageSize = 100;
    const { resources, partialFailures } = await openstackAdapter.listResources(password, context);
    expect(partialFailures).toEqual([]);
    expect(resources).toHaveLength(1_234);
    expect(new Set(resources.map((r) => r.id)).size).toBe(1_234);
    const pages = fake.hits("/compute/v2.1/RegionOne/servers/detail");
    expect(pages).toHaveLength(13);
    expect(pages[1]!.url.searchParams.get("marker")).toBe(resources[99]!.id);
  });

  it("asks once more after a full last page, as Nova's next link requires, and stops on the empty page", async () => {
    fake.switches.resourceCount = 200;
    fake.switches.maxPageSize = 100;
    const { resources } = await openstackAdapter.listResources(password, context);
    expect(resources).toHaveLength(200);
    expect(fake.hits("/compute/v2.1/RegionOne/servers/detail")).toHaveLength(3);
  });

  it("normalises servers: status, addresses by type, flavor name, zone, metadata and the Horizon link", async () => {
    fake.switches.resourceCount = 5;
    const { resources } = await openstackAdapter.listResources(password, {
      ...context,
      consoleUrls: { horizon: "https://horizon.example.com/dashboard/" },
    });
    expect(resources[0]).toEqual({
      id: resources[0]?.id,
      name: "server-0",
      type: "instance",
      region: "RegionOne",
      zone: "nova",
      status: "running",
      raw_status: "ACTIVE",
      size: "m1.tiny",
      public_ips: ["198.100.0.0"],
      private_ips: ["10.0.0.0"],
      tags: { role: "web" },
      created_at: "2024-01-01T00:00:00Z",
      console_url: `https://horizon.example.com/dashboard/project/instances/${resources[0]?.id}/`,
    });
    expect(resources.map((r) => r.status)).toEqual(["running", "running", "stopped", "pending", "error"]);
    expect(resources[1]!.public_ips).toEqual([]);
  });

  it("gives no console link when the organization has not configured Horizon", async () => {
    const { resources } = await openstackAdapter.listResources(password, context);
    expect(resources.every((r) => r.console_url === null)).toBe(true);
  });

  it("uses the compute endpoint of the credential's region", async () => {
    await openstackAdapter.listResources({ ...OPENSTACK_TEST_USER, region: "RegionTwo" }, context);
    expect(fake.hits(/^\/compute\/v2\.1\/RegionTwo\//).length).toBeGreaterThan(0);
    expect(fake.hits(/^\/compute\/v2\.1\/RegionOne\//)).toHaveLength(0);
  });

  it("lists every region the provider is limited to", async () => {
    const { resources } = await openstackAdapter.listResources(password, { ...context, regions: ["RegionOne", "RegionTwo"] });
    expect(resources).toHaveLength(6);
    expect(new Set(resources.map((r) => r.region))).toEqual(new Set(["RegionOne", "RegionTwo"]));
  });

  it("reports no_compute_endpoint for a region without compute, naming the regions that have it", async () => {
    const result = await openstackAdapter.checkHealth({ ...OPENSTACK_TEST_USER, region: "RegionNine" }, context);
    expect(result).toMatchObject({ ok: false, error: { code: "no_compute_endpoint" } });
    if (!result.ok)
      expect(result.error.message).toBe(
        "No public compute endpoint in region RegionNine; the catalog has compute in RegionOne, RegionTwo.",
      );
  });

  it("gives up with a timeout when Nova is slower than the timeout", async () => {
    fake.switches.match = /^\/compute\//;
    fake.switches.delayMs = 600;
    const started = performance.now();
    await expect(openstackAdapter.listResources(password, { ...context, timeoutMs: 150 })).rejects.toMatchObject({
      code: "timeout",
      status: 504,
    });
    expect(performance.now() - started).toBeLessThan(590);
  });

  it("honours Retry-After when Nova rate-limits, then finishes", async () => {
    fake.switches.match = /^\/compute\//;
    fake.switches.rateLimit = { count: 1, retryAfter: "1" };
    const started = performance.now();
    const { resources } = await openstackAdapter.listResources(password, context);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(resources).toHaveLength(3);
    expect(fake.hits("/compute/v2.1/RegionOne/servers/detail")).toHaveLength(2);
  });

  it("reports a malformed Keystone answer clearly instead of crashing", async () => {
    fake.switches.malformedBody = true;
    const result = await openstackAdapter.checkHealth(password, context);
    expect(result).toMatchObject({ ok: false, error: { code: "malformed_response", status: 502 } });
  });

  it("reports a malformed Nova answer clearly instead of crashing", async () => {
    fake.switches.match = /^\/compute\//;
    fake.switches.malformedBody = true;
    await expect(openstackAdapter.listResources(password, context)).rejects.toMatchObject({ code: "malformed_response" });
  });

  it("refuses a Keystone URL on a private address before sending anything", async () => {
    const result = await openstackAdapter.checkHealth(password, { ...context, apiEndpoint: `http://127.0.0.2:${fake.port}/v3` });
    expect(result).toMatchObject({ ok: false, error: { code: "refused_endpoint", status: 422 } });
  });
});
