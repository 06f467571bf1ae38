"use server";
// "Import now" on the Activity tab: reads the AWS account's recent changes from CloudTrail and stores
// them. Members and above; the shared domain function checks the role again, decrypts the credential
// (or assumes the role) in memory for this one import, and the database keeps each event once.
import { liveProviderAction } from "@/lib/actions/outcomes";
import { importProviderEvents } from "@/supabase/functions/_shared/domain/provider-events.ts";

export const importEventsAction = liveProviderAction("importEvents", async (vault, providerId) => {
  const result = await importProviderEvents(vault, providerId);
  return { added: result.added, fetched: result.fetched, failedRegions: result.partialFailures.map((f) => f.scope) };
});
