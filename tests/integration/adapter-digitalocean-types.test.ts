// The DigitalOcean adapter's resource types beyond droplets (volumes, Kubernetes clusters, managed
// databases, load balancers) against the wire-level fake: normalisation, paging, the type filter, a type
// that fails while the others list, and database credentials that never reach the inventory.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { monthlyListPrice } from "../../supabase/functions/_shared/list-prices.ts";
import { digitaloceanAdapter } from "../../supabase/functions/_shared/providers/digitalocean.ts";
import type { AdapterContext, NormalizedResource } from "../../supabase/functions/_shared/providers/types.ts";
import { startDigitalOceanFake, type DigitalOceanFake } from "../fakes/digitalocean.ts";

const CANARY = "canary-Pw-7f3e9b21c4d8a605";

describe("DigitalOcean resource types beyond droplets", () => {
  let fake: DigitalOceanFake;
  let context: AdapterContext;
  const list = (extra: Partial<AdapterContext & { type: string }> = {}) =>
    digitaloceanAdapter.listResources({ access_key: fake.token }, { ...context, ...extra });
  const ofType = (resources: NormalizedResource[], type: string) => resources.filter((r) => r.type === type);

  beforeAll(async () => {
    fake = await startDigitalOceanFake();
    context = {
      apiEndpoint: fake.url,
      regions: [],
      timeoutMs: 2_000,
      outbound: { allowHttp: true, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] },
    };
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    Object.assign(fake.digitalocean, { volumes: 2, kubernetesClusters: 2, databases: 2, loadBalancers: 2 });
    fake.switches.resourceCount = 2;
  });

  it("lists every type and normalises each like an instance", async () => {
    const { resources, partialFailures } = await list();
    expect(partialFailures).toEqual([]);
    expect(resources.map((r) => r.type)).toEqual([
      "instance",
      "instance",
      "volume",
      "volume",
      "kubernetes_cluster",
      "kubernetes_cluster",
      "database",
      "database",
      "load_balancer",
      "load_balancer",
    ]);
    const [volume, detached] = ofType(resources, "volume");
    expect(volume).toEqual({
      id: "506f78a4-0000-4000-8000-000000000000",
      name: "volume-0",
      type: "volume",
      region: "nyc3",
      zone: null,
      status: "running",
      raw_status: "attached",
      size: "100 GiB",
      public_ips: [],
      private_ips: [],
      tags: { env: "prod" },
      created_at: "2024-01-01T00:00:00Z",
      console_url: "https://cloud.digitalocean.com/volumes",
    });
    expect(detached).toMatchObject({ status: "stopped", raw_status: "detached", size: "101 GiB", region: "sfo3", tags: {} });

    const [cluster, provisioning] = ofType(resources, "kubernetes_cluster");
    expect(cluster).toEqual({
      id: "bd5f5959-0000-4000-8000-000000000000",
      name: "k8s-0",
      type: "kubernetes_cluster",
      region: "nyc3",
      zone: null,
      status: "running",
      raw_status: "running",
      size: "s-2vcpu-4gb ×3, g-4vcpu-16gb ×1",
      public_ips: ["68.183.0.0"],
      private_ips: [],
      tags: { k8s: "bd5f5959-0000-4000-8000-000000000000", env: "prod" },
      created_at: "2024-01-01T00:00:00Z",
      console_url: "https://cloud.digitalocean.com/kubernetes/clusters/bd5f5959-0000-4000-8000-000000000000",
    });
    expect(provisioning).toMatchObject({ status: "pending", raw_status: "provisioning" });
    // Its worker nodes are Droplets: three s-2vcpu-4gb ($24) and one g-4vcpu-16gb ($126) at list price.
    expect(monthlyListPrice("digitalocean", cluster!.type, cluster!.size)).toBe(3 * 24 + 126);

    const [database, creating] = ofType(resources, "database");
    expect(database).toEqual({
      id: "9cc10173-0000-4000-8000-000000000000",
      name: "db-0",
      type: "database",
      region: "nyc3",
      zone: null,
      status: "running",
      raw_status: "online",
      size: "db-s-2vcpu-4gb ×1",
      public_ips: [],
      private_ips: [],
      tags: { production: "" },
      created_at: "2024-01-01T00:00:00Z",
      console_url: "https://cloud.digitalocean.com/databases/9cc10173-0000-4000-8000-000000000000",
    });
    expect(creating).toMatchObject({ status: "pending", raw_status: "creating", size: "db-s-2vcpu-4gb ×2" });

    const [lb, fresh] = ofType(resources, "load_balancer");
    expect(lb).toEqual({
      id: "4de7ac8b-0000-4000-8000-000000000000",
      name: "lb-0",
      type: "load_balancer",
      region: "nyc3",
      zone: null,
      status: "running",
      raw_status: "active",
      size: "1 node",
      public_ips: ["104.131.0.0", "2604:a880:800:14::0:c000"],
      private_ips: [],
      tags: {},
      created_at: "2024-01-01T00:00:00Z",
      console_url: "https://cloud.digitalocean.com/networking/load_balancers/4de7ac8b-0000-4000-8000-000000000000",
    });
    expect(fresh).toMatchObject({ status: "pending", raw_status: "new", size: "2 nodes" });
  });

  it("maps the error states of clusters and load balancers to error", async () => {
    Object.assign(fake.digitalocean, { kubernetesClusters: 4, loadBalancers: 4 });
    const { resources } = await list();
    expect(ofType(resources, "kubernetes_cluster")[2]).toMatchObject({ raw_status: "degraded", status: "error" });
    expect(ofType(resources, "load_balancer")[3]).toMatchObject({ raw_status: "errored", status: "error" });
  });

  it("follows links.pages.next to the end: 450 volumes and 201 load balancers, 200 a page", async () => {
    Object.assign(fake.digitalocean, { volumes: 450, loadBalancers: 201 });
    const { resources } = await list();
    const volumes = ofType(resources, "volume");
    expect(volumes).toHaveLength(450);
    expect(new Set(volumes.map((r) => r.id)).size).toBe(450);
    expect(ofType(resources, "load_balancer")).toHaveLength(201);
    expect(fake.hits("/v2/volumes").map((r) => r.url.searchParams.get("page"))).toEqual(["1", "2", "3"]);
    expect(fake.hits("/v2/load_balancers").map((r) => r.url.searchParams.get("page"))).toEqual(["1", "2"]);
    expect(fake.hits(/^\/v2\/(volumes|load_balancers)$/).every((r) => r.url.searchParams.get("per_page") === "200")).toBe(true);
    // The databases list is one unpaginated answer: asked once, with no page parameters.
    expect(fake.hits("/v2/databases").map((r) => r.url.search)).toEqual([""]);
  });

  it("lists only the type asked for, and nothing for a type DigitalOcean does not have here", async () => {
    const volumes = await list({ type: "volume" });
    expect(volumes.resources.map((r) => r.type)).toEqual(["volume", "volume"]);
    expect(new Set(fake.requests.map((r) => r.path))).toEqual(new Set(["/v2/volumes"]));

    fake.reset();
    Object.assign(fake.digitalocean, { databases: 3 });
    const databases = await list({ type: "database" });
    expect(databases.resources.map((r) => r.name)).toEqual(["db-0", "db-1", "db-2"]);
    expect(new Set(fake.requests.map((r) => r.path))).toEqual(new Set(["/v2/databases"]));

    fake.reset();
    const buckets = await list({ type: "bucket" });
    expect(buckets).toEqual({ resources: [], partialFailures: [] });
    expect(fake.requests).toHaveLength(0);
  });

  it("keeps only the provider's regions, for every type", async () => {
    Object.assign(fake.digitalocean, { volumes: 8, kubernetesClusters: 8, databases: 8, loadBalancers: 8 });
    fake.switches.resourceCount = 8;
    const { resources } = await list({ regions: ["ams3"] });
    expect(new Set(resources.map((r) => r.type))).toEqual(
      new Set(["instance", "volume", "kubernetes_cluster", "database", "load_balancer"]),
    );
    expect(resources.every((r) => r.region === "ams3")).toBe(true);
  });

  it("reports a type the token may not read as a partial failure naming its scope, while the others list", async () => {
    fake.digitalocean.forbidden = ["kubernetes_cluster"];
    const { resources, partialFailures } = await list();
    expect(partialFailures).toHaveLength(1);
    expect(partialFailures[0]).toMatchObject({ scope: "kubernetes_cluster", code: "forbidden" });
    expect(partialFailures[0]!.message).toMatch(/403.*kubernetes:read/s);
    expect(ofType(resources, "kubernetes_cluster")).toEqual([]);
    expect(new Set(resources.map((r) => r.type))).toEqual(new Set(["instance", "volume", "database", "load_balancer"]));
  });

  it("reports a type whose answers fail (5xx, malformed, too slow) as partial, each under its own type", async () => {
    fake.switches.match = /^\/v2\/databases$/;
    fake.switches.serverErrors = { count: 100, status: 503 };
    const failing = await list();
    expect(failing.partialFailures).toEqual([expect.objectContaining({ scope: "database", code: "upstream_error" })]);
    expect(ofType(failing.resources, "volume")).toHaveLength(2);

    fake.reset();
    Object.assign(fake.digitalocean, { loadBalancers: 2 });
    fake.switches.match = /^\/v2\/load_balancers$/;
    fake.switches.malformedBody = true;
    const malformed = await list();
    expect(malformed.partialFailures).toEqual([expect.objectContaining({ scope: "load_balancer", code: "malformed_response" })]);

    fake.reset();
    fake.switches.match = /^\/v2\/volumes$/;
    fake.switches.delayMs = 400;
    const slow = await list({ timeoutMs: 150 });
    expect(slow.partialFailures).toEqual([expect.objectContaining({ scope: "volume", code: "timeout" })]);
  });

  it("throws when every type fails, and when the one type asked for fails", async () => {
    fake.digitalocean.forbidden = ["instance", "volume", "kubernetes_cluster", "database", "load_balancer"];
    await expect(list()).rejects.toMatchObject({ code: "forbidden", status: 403 });
    fake.digitalocean.forbidden = ["volume"];
    await expect(list({ type: "volume" })).rejects.toMatchObject({ code: "forbidden", status: 403 });
  });

  it("stops at the first call when the token is revoked instead of trying every type", async () => {
    fake.switches.badCredentials = true;
    await expect(list()).rejects.toMatchObject({ code: "unauthorized", status: 401 });
    expect(fake.requests).toHaveLength(1);
  });

  it("never lets a database password into the normalised resources", async () => {
    fake.digitalocean.databasePassword = CANARY;
    const { resources } = await list();
    expect(ofType(resources, "database")).toHaveLength(2);
    // The fake did send it (in connection, private_connection, users and inside each uri)…
    expect(fake.hits("/v2/databases")[0]?.answer?.text).toContain(CANARY);
    // …and nothing Cloudkeep keeps carries it, nor the connection strings or hosts around it.
    const kept = JSON.stringify(resources);
    expect(kept).not.toContain(CANARY);
    expect(kept).not.toContain("doadmin");
    expect(kept).not.toContain("postgres://");
  });
});
