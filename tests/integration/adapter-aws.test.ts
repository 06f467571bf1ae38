// The AWS adapter against the wire-level STS + EC2 fake: the official SDK signs every request and the
// fake recomputes each SigV4 signature, so these tests prove the real client talks to AWS correctly.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { UpstreamError } from "../../supabase/functions/_shared/net/http.ts";
import { awsAdapter, normalizeInstance } from "../../supabase/functions/_shared/providers/aws.ts";
import { describeAwsError, type AwsCallDescription } from "../../supabase/functions/_shared/providers/aws-errors.ts";
import type { AdapterContext, ProviderFailure } from "../../supabase/functions/_shared/providers/types.ts";
import type { AwsCredentials } from "../../supabase/functions/_shared/schemas/providers.ts";
import { AWS_FAKE_KEY, DEFAULT_AWS_REGIONS, fakeInstance, startAwsFake, type AwsFake } from "../fakes/aws.ts";
import { startFake } from "../fakes/server.ts";

const CANARY_SECRET = "CANARYawsSecretKey0000000000000000000000";
const CANARY_TOKEN = "CANARYsessionToken" + "Q".repeat(60);

let fake: AwsFake;
const outbound = { allowHttp: true, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] };

beforeAll(async () => {
  fake = await startAwsFake({
    keys: [
      {
        accessKeyId: "AKIACANARY0000000001",
        secretAccessKey: CANARY_SECRET,
        account: "210987654321",
        arn: "arn:aws:iam::210987654321:user/canary",
        userId: "AIDACANARY",
      },
      {
        accessKeyId: "ASIATEMPORARY0000001",
        secretAccessKey: "tempSecret/K7MDENG/bPxRfiCYEXAMPLEKEY0001",
        sessionToken: CANARY_TOKEN,
        arn: "arn:aws:sts::123456789012:assumed-role/reader/ck",
      },
      {
        accessKeyId: "ASIAEXPIRED000000001",
        secretAccessKey: "tempSecret/K7MDENG/bPxRfiCYEXAMPLEKEY0002",
        sessionToken: CANARY_TOKEN,
        expired: true,
      },
      {
        accessKeyId: "AKIANODESCRIBEREGION",
        secretAccessKey: "noRegions/K7MDENG/bPxRfiCYEXAMPLEKEY0003",
        denied: ["ec2:DescribeRegions"],
        arn: "arn:aws:iam::123456789012:user/narrow",
      },
    ],
  });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const credentials = (overrides: Partial<AwsCredentials> = {}): AwsCredentials => ({
  access_key: AWS_FAKE_KEY.accessKeyId,
  secret_key: AWS_FAKE_KEY.secretAccessKey,
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

const calls = (action: string, region?: string) => fake.callsOf(action, region);

describe("aws checkHealth", () => {
  it("proves the key with GetCallerIdentity and reports the account, ARN and user id", async () => {
    const result = await awsAdapter.checkHealth(credentials({ region: "eu-west-2" }), context());
    expect(result).toMatchObject({
      ok: true,
      identity: {
        account: "123456789012",
        label: "arn:aws:iam::123456789012:user/cloudkeep-reader",
        details: { arn: "arn:aws:iam::123456789012:user/cloudkeep-reader", userId: "AIDAFAKEEXAMPLEUSER01" },
      },
    });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    // IAM's lookups of the key's age and last use: adapter-aws-key-usage.test.ts.
    expect(fake.calls.filter((call) => call.service !== "iam")).toEqual([
      expect.objectContaining({ action: "GetCallerIdentity", service: "sts", region: "eu-west-2", status: 200 }),
    ]);
  });

  it("signs with the session token of a temporary key", async () => {
    const result = await awsAdapter.checkHealth(
      credentials({
        access_key: "ASIATEMPORARY0000001",
        secret_key: "tempSecret/K7MDENG/bPxRfiCYEXAMPLEKEY0001",
        session_token: CANARY_TOKEN,
      }),
      context(),
    );
    expect(result).toMatchObject({ ok: true, identity: { label: "arn:aws:sts::123456789012:assumed-role/reader/ck" } });
  });

  it("answers an unknown access key with InvalidClientTokenId and the hint to check the key", async () => {
    const result = await awsAdapter.checkHealth(credentials({ access_key: "AKIADOESNOTEXIST0001" }), context());
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ code: "InvalidClientTokenId", status: 401, retryable: false });
    expect(result.error.hint).toContain("The access key does not exist — check it was copied whole and is active");
    expect(fake.calls.map((r) => r.code)).toEqual(["InvalidClientTokenId"]);
  });

  it("answers a wrong secret with SignatureDoesNotMatch and the hint to copy the secret again", async () => {
    const result = await awsAdapter.checkHealth(credentials({ secret_key: "wrongSecret/K7MDENG/bPxRfiCYEXAMPLEKEY00" }), context());
    expect(result).toMatchObject({ ok: false, error: { code: "SignatureDoesNotMatch", status: 401 } });
    if (!result.ok) expect(result.error.hint).toMatch(/secret access key does not match this access key — copy the secret again/);
    // A signature error is not retried: the same secret would fail the same way.
    expect(fake.requests).toHaveLength(1);
  });

  it("refuses an expired session token with ExpiredToken and says to get new credentials", async () => {
    const result = await awsAdapter.checkHealth(
      credentials({
        access_key: "ASIAEXPIRED000000001",
        secret_key: "tempSecret/K7MDENG/bPxRfiCYEXAMPLEKEY0002",
        session_token: CANARY_TOKEN,
      }),
      context(),
    );
    expect(result).toMatchObject({ ok: false, error: { code: "ExpiredToken", status: 401 } });
    if (!result.ok) expect(result.error.hint).toMatch(/request new ones/);
  });

  it("reports EC2's RequestExpired for a temporary key as an expired session token, once, not as clock skew", async () => {
    const failure = await listFailure(
      awsAdapter.listResources(
        credentials({
          access_key: "ASIAEXPIRED000000001",
          secret_key: "tempSecret/K7MDENG/bPxRfiCYEXAMPLEKEY0002",
          session_token: CANARY_TOKEN,
        }),
        context(),
      ),
    );
    expect(failure).toMatchObject({ code: "ExpiredToken", status: 401, retryable: false });
    expect(failure.message).toContain("RequestExpired");
    expect(failure.hint).toMatch(/request new ones/);
    expect(failure.hint).not.toMatch(/clock/);
    // EC2 said RequestExpired once and nobody asked again.
    expect(calls("DescribeRegions").map((call) => call.code)).toEqual(["RequestExpired"]);
  });

  it("still reads RequestExpired from a long-term key as a clock problem worth retrying", () => {
    const error = Object.assign(new Error("Request has expired."), { name: "RequestExpired", $metadata: { httpStatusCode: 400 } });
    const call: AwsCallDescription = {
      service: "ec2",
      action: "ec2:DescribeInstances",
      host: "ec2.us-east-1.amazonaws.com",
      timedOut: false,
      timeoutMs: 1_000,
      secrets: [],
      region: "us-east-1",
    };
    expect(describeAwsError(error, { ...call, temporary: false })).toMatchObject({ code: "RequestExpired", status: 502, retryable: true });
    expect(describeAwsError(error, { ...call, temporary: true })).toMatchObject({ code: "ExpiredToken", status: 401, retryable: false });
  });

  it("gives up on a slow endpoint when the time budget runs out", async () => {
    fake.switches.delayMs = 3_000;
    const started = Date.now();
    const result = await awsAdapter.checkHealth(credentials(), context({ timeoutMs: 400 }));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result).toMatchObject({ ok: false, error: { code: "timeout", status: 504, retryable: true } });
    if (!result.ok) expect(result.error.message).toMatch(/did not answer sts:GetCallerIdentity within 0.4 s/);
  });

  it("retries a 429 after the Retry-After the endpoint asked for, then succeeds", async () => {
    fake.aws.throttle = { times: 1, status: 429, retryAfter: "3" };
    const started = Date.now();
    const result = await awsAdapter.checkHealth(credentials(), context());
    const elapsed = Date.now() - started;
    expect(result.ok).toBe(true);
    expect(calls("GetCallerIdentity").map((r) => r.status)).toEqual([429, 200]);
    // The SDK's own throttling backoff for a first retry is at most 1 s; Retry-After asked for 3.
    expect(elapsed).toBeGreaterThanOrEqual(2_900);
  });

  it("reports throttling that outlasts the retries as retryable, naming the AWS code", async () => {
    fake.aws.throttle = { times: 10, status: 400 };
    const result = await awsAdapter.checkHealth(credentials(), context());
    expect(result).toMatchObject({ ok: false, error: { code: "Throttling", status: 429, retryable: true } });
    expect(calls("GetCallerIdentity")).toHaveLength(3);
  });

  it("retries a proxy's non-XML 429 after its Retry-After and 5xx answers with backoff", async () => {
    fake.switches.rateLimit = { count: 1, retryAfter: "2" };
    fake.switches.serverErrors = { count: 1, status: 502 };
    const started = Date.now();
    const result = await awsAdapter.checkHealth(credentials(), context());
    expect(result.ok).toBe(true);
    expect(fake.requests.filter((request) => String(request.body).includes("Action=GetCallerIdentity"))).toHaveLength(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
  });

  it("reports 5xx answers that outlast the retries as a retryable upstream error", async () => {
    fake.switches.serverErrors = { count: 5, status: 503 };
    const result = await awsAdapter.checkHealth(credentials(), context());
    expect(result).toMatchObject({ ok: false, error: { status: 502, retryable: true } });
    if (!result.ok) expect(result.error.message).toMatch(/HTTP 503/);
    expect(fake.requests).toHaveLength(3);
  });

  it("turns the shared malformed-body switch into malformed_response", async () => {
    fake.switches.malformedBody = true;
    const result = await awsAdapter.checkHealth(credentials(), context());
    expect(result).toMatchObject({ ok: false, error: { code: "malformed_response", status: 502 } });
  });

  it("answers every key as unknown when the fake's bad-credentials switch is on", async () => {
    fake.switches.badCredentials = true;
    const result = await awsAdapter.checkHealth(credentials(), context());
    expect(result).toMatchObject({ ok: false, error: { code: "InvalidClientTokenId", status: 401 } });
  });

  it("turns truncated XML into malformed_response without crashing", async () => {
    fake.aws.malformed = { kind: "truncated" };
    const result = await awsAdapter.checkHealth(credentials(), context());
    expect(result).toMatchObject({ ok: false, error: { code: "malformed_response", status: 502 } });
    if (!result.ok) expect(result.error.message).toMatch(/not AWS XML/);
  });

  it("turns an HTML page into malformed_response", async () => {
    fake.aws.malformed = { kind: "html" };
    const result = await awsAdapter.checkHealth(credentials(), context());
    expect(result).toMatchObject({ ok: false, error: { code: "malformed_response" } });
  });

  it("refuses a loopback endpoint the policy does not allow, sending nothing", async () => {
    const result = await awsAdapter.checkHealth(credentials(), context({ outbound: { allowHttp: true, allowedCidrs: [] } }));
    expect(result).toMatchObject({ ok: false, error: { code: "refused_endpoint", status: 422 } });
    if (!result.ok) expect(result.error.message).toMatch(/rule: loopback/);
    expect(fake.requests).toHaveLength(0);
  });

  it("reports an endpoint nobody listens on as unreachable", async () => {
    const closed = await startFake(() => ({ status: 200 }));
    await closed.close();
    const result = await awsAdapter.checkHealth(credentials(), context({ apiEndpoint: closed.url }));
    expect(result).toMatchObject({ ok: false, error: { code: "unreachable", status: 502 } });
    if (!result.ok) expect(result.error.message).toContain(`127.0.0.1:${closed.port}`);
  });
});

describe("aws listResources", () => {
  it("lists every instance of every enabled region, following NextToken to the last page", async () => {
    Object.assign(fake.switches, { resourceCount: 250, maxPageSize: 100 });
    const result = await awsAdapter.listResources(credentials(), context());
    expect(result.partialFailures).toEqual([]);
    expect(result.resources).toHaveLength(DEFAULT_AWS_REGIONS.length * 250);
    expect(new Set(result.resources.map((r) => r.id)).size).toBe(DEFAULT_AWS_REGIONS.length * 250);
    for (const region of DEFAULT_AWS_REGIONS) {
      expect(calls("DescribeInstances", region)).toHaveLength(3);
      expect(result.resources.filter((r) => r.region === region)).toHaveLength(250);
    }
    expect(calls("DescribeRegions")).toHaveLength(1);

    const sample = fakeInstance("eu-west-1", 35);
    expect(result.resources.find((r) => r.id === sample.id)).toEqual({
      id: sample.id,
      name: "eu-west-1-web-35",
      type: "instance",
      region: "eu-west-1",
      zone: "eu-west-1c",
      status: "running",
      raw_status: "running",
      size: "t3.micro",
      public_ips: ["203.0.12.36"],
      private_ips: ["10.12.0.36", "10.12.200.36"],
      tags: { Name: "eu-west-1-web-35", env: "staging" },
      created_at: sample.createdTime,
      console_url: `https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#InstanceDetails:instanceId=${sample.id}`,
    });
  });

  it("maps EC2 states and falls back to the instance id when there is no Name tag", async () => {
    fake.aws.regions = ["us-east-1"];
    fake.switches.resourceCount = 8;
    const { resources } = await awsAdapter.listResources(credentials(), context());
    expect(resources.map((r) => [r.raw_status, r.status])).toEqual([
      ["running", "running"],
      ["running", "running"],
      ["stopped", "stopped"],
      ["running", "running"],
      ["pending", "pending"],
      ["stopping", "stopped"],
      ["running", "running"],
      ["terminated", "terminated"],
    ]);
    const unnamed = resources[4]!;
    expect(unnamed.name).toBe(unnamed.id);
    expect(unnamed.public_ips).toEqual([]);
  });

  it("lists the regions in parallel, so the listing takes about as long as the slowest region", async () => {
    Object.assign(fake.switches, { resourceCount: 200, maxPageSize: 100 });
    fake.aws.pageDelayMs = 100;
    const started = Date.now();
    const result = await awsAdapter.listResources(credentials(), { ...context(), type: "instance" });
    const elapsed = Date.now() - started;
    expect(result.resources).toHaveLength(DEFAULT_AWS_REGIONS.length * 200);
    // Serially this is 17 regions × 2 pages × 100 ms = 3.4 s; one region's chain is 0.2 s.
    expect(elapsed).toBeLessThan(1_200);
  });

  it("reports a failing region as a partial failure while the other regions list", async () => {
    fake.switches.resourceCount = 4;
    fake.aws.failingRegions = { "eu-west-1": "server_error", "ap-south-1": "unauthorized" };
    // Instances only: the region's other types fail alike (adapter-aws-types.test.ts).
    const result = await awsAdapter.listResources(credentials(), { ...context(), type: "instance" });
    expect(result.resources).toHaveLength((DEFAULT_AWS_REGIONS.length - 2) * 4);
    expect(result.resources.some((r) => r.region === "eu-west-1" || r.region === "ap-south-1")).toBe(false);
    expect(result.partialFailures).toEqual([
      { scope: "ap-south-1", code: "UnauthorizedOperation", message: expect.stringContaining("may not call ec2:DescribeInstances") },
      { scope: "eu-west-1", code: "InternalError", message: expect.stringContaining("HTTP 500") },
    ]);
    // A 500 is retried (three attempts); a permission error is not.
    expect(calls("DescribeInstances", "eu-west-1")).toHaveLength(3);
    expect(calls("DescribeInstances", "ap-south-1")).toHaveLength(1);
  });

  it("keeps a slow region from holding the others past the time budget", async () => {
    fake.switches.resourceCount = 2;
    fake.aws.slowRegions = { "sa-east-1": 3_000 };
    const started = Date.now();
    const result = await awsAdapter.listResources(credentials(), { ...context({ timeoutMs: 600 }), type: "instance" });
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(result.resources).toHaveLength((DEFAULT_AWS_REGIONS.length - 1) * 2);
    expect(result.partialFailures).toEqual([
      { scope: "sa-east-1", code: "timeout", message: expect.stringContaining("did not answer ec2:DescribeInstances") },
    ]);
  });

  it("limits the listing to the provider's regions and reports one that is not enabled", async () => {
    const result = await awsAdapter.listResources(credentials(), context({ regions: ["eu-central-1", "us-west-2", "me-south-1"] }));
    expect(new Set(result.resources.map((r) => r.region))).toEqual(new Set(["eu-central-1", "us-west-2"]));
    expect(result.partialFailures).toEqual([
      { scope: "me-south-1", code: "region_not_enabled", message: expect.stringContaining("not enabled") },
    ]);
    expect(new Set(calls("DescribeInstances").map((r) => r.region))).toEqual(new Set(["eu-central-1", "us-west-2"]));
  });

  it("retries EC2's 503 RequestLimitExceeded and still lists everything", async () => {
    fake.aws.regions = ["us-east-1"];
    fake.switches.resourceCount = 5;
    fake.aws.throttle = { times: 1, status: 503, actions: ["DescribeInstances"] };
    const result = await awsAdapter.listResources(credentials(), context());
    expect(result.resources).toHaveLength(5);
    expect(calls("DescribeInstances").map((r) => r.status)).toEqual([503, 200]);
  });

  it("names the missing permission when DescribeRegions is denied", async () => {
    const narrow = credentials({ access_key: "AKIANODESCRIBEREGION", secret_key: "noRegions/K7MDENG/bPxRfiCYEXAMPLEKEY0003" });
    const failure = await listFailure(awsAdapter.listResources(narrow, context()));
    expect(failure).toMatchObject({ code: "UnauthorizedOperation", status: 403 });
    expect(failure.message).toContain("ec2:DescribeRegions");
    expect(failure.hint).toMatch(/Allow ec2:DescribeRegions .*ReadOnlyAccess/);

    // With named regions the listing goes ahead without DescribeRegions.
    const limited = await awsAdapter.listResources(narrow, context({ regions: ["us-east-2"] }));
    expect(limited.resources.map((r) => r.region)).toEqual(["us-east-2", "us-east-2", "us-east-2"]);
    expect(calls("DescribeInstances").map((c) => c.region)).toEqual(["us-east-2"]);
  });

  it("fails the whole listing when the key is refused (EC2 says AuthFailure)", async () => {
    const failure = await listFailure(
      awsAdapter.listResources(credentials({ secret_key: "wrongSecret/K7MDENG/bPxRfiCYEXAMPLEKEY00" }), context()),
    );
    expect(failure).toMatchObject({ code: "AuthFailure", status: 401 });
    expect(failure.hint).toMatch(/copy the secret access key again/);
  });

  it("fails the whole listing when every region fails, with the first region's reason", async () => {
    fake.aws.regions = ["us-east-1", "us-west-2"];
    fake.aws.failingRegions = { "us-east-1": "unauthorized", "us-west-2": "unauthorized" };
    const failure = await listFailure(awsAdapter.listResources(credentials(), context()));
    expect(failure).toMatchObject({ code: "UnauthorizedOperation", status: 403 });
  });

  it("turns malformed DescribeInstances XML into malformed_response without crashing", async () => {
    fake.aws.regions = ["us-east-1"];
    fake.aws.malformed = { kind: "truncated", actions: ["DescribeInstances"] };
    const failure = await listFailure(awsAdapter.listResources(credentials(), context()));
    expect(failure).toMatchObject({ code: "malformed_response", status: 502 });
  });

  it("lists nothing for a resource type AWS does not list", async () => {
    const result = await awsAdapter.listResources(credentials(), { ...context(), type: "dns_zone" });
    expect(result).toEqual({ resources: [], partialFailures: [] });
    expect(fake.requests).toHaveLength(0);
  });
});

describe("aws secrets", () => {
  it("never puts the secret key or session token in an error or a result", async () => {
    const canary = credentials({ access_key: "AKIACANARY0000000001", secret_key: CANARY_SECRET });
    const outputs: unknown[] = [];
    outputs.push(await awsAdapter.checkHealth(canary, context()));
    outputs.push(await awsAdapter.listResources(canary, context({ regions: ["us-east-1"] })));
    // The canary as the wrong secret for another key, and as a session token the fake rejects.
    outputs.push(await awsAdapter.checkHealth(credentials({ secret_key: CANARY_SECRET }), context()));
    outputs.push(await listFailure(awsAdapter.listResources(credentials({ secret_key: CANARY_SECRET }), context())));
    outputs.push(
      await awsAdapter.checkHealth(
        credentials({ access_key: "ASIATEMPORARY0000001", secret_key: CANARY_SECRET, session_token: CANARY_TOKEN }),
        context(),
      ),
    );
    fake.aws.malformed = { kind: "truncated" };
    outputs.push(await awsAdapter.checkHealth(canary, context()));
    fake.aws.malformed = false;
    fake.switches.delayMs = 2_000;
    outputs.push(await awsAdapter.checkHealth(canary, context({ timeoutMs: 200 })));

    expect(outputs[0]).toMatchObject({ ok: true, identity: { account: "210987654321" } });
    expect(outputs.slice(2).every((o) => !(o as { ok?: boolean }).ok)).toBe(true);
    const text = JSON.stringify(outputs);
    expect(text).not.toContain(CANARY_SECRET);
    expect(text).not.toContain(CANARY_TOKEN);
    expect(text).not.toContain("CANARYaws");
    expect(text).not.toMatch(/[0-9a-f]{64}/);
  });
});

describe("normalizeInstance", () => {
  it("takes IPv6 addresses as public and falls back to LaunchTime without a primary interface", () => {
    const resource = normalizeInstance(
      {
        InstanceId: "i-1",
        State: { Name: "shutting-down" },
        LaunchTime: new Date("2025-02-03T04:05:06Z"),
        Ipv6Address: "2600:1f18::1",
        Tags: [{ Key: "Name", Value: "db" }],
      },
      "us-gov-west-1",
    );
    expect(resource).toMatchObject({
      name: "db",
      status: "terminated",
      raw_status: "shutting-down",
      public_ips: ["2600:1f18::1"],
      created_at: "2025-02-03T04:05:06.000Z",
      console_url: "https://console.amazonaws-us-gov.com/ec2/home?region=us-gov-west-1#InstanceDetails:instanceId=i-1",
    });
  });
});
