"use server";
// Whole cloud organizations from the portal: connect (or stop connecting) a provider's organization,
// discover its accounts now, exclude an account or let discovery try it again. Admins only; the
// domain checks the role again under RLS. A discovery that the cloud refuses comes back as the
// cloud's failure (code, message, hint), like a refresh does.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { orgAction } from "@/lib/actions/safe-action";
import { vaultFor } from "@/lib/vault";
import {
  discoverOrganizationAccounts,
  setAccountExcluded,
  setOrganizationScope,
  type DiscoveryOutcome,
} from "@/supabase/functions/_shared/domain/cloud-organizations.ts";
import { ProviderCallError } from "@/supabase/functions/_shared/domain/errors.ts";

const providerInput = z.object({ orgSlug: z.string().min(1), providerId: z.uuid({ message: "Unknown provider." }) });

function refresh(slug: string) {
  revalidatePath(`/orgs/${slug}/providers`, "layout");
}

export const setOrganizationScopeAction = orgAction(
  providerInput.extend({ organizationScope: z.unknown() }),
  { name: "setOrganizationScope", role: "admin" },
  async (input, { user, organization }) => {
    const updated = await setOrganizationScope(vaultFor(user), input.providerId, input.organizationScope ?? null);
    refresh(organization.slug);
    return { id: updated.id, connected: updated.organization_scope !== null };
  },
);

export type DiscoverResult = ({ ok: true } & DiscoveryOutcome) | { ok: false; code: string; message: string; hint: string };

export const discoverAccountsAction = orgAction(
  providerInput,
  { name: "discoverAccounts", role: "admin" },
  async (input, { user, organization }): Promise<DiscoverResult> => {
    try {
      return { ok: true, ...(await discoverOrganizationAccounts(vaultFor(user), input.providerId)) };
    } catch (error) {
      if (error instanceof ProviderCallError) {
        const { code, message, hint } = error.failure;
        return { ok: false, code, message, hint };
      }
      throw error;
    } finally {
      refresh(organization.slug);
    }
  },
);

export const setAccountExcludedAction = orgAction(
  providerInput.extend({ account: z.string().min(1).max(200), excluded: z.boolean() }),
  { name: "setAccountExcluded", role: "admin" },
  async (input, { user, organization }) => {
    await setAccountExcluded(vaultFor(user), input.providerId, input.account, input.excluded);
    refresh(organization.slug);
    return { account: input.account, excluded: input.excluded };
  },
);
