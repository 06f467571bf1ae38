// Whole AWS organizations (issue 15 part 3): the parent lists the organization's accounts with
// organizations:ListAccounts, through its own keys or its role, against the SigV4-verifying AWS fake;
// each member is then reached by its member role, trusted as the parent's role is.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AWS_WEB_IDENTITY_AUDIENCE, issuerHostPath } from "../../supabase/functions/_shared/federation/issuer.ts";
import { memberRoleStackSetTemplate } from "../../supabase/functions/_shared/federation/setup-aws.ts";
import { clearRoleSessions } from "../../supabase/functions/_shared/providers/aws-assume-role.ts";
import { awsOrganizationDiscovery } from "../../supabase/functions/_shared/providers/aws-organizations.ts";
import { CLOUDKEEP_ROLE_ACTIONS, organizationDiscoveryPolicy } from "../../supabase/functions/_shared/providers/aws-role-templates.ts";
import type { DiscoveredAccount } from "../../supabase/functions/_shared/providers/discovery.ts";
import type { AdapterContext } from "../../supabase/functions/_shared/providers/types.ts";
import { fakeOrganization, type OrganizationsHost } from "../fakes/aws-organizations.ts";
import { AWS_FAKE_KEY, CLOUDKEEP_KEY, startAwsFake, type AwsFake } from "../fakes/aws.ts";
import { enableAwsWebIdentity } from "../fakes/aws-web-identity.ts";
import { startLocalIssuer, type LocalIssuer } from "../support/local-issuer.ts";

const MANAGEMENT = "444455556666";
const ROLE = `arn:aws:iam::${MANAGEMENT}:role/CloudkeepReadOnly`;
const EXTERNAL_ID = `ck${"5".repeat(64)}`;
const outbound = { allowHttp: true, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] };
const ENV = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_ENDPOINT_URL_STS",
  "AWS_ENDPOINT_URL",
  "CLOUDKEEP_AWS_PRINCIPAL_ARN",
];
const saved: Record<string, string | undefined> = {};

let fake: AwsFake;
let issuer: LocalIssuer;
const WEB_ROLE = `arn:aws:iam::${MANAGEMENT}:role/CloudkeepWebIdentity`;
const SUBJECT = "org:0a0a0a0a-0000-4000-8000-000000000001:provider:0b0b0b0b-0000-4000-8000-000000000002";
const host = () => fake as AwsFake & OrganizationsHost;
const context = (): AdapterContext => ({ apiEndpoint: fake.url, regions: [], outbound, timeoutMs: 8_000 });
const keys = { access_key: AWS_FAKE_KEY.accessKeyId, secret_key: AWS_FAKE_KEY.secretAccessKey };
const role = { role_arn: ROLE, external_id: EXTERNAL_ID };
const scope = { cloud: "aws" as const, member_role_name: "CloudkeepMember" };

const members = [
  { Id: "210000000001", Name: "prod" },
  { Id: "210000000002", Name: "staging" },
  { Id: "210000000003", Name: "closed-one", State: "CLOSED" as const },
  { Id: "210000000004", Name: "suspended-one", State: "SUSPENDED" as const },
  { Id: "210000000005", Name: "closing", State: "PENDING_CLOSURE" as const },
];

beforeAll(async () => {
  issuer = await startLocalIssuer("ES256");
  fake = await startAwsFake({
    keys: [CLOUDKEEP_KEY],
    roles: [
      { arn: ROLE, trusts: CLOUDKEEP_KEY.arn, externalId: EXTERNAL_ID, enforceExternalId: true },
      {
        arn: WEB_ROLE,
        trusts: "",
        externalId: "",
        enforceExternalId: false,
        webIdentity: { providerUrl: issuerHostPath(issuer.issuer), audience: AWS_WEB_IDENTITY_AUDIENCE, subject: SUBJECT },
      },
    ],
  });
  enableAwsWebIdentity(fake, [{ account: MANAGEMENT, url: issuerHostPath(issuer.issuer), clientIds: [AWS_WEB_IDENTITY_AUDIENCE] }]);
  for (const name of ENV) saved[name] = process.env[name];
  for (const name of ENV) delete process.env[name];
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: CLOUDKEEP_KEY.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CLOUDKEEP_KEY.secretAccessKey,
    AWS_ENDPOINT_URL_STS: fake.url,
    CLOUDKEEP_AWS_PRINCIPAL_ARN: CLOUDKEEP_KEY.arn,
  });
});
afterAll(async () => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await fake.close();
  await issuer.close();
});
beforeEach(() => {
  fake.reset();
  clearRoleSessions();
  host().organization = fakeOrganization(AWS_FAKE_KEY.account, members);
});

const byId = (accounts: DiscoveredAccount[]) => Object.fromEntries(accounts.map((a) => [a.account, a]));

describe("AWS organization discovery", () => {
  it("lists every account of the organization, page after page, the management account included", async () => {
    fake.switches.maxPageSize = 2;
    const { accounts } = await awsOrganizationDiscovery.discoverAccounts(keys, scope, context());
    expect(accounts.map((a) => a.account)).toEqual([AWS_FAKE_KEY.account, ...members.map((m) => m.Id)]);
    expect(fake.callsOf("AWSOrganizationsV20161128.ListAccounts")).toHaveLength(3);
    // Signed for the global endpoint's region.
    expect(
      fake.callsOf("AWSOrganizationsV20161128.ListAccounts").every((c) => c.region === "us-east-1" && c.service === "organizations"),
    ).toBe(true);
    expect(byId(accounts)["210000000001"]).toEqual({
      account: "210000000001",
      name: "prod",
      unavailable: null,
      details: {
        email: "member-0@example.com",
        state: "ACTIVE",
        joined_method: "INVITED",
        joined_at: "2024-03-01T12:00:00.000Z",
        arn: `arn:aws:organizations::${AWS_FAKE_KEY.account}:account/o-exampleorg01/210000000001`,
      },
    });
  });

  it("says why closed, suspended and closing accounts will not be connected, reading State before the deprecated Status", async () => {
    const found = byId((await awsOrganizationDiscovery.discoverAccounts(keys, scope, context())).accounts);
    // A closed account's Status says SUSPENDED; its State says CLOSED.
    expect(found["210000000003"]?.unavailable).toEqual({ code: "account_closed", message: expect.stringMatching(/closed/) });
    expect(found["210000000004"]?.unavailable).toEqual({ code: "account_suspended", message: expect.stringMatching(/suspended/) });
    expect(found["210000000005"]?.unavailable).toEqual({ code: "account_pending_closure", message: expect.stringMatching(/being closed/) });
  });

  it("refuses an identity without organizations:ListAccounts with what the parent must be", async () => {
    fake.keys[0] = { ...AWS_FAKE_KEY, denied: ["organizations:ListAccounts"] };
    const error = await awsOrganizationDiscovery.discoverAccounts(keys, scope, context()).catch((e: unknown) => e);
    fake.keys[0] = AWS_FAKE_KEY;
    expect(error).toMatchObject({
      code: "organization_access_denied",
      status: 403,
      hint: expect.stringMatching(/management account or a delegated administrator/),
    });
    expect((error as { hint: string }).hint).toMatch(/organizations:ListAccounts/);
  });

  it("refuses a member account that is no delegated administrator, and an account outside any organization", async () => {
    host().organization = {
      ...fakeOrganization("999988887777", members),
      accounts: [
        ...fakeOrganization("999988887777").accounts,
        { Id: AWS_FAKE_KEY.account, Name: "x", Email: "x@example.com", State: "ACTIVE" },
      ],
    };
    await expect(awsOrganizationDiscovery.discoverAccounts(keys, scope, context())).rejects.toMatchObject({
      code: "organization_access_denied",
    });
    host().organization = null;
    await expect(awsOrganizationDiscovery.discoverAccounts(keys, scope, context())).rejects.toMatchObject({
      code: "organization_not_in_use",
      hint: expect.stringMatching(/management account/),
    });
  });

  it("lists through an external-ID role the way listings do: assumed with the confused-deputy check, then signed with the session", async () => {
    host().organization = fakeOrganization(MANAGEMENT, members);
    const { accounts } = await awsOrganizationDiscovery.discoverAccounts(role, scope, context());
    expect(accounts).toHaveLength(members.length + 1);
    expect(fake.callsOf("AssumeRole").map((c) => c.externalId)).toEqual([EXTERNAL_ID, null]);
    const listed = fake.callsOf("AWSOrganizationsV20161128.ListAccounts");
    expect(listed.every((c) => c.accessKeyId?.startsWith("ASIA"))).toBe(true);
  });

  it("lists through a web identity role: Cloudkeep's token for the parent's subject, the subject pinning proved first", async () => {
    host().organization = fakeOrganization(MANAGEMENT, members);
    const parent = { auth_method: "web_identity" as const, role_arn: WEB_ROLE };
    const { accounts } = await awsOrganizationDiscovery.discoverAccounts(parent, scope, {
      ...context(),
      federation: issuer.supplier(SUBJECT),
    });
    expect(accounts).toHaveLength(members.length + 1);
    // The parent's token was accepted, the probe for another subject refused.
    expect(fake.callsOf("AssumeRoleWithWebIdentity").map((c) => c.status)).toEqual([200, 403]);
    expect(fake.callsOf("AWSOrganizationsV20161128.ListAccounts").every((c) => c.accessKeyId?.startsWith("ASIA"))).toBe(true);
  });

  it("never lets the parent's secret into what it returns or throws (canary)", async () => {
    const canary = AWS_FAKE_KEY.secretAccessKey;
    host().organization = fakeOrganization(AWS_FAKE_KEY.account, [{ Id: "210000000009", Name: "canary", Email: "c@example.com" }]);
    const result = await awsOrganizationDiscovery.discoverAccounts(keys, scope, context());
    expect(JSON.stringify(result)).not.toContain(canary);
    fake.keys[0] = { ...AWS_FAKE_KEY, denied: ["organizations:ListAccounts"] };
    const error = await awsOrganizationDiscovery.discoverAccounts(keys, scope, context()).catch((e: unknown) => e);
    fake.keys[0] = AWS_FAKE_KEY;
    expect(`${JSON.stringify(error)} ${(error as Error).message} ${(error as { hint: string }).hint}`).not.toContain(canary);
  });
});

describe("AWS member credentials", () => {
  const member: DiscoveredAccount = {
    account: "210000000001",
    name: "prod",
    unavailable: null,
    details: { arn: "arn:aws:organizations::444455556666:account/o-exampleorg01/210000000001" },
  };

  it("gives an external-ID parent's members the member role with the parent's external ID", () => {
    expect(awsOrganizationDiscovery.childCredentials({ ...role, region: "eu-west-1" }, scope, member)).toEqual({
      role_arn: "arn:aws:iam::210000000001:role/CloudkeepMember",
      external_id: EXTERNAL_ID,
      region: "eu-west-1",
    });
  });

  it("gives a web identity parent's members the member role by web identity", () => {
    expect(awsOrganizationDiscovery.childCredentials({ auth_method: "web_identity", role_arn: ROLE }, scope, member)).toEqual({
      auth_method: "web_identity",
      role_arn: "arn:aws:iam::210000000001:role/CloudkeepMember",
    });
  });

  it("refuses to derive members from access keys, and never echoes the secret", () => {
    let thrown: unknown;
    try {
      awsOrganizationDiscovery.childCredentials(keys, scope, member);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: "discovery_needs_role", status: 422 });
    expect(JSON.stringify(thrown) + String((thrown as Error).message)).not.toContain(keys.secret_key);
  });

  it("deploys the member role with the single-account permissions, trusting Cloudkeep as the parent does", () => {
    const byExternalId = memberRoleStackSetTemplate("CloudkeepMember", {
      kind: "external_id",
      principalArn: CLOUDKEEP_KEY.arn,
      externalId: EXTERNAL_ID,
    });
    const roleResource = byExternalId.Resources.CloudkeepMemberRole.Properties;
    expect(roleResource.RoleName).toBe("CloudkeepMember");
    expect(roleResource.Policies[0]?.PolicyDocument.Statement[0]?.Action).toEqual([...CLOUDKEEP_ROLE_ACTIONS]);
    expect(roleResource.AssumeRolePolicyDocument.Statement[0]).toMatchObject({
      Principal: { AWS: CLOUDKEEP_KEY.arn },
      Condition: { StringEquals: { "sts:ExternalId": EXTERNAL_ID } },
    });
    const issuer = "https://cloudkeep.example/functions/v1/oidc";
    const byWebIdentity = memberRoleStackSetTemplate("CloudkeepMember", { kind: "web_identity", issuer, subject: "org:a:provider:b" });
    const statement = byWebIdentity.Resources.CloudkeepMemberRole.Properties.AssumeRolePolicyDocument.Statement[0] as Record<
      string,
      unknown
    >;
    expect(statement.Condition).toEqual({
      StringEquals: {
        "cloudkeep.example/functions/v1/oidc:aud": "sts.amazonaws.com",
        "cloudkeep.example/functions/v1/oidc:sub": "org:a:provider:b",
      },
    });
    expect(JSON.stringify(byWebIdentity)).not.toMatch(/\d{12}/);
  });

  it("asks the parent's own role for organizations:ListAccounts only, and member roles for nothing more than a single account's", () => {
    expect(organizationDiscoveryPolicy().Statement).toEqual([
      { Sid: "CloudkeepOrganizationDiscovery", Effect: "Allow", Action: ["organizations:ListAccounts"], Resource: "*" },
    ]);
    const member = memberRoleStackSetTemplate("CloudkeepMember", {
      kind: "external_id",
      principalArn: CLOUDKEEP_KEY.arn,
      externalId: EXTERNAL_ID,
    });
    expect(JSON.stringify(member)).not.toContain("organizations:");
  });
});
