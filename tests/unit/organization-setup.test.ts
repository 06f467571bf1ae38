// The StackSet template an AWS organization's page shows for its member accounts: the member role trusts
// Cloudkeep exactly as the parent's role does (its external ID, or its OIDC subject); a parent on access
// keys is told member accounts need a role.
import { beforeAll, describe, expect, it } from "vitest";
import type { ProviderRecord } from "../../supabase/functions/_shared/domain/providers.ts";

const PRINCIPAL = "arn:aws:iam::111122223333:role/cloudkeep-production";
const EXTERNAL_ID = `ck${"7".repeat(40)}`;
let getMemberRoleTemplate: typeof import("../../lib/organization-setup.ts").getMemberRoleTemplate;

beforeAll(async () => {
  process.env.CLOUDKEEP_AWS_PRINCIPAL_ARN = PRINCIPAL;
  process.env.CLOUDKEEP_OIDC_ISSUER = "https://cloudkeep.example.com/functions/v1/oidc";
  ({ getMemberRoleTemplate } = await import("../../lib/organization-setup.ts"));
});

function parent(overrides: Partial<ProviderRecord>): ProviderRecord {
  return {
    id: "0b0b0b0b-0000-4000-8000-000000000002",
    organization_id: "0a0a0a0a-0000-4000-8000-000000000001",
    provider_type: "aws",
    auth_method: "assume_role",
    external_id: EXTERNAL_ID,
    organization_scope: { cloud: "aws", member_role_name: "CloudkeepMember" },
    federation_subject_id: null,
    ...overrides,
  } as ProviderRecord;
}

describe("the member role's StackSet template", () => {
  it("trusts Cloudkeep's principal with the parent's external ID, for a parent by role", () => {
    const state = getMemberRoleTemplate(parent({}));
    expect(state).toMatchObject({ ok: true });
    const text = state && state.ok ? state.template : "";
    expect(text).toContain('"RoleName": "CloudkeepMember"');
    expect(text).toContain(PRINCIPAL);
    expect(text).toContain(EXTERNAL_ID);
  });

  it("trusts the issuer for the parent's subject, for a parent by web identity", () => {
    const state = getMemberRoleTemplate(parent({ auth_method: "web_identity" }));
    const text = state && state.ok ? state.template : "";
    expect(text).toContain("org:0a0a0a0a-0000-4000-8000-000000000001:provider:0b0b0b0b-0000-4000-8000-000000000002");
    expect(text).not.toContain(EXTERNAL_ID);
  });

  it("says why not for a parent on access keys, and is absent for anything but an AWS organization", () => {
    expect(getMemberRoleTemplate(parent({ auth_method: "access_key", external_id: null }))).toMatchObject({ ok: false });
    expect(getMemberRoleTemplate(parent({ organization_scope: null }))).toBeNull();
    expect(
      getMemberRoleTemplate(parent({ provider_type: "azure", organization_scope: { cloud: "azure", management_group_id: null } })),
    ).toBeNull();
  });
});
