// API token reads for the portal, as the signed-in user (RLS shows tokens to admins and owners
// only). Never the hash: the database refuses that column to every client.
import "server-only";
import type { SessionUser } from "@/lib/auth/require-user";
import { asUser } from "@/lib/db/rls";
import { selectApiTokens } from "@/supabase/functions/_shared/domain/api-tokens.ts";

export type { ApiTokenRecord } from "@/supabase/functions/_shared/domain/api-tokens.ts";

export function listTokens(user: SessionUser, organizationId: string) {
  return asUser(user, (tx) => selectApiTokens(tx, organizationId));
}
