"use server";
// API token writes from the portal. orgAction checks the admin role before anything runs, the
// shared domain function checks it again under RLS, and the database refuses everyone else.
import { z } from "zod";
import { thenRefresh } from "@/lib/actions/outcomes";
import { orgAction } from "@/lib/actions/safe-action";
import { sql } from "@/lib/db/client";
import { createApiToken, revokeApiToken } from "@/supabase/functions/_shared/domain/api-tokens.ts";
import { apiTokenFormSchema } from "@/supabase/functions/_shared/schemas/tokens.ts";

const tokenInput = z.object({ orgSlug: z.string().min(1), tokenId: z.uuid({ message: "Unknown token." }) });

/** Runs a domain call, then refreshes the pages it changed (orgAction turns refusals into messages). */
const domain = <T>(slug: string, run: () => Promise<T>) => thenRefresh({ path: `/orgs/${slug}/tokens` }, run);

/** Returns the token itself: the dialog shows it once, and nothing stores it. */
export const createTokenAction = orgAction(
  apiTokenFormSchema,
  { name: "createToken", role: "admin", echo: ["name"] },
  async (input, { user, organization }) => {
    const { token, record } = await domain(organization.slug, () =>
      // Already parsed; the domain parses the API's shape again, so both paths share one check.
      createApiToken({ sql, claims: user.claims }, organization.id, {
        name: input.name,
        scopes: input.scopes,
        expires_at: input.expiresAt?.toISOString() ?? null,
      }),
    );
    return { token, id: record.id, name: record.name, scopes: record.scopes, expiresAt: record.expires_at?.toISOString() ?? null };
  },
);

export const revokeTokenAction = orgAction(tokenInput, { name: "revokeToken", role: "admin" }, async (input, { user, organization }) => {
  const record = await domain(organization.slug, () => revokeApiToken({ sql, claims: user.claims }, input.tokenId, organization.id));
  return { id: record.id, name: record.name };
});
