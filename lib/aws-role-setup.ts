// What the setup panel of an AWS provider shows: the role to create (CloudFormation, Terraform,
// policies) with its external ID, built from the provider and Cloudkeep's AWS configuration.
import "server-only";
import type { ProviderRecord } from "@/supabase/functions/_shared/domain/providers.ts";
import { awsRoleSettings, awsRoleSetup, type AwsRoleSetup } from "@/supabase/functions/_shared/providers/aws-role-templates.ts";

export type AwsRoleSetupState = { ok: true; setup: AwsRoleSetup } | { ok: false; problem: string };

/**
 * Null for providers that are not AWS, and for AWS by web identity (its setup is the federation
 * panel's); a problem when this Cloudkeep has no AWS principal configured.
 */
export function getAwsRoleSetup(provider: ProviderRecord): AwsRoleSetupState | null {
  if (provider.provider_type !== "aws" || !provider.external_id || provider.auth_method === "web_identity") return null;
  const settings = awsRoleSettings(process.env);
  if (!settings.principalArn) return { ok: false, problem: settings.principalProblem ?? "Cloudkeep's AWS principal is not configured." };
  return {
    ok: true,
    setup: awsRoleSetup({ ...provider, external_id: provider.external_id }, { ...settings, principalArn: settings.principalArn }),
  };
}
