// What the organization actions share beside the wrapper (./safe-action.ts): their inputs, the
// refresh of the pages a write changed, and a cloud's refusal of a live call as an answer to show.
import "server-only";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { orgAction } from "@/lib/actions/safe-action";
import { vaultFor } from "@/lib/vault";
import { ProviderCallError } from "@/supabase/functions/_shared/domain/errors.ts";
import type { VaultContext } from "@/supabase/functions/_shared/domain/providers.ts";

/** The input of an action in one organization (further fields pass through to the domain's own schema). */
export const orgInput = z.looseObject({ orgSlug: z.string().min(1) });
/** The input of an action on one provider. */
export const providerInput = z.object({ orgSlug: z.string().min(1), providerId: z.uuid({ message: "Unknown provider." }) });

/** A cloud's refusal as the portal shows it: its code and message, and what to do. */
export type CloudRefusal = { ok: false; code: string; message: string; hint: string };

type Pages = { path: string; layout?: boolean };

const refresh = (pages: Pages) => revalidatePath(pages.path, pages.layout ? "layout" : undefined);

/** Runs a domain call, then refreshes the pages it changed (orgAction turns refusals into messages). */
export async function thenRefresh<T>(pages: Pages, run: () => Promise<T>): Promise<T> {
  const result = await run();
  refresh(pages);
  return result;
}

/** A live call: its result with ok: true, or the cloud's refusal as an answer; the pages are refreshed either way. */
export async function liveCall<T extends object>(pages: Pages, run: () => Promise<T>): Promise<({ ok: true } & T) | CloudRefusal> {
  try {
    return { ok: true, ...(await run()) };
  } catch (error) {
    if (error instanceof ProviderCallError) {
      const { code, message, hint } = error.failure;
      return { ok: false, code, message, hint };
    }
    throw error;
  } finally {
    refresh(pages);
  }
}

/** A member's live call on one provider: its result, or the cloud's refusal as an answer; the provider's page is refreshed either way. */
export function liveProviderAction<T extends object>(name: string, run: (vault: VaultContext, providerId: string) => Promise<T>) {
  return orgAction(providerInput, { name, role: "member" }, (input, { user, organization }) =>
    liveCall({ path: `/orgs/${organization.slug}/providers/${input.providerId}` }, () => run(vaultFor(user), input.providerId)),
  );
}
