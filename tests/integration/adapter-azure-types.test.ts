// The Azure adapter's resource types beyond VMs (managed disks, AKS clusters, SQL databases and PostgreSQL
// flexible servers, storage accounts, load balancers) against the wire-level Entra ID + Resource Manager
// fake: normalisation, paging, the type filter, a type that fails while the others list, and administrator
// passwords that never reach the inventory.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { UpstreamError } from "../../supabase/functions/_shared/net/http.ts";
import { createAzureAdapter } from "../../supabase/functions/_shared/providers/azure.ts";
import type { AdapterContext, NormalizedResource } from "../../supabase/functions/_shared/providers/types.ts";
import { startAzureFake, TEST_CA, type AzureFake } from "../fakes/azure.ts";

const adapter = createAzureAdapter({ ca: TEST_CA, backoffBaseMs: 10, retries: 1 });
const CANARY = "canary-Pw-3c1a9e77b2d04f58";

describe("Azure resource types beyond VMs", () => {
  let fake: AzureFake;
  const context = (extra: Partial<AdapterContext & { type: string }> = {}): AdapterContext & { type?: string } => ({
    apiEndpoint: fake.url,
    regions: [],
    timeoutMs: 3_000,
    outbound: { allowHttp: false, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] },
    ...extra,
  });
  const list = (extra: Partial<AdapterContext & { type: string }> = {}) => adapter.listResources(fake.credentials(), context(extra));
  const ofType = (resources: NormalizedResource[], type: string) => resources.filter((r) => r.type === type);
  const portal = (id: string) => `https://portal.azure.com/#@${fake.state.tenantId}/resource${id}/overview`;
  const sub = () => `/subscriptions/${fake.state.subscriptionId}`;

  beforeAll(async () => {
    fake = await startAzureFake();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    Object.assign(fake.state, {
      noRole: false,
      forbidden: [],
      leakedPassword: null,
      disks: 4,
      managedClusters: 4,
      sqlServers: 2,
      sqlDatabasesPerServer: 2,
      postgresServers: 4,
      storageAccounts: 4,
      loadBalancers: 2,
    });
    fake.switches.resourceCount = 1;
    // A fresh secret per test: the in-memory token cache never carries a token from one test into the next.
    fake.state.clientSecret = `Xy8Q~${randomUUID()}`;
  });

  it("lists every type and normalises each like a VM, with a portal link to the resource", async () => {
    const { resources, partialFailures } = await list();
    expect(partialFailures).toEqual([]);
    const count = (type: string) => ofType(resources, type).length;
    expect([
      count("instance"),
      count("volume"),
      count("kubernetes_cluster"),
      count("database"),
      count("bucket"),
      count("load_balancer"),
    ]).toEqual([1, 4, 4, 4 + 2 * 2, 4, 2]);

    const diskId = `${sub()}/resourceGroups/rg-data/providers/Microsoft.Compute/disks/disk-001`;
    const [attached, unattached, reserved, uploading] = ofType(resources, "volume");
    expect(attached).toEqual({
      id: diskId,
      name: "disk-001",
      type: "volume",
      region: "westeurope",
      zone: "2",
      status: "running",
      raw_status: "Attached",
      size: "128 GiB Premium_LRS",
      public_ips: [],
      private_ips: [],
      tags: { env: "production" },
      created_at: "2025-05-01T08:30:00.000Z",
      console_url: portal(diskId),
    });
    expect([unattached, reserved, uploading].map((d) => [d?.status, d?.raw_status, d?.size, d?.zone])).toEqual([
      ["stopped", "Unattached", "129 GiB StandardSSD_LRS", null],
      ["stopped", "Reserved", "130 GiB Standard_LRS", null],
      ["pending", "ActiveSAS", "131 GiB Premium_LRS", "2"],
    ]);

    const clusterId = `${sub()}/resourceGroups/rg-k8s/providers/Microsoft.ContainerService/managedClusters/aks-001`;
    const clusters = ofType(resources, "kubernetes_cluster");
    expect(clusters[0]).toEqual({
      id: clusterId,
      name: "aks-001",
      type: "kubernetes_cluster",
      region: "westeurope",
      zone: null,
      status: "running",
      raw_status: "PowerState/Running",
      size: "Standard_D4s_v5 ×3, Standard_E4s_v5 ×1",
      // The API server's address is a DNS name (fqdn), not an IP.
      public_ips: [],
      private_ips: [],
      tags: { team: "platform" },
      created_at: "2025-05-01T08:30:00.000Z",
      console_url: portal(clusterId),
    });
    expect(clusters.slice(1).map((c) => [c.status, c.raw_status, c.size])).toEqual([
      ["stopped", "PowerState/Stopped", "Standard_D4s_v5 ×3, Standard_E4s_v5 ×2"],
      ["pending", "ProvisioningState/Upgrading", "Standard_D4s_v5 ×3, Standard_E4s_v5 ×1"],
      ["error", "ProvisioningState/Failed", "Standard_D4s_v5 ×3, Standard_E4s_v5 ×2"],
    ]);

    const databases = ofType(resources, "database");
    const pgId = `${sub()}/resourceGroups/rg-data/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-001`;
    expect(databases.find((d) => d.id === pgId)).toEqual({
      id: pgId,
      name: "pg-001",
      type: "database",
      region: "westeurope",
      zone: "1",
      status: "running",
      raw_status: "Ready",
      size: "Standard_D2ds_v4, 128 GiB",
      public_ips: [],
      private_ips: [],
      tags: { env: "staging" },
      created_at: "2025-05-01T08:30:00.000Z",
      console_url: portal(pgId),
    });
    expect(databases.filter((d) => d.id.includes("flexibleServers")).map((d) => [d.status, d.raw_status])).toEqual([
      ["running", "Ready"],
      ["stopped", "Stopped"],
      ["pending", "Updating"],
      ["running", "Ready"],
    ]);
    // One row per SQL database, master left out (it is the server's own), named with its server.
    const sqlId = `${sub()}/resourceGroups/rg-data/providers/Microsoft.Sql/servers/sql-001/databases/app-1`;
    const sql = databases.filter((d) => d.id.includes("Microsoft.Sql"));
    expect(sql.map((d) => d.name)).toEqual(["sql-001/app-1", "sql-001/app-2", "sql-002/app-1", "sql-002/app-2"]);
    expect(sql[0]).toEqual({
      id: sqlId,
      name: "sql-001/app-1",
      type: "database",
      region: "westeurope",
      zone: null,
      status: "running",
      raw_status: "Online",
      size: "GP_Gen5_2, 32 GiB",
      public_ips: [],
      private_ips: [],
      tags: { app: "shop" },
      created_at: "2025-05-02T08:30:00.000Z",
      console_url: portal(sqlId),
    });
    expect(sql.slice(1).map((d) => [d.status, d.raw_status, d.size])).toEqual([
      ["stopped", "Paused", "GP_Gen5_2, 64 GiB"],
      ["stopped", "Paused", "GP_Gen5_2, 32 GiB"],
      ["pending", "Creating", "GP_Gen5_2, 64 GiB"],
    ]);

    const accountId = `${sub()}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stcloudkeep001`;
    const buckets = ofType(resources, "bucket");
    expect(buckets[0]).toEqual({
      id: accountId,
      name: "stcloudkeep001",
      type: "bucket",
      region: "westeurope",
      zone: null,
      status: "running",
      raw_status: "available",
      size: "StorageV2 Standard_LRS",
      public_ips: [],
      private_ips: [],
      tags: { env: "production" },
      created_at: "2025-05-01T08:30:00.000Z",
      console_url: portal(accountId),
    });
    expect(buckets.slice(1).map((b) => [b.status, b.raw_status])).toEqual([
      ["running", "available"],
      ["pending", "ProvisioningState/Creating"],
      ["error", "unavailable"],
    ]);

    const lbId = `${sub()}/resourceGroups/rg-net/providers/Microsoft.Network/loadBalancers/lb-001`;
    const [publicLb, internalLb] = ofType(resources, "load_balancer");
    expect(publicLb).toEqual({
      id: lbId,
      name: "lb-001",
      type: "load_balancer",
      region: "westeurope",
      zone: null,
      status: "running",
      raw_status: "ProvisioningState/Succeeded",
      size: "Standard",
      // The frontend's public IP resource, joined from the subscription's public IPs.
      public_ips: ["52.0.0.10"],
      private_ips: [],
      tags: {},
      created_at: null,
      console_url: portal(lbId),
    });
    expect(internalLb).toMatchObject({ public_ips: [], private_ips: ["10.1.0.5"] });
    // The public IPs were read once, for the VMs and the load balancers alike.
    expect(fake.hits(/\/publicIPAddresses$/)).toHaveLength(1);
  });

  it("follows nextLink to the end for every type: 120 disks and 45 load balancers, 25 a page", async () => {
    Object.assign(fake.state, { disks: 120, loadBalancers: 45 });
    fake.switches.maxPageSize = 25;
    const { resources, partialFailures } = await list();
    expect(partialFailures).toEqual([]);
    expect(ofType(resources, "volume")).toHaveLength(120);
    expect(new Set(ofType(resources, "volume").map((r) => r.id)).size).toBe(120);
    expect(ofType(resources, "load_balancer")).toHaveLength(45);
    expect(fake.hits(/\/disks$/)).toHaveLength(5);
    expect(fake.hits(/\/loadBalancers$/)).toHaveLength(2);
    // Every public load balancer found its address, though it sat on a later page of public IPs.
    expect(ofType(resources, "load_balancer").filter((lb) => lb.public_ips.length === 1)).toHaveLength(23);
  });

  it("lists only the type asked for, with only that type's calls", async () => {
    const { resources } = await list({ type: "bucket" });
    expect(new Set(resources.map((r) => r.type))).toEqual(new Set(["bucket"]));
    expect(resources).toHaveLength(4);
    const armCalls = fake.requests.filter((r) => r.path.startsWith("/subscriptions/")).map((r) => r.path.split("/providers/")[1]);
    expect(armCalls).toEqual(["Microsoft.Storage/storageAccounts"]);
    expect((await list({ type: "volume" })).resources).toHaveLength(4);
    expect(await list({ type: "floating_ip" })).toEqual({ resources: [], partialFailures: [] });
  });

  it("keeps only the provider's regions, for every type", async () => {
    const { resources } = await list({ regions: ["eastus"] });
    expect(resources.length).toBeGreaterThan(0);
    expect(new Set(resources.map((r) => r.region))).toEqual(new Set(["eastus"]));
    expect(new Set(resources.map((r) => r.type))).toEqual(new Set(["volume", "kubernetes_cluster", "database", "bucket", "load_balancer"]));
  });

  it("reports a type the principal may not read as a partial failure naming its scope and action, while the others list", async () => {
    fake.state.forbidden = ["managedClusters"];
    const { resources, partialFailures } = await list();
    expect(ofType(resources, "kubernetes_cluster")).toEqual([]);
    expect(ofType(resources, "volume")).toHaveLength(4);
    expect(partialFailures).toEqual([
      {
        scope: "kubernetes_cluster",
        code: "permission_denied",
        message: `The service principal may not read Microsoft.ContainerService/managedClusters/read in subscription ${fake.state.subscriptionId} (AuthorizationFailed). Reader on the subscription covers it.`,
      },
    ]);
  });

  it("lists the databases it can when one kind of server cannot be read, and says which", async () => {
    fake.state.forbidden = ["sqlDatabases"];
    const { resources, partialFailures } = await list({ type: "database" });
    expect(resources.map((r) => r.name)).toEqual(["pg-001", "pg-002", "pg-003", "pg-004"]);
    expect(partialFailures).toEqual([
      expect.objectContaining({
        scope: "database",
        message: expect.stringContaining("The databases of SQL server sql-001 could not be listed"),
      }),
      expect.objectContaining({ scope: "database", message: expect.stringContaining("sql-002") }),
    ]);
    fake.state.forbidden = ["sqlServers", "postgresServers"];
    await expect(list({ type: "database" })).rejects.toMatchObject({ code: "permission_denied" });
  });

  it("asks at most four SQL servers for their databases at once, and every one of them", async () => {
    fake.state.sqlServers = 9;
    fake.state.sqlDatabasesPerServer = 1;
    const { resources } = await list({ type: "database" });
    expect(resources.filter((r) => r.id.includes("Microsoft.Sql"))).toHaveLength(9);
    expect(fake.hits(/\/servers\/[^/]+\/databases$/)).toHaveLength(9);
  });

  it("reports a type whose answers fail (5xx, malformed) as partial, under its own type", async () => {
    fake.switches.serverErrors = { count: 10, status: 500 };
    fake.switches.match = /storageAccounts$/;
    let result = await list();
    expect(result.partialFailures).toEqual([expect.objectContaining({ scope: "bucket", code: "upstream_error" })]);
    expect(ofType(result.resources, "volume")).toHaveLength(4);

    fake.reset();
    fake.switches.resourceCount = 1;
    fake.switches.malformedBody = true;
    fake.switches.match = /loadBalancers$/;
    result = await list();
    expect(result.partialFailures).toEqual([expect.objectContaining({ scope: "load_balancer", code: "malformed_response" })]);
    expect(ofType(result.resources, "bucket")).toHaveLength(4);
  });

  it("throws when every type fails, and when the one type asked for fails", async () => {
    fake.state.noRole = true;
    await expect(list()).rejects.toMatchObject({ code: "permission_denied", status: 403 });
    fake.state.noRole = false;
    fake.state.forbidden = ["disks"];
    const error = await list({ type: "volume" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ code: "permission_denied", message: expect.stringContaining("Microsoft.Compute/disks/read") });
  });

  it("stops at the token when the secret is refused instead of trying every type", async () => {
    const error = await adapter
      .listResources({ ...fake.credentials(), client_secret: "not-the-secret" }, context())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "invalid_client_secret" });
    expect(fake.requests.filter((r) => r.path.startsWith("/subscriptions/"))).toHaveLength(0);
  });

  it("never lets an administrator password into the normalised resources, even when an endpoint returns one", async () => {
    fake.state.leakedPassword = CANARY;
    const result = await list();
    expect(ofType(result.resources, "database")).toHaveLength(8);
    // The fake did send it: the adapter read only named fields.
    expect(fake.requests.some((r) => r.answer?.text.includes(CANARY))).toBe(true);
    expect(JSON.stringify(result)).not.toContain(CANARY);
    // And no storage account key was ever asked for.
    expect(fake.requests.filter((r) => /listKeys/i.test(r.path))).toHaveLength(0);
  });
});
