// Linode's and Vultr's resource types beyond instances (volumes, Kubernetes clusters, managed databases,
// load balancers) against the wire-level fakes: normalisation, paging, the type filter, a type that fails
// while the others list, and database credentials that never reach the inventory.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { monthlyListPrice } from "../../supabase/functions/_shared/list-prices.ts";
import { linodeAdapter } from "../../supabase/functions/_shared/providers/linode.ts";
import type { AdapterContext, NormalizedResource } from "../../supabase/functions/_shared/providers/types.ts";
import { vultrAdapter } from "../../supabase/functions/_shared/providers/vultr.ts";
import { startLinodeFake, type LinodeFake } from "../fakes/linode.ts";
import { startVultrFake, type VultrFake } from "../fakes/vultr.ts";

const CANARY = "canary-Pw-5d1c8e07b93a4f26";
const ALL_TYPES = ["instance", "volume", "kubernetes_cluster", "database", "load_balancer"];

const ofType = (resources: NormalizedResource[], type: string) => resources.filter((r) => r.type === type);
const contextFor = (url: string): AdapterContext => ({
  apiEndpoint: url,
  regions: [],
  timeoutMs: 2_000,
  outbound: { allowHttp: true, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] },
});

describe("Linode resource types beyond Linodes", () => {
  let fake: LinodeFake;
  const list = (extra: Partial<AdapterContext & { type: string }> = {}) =>
    linodeAdapter.listResources({ access_key: fake.token }, { ...contextFor(fake.url), ...extra });

  beforeAll(async () => {
    fake = await startLinodeFake();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    Object.assign(fake.linode, { volumes: 2, lkeClusters: 2, databases: 2, nodeBalancers: 2 });
    fake.switches.resourceCount = 2;
  });

  it("lists every type and normalises each like an instance", async () => {
    const { resources, partialFailures } = await list();
    expect(partialFailures).toEqual([]);
    expect(resources.map((r) => r.type)).toEqual(ALL_TYPES.flatMap((t) => [t, t]));

    const [volume, detached] = ofType(resources, "volume");
    expect(volume).toEqual({
      id: "70000",
      name: "volume-0",
      type: "volume",
      region: "us-east",
      zone: null,
      status: "running",
      raw_status: "active/attached",
      size: "20 GiB",
      public_ips: [],
      private_ips: [],
      tags: { env: "prod" },
      created_at: "2024-01-01T00:00:00Z",
      console_url: "https://cloud.linode.com/volumes",
    });
    expect(detached).toMatchObject({ status: "stopped", raw_status: "active/detached", size: "21 GiB", region: "eu-west", tags: {} });

    const [cluster] = ofType(resources, "kubernetes_cluster");
    // Linode's cluster list says nothing of state or nodes: unknown and empty, not invented.
    expect(cluster).toEqual({
      id: "9000",
      name: "lke-0",
      type: "kubernetes_cluster",
      region: "us-east",
      zone: null,
      status: "unknown",
      raw_status: null,
      size: null,
      public_ips: [],
      private_ips: [],
      tags: { team: "platform" },
      created_at: "2024-01-01T00:00:00Z",
      console_url: "https://cloud.linode.com/kubernetes/clusters/9000/summary",
    });

    const [mysql, postgres] = ofType(resources, "database");
    expect(mysql).toEqual({
      id: "5000",
      name: "db-0",
      type: "database",
      region: "us-east",
      zone: null,
      status: "running",
      raw_status: "active",
      size: "g6-dedicated-2 ×1",
      public_ips: [],
      private_ips: [],
      tags: {},
      created_at: "2024-01-01T00:00:00Z",
      console_url: "https://cloud.linode.com/databases/mysql/5000",
    });
    expect(postgres).toMatchObject({
      status: "pending",
      raw_status: "provisioning",
      size: "g6-dedicated-2 ×3",
      console_url: "https://cloud.linode.com/databases/postgresql/5001",
    });

    const [nb, v4only] = ofType(resources, "load_balancer");
    expect(nb).toEqual({
      id: "12000",
      name: "nb-0",
      type: "load_balancer",
      region: "us-east",
      zone: null,
      status: "unknown",
      raw_status: null,
      size: null,
      public_ips: ["172.232.0.0", "2600:3c03::f03c:95ff:fe00:1"],
      private_ips: [],
      tags: { web: "" },
      created_at: "2024-01-01T00:00:00Z",
      console_url: "https://cloud.linode.com/nodebalancers/12000",
    });
    expect(v4only).toMatchObject({ public_ips: ["172.232.0.1"], tags: {} });
  });

  it("prices no new type as a Linode: a database's node type is not, and an LKE listing names no node pools", async () => {
    const { resources } = await list();
    // g6-dedicated-2 is a Linode's list price; a database of that node type costs otherwise.
    expect(monthlyListPrice("linode", "instance", "g6-dedicated-2")).not.toBeNull();
    for (const resource of resources.filter((r) => r.type !== "instance"))
      expect(monthlyListPrice("linode", resource.type, resource.size), resource.id).toBeNull();
  });

  it("maps the databases' failed and suspended states and a volume still being created", async () => {
    Object.assign(fake.linode, { volumes: 5, databases: 5 });
    const { resources } = await list();
    const databases = ofType(resources, "database");
    expect(databases[3]).toMatchObject({ raw_status: "failed", status: "error" });
    expect(databases[4]).toMatchObject({ raw_status: "suspended", status: "stopped" });
    expect(ofType(resources, "volume")[4]).toMatchObject({ raw_status: "creating", status: "pending" });
  });

  it("follows page/pages to the end: 1,201 volumes 500 a page, and 150 LKE clusters asked without a page size", async () => {
    Object.assign(fake.linode, { volumes: 1_201, lkeClusters: 150 });
    const { resources } = await list();
    const volumes = ofType(resources, "volume");
    expect(volumes).toHaveLength(1_201);
    expect(new Set(volumes.map((r) => r.id)).size).toBe(1_201);
    expect(fake.hits("/v4/volumes").map((r) => [r.url.searchParams.get("page"), r.url.searchParams.get("page_size")])).toEqual([
      ["1", "500"],
      ["2", "500"],
      ["3", "500"],
    ]);
    // get-lke-clusters defines no page parameters: the first page is asked bare (Linode answers 100), the next by page alone.
    expect(ofType(resources, "kubernetes_cluster")).toHaveLength(150);
    expect(fake.hits("/v4/lke/clusters").map((r) => r.url.search)).toEqual(["", "?page=2"]);
  });

  it("lists only the type asked for", async () => {
    const balancers = await list({ type: "load_balancer" });
    expect(balancers.resources.map((r) => r.type)).toEqual(["load_balancer", "load_balancer"]);
    expect(new Set(fake.requests.map((r) => r.path))).toEqual(new Set(["/v4/nodebalancers"]));

    fake.reset();
    expect(await list({ type: "bucket" })).toEqual({ resources: [], partialFailures: [] });
    expect(fake.requests).toHaveLength(0);
  });

  it("keeps only the provider's regions, for every type", async () => {
    Object.assign(fake.linode, { volumes: 6, lkeClusters: 6, databases: 6, nodeBalancers: 6 });
    fake.switches.resourceCount = 6;
    const { resources } = await list({ regions: ["ap-south"] });
    expect(new Set(resources.map((r) => r.type))).toEqual(new Set(ALL_TYPES));
    expect(resources.every((r) => r.region === "ap-south")).toBe(true);
  });

  it("reports a type whose scope the token lacks as a partial failure naming the scope, while the others list", async () => {
    fake.linode.scopes = "linodes:read_only volumes:read_only nodebalancers:read_only databases:read_write";
    const { resources, partialFailures } = await list();
    expect(partialFailures).toHaveLength(1);
    expect(partialFailures[0]).toMatchObject({ scope: "kubernetes_cluster", code: "missing_scope" });
    expect(partialFailures[0]!.message).toMatch(/may not read Kubernetes \(LKE\) clusters.*lke:read_only/s);
    expect(partialFailures[0]!.message).not.toMatch(/revoked/);
    expect(new Set(resources.map((r) => r.type))).toEqual(new Set(["instance", "volume", "database", "load_balancer"]));
  });

  it("lists the other types for a token without linodes:read_only, naming that scope for the Linodes", async () => {
    fake.linode.scopes = "volumes:read_only lke:read_only databases:read_only nodebalancers:read_only";
    const { resources, partialFailures } = await list();
    expect(partialFailures).toEqual([expect.objectContaining({ scope: "instance", code: "missing_scope" })]);
    expect(partialFailures[0]!.message).toContain("linodes:read_only");
    expect(ofType(resources, "volume")).toHaveLength(2);
  });

  it("reports a type whose answers fail (5xx, malformed) as partial, under its own type", async () => {
    fake.switches.match = /^\/v4\/databases\/instances$/;
    fake.switches.serverErrors = { count: 100, status: 503 };
    const failing = await list();
    expect(failing.partialFailures).toEqual([expect.objectContaining({ scope: "database", code: "upstream_error" })]);
    expect(ofType(failing.resources, "load_balancer")).toHaveLength(2);

    fake.reset();
    Object.assign(fake.linode, { volumes: 2 });
    fake.switches.match = /^\/v4\/volumes$/;
    fake.switches.malformedBody = true;
    const malformed = await list();
    expect(malformed.partialFailures).toEqual([expect.objectContaining({ scope: "volume", code: "malformed_response" })]);
  });

  it("throws when every type fails, and stops at the first call for a revoked token", async () => {
    fake.linode.scopes = "account:read_only";
    await expect(list()).rejects.toMatchObject({ code: "missing_scope", status: 403 });

    fake.reset();
    fake.switches.badCredentials = true;
    await expect(list()).rejects.toMatchObject({ code: "unauthorized", status: 401 });
    expect(fake.requests).toHaveLength(1);
  });

  it("never asks for a database's credentials", async () => {
    await list();
    expect(fake.requests.filter((r) => /credentials|ssl/.test(r.path))).toEqual([]);
    expect(new Set(fake.requests.map((r) => r.path))).toEqual(
      new Set(["/v4/linode/instances", "/v4/volumes", "/v4/lke/clusters", "/v4/databases/instances", "/v4/nodebalancers"]),
    );
  });
});

describe("Vultr resource types beyond instances", () => {
  let fake: VultrFake;
  const list = (extra: Partial<AdapterContext & { type: string }> = {}) =>
    vultrAdapter.listResources({ access_key: fake.token }, { ...contextFor(fake.url), ...extra });

  beforeAll(async () => {
    fake = await startVultrFake();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    Object.assign(fake.vultr, { blocks: 2, kubernetesClusters: 2, databases: 2, loadBalancers: 2 });
    fake.switches.resourceCount = 2;
  });

  it("lists every type and normalises each like an instance", async () => {
    const { resources, partialFailures } = await list();
    expect(partialFailures).toEqual([]);
    expect(resources.map((r) => r.type)).toEqual(ALL_TYPES.flatMap((t) => [t, t]));

    const [block, detached] = ofType(resources, "volume");
    expect(block).toEqual({
      id: "b1c2d3e4-0000-4000-8000-000000000000",
      name: "block-0",
      type: "volume",
      region: "ewr",
      zone: null,
      status: "running",
      raw_status: "active/attached",
      size: "50 GB",
      public_ips: [],
      private_ips: [],
      tags: {},
      created_at: "2024-01-01T00:00:00+00:00",
      console_url: "https://my.vultr.com/blockstorage/",
    });
    expect(detached).toMatchObject({ status: "stopped", raw_status: "active/detached", size: "51 GB", region: "ams" });

    const [cluster, pending] = ofType(resources, "kubernetes_cluster");
    expect(cluster).toEqual({
      id: "c907e832-0000-4000-8000-000000000000",
      name: "vke-0",
      type: "kubernetes_cluster",
      region: "ewr",
      zone: null,
      status: "running",
      raw_status: "active",
      size: "vc2-2c-4gb ×3, vc2-4c-8gb ×1",
      public_ips: ["8.9.0.0"],
      private_ips: [],
      tags: {},
      created_at: "2024-01-01T00:00:00+00:00",
      console_url: "https://my.vultr.com/kubernetes/",
    });
    expect(pending).toMatchObject({ status: "pending", raw_status: "pending" });

    const [database, rebuilding] = ofType(resources, "database");
    expect(database).toEqual({
      id: "999c4ed0-0000-4000-8000-000000000000",
      name: "db-0",
      type: "database",
      // Vultr writes "EWR" in the databases list and "ewr" everywhere else.
      region: "ewr",
      zone: null,
      status: "running",
      raw_status: "Running",
      size: "vultr-dbaas-startup-cc-1-55-2",
      public_ips: [],
      private_ips: [],
      tags: { env: "prod" },
      created_at: "2024-01-01T00:00:00Z",
      console_url: "https://my.vultr.com/databases/",
    });
    expect(rebuilding).toMatchObject({ status: "pending", raw_status: "Rebuilding", region: "ams", tags: {} });

    const [lb, provisioning] = ofType(resources, "load_balancer");
    expect(lb).toEqual({
      id: "4a1b2c3d-0000-4000-8000-000000000000",
      name: "lb-0",
      type: "load_balancer",
      region: "ewr",
      zone: null,
      status: "running",
      raw_status: "active",
      size: "1 node",
      public_ips: ["192.248.0.0", "2001:19f0:5:4973::0"],
      private_ips: [],
      tags: {},
      created_at: "2024-01-01T00:00:00+00:00",
      console_url: "https://my.vultr.com/loadbalancers/",
    });
    expect(provisioning).toMatchObject({ status: "pending", raw_status: "pending", size: "2 nodes" });
  });

  it("prices VKE clusters by their node pools, and no other new type", async () => {
    const { resources } = await list();
    for (const resource of resources.filter((r) => r.type !== "instance" && r.type !== "kubernetes_cluster"))
      expect(monthlyListPrice("vultr", resource.type, resource.size), resource.id).toBeNull();
    const clusters = resources.filter((r) => r.type === "kubernetes_cluster");
    expect(clusters.length).toBeGreaterThan(0);
    for (const cluster of clusters) expect(monthlyListPrice("vultr", "kubernetes_cluster", cluster.size), cluster.id).toBeGreaterThan(0);
  });

  it("follows meta.links.next to the end: 1,001 block storage volumes and 501 load balancers, 500 a page", async () => {
    Object.assign(fake.vultr, { blocks: 1_001, loadBalancers: 501 });
    const { resources } = await list();
    const blocks = ofType(resources, "volume");
    expect(blocks).toHaveLength(1_001);
    expect(new Set(blocks.map((r) => r.id)).size).toBe(1_001);
    expect(ofType(resources, "load_balancer")).toHaveLength(501);
    expect(fake.hits("/v2/blocks")).toHaveLength(3);
    expect(fake.hits("/v2/load-balancers")).toHaveLength(2);
    expect(fake.hits(/^\/v2\/(blocks|load-balancers)$/).every((r) => r.url.searchParams.get("per_page") === "500")).toBe(true);
    // The clusters and databases lists take no paging: each asked once, bare.
    expect(fake.hits("/v2/kubernetes/clusters").map((r) => r.url.search)).toEqual([""]);
    expect(fake.hits("/v2/databases").map((r) => r.url.search)).toEqual([""]);
  });

  it("lists only the type asked for", async () => {
    const databases = await list({ type: "database" });
    expect(databases.resources.map((r) => r.name)).toEqual(["db-0", "db-1"]);
    expect(new Set(fake.requests.map((r) => r.path))).toEqual(new Set(["/v2/databases"]));
  });

  it("keeps only the provider's regions, for every type, databases included", async () => {
    Object.assign(fake.vultr, { blocks: 6, kubernetesClusters: 6, databases: 6, loadBalancers: 6 });
    fake.switches.resourceCount = 6;
    const { resources } = await list({ regions: ["nrt"] });
    expect(new Set(resources.map((r) => r.type))).toEqual(new Set(ALL_TYPES));
    expect(resources.every((r) => r.region === "nrt")).toBe(true);
  });

  it("reports a type the key may not view as a partial failure naming the permission, while the others list", async () => {
    fake.vultr.forbidden = ["load_balancer"];
    const { resources, partialFailures } = await list();
    expect(partialFailures).toHaveLength(1);
    expect(partialFailures[0]).toMatchObject({ scope: "load_balancer", code: "forbidden" });
    expect(partialFailures[0]!.message).toMatch(/403.*loadbalancer permission/s);
    expect(new Set(resources.map((r) => r.type))).toEqual(new Set(["instance", "volume", "kubernetes_cluster", "database"]));
  });

  it("reports a type whose answers fail (5xx, malformed, too slow) as partial, under its own type", async () => {
    fake.switches.match = /^\/v2\/kubernetes\/clusters$/;
    fake.switches.serverErrors = { count: 100, status: 500 };
    const failing = await list();
    expect(failing.partialFailures).toEqual([expect.objectContaining({ scope: "kubernetes_cluster", code: "upstream_error" })]);
    expect(ofType(failing.resources, "database")).toHaveLength(2);

    fake.reset();
    Object.assign(fake.vultr, { blocks: 2 });
    fake.switches.match = /^\/v2\/blocks$/;
    fake.switches.malformedBody = true;
    const malformed = await list();
    expect(malformed.partialFailures).toEqual([expect.objectContaining({ scope: "volume", code: "malformed_response" })]);

    fake.reset();
    fake.switches.match = /^\/v2\/databases$/;
    fake.switches.delayMs = 400;
    const slow = await list({ timeoutMs: 150 });
    expect(slow.partialFailures).toEqual([expect.objectContaining({ scope: "database", code: "timeout" })]);
  });

  it("throws when every type fails, and when the one type asked for fails", async () => {
    fake.vultr.forbidden = ["instance", "volume", "kubernetes_cluster", "database", "load_balancer"];
    await expect(list()).rejects.toMatchObject({ code: "forbidden", status: 403 });
    fake.vultr.forbidden = ["volume"];
    await expect(list({ type: "volume" })).rejects.toMatchObject({ code: "forbidden", status: 403 });
  });

  it("never lets a database password into the normalised resources", async () => {
    fake.vultr.databasePassword = CANARY;
    const { resources } = await list();
    expect(ofType(resources, "database")).toHaveLength(2);
    // The fake did send it (password and ferretdb_credentials.password, per database)…
    expect(fake.hits("/v2/databases")[0]?.answer?.text).toContain(CANARY);
    // …and nothing Cloudkeep keeps carries it, nor the user and hosts beside it.
    const kept = JSON.stringify(resources);
    expect(kept).not.toContain(CANARY);
    expect(kept).not.toContain("vultradmin");
    expect(kept).not.toContain("vultrdb.com");
  });
});
