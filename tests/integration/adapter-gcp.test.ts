// The GCP adapter (google-auth-library's signed JWT-bearer grant + Compute Engine REST) against the
// wire-level fake, which verifies every assertion's RS256 signature with the service account's public
// key and checks iss, aud (= the key's token_uri) and scope before it issues a token.
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { UpstreamError } from "../../supabase/functions/_shared/net/http.ts";
import { createGcpAdapter, GCP_SCOPE } from "../../supabase/functions/_shared/providers/gcp.ts";
import type { AdapterContext, HealthResult, ProviderFailure } from "../../supabase/functions/_shared/providers/types.ts";
import { credentialsSchema, type GcpCredentials } from "../../supabase/functions/_shared/schemas/providers.ts";
import { GCP_TEST_PRIVATE_KEY, publicKeyOf, startGcpFake, TEST_CA, type GcpFake } from "../fakes/gcp.ts";

const adapter = createGcpAdapter({ ca: TEST_CA, backoffBaseMs: 20 });
const outbound = { allowHttp: false, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] };
let fake: GcpFake;

// A second key pair: registered with the fake as its own service account, so each test can get a fresh
// account (and a token cache miss) by renaming it.
const other = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

beforeAll(async () => {
  fake = await startGcpFake();
});
afterAll(() => fake.close());

let email: string;
beforeEach(() => {
  fake.reset();
  Object.assign(fake.state, { apiDisabled: false, noRole: false, unreachableZones: [], echoSecrets: false });
  // A fresh service account per test, so the adapter's in-memory token cache never spans two tests.
  email = `reader-${randomUUID().slice(0, 8)}@cloudkeep-test-123456.iam.gserviceaccount.com`;
  fake.state.accounts = [
    { clientEmail: email, privateKeyId: "0123456789abcdef0123456789abcdef01234567", publicKey: publicKeyOf(GCP_TEST_PRIVATE_KEY) },
    { clientEmail: `other-${email}`, privateKeyId: "fedcba9876543210fedcba9876543210fedcba98", publicKey: other.publicKey },
  ];
});

/** The fake's key file, through the product's own schema: what an adapter really receives. */
function credentials(overrides: Record<string, string> = {}): GcpCredentials {
  return credentialsSchema("gcp").parse(fake.keyFile({ client_email: email, ...overrides })) as GcpCredentials;
}
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

describe("gcp checkHealth", () => {
  it("gets a token at the key's token_uri with a signed assertion and reports the project", async () => {
    const result = await adapter.checkHealth(credentials(), context());
    expect(result).toMatchObject({
      ok: true,
      identity: {
        account: "cloudkeep-test-123456",
        label: "cloudkeep-test-123456 (project number 123456789012)",
        details: { client_email: email, project_number: "123456789012" },
      },
    });
    expect(fake.tokenRequests()).toHaveLength(1);
    // The fake verified the RS256 signature before issuing; these are the claims it checked.
    expect(fake.assertions).toEqual([
      expect.objectContaining({ iss: email, aud: fake.tokenUri, scope: GCP_SCOPE, header: expect.objectContaining({ alg: "RS256" }) }),
    ]);
    const project = fake.hits("/compute/v1/projects/cloudkeep-test-123456");
    expect(project).toHaveLength(1);
    expect(project[0]!.headers.authorization).toMatch(/^Bearer ya29\.fake-/);
  });

  it("keeps the access token in memory between checks instead of signing a new assertion", async () => {
    expect((await adapter.checkHealth(credentials(), context())).ok).toBe(true);
    expect((await adapter.checkHealth(credentials(), context())).ok).toBe(true);
    expect(fake.tokenRequests()).toHaveLength(1);
    expect(fake.hits("/compute/v1/projects/cloudkeep-test-123456")).toHaveLength(2);
  });

  it("says a rejected key was deleted or disabled and to create a new key for the account", async () => {
    // The right account, the wrong private key: the signature does not verify.
    const wrongKey = failureOf(await adapter.checkHealth(credentials({ private_key: other.privateKey }), context()));
    expect(wrongKey).toMatchObject({ code: "invalid_grant", status: 401, retryable: false });
    expect(wrongKey.message).toContain(`the key was deleted or disabled — create a new key for ${email}`);
    expect(wrongKey.hint).toContain("IAM & Admin → Service accounts");

    fake.state.accounts[0]!.disabled = true;
    const disabled = failureOf(await adapter.checkHealth(credentials(), context()));
    expect(disabled.code).toBe("invalid_grant");
    expect(disabled.message).toContain("Invalid JWT Signature");
    expect(fake.hits(/^\/compute/)).toHaveLength(0);
  });

  it("says the Compute Engine API is not enabled and where to enable it", async () => {
    fake.state.apiDisabled = true;
    const error = failureOf(await adapter.checkHealth(credentials(), context()));
    expect(error).toMatchObject({ code: "compute_api_disabled", status: 403 });
    expect(error.hint).toContain("https://console.cloud.google.com/apis/library/compute.googleapis.com?project=cloudkeep-test-123456");
  });

  it("reads a disabled Compute API from the ErrorInfo in details when the legacy errors list is absent", async () => {
    fake.state.apiDisabled = "details-only";
    const error = failureOf(await adapter.checkHealth(credentials(), context()));
    expect(error).toMatchObject({ code: "compute_api_disabled", status: 403 });
    // The same 403 PERMISSION_DENIED without that ErrorInfo is a missing role, not a disabled API.
    fake.state.apiDisabled = false;
    fake.state.noRole = true;
    expect(failureOf(await adapter.checkHealth(credentials(), context())).code).toBe("permission_denied");
  });

  it("asks for roles/compute.viewer when the account may not read the project", async () => {
    fake.state.noRole = true;
    const error = failureOf(await adapter.checkHealth(credentials(), context()));
    expect(error).toMatchObject({ code: "permission_denied", status: 403 });
    expect(error.hint).toContain(`--member=serviceAccount:${email} --role=roles/compute.viewer`);
  });

  it("says the project was not found when the key names a project Compute does not know", async () => {
    const error = failureOf(await adapter.checkHealth(credentials({ project_id: "some-other-project" }), context()));
    expect(error).toMatchObject({ code: "project_not_found", status: 404 });
  });

  it("gives up on an attempt that gets no answer within the timeout, without retrying it", async () => {
    fake.switches.delayMs = 3_000;
    fake.switches.match = /^\/compute/;
    const started = Date.now();
    const error = failureOf(await adapter.checkHealth(credentials(), context({ timeoutMs: 400 })));
    expect(error).toMatchObject({ code: "timeout", status: 504, retryable: true });
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(fake.hits(/^\/compute/)).toHaveLength(1);
  });

  it("retries a 429 after the Retry-After it was given, then succeeds", async () => {
    fake.switches.rateLimit = { count: 1, retryAfter: "1" };
    fake.switches.match = /^\/compute/;
    const result = await adapter.checkHealth(credentials(), context());
    expect(result.ok).toBe(true);
    const hits = fake.hits(/^\/compute/);
    expect(hits).toHaveLength(2);
    expect(hits[1]!.at - hits[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it("retries a 429 from the token endpoint too", async () => {
    fake.switches.rateLimit = { count: 1, retryAfter: "1" };
    fake.switches.match = /^\/token$/;
    const result = await adapter.checkHealth(credentials(), context());
    expect(result.ok).toBe(true);
    expect(fake.tokenRequests()).toHaveLength(2);
  });

  it("reports a malformed body as malformed_response without crashing, from Compute and from the token endpoint", async () => {
    fake.switches.malformedBody = true;
    fake.switches.match = /^\/compute/;
    expect(failureOf(await adapter.checkHealth(credentials(), context()))).toMatchObject({ code: "malformed_response", status: 502 });

    email = `fresh-${email}`;
    fake.state.accounts[0]!.clientEmail = email;
    fake.switches.match = /^\/token$/;
    expect(failureOf(await adapter.checkHealth(credentials(), context()))).toMatchObject({ code: "malformed_response", status: 502 });
  });

  it("refuses an endpoint the outbound policy does not allow before sending anything", async () => {
    const error = failureOf(await adapter.checkHealth(credentials(), context({ outbound: { allowHttp: false, allowedCidrs: [] } })));
    expect(error).toMatchObject({ code: "refused_endpoint", status: 422 });
    expect(fake.requests).toHaveLength(0);
  });
});

describe("gcp listResources", () => {
  it("follows nextPageToken to the end of a long listing: 1,250 instances, 500 a page", async () => {
    fake.switches.resourceCount = 1_250;
    fake.switches.maxPageSize = 500;
    const { resources, partialFailures } = await adapter.listResources(credentials(), context());
    expect(partialFailures).toEqual([]);
    expect(resources).toHaveLength(1_250);
    expect(new Set(resources.map((r) => r.id)).size).toBe(1_250);
    const pages = fake.hits("/compute/v1/projects/cloudkeep-test-123456/aggregated/instances");
    expect(pages).toHaveLength(3);
    // Each page asks with the token the previous one handed out, and the last one hands out none.
    expect(pages.map((r) => Boolean(r.url.searchParams.get("pageToken")))).toEqual([false, true, true]);
    expect(JSON.parse(pages[2]!.answer!.text)).not.toHaveProperty("nextPageToken");
  });

  it("lists every instance of every zone, following nextPageToken to the end", async () => {
    fake.switches.resourceCount = 7;
    fake.switches.maxPageSize = 3;
    const { resources, partialFailures } = await adapter.listResources(credentials(), context());
    expect(partialFailures).toEqual([]);
    expect(resources.map((r) => r.name).sort()).toEqual([
      "instance-0001",
      "instance-0002",
      "instance-0003",
      "instance-0004",
      "instance-0005",
      "instance-0006",
      "instance-0007",
    ]);
    const pages = fake.hits("/compute/v1/projects/cloudkeep-test-123456/aggregated/instances");
    expect(pages).toHaveLength(3);
    expect(pages[0]!.url.searchParams.get("pageToken")).toBeNull();
    expect(pages[1]!.url.searchParams.get("pageToken")).toBeTruthy();

    expect(resources.find((r) => r.name === "instance-0001")).toEqual({
      id: "7000000000000000000",
      name: "instance-0001",
      type: "instance",
      region: "us-central1",
      zone: "us-central1-a",
      status: "running",
      raw_status: "RUNNING",
      size: "e2-medium",
      public_ips: ["34.72.0.2"],
      private_ips: ["10.128.0.2"],
      tags: { env: "prod", team: "platform" },
      created_at: "2025-02-01T16:30:00.000Z",
      console_url:
        "https://console.cloud.google.com/compute/instancesDetail/zones/us-central1-a/instances/instance-0001?project=cloudkeep-test-123456",
    });
    const byName = Object.fromEntries(resources.map((r) => [r.name, r]));
    expect(byName["instance-0002"]).toMatchObject({
      status: "stopped",
      raw_status: "TERMINATED",
      public_ips: [],
      region: "us-central1",
      zone: "us-central1-b",
    });
    expect(byName["instance-0003"]).toMatchObject({ status: "pending", raw_status: "STAGING", region: "europe-west1" });
  });

  it("reports unreachable zones as partial failures and lists the rest", async () => {
    fake.switches.resourceCount = 8;
    fake.state.unreachableZones = ["asia-east1-a"];
    const { resources, partialFailures } = await adapter.listResources(credentials(), context());
    expect(resources).toHaveLength(6);
    expect(resources.some((r) => r.zone === "asia-east1-a")).toBe(false);
    expect(partialFailures).toEqual([expect.objectContaining({ scope: "zones/asia-east1-a", code: "unreachable" })]);
  });

  it("keeps only the regions the provider is limited to", async () => {
    fake.switches.resourceCount = 8;
    const { resources } = await adapter.listResources(credentials(), context({ regions: ["europe-west1"] }));
    expect(resources.map((r) => r.name).sort()).toEqual(["instance-0003", "instance-0007"]);
  });

  it("throws an actionable error when the account may not list instances", async () => {
    fake.state.noRole = true;
    const error = await listFailure(adapter.listResources(credentials(), context()));
    expect(error).toMatchObject({ code: "permission_denied", status: 403 });
    expect(error.hint).toContain("roles/compute.viewer");
  });

  it("reports a malformed page as malformed_response", async () => {
    fake.switches.resourceCount = 5;
    fake.switches.maxPageSize = 2;
    fake.switches.malformedBody = true;
    fake.switches.match = /aggregated\/instances$/;
    // Asked for instances alone: among the other types a malformed instance listing is one type's partial failure.
    const error = await listFailure(adapter.listResources(credentials(), { ...context(), type: "instance" }));
    expect(error.code).toBe("malformed_response");
  });
});

describe("gcp secrets", () => {
  it("never returns the private key, the assertion or a token, even from an endpoint that echoes them back", async () => {
    fake.state.echoSecrets = true;
    const keyBody = GCP_TEST_PRIVATE_KEY.split("\n")[5];
    const canary = `CANARY${randomUUID().replace(/-/g, "")}`;
    // A PEM-shaped key whose body carries the canary: it cannot be parsed, and must not be quoted.
    const canaryKey = `-----BEGIN PRIVATE KEY-----\n${(canary + "A".repeat(200)).match(/.{1,64}/g)!.join("\n")}\n-----END PRIVATE KEY-----\n`;
    const outputs: unknown[] = [];

    outputs.push(await adapter.checkHealth(credentials({ private_key: canaryKey }), context()));
    outputs.push(await adapter.checkHealth(credentials({ private_key: other.privateKey }), context()));
    outputs.push(await adapter.checkHealth(credentials(), context()));
    fake.state.noRole = true;
    outputs.push(await adapter.checkHealth(credentials(), context()));
    outputs.push(await listFailure(adapter.listResources(credentials(), context())));
    fake.state.noRole = false;
    outputs.push(await adapter.listResources(credentials(), context()));
    // Compute refuses the cached token (as if revoked): its 401 body echoes the Authorization header.
    fake.revokeTokens();
    outputs.push(await adapter.checkHealth(credentials(), context()));
    // The token endpoint refuses the key: its error echoes the posted assertion.
    fake.switches.badCredentials = true;
    outputs.push(await adapter.checkHealth(credentials(), context()));

    expect(outputs[0]).toMatchObject({ ok: false, error: { code: "invalid_private_key" } });
    expect(outputs[2]).toMatchObject({ ok: true });
    expect(outputs[6]).toMatchObject({ ok: false, error: { code: "unauthorized", status: 401 } });
    expect(outputs[7]).toMatchObject({ ok: false, error: { code: "invalid_grant" } });
    const text = outputs
      .map((o) =>
        o instanceof Error
          ? `${o.message} ${o.stack} ${JSON.stringify(o)} ${JSON.stringify((o as UpstreamError).toFailure())}`
          : JSON.stringify(o),
      )
      .join("\n");
    expect(text).not.toContain(canary);
    expect(text).not.toContain(keyBody);
    expect(text).not.toMatch(/ya29\.fake-/);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
  });
});
