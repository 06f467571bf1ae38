"use server";
// "Import now" on the Activity tab: reads the AWS account's recent changes from CloudTrail and stores
// them. Members and above; the shared domain function checks the role again, decrypts the credential
// (or assumes the role) in memory for this one import, and the database keeps each event once.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { orgAction } from "@/lib/actions/safe-action";
import { vaultFor } from "@/lib/vault";
import { ProviderCallError } from "@/supabase/functions/_shared/domain/errors.ts";
import { importProviderEvents } from "@/supabase/functions/_shared/domain/provider-events.ts";

export type ImportOutcome =
  { ok: true; added: number; fetched: number; failedRegions: string[] } | { ok: false; code: string; message: string; hint: string };

const providerInput = z.object({ orgSlug: z.string().min(1), providerId: z.uuid({ message: "Unknown provider." }) });

export const importEventsAction = orgAction(
  providerInput,
  { name: "importEvents", role: "member" },
  async (input, { user, organization }) => {
    try {
      const result = await importProviderEvents(vaultFor(user), input.providerId);
      return {
        ok: true,
        added: result.added,
        fetched: result.fetched,
        failedRegions: result.partialFailures.map((f) => f.scope),
      } satisfies ImportOutcome;
    } catch (error) {
      if (error instanceof ProviderCallError) {
        const { code, message, hint } = error.failure;
        return { ok: false, code, message, hint } satisfies ImportOutcome;
      }
      throw error;
    } finally {
      revalidatePath(`/orgs/${organization.slug}/providers/${input.providerId}`);
    }
  },
);
