// The S3-compatible adapter against the wire-level S3 fake: the official S3 client signs every
// request, the fake recomputes each SigV4 signature and answers like MinIO / AWS S3.
import { HeadBucketCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { UpstreamError } from "../../supabase/functions/_shared/net/http.ts";
import { systemResolver } from "../../supabase/functions/_shared/net/outbound.ts";
import {
  isAwsS3Endpoint,
  listBucketResources,
  openS3Client,
  s3CompatibleAdapter,
  s3ConsoleUrl,
  spacesRegionOf,
} from "../../supabase/functions/_shared/providers/s3-compatible.ts";
import type { AdapterContext, ProviderFailure } from "../../supabase/functions/_shared/providers/types.ts";
import type { S3CompatibleCredentials } from "../../supabase/functions/_shared/schemas/providers.ts";
import { S3_FAKE_KEY, startS3Fake, type S3Fake } from "../fakes/s3.ts";

const CANARY_SECRET = "CANARY-s3-secret-never-shown";

let fake: S3Fake;
const outbound = { allowHttp: true, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] };

beforeAll(async () => {
  fake = await startS3Fake();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const credentials = (overrides: Partial<S3CompatibleCredentials> = {}): S3CompatibleCredentials => ({
  access_key: S3_FAKE_KEY.accessKeyId,
  secret_key: S3_FAKE_KEY.secretAccessKey,
  region: "us-east-1",
  force_path_style: true,
  ...overrides,
});
const context = (overrides: Partial<AdapterContext> = {}): AdapterContext => ({
  apiEndpoint: fake.url,
  regions: [],
  outbound,
  timeoutMs: 8_000,
  ...overrides,
});

async function listFailure(promise: Promise<unknown>): Promise<ProviderFailure> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UpstreamError) return error.toFailure();
    throw error;
  }
  throw new Error("expected the listing to fail");
}

describe("s3_compatible checkHealth", () => {
  it("proves the key with ListBuckets and reports the endpoint, the owner and the bucket count", async () => {
    const result = await s3CompatibleAdapter.checkHealth(credentials(), context());
    expect(result).toMatchObject({ ok: true, identity: { account: `127.0.0.1:${fake.port}`, label: "minio", details: { buckets: "3" } } });
    expect(fake.calls).toEqual([expect.objectContaining({ method: "GET", operation: "ListBuckets", region: "us-east-1", status: 200 })]);
  });

  it("labels the identity with the access key hint when the server names no owner", async () => {
    fake.s3.ownerName = null;
    const result = await s3CompatibleAdapter.checkHealth(credentials(), context());
    expect(result).toMatchObject({ ok: true, identity: { label: "mini…keep" } });
  });

  it("answers an unknown access key with InvalidAccessKeyId and the hint to check the key", async () => {
    const result = await s3CompatibleAdapter.checkHealth(credentials({ access_key: "nobody-knows-me" }), context());
    expect(result).toMatchObject({ ok: false, error: { code: "InvalidAccessKeyId", status: 401 } });
    if (!result.ok) expect(result.error.hint).toContain("The access key does not exist — check it was copied whole and is active");
  });

  it("answers a wrong secret with SignatureDoesNotMatch and passes on none of the signature material S3 echoes", async () => {
    const result = await s3CompatibleAdapter.checkHealth(credentials({ secret_key: CANARY_SECRET }), context());
    expect(result).toMatchObject({ ok: false, error: { code: "SignatureDoesNotMatch", status: 401 } });
    // The fake's error body carried StringToSign and SignatureProvided.
    expect(fake.calls[0]?.code).toBe("SignatureDoesNotMatch");
    const text = JSON.stringify(result);
    expect(text).not.toContain(CANARY_SECRET);
    expect(text).not.toMatch(/AWS4-HMAC-SHA256|[0-9a-f]{64}/);
    if (!result.ok) expect(result.error.hint).toMatch(/copy the secret again/);
  });

  it("names the region the server expects when the credential's region is wrong", async () => {
    fake.s3.region = "eu-central-1";
    const result = await s3CompatibleAdapter.checkHealth(credentials({ region: "us-east-1" }), context());
    expect(result).toMatchObject({
      ok: false,
      error: { code: "AuthorizationHeaderMalformed", status: 422, hint: "Set the Region field to eu-central-1." },
    });
  });

  it("gives up on a slow server when the time budget runs out", async () => {
    fake.switches.delayMs = 3_000;
    const started = Date.now();
    const result = await s3CompatibleAdapter.checkHealth(credentials(), context({ timeoutMs: 400 }));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result).toMatchObject({ ok: false, error: { code: "timeout", status: 504 } });
  });

  it("retries 503 SlowDown and a 429 with Retry-After, then succeeds", async () => {
    fake.s3.slowDown = { times: 1 };
    fake.switches.rateLimit = { count: 1, retryAfter: "2" };
    const started = Date.now();
    const result = await s3CompatibleAdapter.checkHealth(credentials(), context());
    expect(result.ok).toBe(true);
    // The 429 is answered before the S3 handler sees it; SlowDown comes from the handler.
    expect(fake.requests).toHaveLength(3);
    expect(fake.calls.map((c) => c.status)).toEqual([503, 200]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
  });

  it("turns a console's HTML page into malformed_response without crashing", async () => {
    fake.s3.malformed = "html";
    const result = await s3CompatibleAdapter.checkHealth(credentials(), context());
    expect(result).toMatchObject({ ok: false, error: { code: "malformed_response", status: 502 } });
    if (!result.ok) expect(result.error.hint).toMatch(/S3 API/);
  });

  it("turns truncated XML into malformed_response", async () => {
    fake.s3.malformed = "truncated";
    const failure = await listFailure(s3CompatibleAdapter.listResources(credentials(), context()));
    expect(failure).toMatchObject({ code: "malformed_response" });
  });

  it("refuses a loopback endpoint the policy does not allow, sending nothing", async () => {
    const result = await s3CompatibleAdapter.checkHealth(credentials(), context({ outbound: { allowHttp: true, allowedCidrs: [] } }));
    expect(result).toMatchObject({ ok: false, error: { code: "refused_endpoint", status: 422 } });
    expect(fake.requests).toHaveLength(0);
  });
});

describe("s3_compatible listResources", () => {
  it("lists the buckets as resources with their creation date and region", async () => {
    const result = await s3CompatibleAdapter.listResources(credentials(), context());
    expect(result.partialFailures).toEqual([]);
    expect(result.resources).toEqual([
      {
        id: "backups",
        name: "backups",
        type: "bucket",
        region: "us-east-1",
        zone: null,
        status: "running",
        raw_status: null,
        size: null,
        public_ips: [],
        private_ips: [],
        tags: {},
        created_at: "2024-03-01T10:00:00.000Z",
        console_url: null,
      },
      // Not AWS: no paging parameters, so no BucketRegion; every bucket is in the credential's region.
      expect.objectContaining({ id: "logs-2025", region: "us-east-1", created_at: "2025-01-15T08:30:00.000Z" }),
      expect.objectContaining({ id: "media-assets", region: "us-east-1", created_at: "2023-11-20T17:45:12.000Z" }),
    ]);
    expect(fake.calls.map((c) => c.path)).toEqual(["/?x-id=ListBuckets"]);
  });

  it("sends a server that is not AWS the plain ListBuckets, without paging parameters", async () => {
    fake.s3.buckets = null;
    Object.assign(fake.switches, { resourceCount: 12, maxPageSize: 5 });
    const result = await s3CompatibleAdapter.listResources(credentials(), context());
    expect(result.resources).toHaveLength(12);
    const [call] = fake.calls;
    expect(fake.calls).toHaveLength(1);
    expect(call!.path).not.toMatch(/max-buckets|continuation-token/);
  });
});

describe("s3_compatible on DigitalOcean Spaces", () => {
  // A Spaces host name for the fake on loopback: DNS is stubbed the way the outbound policy allows.
  const spacesResolve = async (host: string) =>
    host.endsWith(".digitaloceanspaces.com") ? [{ address: "127.0.0.1", family: 4 as const }] : systemResolver(host);

  it("names each Space's region after the endpoint, whatever region the key signs for, and links the Spaces list", async () => {
    expect(spacesRegionOf("https://fra1.digitaloceanspaces.com")).toBe("fra1");
    expect(spacesRegionOf("https://fra1.digitaloceanspaces.com.evil.example")).toBeNull();
    expect(spacesRegionOf("https://minio.example.com:9000")).toBeNull();
    const result = await listBucketResources(
      credentials({ force_path_style: true }),
      context({ apiEndpoint: `http://ams3.digitaloceanspaces.com:${fake.port}` }),
      { resolve: spacesResolve },
    );
    expect(result.resources.length).toBeGreaterThan(0);
    for (const space of result.resources) {
      expect([space.type, space.region, space.console_url]).toEqual(["bucket", "ams3", "https://cloud.digitalocean.com/spaces"]);
    }
    // The plain ListBuckets every server understands, to the Spaces host.
    expect(fake.calls.map((c) => [c.operation, c.host])).toEqual([["ListBuckets", `ams3.digitaloceanspaces.com:${fake.port}`]]);
  });
});

describe("s3_compatible on AWS S3", () => {
  // An AWS host name for the fake on loopback: DNS is stubbed the way the outbound policy allows.
  const awsResolve = async (host: string) =>
    host.endsWith(".amazonaws.com") ? [{ address: "127.0.0.1", family: 4 as const }] : systemResolver(host);
  const onAws = (overrides: Partial<AdapterContext> = {}) =>
    context({ apiEndpoint: `http://s3.us-east-1.amazonaws.com:${fake.port}`, ...overrides });
  const listOnAws = (overrides: Partial<AdapterContext> = {}) =>
    listBucketResources(credentials({ force_path_style: false }), onAws(overrides), { resolve: awsResolve });

  it("tells AWS S3 endpoints from other servers", () => {
    expect(isAwsS3Endpoint(null)).toBe(true);
    expect(isAwsS3Endpoint("https://s3.eu-west-1.amazonaws.com")).toBe(true);
    expect(isAwsS3Endpoint("https://s3.cn-north-1.amazonaws.com.cn")).toBe(true);
    expect(isAwsS3Endpoint("https://s3.dualstack.us-east-2.amazonaws.com")).toBe(true);
    expect(isAwsS3Endpoint("https://minio.example.com:9000")).toBe(false);
    expect(isAwsS3Endpoint("https://s3.amazonaws.com.evil.example")).toBe(false);
  });

  it("asks AWS for pages with MaxBuckets and takes each bucket's region from BucketRegion", async () => {
    const result = await listOnAws();
    expect(result.resources.map((r) => [r.id, r.region])).toEqual([
      ["backups", "us-east-1"],
      ["logs-2025", "eu-west-1"],
      ["media-assets", "us-east-1"],
    ]);
    expect(result.resources[1]!.console_url).toBe("https://s3.console.aws.amazon.com/s3/buckets/logs-2025?region=eu-west-1");
    expect(fake.calls.map((c) => [c.operation, c.host, c.path])).toEqual([
      ["ListBuckets", `s3.us-east-1.amazonaws.com:${fake.port}`, "/?max-buckets=10000&x-id=ListBuckets"],
    ]);
  });

  it("follows ContinuationToken to the last page of buckets: 12,345 buckets", async () => {
    fake.s3.buckets = null;
    Object.assign(fake.switches, { resourceCount: 12_345, maxPageSize: 5_000 });
    const result = await listOnAws();
    expect(result.resources).toHaveLength(12_345);
    expect(new Set(result.resources.map((r) => r.id)).size).toBe(12_345);
    const pages = fake.calls.filter((c) => c.operation === "ListBuckets");
    expect(pages).toHaveLength(3);
    expect(pages[0]!.path).not.toContain("continuation-token");
    expect(pages.slice(1).every((c) => c.path.includes("continuation-token=") && c.path.includes("max-buckets=10000"))).toBe(true);
  });

  it("keeps only the buckets in the provider's regions when it has some", async () => {
    const result = await listOnAws({ regions: ["eu-west-1"] });
    expect(result.resources.map((r) => r.id)).toEqual(["logs-2025"]);
  });
});

describe("s3_compatible listing failures", () => {
  it("lists nothing for a resource type buckets are not", async () => {
    const result = await s3CompatibleAdapter.listResources(credentials(), { ...context(), type: "instance" });
    expect(result.resources).toEqual([]);
    expect(fake.requests).toHaveLength(0);
  });

  it("fails the listing with the actionable error when the key is refused", async () => {
    fake.switches.badCredentials = true;
    const failure = await listFailure(s3CompatibleAdapter.listResources(credentials(), context()));
    expect(failure).toMatchObject({ code: "InvalidAccessKeyId", status: 401 });
  });
});

describe("s3_compatible addressing", () => {
  // `<bucket>.localhost` does not resolve here, so DNS is stubbed the way the outbound policy allows.
  const localResolve = async (host: string) =>
    host === "localhost" || host.endsWith(".localhost") ? [{ address: "127.0.0.1", family: 4 as const }] : systemResolver(host);

  it("addresses buckets path-style when force_path_style is on", async () => {
    const { client, session } = await openS3Client(
      credentials({ force_path_style: true }),
      context({ apiEndpoint: `http://localhost:${fake.port}` }),
      { resolve: localResolve },
    );
    try {
      await client.send(new HeadBucketCommand({ Bucket: "backups" }));
      await client.send(new ListObjectsV2Command({ Bucket: "media-assets" }));
    } finally {
      session.close();
    }
    expect(fake.calls.map((c) => [c.operation, c.style, c.host, c.path.split("?")[0], c.status])).toEqual([
      ["HeadBucket", "path", `localhost:${fake.port}`, "/backups/", 200],
      ["ListObjectsV2", "path", `localhost:${fake.port}`, "/media-assets/", 200],
    ]);
  });

  it("addresses buckets as virtual hosts when force_path_style is off", async () => {
    const { client, session } = await openS3Client(
      credentials({ force_path_style: false }),
      context({ apiEndpoint: `http://localhost:${fake.port}` }),
      { resolve: localResolve },
    );
    try {
      await client.send(new HeadBucketCommand({ Bucket: "backups" }));
      await client.send(new ListObjectsV2Command({ Bucket: "media-assets" }));
    } finally {
      session.close();
    }
    expect(fake.calls.map((c) => [c.operation, c.style, c.host, c.path.split("?")[0], c.status])).toEqual([
      ["HeadBucket", "virtual", `backups.localhost:${fake.port}`, "/", 200],
      ["ListObjectsV2", "virtual", `media-assets.localhost:${fake.port}`, "/", 200],
    ]);
  });

  it("lists buckets at the service root in either style", async () => {
    for (const force_path_style of [true, false]) {
      const result = await s3CompatibleAdapter.listResources(
        credentials({ force_path_style }),
        context({ apiEndpoint: `http://localhost:${fake.port}` }),
      );
      expect(result.resources).toHaveLength(3);
    }
    expect(fake.calls.map((c) => [c.operation, c.host, c.path])).toEqual([
      ["ListBuckets", `localhost:${fake.port}`, "/?x-id=ListBuckets"],
      ["ListBuckets", `localhost:${fake.port}`, "/?x-id=ListBuckets"],
    ]);
  });
});

describe("s3 console links", () => {
  it("links buckets on AWS S3 endpoints to the S3 console and others to nothing", () => {
    expect(s3ConsoleUrl("https://s3.eu-west-1.amazonaws.com", "logs", "eu-west-1")).toBe(
      "https://s3.console.aws.amazon.com/s3/buckets/logs?region=eu-west-1",
    );
    expect(s3ConsoleUrl("https://s3.dualstack.us-east-2.amazonaws.com", "a", "us-east-2")).toBe(
      "https://s3.console.aws.amazon.com/s3/buckets/a?region=us-east-2",
    );
    expect(s3ConsoleUrl("https://s3-us-gov-west-1.amazonaws.com", "a", "us-gov-west-1")).toBe(
      "https://console.amazonaws-us-gov.com/s3/buckets/a?region=us-gov-west-1",
    );
    expect(s3ConsoleUrl("https://minio.example.com:9000", "a", "us-east-1")).toBeNull();
    expect(s3ConsoleUrl("https://s3.amazonaws.com.evil.example", "a", "us-east-1")).toBeNull();
    expect(s3ConsoleUrl("https://ec2.us-east-1.amazonaws.com", "a", "us-east-1")).toBeNull();
  });
});

describe("s3 secrets", () => {
  it("never puts the secret key in an error or a result", async () => {
    const outputs: unknown[] = [];
    outputs.push(await s3CompatibleAdapter.checkHealth(credentials({ secret_key: CANARY_SECRET }), context()));
    outputs.push(await listFailure(s3CompatibleAdapter.listResources(credentials({ secret_key: CANARY_SECRET }), context())));
    fake.s3.region = "ap-south-1";
    outputs.push(await s3CompatibleAdapter.checkHealth(credentials({ secret_key: CANARY_SECRET }), context()));
    fake.switches.delayMs = 2_000;
    outputs.push(await s3CompatibleAdapter.checkHealth(credentials({ secret_key: CANARY_SECRET }), context({ timeoutMs: 200 })));
    expect(outputs.every((o) => (o as { ok?: boolean }).ok !== true)).toBe(true);
    const text = JSON.stringify(outputs);
    expect(text).not.toContain("CANARY");
    expect(text).not.toMatch(/[0-9a-f]{64}/);
  });
});
