// AWS with no secret: the customer's account has an IAM OIDC identity provider for Cloudkeep's issuer
// (the `oidc` edge function behind the test gateway) and a role trusting this provider's subject.
// Cloudkeep calls sts:AssumeRoleWithWebIdentity with a token it issues, and the AWS fake verifies it
// as AWS does: OIDC provider of the account, discovery and JWKS over the network, ES256 signature,
// audience among the client IDs, expiry, then the trust policy's aud and sub conditions.
import type postgres from "postgres";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { decryptCredential, parseKeyRing, type KeyRing } from "../../supabase/functions/_shared/crypto/index.ts";
import { checkProviderHealth, refreshResources, type ConnectivityContext } from "../../supabase/functions/_shared/domain/connectivity.ts";
import { createProvider } from "../../supabase/functions/_shared/domain/providers.ts";
import {
  AWS_WEB_IDENTITY_AUDIENCE,
  federationSubject,
  issuerHostPath,
  OPERATOR_SUBJECT,
} from "../../supabase/functions/_shared/federation/issuer.ts";
import { rotateSigningKey } from "../../supabase/functions/_shared/federation/keys.ts";
import { awsFederationSetup } from "../../supabase/functions/_shared/federation/setup-aws.ts";
import { issueFederationToken, type FederationSupplier } from "../../supabase/functions/_shared/federation/token.ts";
import { clearRoleSessions } from "../../supabase/functions/_shared/providers/aws-assume-role.ts";
import { awsAdapter } from "../../supabase/functions/_shared/providers/aws.ts";
import { clearOperatorSession } from "../../supabase/functions/_shared/providers/aws-web-identity.ts";
import type { AdapterContext, HealthResult, ProviderFailure } from "../../supabase/functions/_shared/providers/types.ts";
import { credentialsSchema } from "../../supabase/functions/_shared/schemas/providers.ts";
import { startAwsFake, type AwsFake, type AwsFakeRole } from "../fakes/aws.ts";
import { enableAwsWebIdentity, type AwsWebIdentity } from "../fakes/aws-web-identity.ts";
import { createOidcVerifier } from "../fakes/oidc-verify.ts";
import { connect } from "../support/db.ts";
import { createPersonas, type Personas } from "../support/personas.ts";
import { firstRow } from "../support/rows.ts";
import { trustedCidrs } from "../support/stack.ts";

const ACCOUNT = "444455556666";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/CloudkeepReadOnly`;

let sql: postgres.Sql;
let ring: KeyRing;
let issuer: string;
let fake: AwsFake;
let aws: AwsWebIdentity;
let people: Personas;

const vault = (claims = people.admin.claims): ConnectivityContext => ({
  sql,
  ring,
  claims,
  trustedCidrs,
  oidcIssuer: issuer,
  timeoutMs: 8_000,
});
const outbound = { allowHttp: true, allowedCidrs: [], trustedCidrs };

function failureOf(result: HealthResult): ProviderFailure {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.identity)}`);
  return result.error;
}

/** The role as the template creates it: trusting the account's OIDC provider for one subject. */
function trustingRole(subject: string | undefined, overrides: Partial<NonNullable<AwsFakeRole["webIdentity"]>> = {}): AwsFakeRole {
  return {
    arn: ROLE,
    trusts: "",
    externalId: "",
    enforceExternalId: false,
    webIdentity: { providerUrl: issuerHostPath(issuer), audience: AWS_WEB_IDENTITY_AUDIENCE, subject, ...overrides },
  };
}

async function addProvider(name: string, as: "admin" | "outsider" = "admin") {
  const outsider = as === "outsider";
  return createProvider(vault(outsider ? people.outsider.claims : people.admin.claims), outsider ? people.outsiderOrgId : people.orgId, {
    name,
    provider_type: "aws",
    api_endpoint: fake.url,
    regions: ["eu-west-1"],
    credentials: { auth_method: "web_identity", role_arn: ROLE, region: "eu-west-1" },
  });
}

beforeAll(async () => {
  sql = connect();
  const stack = inject("stack");
  ring = parseKeyRing(stack.encryptionKeys);
  issuer = `${stack.supabaseUrl}/functions/v1/oidc`;
  people = await createPersonas(sql, "fedaws");
  await sql`update public.organizations set allow_http_endpoints = true where id in (${people.orgId}, ${people.outsiderOrgId})`;
  fake = await startAwsFake({ aws: { regions: ["eu-west-1"] } });
  fake.switches.resourceCount = 3;
});
afterAll(async () => {
  await fake?.close();
  await sql?.end({ timeout: 5 });
});
beforeEach(() => {
  fake.reset();
  fake.switches.resourceCount = 3;
  fake.aws.regions = ["eu-west-1"];
  aws = enableAwsWebIdentity(
    fake,
    [{ account: ACCOUNT, url: issuerHostPath(issuer), clientIds: [AWS_WEB_IDENTITY_AUDIENCE] }],
    createOidcVerifier({ jwksCacheMs: 0 }),
  );
  clearRoleSessions();
});
afterEach(async () => {
  await sql`delete from public.cloud_providers where organization_id in (${people.orgId}, ${people.outsiderOrgId})`;
});

describe("AWS by web identity federation", () => {
  it("takes a role ARN and auth_method web_identity, stores no secret, and refuses keys or an external ID alongside", async () => {
    const schema = credentialsSchema("aws");
    expect(schema.parse({ auth_method: "web_identity", role_arn: ROLE })).toEqual({ auth_method: "web_identity", role_arn: ROLE });
    expect(schema.safeParse({ auth_method: "web_identity", role_arn: ROLE, access_key: "AKIAIOSFODNN7EXAMPLE" }).success).toBe(false);
    expect(schema.safeParse({ auth_method: "web_identity", role_arn: ROLE, external_id: "x".repeat(40) }).success).toBe(false);
    expect(schema.safeParse({ auth_method: "web_identity" }).success).toBe(false);

    const provider = await addProvider("AWS no secret");
    expect(provider).toMatchObject({ auth_method: "web_identity", account_identifier: ACCOUNT, credential_hint: "role/CloudkeepReadOnly" });
    const row = firstRow(
      await sql<
        { credentials: never; external_id: string | null }[]
      >`select credentials, external_id from public.cloud_providers where id = ${provider.id}`,
    );
    const stored = await decryptCredential(ring, { organizationId: people.orgId, providerId: provider.id }, row.credentials);
    expect(stored).toEqual({ auth_method: "web_identity", role_arn: ROLE, region: "eu-west-1" });
  });

  it("assumes the role with its token (unsigned), proves another provider's token is refused, checks and lists", async () => {
    const provider = await addProvider("AWS federated");
    const subject = federationSubject(people.orgId, provider.id);
    fake.roles = [trustingRole(subject)];
    const { result } = await checkProviderHealth(vault(people.member.claims), provider.id);
    expect(result).toMatchObject({ ok: true, identity: { account: ACCOUNT, details: { role_arn: ROLE, subject, subject_pinned: "yes" } } });
    // The provider's token, then the probe for another (nonexistent) provider, which the role refused.
    expect(aws.exchanges.map((e) => [e.ok, e.aud, e.sub === subject])).toEqual([
      [true, AWS_WEB_IDENTITY_AUDIENCE, true],
      [false, AWS_WEB_IDENTITY_AUDIENCE, false],
    ]);
    expect(String(aws.exchanges[1]?.sub)).toMatch(new RegExp(`^org:${people.orgId}:provider:[0-9a-f-]{36}$`));
    // No call was signed with anything but the role's session: Cloudkeep has no AWS identity here.
    expect(fake.callsOf("AssumeRoleWithWebIdentity").every((call) => call.accessKeyId === null)).toBe(true);
    expect(fake.calls.filter((c) => c.action !== "AssumeRoleWithWebIdentity").every((c) => c.accessKeyId?.startsWith("ASIA"))).toBe(true);

    const listing = await refreshResources(vault(people.member.claims), provider.id);
    expect(listing.resources).toHaveLength(3);
    // Every token issued is audited (jti, aud, kid, exp), the probe's with the subject it named; never the token.
    const audits = await sql<{ metadata: Record<string, unknown>; actor_id: string | null }[]>`
      select metadata, actor_id from public.audit_events where target_id = ${provider.id} and action = 'oidc.token_issued' order by id`;
    // Issued because the member checked and listed: the member is the actor.
    expect(new Set(audits.map((a) => a.actor_id))).toEqual(new Set([people.member.claims.sub]));
    expect(audits.length).toBeGreaterThanOrEqual(2);
    expect(audits.filter((a) => a.metadata.probe_sub)).toHaveLength(1);
    for (const audit of audits)
      expect(audit.metadata).toMatchObject({ aud: AWS_WEB_IDENTITY_AUDIENCE, jti: expect.any(String), kid: expect.any(String) });
  });

  it("refuses to use a role whose trust policy does not pin the subject", async () => {
    const provider = await addProvider("AWS unpinned");
    fake.roles = [trustingRole(undefined)];
    const failure = failureOf((await checkProviderHealth(vault(), provider.id)).result);
    expect(failure.code).toBe("federation_subject_not_pinned");
    expect(failure.hint).toContain(`"${issuerHostPath(issuer)}:sub":"${federationSubject(people.orgId, provider.id)}"`);
    // Nothing ran on the session, and nothing was cached: the next check asks again.
    expect(fake.calls.filter((c) => c.accessKeyId?.startsWith("ASIA"))).toEqual([]);
    await checkProviderHealth(vault(), provider.id);
    expect(aws.exchanges.filter((e) => e.ok)).toHaveLength(4);
  });

  it("refuses a token for another provider: the role trusts one subject only", async () => {
    const bound = await addProvider("AWS bound");
    const other = await addProvider("AWS other", "outsider");
    fake.roles = [trustingRole(federationSubject(people.orgId, bound.id))];
    expect((await checkProviderHealth(vault(), bound.id)).result.ok).toBe(true);
    const failure = failureOf((await checkProviderHealth(vault(people.outsider.claims), other.id)).result);
    expect(failure).toMatchObject({ code: "federation_role_denied", status: 403 });
    expect(failure.hint).toContain(`"${issuerHostPath(issuer)}:sub":"${federationSubject(people.outsiderOrgId, other.id)}"`);
    expect(failure.hint).toContain(`arn:aws:iam::${ACCOUNT}:oidc-provider/${issuerHostPath(issuer)}`);
  });

  it("says the audience did not match, and how to add it", async () => {
    const provider = await addProvider("AWS audience");
    fake.roles = [trustingRole(federationSubject(people.orgId, provider.id))];
    aws.providers[0]!.clientIds = ["some-other-client"];
    const failure = failureOf((await checkProviderHealth(vault(), provider.id)).result);
    expect(failure.code).toBe("federation_audience_mismatch");
    expect(failure.hint).toContain(`--client-id ${AWS_WEB_IDENTITY_AUDIENCE}`);
    expect(aws.exchanges[0]).toMatchObject({ ok: false, refusal: "audience_mismatch" });
  });

  it("says the account has no OIDC provider for the issuer", async () => {
    const provider = await addProvider("AWS no OIDC provider");
    fake.roles = [trustingRole(federationSubject(people.orgId, provider.id))];
    aws.providers.length = 0;
    const failure = failureOf((await checkProviderHealth(vault(), provider.id)).result);
    expect(failure.code).toBe("federation_oidc_provider_missing");
    expect(failure.hint).toContain(`aws iam create-open-id-connect-provider --url ${issuer}`);
  });

  it("says AWS could not reach the issuer when its documents are not where the OIDC provider points", async () => {
    const provider = await addProvider("AWS unreachable");
    const subject = federationSubject(people.orgId, provider.id);
    fake.roles = [trustingRole(subject)];
    const elsewhere = `${issuer}/nowhere`;
    aws.providers[0]!.url = issuerHostPath(elsewhere);
    const context: AdapterContext = {
      apiEndpoint: fake.url,
      regions: [],
      outbound,
      timeoutMs: 8_000,
      federation: {
        issuer: elsewhere,
        subject,
        token: async (audience) =>
          (
            await issueFederationToken(
              { sql, ring, issuer: elsewhere },
              { organizationId: people.orgId, providerId: provider.id, audience },
            )
          ).token,
      },
    };
    const failure = failureOf(await awsAdapter.checkHealth({ auth_method: "web_identity", role_arn: ROLE }, context));
    expect(failure).toMatchObject({ code: "federation_issuer_unreachable", retryable: true });
    expect(failure.hint).toContain(`${elsewhere}/.well-known/openid-configuration`);
  });

  it("reports an expired token as such, and never repeats the token", async () => {
    const provider = await addProvider("AWS expired");
    const subject = federationSubject(people.orgId, provider.id);
    fake.roles = [trustingRole(subject)];
    let issued = "";
    const expired: FederationSupplier = {
      issuer,
      subject,
      token: async (audience) => {
        issued = (
          await issueFederationToken(
            { sql, ring, issuer },
            {
              organizationId: people.orgId,
              providerId: provider.id,
              audience,
              lifetimeSeconds: 60,
              now: new Date(Date.now() - 10 * 60_000),
            },
          )
        ).token;
        return issued;
      },
    };
    const failure = failureOf(
      await awsAdapter.checkHealth(
        { auth_method: "web_identity", role_arn: ROLE },
        { apiEndpoint: fake.url, regions: [], outbound, timeoutMs: 8_000, federation: expired },
      ),
    );
    expect(failure.code).toBe("federation_token_expired");
    expect(aws.exchanges[0]).toMatchObject({ ok: false, refusal: "expired" });
    expect(issued).not.toBe("");
    expect(JSON.stringify(failure)).not.toContain(issued.split(".")[2]);
  });

  it("keeps working across a signing key rotation: AWS fetches the JWKS that already holds the new key", async () => {
    const provider = await addProvider("AWS rotation");
    fake.roles = [trustingRole(federationSubject(people.orgId, provider.id))];
    expect((await checkProviderHealth(vault(), provider.id)).result.ok).toBe(true);
    const rotation = await rotateSigningKey(sql, ring, { publishAheadSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, rotation.activeFrom.getTime() - Date.now()) + 100));
    clearRoleSessions();
    expect((await checkProviderHealth(vault(), provider.id)).result.ok).toBe(true);
    const latest = firstRow(
      await sql<{ metadata: { kid: string } }[]>`
      select metadata from public.audit_events where target_id = ${provider.id} and action = 'oidc.token_issued' order by id desc limit 1`,
    );
    expect(latest.metadata.kid).toBe(rotation.kid);
  });

  it("names the permission the role lacks", async () => {
    const provider = await addProvider("AWS permission");
    fake.roles = [{ ...trustingRole(federationSubject(people.orgId, provider.id)), denied: ["ec2:DescribeInstances"] }];
    const failure = failureOf((await checkProviderHealth(vault(), provider.id)).result);
    expect(failure).toMatchObject({
      code: "missing_permission",
      message: `Cloudkeep can assume ${ROLE} but may not call ec2:DescribeInstances.`,
    });
  });

  it("cannot check unsaved credentials: the subject names the provider", async () => {
    const failure = failureOf(
      await awsAdapter.checkHealth({ auth_method: "web_identity", role_arn: ROLE }, { apiEndpoint: fake.url, regions: [], outbound }),
    );
    expect(failure.code).toBe("federation_unavailable");
    expect(aws.exchanges).toEqual([]);
  });

  it("generates the OIDC provider and role that trust this provider's subject only (CloudFormation, Terraform, AWS CLI)", async () => {
    const provider = await addProvider("AWS setup");
    const subject = federationSubject(people.orgId, provider.id);
    const setup = awsFederationSetup(provider, issuer)!;
    expect(setup).toMatchObject({ cloud: "aws", issuer, subject, audience: AWS_WEB_IDENTITY_AUDIENCE, principal: ROLE });
    const template = JSON.parse(setup.cloudformation!) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    expect(template.Resources.CloudkeepOidcProvider).toMatchObject({
      Type: "AWS::IAM::OIDCProvider",
      Properties: { Url: issuer, ClientIdList: [AWS_WEB_IDENTITY_AUDIENCE] },
    });
    const trust = JSON.stringify(template.Resources.CloudkeepRole?.Properties.AssumeRolePolicyDocument);
    expect(trust).toContain("sts:AssumeRoleWithWebIdentity");
    expect(trust).toContain(`"${issuerHostPath(issuer)}:sub":"${subject}"`);
    expect(trust).toContain(`"${issuerHostPath(issuer)}:aud":"${AWS_WEB_IDENTITY_AUDIENCE}"`);
    expect(setup.terraform).toContain('resource "aws_iam_openid_connect_provider" "cloudkeep"');
    expect(setup.terraform).toContain(subject);
    expect(setup.commands).toContain(
      `aws iam create-open-id-connect-provider --url ${issuer} --client-id-list ${AWS_WEB_IDENTITY_AUDIENCE}`,
    );

    // What the template sets up is what the fake (AWS) accepts.
    fake.roles = [trustingRole(subject)];
    expect((await checkProviderHealth(vault(), provider.id)).result.ok).toBe(true);
  });
});

describe("Cloudkeep's own AWS identity from its issuer (operators)", () => {
  const OPERATOR_ROLE = "arn:aws:iam::111122223333:role/cloudkeep-operator";
  const CUSTOMER_ROLE = "arn:aws:iam::777788889999:role/CloudkeepReadOnly";
  const ENV = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL",
    "AWS_PROFILE",
    "CLOUDKEEP_AWS_PRINCIPAL_ARN",
    "CLOUDKEEP_AWS_OPERATOR_ROLE_ARN",
    "AWS_EC2_METADATA_DISABLED",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_CONFIG_FILE",
  ];
  const saved: Record<string, string | undefined> = {};
  beforeAll(() => {
    for (const name of ENV) saved[name] = process.env[name];
    for (const name of ENV) delete process.env[name];
  });
  beforeEach(() => {
    // No AWS key anywhere: only the operator role, its STS endpoint, and nowhere else to look.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_STS: fake.url,
      CLOUDKEEP_AWS_OPERATOR_ROLE_ARN: OPERATOR_ROLE,
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent",
      AWS_CONFIG_FILE: "/nonexistent",
    });
    clearOperatorSession();
    // The operator's own account trusts the issuer too.
    aws.providers.push({ account: "111122223333", url: issuerHostPath(issuer), clientIds: [AWS_WEB_IDENTITY_AUDIENCE] });
  });
  afterAll(() => {
    for (const name of ENV) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  async function addRoleProvider() {
    return createProvider(vault(), people.orgId, {
      name: "AWS by role, operator by issuer",
      provider_type: "aws",
      api_endpoint: fake.url,
      regions: ["eu-west-1"],
      credentials: { auth_method: "assume_role", role_arn: CUSTOMER_ROLE, region: "eu-west-1" },
    });
  }

  it("assumes customers' roles with a session of the operator role, taken with Cloudkeep's own token", async () => {
    const provider = await addRoleProvider();
    const { external_id: externalId } = firstRow(
      await sql<{ external_id: string }[]>`select external_id from public.cloud_providers where id = ${provider.id}`,
    );
    fake.roles = [
      {
        arn: OPERATOR_ROLE,
        trusts: "",
        externalId: "",
        enforceExternalId: false,
        webIdentity: { providerUrl: issuerHostPath(issuer), audience: AWS_WEB_IDENTITY_AUDIENCE, subject: OPERATOR_SUBJECT },
      },
      { arn: CUSTOMER_ROLE, trusts: OPERATOR_ROLE, externalId, enforceExternalId: true },
    ];
    const { result } = await checkProviderHealth(vault(), provider.id);
    expect(result).toMatchObject({ ok: true, identity: { account: "777788889999", details: { external_id_required: "yes" } } });
    expect(aws.exchanges).toEqual([{ ok: true, sub: OPERATOR_SUBJECT, aud: AWS_WEB_IDENTITY_AUDIENCE, roleArn: OPERATOR_ROLE }]);
    // AssumeRole (with and without the external ID) was signed by the operator role's session.
    const assumes = fake.callsOf("AssumeRole");
    expect(assumes.map((call) => call.status)).toEqual([200, 403]);
    expect(assumes.every((call) => call.accessKeyId?.startsWith("ASIA"))).toBe(true);
    const audit = firstRow(
      await sql<{ metadata: Record<string, string> }[]>`
      select metadata from public.audit_events where target_id = ${provider.id} and action = 'oidc.token_issued' order by id`,
    );
    expect(audit.metadata.operator_sub).toBe(OPERATOR_SUBJECT);
  });

  it("says it is Cloudkeep's configuration when the operator role does not trust the issuer", async () => {
    const provider = await addRoleProvider();
    fake.roles = [
      {
        arn: OPERATOR_ROLE,
        trusts: "",
        externalId: "",
        enforceExternalId: false,
        webIdentity: { providerUrl: issuerHostPath(issuer), audience: AWS_WEB_IDENTITY_AUDIENCE, subject: "someone-else" },
      },
    ];
    const failure = failureOf((await checkProviderHealth(vault(), provider.id)).result);
    expect(failure).toMatchObject({ code: "cloudkeep_identity_unavailable", status: 503 });
    expect(failure.message).toContain(OPERATOR_ROLE);
    expect(failure.hint).toContain("This is Cloudkeep's configuration, not your role.");
  });
});
