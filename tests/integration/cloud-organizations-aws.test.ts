// A whole AWS Organization, end to end with the real discovery and adapter against the SigV4-verifying
// AWS fake: the management account's role (external ID issued by the database) lists the accounts;
// each member is reached through the StackSet's member role, which trusts Cloudkeep with the parent's
// external ID. A member without the role is not connected and says why; closed and suspended
// accounts are never tried; the child's own checks work on its own stored credential.
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { decryptCredential, parseKeyRing, type KeyRing } from "../../supabase/functions/_shared/crypto/index.ts";
import { discoverOrganizationAccounts, readDiscovery } from "../../supabase/functions/_shared/domain/cloud-organizations.ts";
import { checkProviderHealth } from "../../supabase/functions/_shared/domain/connectivity.ts";
import { createProvider, type VaultContext } from "../../supabase/functions/_shared/domain/providers.ts";
import { clearRoleSessions } from "../../supabase/functions/_shared/providers/aws-assume-role.ts";
import { fakeOrganization, type OrganizationsHost } from "../fakes/aws-organizations.ts";
import { CLOUDKEEP_KEY, startAwsFake, type AwsFake } from "../fakes/aws.ts";
import { connect } from "../support/db.ts";
import { createPersonas, type Personas } from "../support/personas.ts";
import { firstRow } from "../support/rows.ts";
import { trustedCidrs } from "../support/stack.ts";

const MANAGEMENT = "444455556666";
const ROLE = `arn:aws:iam::${MANAGEMENT}:role/CloudkeepReadOnly`;
const MEMBER_ROLE = "CloudkeepMember";
const ENV = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_ENDPOINT_URL_STS",
  "AWS_ENDPOINT_URL",
  "CLOUDKEEP_AWS_PRINCIPAL_ARN",
];
const saved: Record<string, string | undefined> = {};

let sql: postgres.Sql;
let ring: KeyRing;
let fake: AwsFake;
let people: Personas;

const vault = (): VaultContext => ({ sql, ring, claims: people.admin.claims, trustedCidrs });
const memberRole = (account: string) => `arn:aws:iam::${account}:role/${MEMBER_ROLE}`;

beforeAll(async () => {
  sql = connect();
  ring = parseKeyRing(inject("stack").encryptionKeys);
  people = await createPersonas(sql, "awsorg");
  await sql`update public.organizations set allow_http_endpoints = true where id = ${people.orgId}`;
  fake = await startAwsFake({ keys: [CLOUDKEEP_KEY] });
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
  await fake?.close();
  await sql?.end({ timeout: 5 });
});

describe("a whole AWS Organization", () => {
  it("connects each member whose StackSet role trusts Cloudkeep with the parent's external ID, and says why not for the rest", async () => {
    clearRoleSessions();
    const parent = await createProvider(vault(), people.orgId, {
      name: "Example Corp organization",
      provider_type: "aws",
      api_endpoint: fake.url,
      regions: ["us-east-1"],
      credentials: { auth_method: "assume_role", role_arn: ROLE },
      organization_scope: { member_role_name: MEMBER_ROLE },
    });
    const externalId = parent.external_id!;
    expect(externalId).toMatch(/^[A-Za-z0-9]{32,}$/);
    // What the customer deployed: the management account's role and, by StackSet, the member role in
    // "prod" only (the StackSet has not reached "staging" yet).
    const trust = { trusts: CLOUDKEEP_KEY.arn, externalId, enforceExternalId: true };
    fake.roles.push({ arn: ROLE, ...trust }, { arn: memberRole("210000000001"), ...trust });
    (fake as AwsFake & OrganizationsHost).organization = fakeOrganization(MANAGEMENT, [
      { Id: "210000000001", Name: "prod" },
      { Id: "210000000002", Name: "staging" },
      { Id: "210000000003", Name: "closed-one", State: "CLOSED" },
    ]);

    const outcome = await discoverOrganizationAccounts(vault(), parent.id);
    expect(outcome).toMatchObject({ discovered: 3, added: 1, connected: 1, failed: 1, unavailable: 1 });

    const child = firstRow(
      await sql<{ id: string; name: string; external_id: string; account_identifier: string; status: string; credentials: unknown }[]>`
      select id, name, external_id, account_identifier, status, credentials from public.cloud_providers where parent_provider_id = ${parent.id}`,
    );
    expect(child).toMatchObject({ name: "prod", account_identifier: "210000000001", status: "healthy", external_id: externalId });
    const stored = await decryptCredential(ring, { organizationId: people.orgId, providerId: child.id }, child.credentials);
    expect(stored).toMatchObject({ role_arn: memberRole("210000000001"), external_id: externalId });

    // Members were assumed with the parent's external ID (the other calls are the checks' probes without one).
    const withId = fake.callsOf("AssumeRole").filter((call) => call.externalId === externalId && call.status === 200);
    expect(withId.length).toBeGreaterThanOrEqual(2);

    const accounts = Object.fromEntries((await readDiscovery(vault(), parent.id)).accounts.map((a) => [a.account, a]));
    expect(accounts["210000000002"]).toMatchObject({ state: "failed", child_provider_id: null });
    expect(accounts["210000000002"]?.reason_message).toMatch(/CloudkeepMember|assume|role/i);
    expect(accounts["210000000003"]).toMatchObject({ state: "unavailable", reason_code: "account_closed" });
    expect(accounts[MANAGEMENT]).toBeUndefined();

    // The child stands on its own: a fresh session, its own sealed external ID.
    clearRoleSessions();
    expect((await checkProviderHealth(vault(), child.id)).result.ok).toBe(true);

    // The StackSet reaches staging: the next discovery connects it.
    fake.roles.push({ arn: memberRole("210000000002"), ...trust });
    expect(await discoverOrganizationAccounts(vault(), parent.id)).toMatchObject({ added: 1, connected: 2 });
  });
});
