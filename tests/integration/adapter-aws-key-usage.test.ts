// The real age and last use of an AWS access key in a health check, against the wire-level fake: IAM's
// GetAccessKeyLastUsed and ListAccessKeys are signed by the official SDK and verified by the fake.
// They are extras: when IAM refuses, the check still passes without them; temporary keys never ask.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { awsKeyUsage, hasIamRecord } from "../../supabase/functions/_shared/providers/aws-key-usage.ts";
import { awsAdapter, openAwsSession } from "../../supabase/functions/_shared/providers/aws.ts";
import type { AdapterContext, HealthResult } from "../../supabase/functions/_shared/providers/types.ts";
import type { AwsKeyCredentials } from "../../supabase/functions/_shared/schemas/providers.ts";
import { AWS_FAKE_KEY, startAwsFake, type AwsFake } from "../fakes/aws.ts";

const TEMPORARY = {
  accessKeyId: "ASIATEMPORARY0000009",
  secretAccessKey: "tempSecret/K7MDENG/bPxRfiCYEXAMPLEKEY0009",
  sessionToken: "CANARYsessionToken" + "Z".repeat(60),
  arn: "arn:aws:sts::123456789012:assumed-role/reader/ck",
};
// A second key of the same user: ListAccessKeys answers both, and the check must pick its own.
const SIBLING = {
  accessKeyId: "AKIAFAKEEXAMPLE00002",
  secretAccessKey: "siblingSecret/K7MDENG/bPxRfiCYEXAMPLEKEY2",
  arn: AWS_FAKE_KEY.arn,
};
const KEY_USAGE_FIELDS = ["key_created_at", "key_last_used_at", "key_last_used_service", "key_last_used_region"];

let fake: AwsFake;
const outbound = { allowHttp: true, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] };

beforeAll(async () => {
  fake = await startAwsFake({ keys: [SIBLING, TEMPORARY] });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const longTermKey: AwsKeyCredentials = { access_key: AWS_FAKE_KEY.accessKeyId, secret_key: AWS_FAKE_KEY.secretAccessKey };
const temporaryKey: AwsKeyCredentials = {
  access_key: TEMPORARY.accessKeyId,
  secret_key: TEMPORARY.secretAccessKey,
  session_token: TEMPORARY.sessionToken,
};
const context = (): AdapterContext => ({ apiEndpoint: fake.url, regions: [], outbound, timeoutMs: 8_000 });
const iamCalls = () => fake.calls.filter((call) => call.service === "iam");

function detailsOf(result: HealthResult): Record<string, string> {
  if (!result.ok) throw new Error(`expected the check to pass, it failed with ${result.error.code}`);
  return result.identity.details ?? {};
}

describe("the AWS key's own age and last use in a health check", () => {
  it("reports when IAM says the key was created and last used, with the service and region", async () => {
    fake.aws.iamKeys = {
      [AWS_FAKE_KEY.accessKeyId]: {
        createdAt: "2024-02-03T04:05:06Z",
        lastUsed: { at: "2026-11-20T10:11:12Z", service: "ec2", region: "eu-west-1" },
      },
      [SIBLING.accessKeyId]: { createdAt: "2026-01-01T00:00:00Z" },
    };
    const details = detailsOf(await awsAdapter.checkHealth({ ...longTermKey, region: "eu-west-2" }, context()));
    expect(details).toMatchObject({
      arn: AWS_FAKE_KEY.arn,
      key_created_at: "2024-02-03T04:05:06.000Z",
      key_last_used_at: "2026-11-20T10:11:12.000Z",
      key_last_used_service: "ec2",
      key_last_used_region: "eu-west-1",
    });
    expect(
      iamCalls()
        .map((call) => [call.action, call.accessKeyId, call.status])
        .sort(),
    ).toEqual([
      ["GetAccessKeyLastUsed", AWS_FAKE_KEY.accessKeyId, 200],
      ["ListAccessKeys", AWS_FAKE_KEY.accessKeyId, 200],
    ]);
  });

  it("leaves out the last use of a key IAM says was never used", async () => {
    fake.aws.iamKeys = { [AWS_FAKE_KEY.accessKeyId]: { createdAt: "2025-06-07T08:09:10Z" } };
    const details = detailsOf(await awsAdapter.checkHealth(longTermKey, context()));
    expect(details.key_created_at).toBe("2025-06-07T08:09:10.000Z");
    expect(Object.keys(details)).not.toContain("key_last_used_at");
    expect(Object.keys(details)).not.toContain("key_last_used_service");
    expect(Object.keys(details)).not.toContain("key_last_used_region");
  });

  it("still passes the check, without the key fields, when IAM answers AccessDenied", async () => {
    fake.aws.iamDenied = true;
    const result = await awsAdapter.checkHealth(longTermKey, context());
    expect(result).toMatchObject({ ok: true, identity: { account: "123456789012", details: { arn: AWS_FAKE_KEY.arn } } });
    for (const field of KEY_USAGE_FIELDS) expect(detailsOf(result)).not.toHaveProperty(field);
    expect(
      iamCalls()
        .map((call) => call.code)
        .sort(),
    ).toEqual(["AccessDenied", "AccessDenied"]);
  });

  it("keeps the last use when only ListAccessKeys is denied", async () => {
    const key = fake.keys.find((k) => k.accessKeyId === AWS_FAKE_KEY.accessKeyId)!;
    const saved = key.denied;
    key.denied = ["iam:ListAccessKeys"];
    try {
      fake.aws.iamKeys = { [AWS_FAKE_KEY.accessKeyId]: { lastUsed: { at: "2026-11-21T00:00:00Z", service: "sts", region: "us-east-1" } } };
      const details = detailsOf(await awsAdapter.checkHealth(longTermKey, context()));
      expect(details).toMatchObject({ key_last_used_at: "2026-11-21T00:00:00.000Z", key_last_used_service: "sts" });
      expect(details).not.toHaveProperty("key_created_at");
    } finally {
      key.denied = saved;
    }
  });

  it("still passes the check when the endpoint answers IAM with a web page", async () => {
    fake.aws.malformed = { kind: "html", actions: ["GetAccessKeyLastUsed", "ListAccessKeys"] };
    const result = await awsAdapter.checkHealth(longTermKey, context());
    expect(result.ok).toBe(true);
    for (const field of KEY_USAGE_FIELDS) expect(detailsOf(result)).not.toHaveProperty(field);
  });

  it("never asks IAM about a temporary key with a session token", async () => {
    const result = await awsAdapter.checkHealth(temporaryKey, context());
    expect(result).toMatchObject({ ok: true, identity: { label: TEMPORARY.arn } });
    for (const field of KEY_USAGE_FIELDS) expect(detailsOf(result)).not.toHaveProperty(field);
    expect(iamCalls()).toEqual([]);
    expect(fake.calls.map((call) => call.action)).toEqual(["GetCallerIdentity"]);
  });

  it("knows which keys IAM keeps a record of", () => {
    expect(hasIamRecord(longTermKey)).toBe(true);
    expect(hasIamRecord(temporaryKey)).toBe(false);
    expect(hasIamRecord({ access_key: "ASIAWITHOUTTOKEN0001" })).toBe(false);
  });

  it("gives up within the time budget when IAM does not answer", async () => {
    fake.switches.delayMs = 2_000;
    const session = openAwsSession(longTermKey, { ...context(), timeoutMs: 300 });
    const started = Date.now();
    try {
      expect(await awsKeyUsage(longTermKey, session, "us-east-1")).toEqual({
        key_created_at: null,
        key_last_used_at: null,
        key_last_used_service: null,
        key_last_used_region: null,
      });
    } finally {
      session.close();
    }
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});
