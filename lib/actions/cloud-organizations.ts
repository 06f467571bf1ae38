"use server";
// Whole cloud organizations from the portal: connect (or stop connecting) a provider's organization,
// discover its accounts now, exclude an account or let discovery try it again. Admins only; the
// domain checks the role again under RLS. A discovery that the cloud refuses comes back as the
// cloud's failure (code, message, hint), like a refresh does.
import { z } from "zod";
import { liveCall, providerInput, thenRefresh } from "@/lib/actions/outcomes";
import { orgAction } from "@/lib/actions/safe-action";
import { vaultFor } from "@/lib/vault";
import {
  discoverOrganizationAccounts,
  setAccountExcluded,
  setOrganizationScope,
} from "@/supabase/functions/_shared/domain/cloud-organizations.ts";

const pages = (slug: string) => ({ path: `/orgs/${slug}/providers`, layout: true });

export const setOrganizationScopeAction = orgAction(
  providerInput.extend({ organizationScope: z.unknown() }),
  { name: "setOrganizationScope", role: "admin" },
  async (input, { user, organization }) => {
    const updated = await thenRefresh(pages(organization.slug), () =>
      setOrganizationScope(vaultFor(user), input.providerId, input.organizationScope ?? null),
    );
    return { id: updated.id, connected: updated.organization_scope !== null };
  },
);

export const discoverAccountsAction = orgAction(
  providerInput,
  { name: "discoverAccounts", role: "admin" },
  async (input, { user, organization }) =>
    liveCall(pages(organization.slug), () => discoverOrganizationAccounts(vaultFor(user), input.providerId)),
);

export const setAccountExcludedAction = orgAction(
  providerInput.extend({ account: z.string().min(1).max(200), excluded: z.boolean() }),
  { name: "setAccountExcluded", role: "admin" },
  async (input, { user, organization }) => {
    await thenRefresh(pages(organization.slug), () => setAccountExcluded(vaultFor(user), input.providerId, input.account, input.excluded));
    return { account: input.account, excluded: input.excluded };
  },
);
