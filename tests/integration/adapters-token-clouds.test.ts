// The DigitalOcean, Linode and Vultr adapters against their wire-level fakes on 127.0.0.1.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { digitaloceanAdapter } from "../../supabase/functions/_shared/providers/digitalocean.ts";
import { linodeAdapter } from "../../supabase/functions/_shared/providers/linode.ts";
import { vultrAdapter } from "../../supabase/functions/_shared/providers/vultr.ts";
import type { AdapterContext, NormalizedResource, ProviderAdapter } from "../../supabase/functions/_shared/providers/types.ts";
import { UpstreamError } from "../../supabase/functions/_shared/net/http.ts";
import { startDigitalOceanFake, type DigitalOceanFake } from "../fakes/digitalocean.ts";
import { startLinodeFake, type LinodeFake } from "../fakes/linode.ts";
import { startVultrFake, type VultrFake } from "../fakes/vultr.ts";
import type { Fake } from "../fakes/server.ts";

type Case = {
  kind: "digitalocean" | "linode" | "vultr";
  adapter: ProviderAdapter<"digitalocean" | "linode" | "vultr">;
  start: () => Promise<Fake & { token: string }>;
  listPath: string;
  pageSize: number;
  identity: { account: string; label: string };
  first: Partial<NormalizedResource>;
  unauthorizedHint: RegExp;
  region: string;
};

const cases: Case[] = [
  {
    kind: "digitalocean",
    adapter: digitaloceanAdapter as Case["adapter"],
    start: () => startDigitalOceanFake(),
    listPath: "/v2/droplets",
    pageSize: 200,
    identity: { account: "b6fr89dbf6d9156cace5f3c78dc9851d957381ef", label: "Shark Team" },
    first: {
      id: "300000000",
      name: "droplet-0",
      type: "instance",
      region: "nyc3",
      status: "running",
      raw_status: "active",
      size: "s-1vcpu-1gb",
      public_ips: ["45.55.0.0", "2604:a880:400:d1::0"],
      private_ips: ["10.110.0.0"],
      tags: { web: "", env: "prod" },
      created_at: "2024-01-01T00:00:00Z",
      console_url: "https://cloud.digitalocean.com/droplets/300000000",
    },
    unauthorizedHint: /revoked or copied incompletely — create a new one with read scope at cloud\.digitalocean\.com\/account\/api\/tokens/,
    region: "sfo3",
  },
  {
    kind: "linode",
    adapter: linodeAdapter as Case["adapter"],
    start: () => startLinodeFake(),
    listPath: "/v4/linode/instances",
    pageSize: 500,
    identity: { account: "example-user", label: "example-user@example.com" },
    first: {
      id: "40000000",
      name: "linode-0",
      region: "us-east",
      status: "running",
      raw_status: "running",
      size: "g6-standard-1",
      public_ips: ["172.104.0.0", "2600:3c03::f03c:0"],
      private_ips: ["192.168.0.0"],
      tags: { team: "data" },
      created_at: "2024-01-01T00:00:00Z",
      console_url: "https://cloud.linode.com/linodes/40000000",
    },
    unauthorizedHint: /personal access token/,
    region: "eu-west",
  },
  {
    kind: "vultr",
    adapter: vultrAdapter as Case["adapter"],
    start: () => startVultrFake(),
    listPath: "/v2/instances",
    pageSize: 500,
    identity: { account: "admin@example.com", label: "Example Account" },
    first: {
      id: "cb676a46-66fd-4dfb-b839-000000000000",
      name: "vultr-0",
      region: "ewr",
      status: "running",
      raw_status: "active/running",
      size: "vc2-1c-2gb",
      private_ips: ["10.1.96.0"],
      tags: { env: "staging" },
      created_at: "2024-01-01T00:00:00+00:00",
      console_url: "https://my.vultr.com/subs/?id=cb676a46-66fd-4dfb-b839-000000000000",
    },
    unauthorizedHint: /enable it and copy the key/,
    region: "ams",
  },
];

/** Pages of the main instance listing: not DigitalOcean's GPU listing, not Linode's 25-item health probe. */
function listPages(fake: Fake, path: string) {
  return fake.hits(path).filter((r) => r.url.searchParams.get("type") !== "gpus" && r.url.searchParams.get("page_size") !== "25");
}

describe.each(cases)("the $kind adapter", (c) => {
  let fake: Fake & { token: string };
  let context: AdapterContext;
  const credentials = () => ({ access_key: fake.token });

  beforeAll(async () => {
    fake = await c.start();
    context = {
      apiEndpoint: fake.url,
      regions: [],
      timeoutMs: 2_000,
      outbound: { allowHttp: true, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] },
    };
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => fake.reset());

  it("reports the account the token belongs to", async () => {
    const result = await c.adapter.checkHealth(credentials(), context);
    expect(result).toMatchObject({ ok: true, identity: c.identity });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it("sends the token only in the Authorization header, never in a URL", async () => {
    await c.adapter.listResources(credentials(), context);
    await c.adapter.checkHealth(credentials(), context);
    expect(fake.requests.length).toBeGreaterThan(1);
    for (const request of fake.requests) {
      expect(request.headers.authorization).toBe(`Bearer ${fake.token}`);
      expect(request.url.href).not.toContain(fake.token);
    }
  });

  it("follows pagination to the end: 1,234 instances across pages", async () => {
    fake.switches.resourceCount = 1_234;
    const { resources, partialFailures } = await c.adapter.listResources(credentials(), context);
    expect(partialFailures).toEqual([]);
    expect(resources).toHaveLength(1_234);
    expect(new Set(resources.map((r) => r.id)).size).toBe(1_234);
    expect(listPages(fake, c.listPath)).toHaveLength(Math.ceil(1_234 / c.pageSize));
    expect(resources[0]).toMatchObject(c.first);
  });

  it("normalises every instance into the shared resource shape", async () => {
    fake.switches.resourceCount = 8;
    const { resources } = await c.adapter.listResources(credentials(), context);
    for (const resource of resources) {
      expect(["running", "stopped", "pending", "terminated", "error", "unknown"]).toContain(resource.status);
      expect(resource.console_url).toMatch(/^https:\/\//);
      expect(Array.isArray(resource.public_ips) && Array.isArray(resource.private_ips)).toBe(true);
    }
    expect(new Set(resources.map((r) => r.status))).toContain("stopped");
  });

  it("keeps only the provider's regions when it is limited to some", async () => {
    fake.switches.resourceCount = 30;
    const { resources } = await c.adapter.listResources(credentials(), { ...context, regions: [c.region] });
    expect(resources.length).toBeGreaterThan(0);
    expect(resources.every((r) => r.region === c.region)).toBe(true);
  });

  it("lists nothing for a resource type it does not have", async () => {
    const result = await c.adapter.listResources(credentials(), { ...context, type: "bucket" });
    expect(result.resources).toEqual([]);
    expect(fake.requests).toHaveLength(0);
  });

  it("answers a revoked token with an actionable unauthorized error that does not repeat the token", async () => {
    fake.switches.badCredentials = true;
    const result = await c.adapter.checkHealth(credentials(), context);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ code: "unauthorized", status: 401, retryable: false });
    expect(result.error.hint).toMatch(c.unauthorizedHint);
    expect(JSON.stringify(result)).not.toContain(fake.token);
    const listing = await c.adapter.listResources(credentials(), context).catch((e: unknown) => e);
    expect(listing).toBeInstanceOf(UpstreamError);
    expect(listing).toMatchObject({ code: "unauthorized", status: 401 });
  });

  it("gives up with a timeout when the API is slower than the timeout", async () => {
    fake.switches.delayMs = 600;
    const started = performance.now();
    const result = await c.adapter.checkHealth(credentials(), { ...context, timeoutMs: 150 });
    expect(result).toMatchObject({ ok: false, error: { code: "timeout", status: 504 } });
    expect(performance.now() - started).toBeLessThan(590);
  });

  it("honours Retry-After on a 429 and then finishes the listing", async () => {
    fake.switches.resourceCount = 1_234;
    fake.switches.match = new RegExp(`^${c.listPath}$`);
    fake.switches.rateLimit = { count: 1, retryAfter: "1" };
    const started = performance.now();
    const { resources } = await c.adapter.listResources(credentials(), context);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(resources).toHaveLength(1_234);
    expect(listPages(fake, c.listPath)).toHaveLength(Math.ceil(1_234 / c.pageSize) + 1);
  });

  it("recovers from a burst of 5xx answers", async () => {
    fake.switches.serverErrors = { count: 2, status: 502 };
    const result = await c.adapter.checkHealth(credentials(), context);
    expect(result.ok).toBe(true);
    // Two refused attempts, then the identity call (and Linode's scope probe) answered.
    expect(fake.requests).toHaveLength(c.kind === "linode" ? 4 : 3);
  });

  it("reports a malformed body clearly instead of crashing", async () => {
    fake.switches.malformedBody = true;
    const result = await c.adapter.checkHealth(credentials(), context);
    expect(result).toMatchObject({ ok: false, error: { code: "malformed_response", status: 502 } });
    if (!result.ok) expect(result.error.message).toMatch(/not valid JSON/);
    await expect(c.adapter.listResources(credentials(), context)).rejects.toMatchObject({ code: "malformed_response" });
  });

  it("reports JSON of the wrong shape as malformed, naming what is missing", async () => {
    const wrong = await (await import("../fakes/server.ts")).startFake(() => ({ body: { unexpected: true } }));
    try {
      const result = await c.adapter.checkHealth(credentials(), { ...context, apiEndpoint: wrong.url });
      expect(result).toMatchObject({ ok: false, error: { code: "malformed_response" } });
      if (!result.ok)
        expect(result.error.message).toMatch(/not the provider's API shape: (no "account" object|the profile has no "username")/);
    } finally {
      await wrong.close();
    }
  });

  it("refuses an api_endpoint on a private address before sending anything", async () => {
    const result = await c.adapter.checkHealth(credentials(), { ...context, apiEndpoint: `http://127.0.0.2:${fake.port}` });
    expect(result).toMatchObject({ ok: false, error: { code: "refused_endpoint", status: 422 } });
    if (!result.ok) expect(result.error.message).toMatch(/\[rule: loopback\]/);
  });
});

const loopback = (url: string): AdapterContext => ({
  apiEndpoint: url,
  regions: [],
  timeoutMs: 5_000,
  outbound: { allowHttp: true, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] },
});

describe("DigitalOcean droplets and GPU droplets", () => {
  let fake: DigitalOceanFake;
  beforeAll(async () => {
    fake = await startDigitalOceanFake();
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it("lists GPU droplets only asked for with type=gpus", async () => {
    fake.digitalocean.gpuDroplets = 3;
    fake.switches.resourceCount = 5;
    const { resources } = await digitaloceanAdapter.listResources({ access_key: fake.token }, loopback(fake.url));
    expect(resources).toHaveLength(8);
    const gpus = resources.filter((r) => r.size === "gpu-h100x1-80gb");
    expect(gpus.map((r) => r.name)).toEqual(["gpu-droplet-0", "gpu-droplet-1", "gpu-droplet-2"]);
    expect(gpus[0]).toMatchObject({ id: "400000000", region: "tor1", status: "running" });
    // The plain listing never carries them: only the request with type=gpus did.
    const plain = fake.hits("/v2/droplets").filter((r) => !r.url.searchParams.has("type"));
    const gpu = fake.hits("/v2/droplets").filter((r) => r.url.searchParams.get("type") === "gpus");
    expect(plain).toHaveLength(1);
    expect(gpu).toHaveLength(1);
  });

  it("follows links.pages.next to the end: 2,000 droplets and 450 GPU droplets, 200 a page", async () => {
    fake.switches.resourceCount = 2_000;
    fake.digitalocean.gpuDroplets = 450;
    const { resources } = await digitaloceanAdapter.listResources({ access_key: fake.token }, loopback(fake.url));
    expect(resources).toHaveLength(2_450);
    expect(new Set(resources.map((r) => r.id)).size).toBe(2_450);
    const pages = fake.hits("/v2/droplets");
    expect(pages.filter((r) => !r.url.searchParams.has("type"))).toHaveLength(10);
    // The GPU listing keeps its type on every page it follows.
    expect(pages.filter((r) => r.url.searchParams.get("type") === "gpus").map((r) => r.url.searchParams.get("page"))).toEqual([
      "1",
      "2",
      "3",
    ]);
    expect(pages.every((r) => r.url.searchParams.get("per_page") === "200")).toBe(true);
  });
});

describe("Linode token scopes", () => {
  let fake: LinodeFake;
  beforeAll(async () => {
    fake = await startLinodeFake();
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it("fails the check of a token without linodes:read_only as a missing scope, naming the scope", async () => {
    fake.linode.scopes = "account:read_only domains:read_write";
    const result = await linodeAdapter.checkHealth({ access_key: fake.token }, loopback(fake.url));
    expect(result).toMatchObject({ ok: false, error: { code: "missing_scope", status: 403, retryable: false } });
    if (result.ok) return;
    expect(result.error.hint).toContain("linodes:read_only");
    expect(result.error.message).not.toMatch(/revoked/);
    // The profile answered; the instances probe did not.
    expect(fake.hits("/v4/profile")).toHaveLength(1);
    expect(fake.hits("/v4/linode/instances")).toHaveLength(1);
  });

  it("reports the same missing scope when a listing is refused, not a revoked token", async () => {
    fake.linode.scopes = "account:read_only";
    await expect(linodeAdapter.listResources({ access_key: fake.token }, loopback(fake.url))).rejects.toMatchObject({
      code: "missing_scope",
      status: 403,
    });
  });

  it("passes the check of a token with only linodes:read_only, proving it with one 25-item page", async () => {
    fake.linode.scopes = "linodes:read_only";
    const result = await linodeAdapter.checkHealth({ access_key: fake.token }, loopback(fake.url));
    expect(result.ok).toBe(true);
    expect(fake.hits("/v4/linode/instances").map((r) => r.url.searchParams.get("page_size"))).toEqual(["25"]);
  });

  it("still calls a revoked token revoked", async () => {
    fake.switches.badCredentials = true;
    const result = await linodeAdapter.checkHealth({ access_key: fake.token }, loopback(fake.url));
    expect(result).toMatchObject({ ok: false, error: { code: "unauthorized", status: 401 } });
  });

  it("maps the busy status to pending", async () => {
    fake.switches.resourceCount = 5;
    const { resources } = await linodeAdapter.listResources({ access_key: fake.token }, loopback(fake.url));
    expect(resources[4]).toMatchObject({ raw_status: "busy", status: "pending" });
  });

  it("follows page and pages to the end: 1,200 Linodes, 500 a page", async () => {
    fake.switches.resourceCount = 1_200;
    const { resources } = await linodeAdapter.listResources({ access_key: fake.token }, loopback(fake.url));
    expect(resources).toHaveLength(1_200);
    expect(new Set(resources.map((r) => r.id)).size).toBe(1_200);
    expect(fake.hits("/v4/linode/instances").map((r) => r.url.searchParams.get("page"))).toEqual(["1", "2", "3"]);
  });
});

describe("Vultr cursor pagination", () => {
  let fake: VultrFake;
  beforeAll(async () => {
    fake = await startVultrFake();
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it("follows meta.links.next cursors to the end: 1,501 instances, 500 a page", async () => {
    fake.switches.resourceCount = 1_501;
    const { resources } = await vultrAdapter.listResources({ access_key: fake.token }, loopback(fake.url));
    expect(resources).toHaveLength(1_501);
    expect(new Set(resources.map((r) => r.id)).size).toBe(1_501);
    const pages = fake.hits("/v2/instances");
    expect(pages).toHaveLength(4);
    expect(pages[0]!.url.searchParams.has("cursor")).toBe(false);
    expect(pages.slice(1).every((r) => Boolean(r.url.searchParams.get("cursor")))).toBe(true);
  });
});
