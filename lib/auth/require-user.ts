// The one way server code learns who is calling: verified JWT claims (getClaims checks
// the signature against the project's JWKS; see verified-claims.ts), cached for the rest of
// the request.
import "server-only";
import { redirect } from "next/navigation";
import { cache } from "react";
import type { Claims } from "@/supabase/functions/_shared/db.ts";
import { cookies } from "next/headers";
import { getVerifiedClaimsForCookies } from "@/lib/auth/verified-claims";
import { createClient } from "@/lib/supabase/server";

export type SessionUser = { id: string; email: string; claims: Claims };

export const getUser = cache(async (): Promise<SessionUser | null> => {
  const cookieStore = await cookies();
  let cookiesWritten = false;
  const claims = await getVerifiedClaimsForCookies(cookieStore.getAll(), async () => ({
    auth: (await createClient({ onCookiesWritten: () => (cookiesWritten = true) })).auth,
    cookiesWritten: () => cookiesWritten,
  }));
  if (!claims?.sub || claims.role !== "authenticated") return null;
  return { id: claims.sub, email: String(claims.email ?? ""), claims };
});

export async function requireUser(): Promise<SessionUser> {
  const user = await getUser();
  // proxy.ts already sends signed-out visitors to /sign-in with ?next=; this is the backstop.
  if (!user) redirect("/sign-in");
  return user;
}
