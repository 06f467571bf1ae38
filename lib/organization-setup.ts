// What an AWS organization's parent page shows for its member accounts: the StackSet template that
// deploys the member role, trusting Cloudkeep as the parent's role does (its external ID, or its OIDC
// subject) — from the parent's non-secret columns and Cloudkeep's AWS and OIDC configuration.
import "server-only";
import type { ProviderRecord } from "@/supabase/functions/_shared/domain/providers.ts";
import { providerSubject, resolveOidcIssuer } from "@/supabase/functions/_shared/federation/issuer.ts";
import { memberRoleStackSetTemplate, type MemberRoleTrust } from "@/supabase/functions/_shared/federation/setup-aws.ts";
import { awsRoleSettings } from "@/supabase/functions/_shared/providers/aws-role-templates.ts";

export type MemberRoleTemplateState = { ok: true; template: string } | { ok: false; problem: string };

/** Null unless the provider connects a whole AWS Organization by role; a problem when Cloudkeep's AWS identity or issuer is not configured. */
export function getMemberRoleTemplate(provider: ProviderRecord): MemberRoleTemplateState | null {
  const scope = provider.organization_scope as { cloud?: string; member_role_name?: string } | null;
  if (provider.provider_type !== "aws" || scope?.cloud !== "aws" || !scope.member_role_name) return null;
  let trust: MemberRoleTrust;
  if (provider.auth_method === "web_identity") {
    try {
      const issuer = resolveOidcIssuer(process.env.CLOUDKEEP_OIDC_ISSUER, process.env.NEXT_PUBLIC_SUPABASE_URL);
      trust = { kind: "web_identity", issuer, subject: providerSubject(provider) };
    } catch (error) {
      return { ok: false, problem: (error as Error).message };
    }
  } else {
    const settings = awsRoleSettings(process.env);
    if (!settings.principalArn || !provider.external_id)
      return { ok: false, problem: settings.principalProblem ?? "This provider connects by access keys: member accounts need a role." };
    trust = { kind: "external_id", principalArn: settings.principalArn, externalId: provider.external_id };
  }
  return { ok: true, template: `${JSON.stringify(memberRoleStackSetTemplate(scope.member_role_name, trust), null, 2)}\n` };
}
