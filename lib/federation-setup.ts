// What the setup panel of a provider connected by federation shows: the issuer, subject and audience
// to paste into the cloud, and generated commands — from the provider's non-secret columns and
// CLOUDKEEP_OIDC_ISSUER.
import "server-only";
import type { ProviderRecord } from "@/supabase/functions/_shared/domain/providers.ts";
import {
  gcpFederationSetup,
  isFederated,
  type FederatedProvider,
  type FederationSetup,
} from "@/supabase/functions/_shared/federation/setup.ts";
import { awsFederationSetup } from "@/supabase/functions/_shared/federation/setup-aws.ts";
import { azureFederationSetup } from "@/supabase/functions/_shared/federation/setup-azure.ts";
import { oidcIssuerUrl } from "@/lib/vault";

export type FederationSetupState = { ok: true; setup: FederationSetup } | { ok: false; problem: string };

const SETUPS: Partial<Record<ProviderRecord["provider_type"], (provider: FederatedProvider, issuer: string) => FederationSetup | null>> = {
  gcp: gcpFederationSetup,
  aws: awsFederationSetup,
  azure: azureFederationSetup,
};

/** Null for providers that hold a secret; a problem when this Cloudkeep's issuer is misconfigured. */
export function getFederationSetup(provider: ProviderRecord): FederationSetupState | null {
  if (!isFederated(provider)) return null;
  let issuer: string;
  try {
    issuer = oidcIssuerUrl();
  } catch (error) {
    return { ok: false, problem: (error as Error).message };
  }
  const setup = SETUPS[provider.provider_type]?.(provider, issuer) ?? null;
  return setup ? { ok: true, setup } : null;
}

/** The issuer URL for the add dialog, or null when misconfigured (the dialog then says so). */
export function federationIssuerForDialog(): string | null {
  try {
    return oidcIssuerUrl();
  } catch {
    return null;
  }
}
