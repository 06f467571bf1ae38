"use server";
// Live calls from the portal: test unsaved credentials, check a provider now, refresh its
// inventory. Members and above (viewers see stored results only); the shared domain
// functions check the role again, decrypt in memory for the one call, and record results.
// What comes back to the browser is the adapter's secret-free outcome, never a credential.
import { liveProviderAction, orgInput, providerInput, thenRefresh, type CloudRefusal } from "@/lib/actions/outcomes";
import { orgAction } from "@/lib/actions/safe-action";
import { vaultFor } from "@/lib/vault";
import { checkProviderHealth, refreshResources, testCredentials } from "@/supabase/functions/_shared/domain/connectivity.ts";
import type { HealthResult } from "@/supabase/functions/_shared/providers/types.ts";

/** What a person sees of a check: the identity, or the failure with what to do about it. */
export type CheckOutcome = { ok: true; latencyMs: number; account: string; label: string | null } | (CloudRefusal & { latencyMs: number });

function outcome(result: HealthResult): CheckOutcome {
  if (result.ok) return { ok: true, latencyMs: result.latencyMs, account: result.identity.account, label: result.identity.label ?? null };
  const { code, message, hint } = result.error;
  return { ok: false, latencyMs: result.latencyMs, code, message, hint };
}

/** The add and rotate dialogs' "Test connection": the same body as a save, nothing stored. */
export const testConnectionAction = orgAction(
  orgInput,
  { name: "testConnection", role: "member" },
  async (input, { user, organization }) => {
    const { orgSlug: _slug, ...body } = input;
    return outcome(await testCredentials(vaultFor(user), organization.id, { name: "Connection test", ...body }));
  },
);

export const checkProviderNowAction = orgAction(
  providerInput,
  { name: "checkProviderNow", role: "member" },
  async (input, { user, organization }) => {
    const pages = { path: `/orgs/${organization.slug}/providers`, layout: true };
    const { result } = await thenRefresh(pages, () => checkProviderHealth(vaultFor(user), input.providerId, "manual"));
    return outcome(result);
  },
);

export const refreshResourcesAction = liveProviderAction("refreshResources", async (vault, providerId) => {
  const listing = await refreshResources(vault, providerId);
  return { count: listing.resources.length, partialFailures: listing.partialFailures };
});
