// AWS providers by role: Cloudkeep's own identity (the environment's credential chain, here a key the
// fake knows) assumes the customer's role with the provider's external ID, checks that the role
// refuses anyone without it, and uses the session for checks, listings and CloudTrail. Against the
// wire-level STS/EC2/CloudTrail fake, which verifies every SigV4 signature. Then the database side:
// the external ID nobody can choose, events imported once, and who may read them.
import type postgres from "postgres";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { decryptCredential, parseKeyRing, type KeyRing } from "../../supabase/functions/_shared/crypto/index.ts";
import { asService, withRls } from "../../supabase/functions/_shared/db.ts";
import { checkProviderHealth } from "../../supabase/functions/_shared/domain/connectivity.ts";
import { selectEvents } from "../../supabase/functions/_shared/domain/event-queries.ts";
import { DomainError } from "../../supabase/functions/_shared/domain/errors.ts";
import { importEventsOnSchedule, importProviderEvents } from "../../supabase/functions/_shared/domain/provider-events.ts";
import { createProvider, rotateProviderCredentials, type VaultContext } from "../../supabase/functions/_shared/domain/providers.ts";
import { clearRoleSessions } from "../../supabase/functions/_shared/providers/aws-assume-role.ts";
import { listAllEvents } from "../../supabase/functions/_shared/providers/aws-cloudtrail.ts";
import { CLOUDKEEP_ROLE_ACTIONS, permissionsPolicy } from "../../supabase/functions/_shared/providers/aws-role-templates.ts";
import { awsAdapter } from "../../supabase/functions/_shared/providers/aws.ts";
import type { AdapterContext, HealthResult, ProviderFailure } from "../../supabase/functions/_shared/providers/types.ts";
import type { AwsRoleCredentials } from "../../supabase/functions/_shared/schemas/providers.ts";
import { fakeTrailEvents } from "../fakes/aws-cloudtrail.ts";
import { CLOUDKEEP_KEY, startAwsFake, type AwsFake, type AwsFakeRole } from "../fakes/aws.ts";
import { attempt, connect, type TestUser } from "../support/db.ts";
import { createPersonas, type Personas } from "../support/personas.ts";
import { firstRow } from "../support/rows.ts";
import { trustedCidrs } from "../support/stack.ts";

const ROLE = "arn:aws:iam::444455556666:role/ops/CloudkeepReadOnly";
const EXTERNAL_ID = `ck${"7".repeat(64)}`;
const AWS_ENV = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_ENDPOINT_URL_STS",
  "AWS_ENDPOINT_URL",
  "AWS_PROFILE",
  "CLOUDKEEP_AWS_PRINCIPAL_ARN",
  "AWS_EC2_METADATA_DISABLED",
  "AWS_SHARED_CREDENTIALS_FILE",
  "AWS_CONFIG_FILE",
];

let fake: AwsFake;
const savedEnv: Record<string, string | undefined> = {};
const outbound = { allowHttp: true, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] };

const role = (overrides: Partial<AwsFakeRole> = {}): AwsFakeRole => ({
  arn: ROLE,
  trusts: CLOUDKEEP_KEY.arn,
  externalId: EXTERNAL_ID,
  enforceExternalId: true,
  ...overrides,
});
const credentials = (overrides: Partial<AwsRoleCredentials> = {}): AwsRoleCredentials => ({
  role_arn: ROLE,
  external_id: EXTERNAL_ID,
  ...overrides,
});
const context = (overrides: Partial<AdapterContext> = {}): AdapterContext => ({
  apiEndpoint: fake.url,
  regions: [],
  outbound,
  timeoutMs: 8_000,
  ...overrides,
});

/** Cloudkeep's own identity, as a deployment gives it: the standard AWS environment. */
function useCloudkeepIdentity(stsUrl: string) {
  for (const name of AWS_ENV) if (!(name in savedEnv)) savedEnv[name] = process.env[name];
  for (const name of AWS_ENV) delete process.env[name];
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: CLOUDKEEP_KEY.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CLOUDKEEP_KEY.secretAccessKey,
    AWS_ENDPOINT_URL_STS: stsUrl,
    CLOUDKEEP_AWS_PRINCIPAL_ARN: CLOUDKEEP_KEY.arn,
    // No instance metadata service, no ~/.aws files: the environment is the only identity.
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/cloudkeep-test-credentials",
    AWS_CONFIG_FILE: "/nonexistent/cloudkeep-test-config",
  });
}

function restoreEnv() {
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

function failureOf(result: HealthResult): ProviderFailure {
  if (result.ok) throw new Error(`expected the check to fail, it passed as ${result.identity.label}`);
  return result.error;
}

const assumeCalls = () => fake.callsOf("AssumeRole");
const ownCalls = () => fake.calls.filter((call) => call.accessKeyId === CLOUDKEEP_KEY.accessKeyId);

beforeAll(async () => {
  fake = await startAwsFake({ keys: [CLOUDKEEP_KEY], roles: [role()] });
  useCloudkeepIdentity(fake.url);
});
afterAll(async () => {
  restoreEnv();
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  clearRoleSessions();
});

describe("assuming a customer's role", () => {
  it("assumes the role with the external ID, proves the ID is required, and reports the role's account", async () => {
    const result = await awsAdapter.checkHealth(credentials(), context());
    expect(result).toMatchObject({
      ok: true,
      identity: {
        account: "444455556666",
        label: "arn:aws:sts::444455556666:assumed-role/CloudkeepReadOnly/cloudkeep",
        details: { role_arn: ROLE, external_id_required: "yes" },
      },
    });
    // One AssumeRole with the provider's external ID, one without it that AWS refused.
    expect(assumeCalls().map((call) => [call.externalId, call.status])).toEqual([
      [EXTERNAL_ID, 200],
      [null, 403],
    ]);
    // Cloudkeep's own key signs AssumeRole and nothing else; the rest runs on the role's session.
    expect(ownCalls().every((call) => call.action === "AssumeRole")).toBe(true);
    const sessionCalls = fake.calls.filter((call) => call.accessKeyId?.startsWith("ASIA"));
    expect(sessionCalls.map((call) => call.action).sort()).toEqual([
      "DescribeInstances",
      "DescribeRegions",
      "GetCallerIdentity",
      "LookupEvents",
    ]);
  });

  it("fails a role whose trust policy does not require the external ID, and gives the condition to add", async () => {
    fake.roles = [role({ enforceExternalId: false })];
    const failure = failureOf(await awsAdapter.checkHealth(credentials(), context()));
    expect(failure.code).toBe("external_id_not_required");
    expect(failure.message).toContain("trust policy does not require the external ID");
    expect(failure.hint).toContain(`"Condition": {"StringEquals":{"sts:ExternalId":"${EXTERNAL_ID}"}}`);
    expect(failure.hint).toContain(CLOUDKEEP_KEY.arn);
    // Nothing ran on the role's session: Cloudkeep does not use such a role at all.
    expect(fake.calls.filter((call) => call.accessKeyId?.startsWith("ASIA"))).toEqual([]);
    // And nothing is cached: the next check asks AWS again.
    await awsAdapter.checkHealth(credentials(), context());
    expect(assumeCalls().filter((call) => call.externalId === EXTERNAL_ID)).toHaveLength(2);
  });

  it.each([
    ["external ID mismatch", () => (fake.roles = [role({ externalId: `ck${"8".repeat(64)}` })])],
    ["role not found", () => (fake.roles = [role({ arn: "arn:aws:iam::444455556666:role/ops/Other" })])],
    ["not trusted by Cloudkeep", () => (fake.roles = [role({ trusts: "arn:aws:iam::999999999999:role/someone-else" })])],
  ])("explains a refusal (%s) with the role, the principal and the external ID to check", async (cause, arrange) => {
    arrange();
    const failure = failureOf(await awsAdapter.checkHealth(credentials(), context()));
    expect(failure).toMatchObject({ code: "assume_role_denied", status: 403 });
    expect(failure.message).toContain(ROLE);
    // AWS answers all three alike; the hint names each cause with this provider's values.
    expect(failure.hint).toContain(cause);
    expect(failure.hint).toContain("account 444455556666");
    expect(failure.hint).toContain(CLOUDKEEP_KEY.arn);
    expect(failure.hint).toContain(EXTERNAL_ID);
  });

  it.each(["ec2:DescribeInstances", "ec2:DescribeRegions", "cloudtrail:LookupEvents"])(
    "names the missing permission %s",
    async (action) => {
      fake.roles = [role({ denied: [action] })];
      const failure = failureOf(await awsAdapter.checkHealth(credentials(), context()));
      expect(failure).toMatchObject({ code: "missing_permission", status: 403 });
      expect(failure.message).toBe(`Cloudkeep can assume ${ROLE} but may not call ${action}.`);
      expect(failure.hint).toContain(`Allow ${action}`);
    },
  );

  it("keeps the session in memory: two checks, one AssumeRole with the external ID", async () => {
    expect((await awsAdapter.checkHealth(credentials(), context())).ok).toBe(true);
    expect((await awsAdapter.checkHealth(credentials(), context())).ok).toBe(true);
    expect(assumeCalls().filter((call) => call.externalId === EXTERNAL_ID)).toHaveLength(1);
    expect(assumeCalls()).toHaveLength(2);
    expect(fake.callsOf("GetCallerIdentity")).toHaveLength(2);
  });

  it("asks for 900-second sessions and assumes again once AWS stops accepting one", async () => {
    expect((await awsAdapter.checkHealth(credentials(), context())).ok).toBe(true);
    const minted = fake.keys.filter((key) => key.role);
    expect(minted).toHaveLength(1);
    expect(minted[0]!.expiresAt! - Date.now()).toBeLessThanOrEqual(900_000);
    expect(minted[0]!.expiresAt! - Date.now()).toBeGreaterThan(890_000);
    minted[0]!.expired = true;
    expect(failureOf(await awsAdapter.checkHealth(credentials(), context())).code).toBe("ExpiredToken");
    expect((await awsAdapter.checkHealth(credentials(), context())).ok).toBe(true);
    expect(assumeCalls().filter((call) => call.externalId === EXTERNAL_ID)).toHaveLength(2);
  });

  it("drops the role's session when EC2 answers RequestExpired to a listing, and assumes again next time", async () => {
    expect((await awsAdapter.listResources(credentials(), context({ regions: ["us-east-1"] }))).resources.length).toBeGreaterThan(0);
    const minted = fake.keys.filter((key) => key.role);
    expect(minted).toHaveLength(1);
    minted[0]!.expired = true;
    await expect(awsAdapter.listResources(credentials(), context({ regions: ["us-east-1"] }))).rejects.toMatchObject({
      code: "ExpiredToken",
      status: 401,
    });
    expect(fake.callsOf("DescribeRegions").at(-1)?.code).toBe("RequestExpired");
    expect((await awsAdapter.listResources(credentials(), context({ regions: ["us-east-1"] }))).resources.length).toBeGreaterThan(0);
    expect(assumeCalls().filter((call) => call.externalId === EXTERNAL_ID)).toHaveLength(2);
  });

  it("uses the read-only role for checks when one is given", async () => {
    const readOnly = "arn:aws:iam::444455556666:role/CloudkeepAudit";
    fake.roles = [role({ arn: readOnly })];
    // Only the read-only role exists here: the check passes only if it is the one assumed.
    const result = await awsAdapter.checkHealth(credentials({ read_only_role_arn: readOnly }), context());
    expect(result).toMatchObject({
      ok: true,
      identity: { label: "arn:aws:sts::444455556666:assumed-role/CloudkeepAudit/cloudkeep", details: { role_arn: readOnly } },
    });
  });

  it("cannot try a role before the provider is saved: the external ID comes with saving", async () => {
    const failure = failureOf(await awsAdapter.checkHealth(credentials({ external_id: undefined }), context()));
    expect(failure.code).toBe("external_id_not_assigned");
    expect(fake.calls).toEqual([]);
  });

  it("says when Cloudkeep itself has no AWS identity, rather than blaming the role", async () => {
    const { AWS_ACCESS_KEY_ID: keyId, AWS_SECRET_ACCESS_KEY: secret } = process.env;
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    try {
      const failure = failureOf(await awsAdapter.checkHealth(credentials(), context()));
      expect(failure.code).toBe("cloudkeep_identity_unavailable");
      expect(failure.hint).toContain("CLOUDKEEP_AWS_PRINCIPAL_ARN");
    } finally {
      Object.assign(process.env, { AWS_ACCESS_KEY_ID: keyId, AWS_SECRET_ACCESS_KEY: secret });
    }
  });

  it("sends Cloudkeep's own signature only to Cloudkeep's STS endpoint, never to the provider's endpoint", async () => {
    const customer = await startAwsFake();
    try {
      const result = await awsAdapter.checkHealth(credentials(), context({ apiEndpoint: customer.url }));
      // The customer's endpoint does not know the session keys AWS STS issued: the check fails there.
      expect(result.ok).toBe(false);
      expect(assumeCalls()).toHaveLength(2);
      expect(customer.calls.length).toBeGreaterThan(0);
      expect(customer.calls.every((call) => call.accessKeyId?.startsWith("ASIA"))).toBe(true);
    } finally {
      await customer.close();
    }
  });

  it("lists instances with the role's session", async () => {
    fake.switches.resourceCount = 3;
    const listing = await awsAdapter.listResources(credentials(), context({ regions: ["us-east-1", "eu-west-1"] }));
    expect(listing.resources).toHaveLength(6);
    expect(fake.callsOf("DescribeInstances").every((call) => call.accessKeyId?.startsWith("ASIA"))).toBe(true);
  });

  it("grants in its permissions policy exactly the actions Cloudkeep called with the role", async () => {
    fake.aws.trail["us-east-1"] = fakeTrailEvents("us-east-1", 3);
    // A cluster and a load balancer, so that listing them describes the one and reads the other's tags too.
    fake.aws.clusters = 1;
    fake.aws.loadBalancers = 1;
    await awsAdapter.checkHealth(credentials(), context());
    await awsAdapter.listResources(credentials(), context());
    await listAllEvents(credentials(), { ...context(), region: "us-east-1" });
    // S3's ListBuckets operation is authorized as the IAM action s3:ListAllMyBuckets.
    const iamAction = (call: { service: string | null; action: string | null }) =>
      call.service === "s3" && call.action === "ListBuckets" ? "s3:ListAllMyBuckets" : `${call.service}:${call.action}`;
    const called = new Set(fake.calls.filter((call) => call.accessKeyId?.startsWith("ASIA")).map(iamAction));
    expect([...called].sort()).toEqual([...CLOUDKEEP_ROLE_ACTIONS].sort());
    expect(permissionsPolicy().Statement[0]?.Action).toEqual([...CLOUDKEEP_ROLE_ACTIONS]);
  });
});

describe("CloudTrail LookupEvents", () => {
  it("follows NextToken to the last page and normalizes who, what, when and which resource", async () => {
    const newest = Date.UTC(2026, 10, 20, 12, 0, 0);
    fake.aws.trail["eu-west-1"] = fakeTrailEvents("eu-west-1", 120, newest);
    const { events, pages, truncated } = await listAllEvents(credentials(), { ...context(), region: "eu-west-1" });
    expect(events).toHaveLength(120);
    expect(new Set(events.map((event) => event.event_id)).size).toBe(120);
    expect({ pages, truncated }).toEqual({ pages: 3, truncated: false });
    const lookups = fake.callsOf("LookupEvents", "eu-west-1");
    expect(lookups).toHaveLength(3);
    expect(lookups.every((call) => call.status === 200)).toBe(true);
    expect(events[0]).toEqual({
      event_id: fakeTrailEvents("eu-west-1", 1, newest)[0]?.id,
      event_name: "RunInstances",
      event_source: "ec2.amazonaws.com",
      username: "alice",
      event_time: new Date(newest).toISOString(),
      resources: [{ type: "AWS::EC2::Instance", name: "i-00000000000000000" }],
      region: "eu-west-1",
      read_only: false,
      console_url: `https://eu-west-1.console.aws.amazon.com/cloudtrailv2/home?region=eu-west-1#/events/${events[0]?.event_id}`,
    });
  });

  it("sends one lookup attribute to CloudTrail and applies the others to each page", async () => {
    fake.aws.trail["us-east-1"] = fakeTrailEvents("us-east-1", 60);
    const { events } = await listAllEvents(credentials(), {
      ...context(),
      region: "us-east-1",
      filters: { readOnly: false, username: "bob" },
    });
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((event) => event.read_only === false && event.username === "bob")).toBe(true);
  });

  it("stops at the page limit and says the window was cut", async () => {
    fake.aws.trail["us-east-1"] = fakeTrailEvents("us-east-1", 120);
    const result = await listAllEvents(credentials(), { ...context(), region: "us-east-1", maxPages: 2 });
    expect(result).toMatchObject({ pages: 2, truncated: true });
    expect(result.events).toHaveLength(100);
  });
});

describe("role providers in the database", () => {
  let sql: postgres.Sql;
  let p: Personas;
  let ring: KeyRing;
  let providerId: string;
  let externalId: string;
  const vault = (user: TestUser): VaultContext => ({ sql, ring, claims: user.claims, trustedCidrs });
  const DB_ROLE = "arn:aws:iam::777788889999:role/CloudkeepReadOnly";

  beforeAll(async () => {
    sql = connect();
    ring = parseKeyRing(inject("stack").encryptionKeys);
    p = await createPersonas(sql, "awsrole");
    await sql`update public.organizations set allow_http_endpoints = true where id = ${p.orgId}`;
    const created = await createProvider(vault(p.admin), p.orgId, {
      name: "Prod by role",
      provider_type: "aws",
      api_endpoint: fake.url,
      auth_method: "assume_role",
      credentials: { role_arn: DB_ROLE },
    });
    providerId = created.id;
    externalId = created.external_id!;
  });
  afterAll(() => sql.end());
  beforeEach(() => {
    fake.roles = [role({ arn: DB_ROLE, externalId })];
  });

  it("issues a random external ID on save, returns it with the provider, and seals it into the credential", async () => {
    expect(externalId).toMatch(/^ck[0-9a-f]{64}$/);
    const row = firstRow(
      await asService(
        sql,
        (tx) => tx`
      select auth_method, account_identifier, credential_hint, external_id, credentials from public.cloud_providers where id = ${providerId}`,
      ),
    );
    expect(row).toMatchObject({
      auth_method: "assume_role",
      account_identifier: "777788889999",
      credential_hint: "role/CloudkeepReadOnly",
      external_id: externalId,
    });
    const sealed = await decryptCredential(ring, { organizationId: p.orgId, providerId }, row.credentials);
    expect(sealed).toEqual({ role_arn: DB_ROLE, external_id: externalId });
    // A second provider gets its own.
    const other = await createProvider(vault(p.admin), p.orgId, {
      name: "Other",
      provider_type: "aws",
      credentials: { role_arn: "arn:aws:iam::123412341234:role/X" },
    });
    expect(other.external_id).toMatch(/^ck[0-9a-f]{64}$/);
    expect(other.external_id).not.toBe(externalId);
  });

  it("lets no one choose or change an external ID", async () => {
    const chosen = `ck${"0".repeat(64)}`;
    const insert = await attempt(
      sql,
      p.admin.claims,
      (tx) => tx`
      insert into public.cloud_providers (organization_id, name, provider_type, auth_method, credentials, credential_fingerprint, external_id)
      values (${p.orgId}, 'Chosen', 'aws', 'assume_role', '{"ct":"x","wk":"y"}', 'k:chosen', ${chosen}) returning external_id`,
    );
    expect(insert).toMatchObject({ ok: false, code: "42501" });
    // Without naming the column the insert is allowed, and the database picks the ID.
    const direct = await attempt(
      sql,
      p.admin.claims,
      (tx) => tx<{ external_id: string }[]>`
      insert into public.cloud_providers (organization_id, name, provider_type, auth_method, credentials, credential_fingerprint)
      values (${p.orgId}, 'Direct', 'aws', 'assume_role', '{"ct":"x","wk":"y"}', 'k:direct') returning external_id`,
    );
    expect(direct.ok && direct.value[0]?.external_id).toMatch(/^ck[0-9a-f]{64}$/);
    expect(
      await attempt(sql, p.owner.claims, (tx) => tx`update public.cloud_providers set external_id = ${chosen} where id = ${providerId}`),
    ).toMatchObject({ ok: false, code: "42501" });
    // Even the service role cannot change one: a trigger guards it.
    const service = await asService(
      sql,
      (tx) => tx`update public.cloud_providers set external_id = ${chosen} where id = ${providerId}`,
    ).then(
      () => null,
      (error: { code?: string; message?: string }) => error,
    );
    expect(service).toMatchObject({ code: "42501", message: "external_id cannot be changed" });
  });

  it("gives non-AWS providers no external ID", async () => {
    const created = await createProvider(vault(p.admin), p.orgId, {
      name: "Droplets",
      provider_type: "digitalocean",
      credentials: { access_key: `dop_v1_${"a1".repeat(32)}` },
    });
    expect(created.external_id).toBeNull();
  });

  it("keeps the provider's external ID when its access key is rotated to a role", async () => {
    const keys = await createProvider(vault(p.admin), p.orgId, {
      name: "Was keys",
      provider_type: "aws",
      credentials: { access_key: "AKIAROTATE0000000001", secret_key: "r".repeat(40) },
    });
    const rotated = await rotateProviderCredentials(vault(p.admin), keys.id, {
      auth_method: "assume_role",
      role_arn: "arn:aws:iam::222233334444:role/Reader",
    });
    expect(rotated).toMatchObject({ auth_method: "assume_role", external_id: keys.external_id, credential_hint: "role/Reader" });
    const row = firstRow(await asService(sql, (tx) => tx`select credentials from public.cloud_providers where id = ${keys.id}`));
    expect(await decryptCredential(ring, { organizationId: p.orgId, providerId: keys.id }, row.credentials)).toEqual({
      role_arn: "arn:aws:iam::222233334444:role/Reader",
      external_id: keys.external_id,
    });
  });

  it("checks the role through the domain with the sealed external ID and marks the provider healthy", async () => {
    const { result } = await checkProviderHealth({ ...vault(p.member), timeoutMs: 8_000 }, providerId, "manual");
    expect(result.ok).toBe(true);
    expect(assumeCalls().find((call) => call.externalId === externalId)).toBeDefined();
    const row = firstRow(await sql`select status from public.cloud_providers where id = ${providerId}`);
    expect(row.status).toBe("healthy");
  });

  it("imports changes once: overlapping imports add only what is new", async () => {
    fake.aws.trail["us-east-1"] = fakeTrailEvents("us-east-1", 90);
    const first = await importProviderEvents({ ...vault(p.member), timeoutMs: 8_000 }, providerId);
    // Every third fake event is a read, which the change timeline leaves out.
    expect(first).toMatchObject({ added: 60, fetched: 60, regions: ["us-east-1"], partialFailures: [], truncated: [] });
    const again = await importProviderEvents({ ...vault(p.member), timeoutMs: 8_000 }, providerId);
    // The second looks back only from a while before the newest stored event.
    expect(again.added).toBe(0);
    expect(again.fetched).toBeGreaterThan(0);
    expect(again.fetched).toBeLessThan(60);
    fake.aws.trail["us-east-1"].push(...fakeTrailEvents("us-east-1", 3, Date.now() + 60_000, 1000));
    expect((await importProviderEvents({ ...vault(p.member), timeoutMs: 8_000 }, providerId)).added).toBe(2);
    const { stored } = firstRow(await sql`select count(*)::int as stored from public.provider_events where provider_id = ${providerId}`);
    expect(stored).toBe(62);
    const [state] = await sql`select added, regions from public.provider_event_imports where provider_id = ${providerId}`;
    expect(state).toMatchObject({ added: 2, regions: ["us-east-1"] });
  });

  it("filters and pages the stored timeline, newest first", async () => {
    const page = await withRls(sql, p.member.claims, (tx) => selectEvents(tx, providerId, { user: "ALI", limit: 5 }));
    expect(page.events).toHaveLength(5);
    expect(page.events.every((event) => event.username === "alice")).toBe(true);
    const times = page.events.map((event) => new Date(event.event_time).getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const next = await withRls(sql, p.member.claims, (tx) =>
      selectEvents(tx, providerId, { user: "ali", limit: 5, cursor: page.nextCursor }),
    );
    expect(next.events[0]?.event_time.getTime()).toBeLessThan(times[4]!);
    const resource = page.events[0]!.resources[0]!.name!;
    const byResource = await withRls(sql, p.member.claims, (tx) => selectEvents(tx, providerId, { resource: resource.slice(2) }));
    expect(byResource.events.every((event) => event.resources.some((r) => r.name?.includes(resource.slice(2))))).toBe(true);
    const byName = await withRls(sql, p.member.claims, (tx) => selectEvents(tx, providerId, { eventName: "createbucket", limit: 200 }));
    expect(byName.events.length).toBeGreaterThan(0);
    expect(byName.events.every((event) => event.event_name === "CreateBucket")).toBe(true);
  });

  it("lets members and above read the timeline, and nobody write it directly", async () => {
    for (const persona of ["owner", "admin", "member"] as const) {
      const read = await attempt(
        sql,
        p[persona].claims,
        (tx) => tx`select count(*)::int as n from public.provider_events where provider_id = ${providerId}`,
      );
      expect(read, persona).toMatchObject({ ok: true, value: [{ n: 62 }] });
    }
    for (const persona of ["viewer", "outsider"] as const) {
      const read = await attempt(
        sql,
        p[persona].claims,
        (tx) => tx`select count(*)::int as n from public.provider_events where provider_id = ${providerId}`,
      );
      expect(read, persona).toMatchObject({ ok: true, value: [{ n: 0 }] });
      const imports = await attempt(
        sql,
        p[persona].claims,
        (tx) => tx`select count(*)::int as n from public.provider_event_imports where provider_id = ${providerId}`,
      );
      expect(imports, persona).toMatchObject({ ok: true, value: [{ n: 0 }] });
    }
    expect(await attempt(sql, null, (tx) => tx`select 1 from public.provider_events`)).toMatchObject({ ok: false, code: "42501" });
    for (const persona of ["owner", "admin"] as const) {
      const claims = p[persona].claims;
      expect(
        await attempt(
          sql,
          claims,
          (tx) => tx`
        insert into public.provider_events (provider_id, organization_id, event_id, event_name, event_time, region)
        values (${providerId}, ${p.orgId}, 'forged', 'DeleteTrail', now(), 'us-east-1')`,
        ),
      ).toMatchObject({ ok: false, code: "42501" });
      expect(
        await attempt(sql, claims, (tx) => tx`update public.provider_events set event_name = 'Nothing' where provider_id = ${providerId}`),
      ).toMatchObject({ ok: false, code: "42501" });
      expect(await attempt(sql, claims, (tx) => tx`delete from public.provider_events where provider_id = ${providerId}`)).toMatchObject({
        ok: false,
        code: "42501",
      });
    }
    const forged = [{ event_id: "forged", event_name: "DeleteTrail", event_time: new Date().toISOString(), region: "us-east-1" }];
    // Only the server path that made the call records it (the service role): every persona is refused.
    for (const persona of ["owner", "admin", "member", "viewer", "outsider"] as const) {
      expect(
        await attempt(
          sql,
          p[persona].claims,
          (tx) => tx`select private.record_provider_events(${providerId}, ${tx.json(forged)}, '{us-east-1}', '[]')`,
        ),
      ).toMatchObject({ ok: false, code: "42501" });
    }
  });

  it("refuses a live import to a viewer and hides the provider from an outsider", async () => {
    await expect(importProviderEvents(vault(p.viewer), providerId)).rejects.toMatchObject({ code: "forbidden" });
    await expect(importProviderEvents(vault(p.outsider), providerId)).rejects.toBeInstanceOf(DomainError);
    await expect(importProviderEvents(vault(p.outsider), providerId)).rejects.toMatchObject({ code: "not_found" });
  });

  it("imports on a schedule as the service role, only healthy AWS providers that are due", async () => {
    fake.aws.trail["us-east-1"] = fakeTrailEvents("us-east-1", 4, Date.now() + 120_000, 2000);
    await sql`update public.provider_event_imports set imported_at = now() - interval '1 hour' where provider_id = ${providerId}`;
    const run = await importEventsOnSchedule({ sql, ring, trustedCidrs, organizationIds: [p.orgId], timeoutMs: 8_000 });
    expect(run).toMatchObject({ due: 1, imported: 1, failures: [] });
    expect(run.added).toBe(2);
    // Just imported: not due again.
    expect(await importEventsOnSchedule({ sql, ring, trustedCidrs, organizationIds: [p.orgId] })).toMatchObject({ due: 0, imported: 0 });
  });
});
