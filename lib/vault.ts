// The server's view of the credential vault: the key ring from the environment and a
// context for the shared domain functions, bound to the signed-in user.
import "server-only";
import { parseKeyRing, type KeyRing } from "@/supabase/functions/_shared/crypto/index.ts";
import type { VaultContext } from "@/supabase/functions/_shared/domain/providers.ts";
import { parseTrustedCidrs } from "@/supabase/functions/_shared/net/outbound.ts";
import { resolveOidcIssuer } from "@/supabase/functions/_shared/federation/issuer.ts";
import type { SessionUser } from "@/lib/auth/require-user";
import { sql } from "@/lib/db/client";

let ring: KeyRing | undefined;
let trustedCidrs: string[] | undefined;
let oidcIssuer: string | undefined;

/** Cloudkeep's OIDC issuer URL; a malformed CLOUDKEEP_OIDC_ISSUER throws, naming the variable. */
export function oidcIssuerUrl(): string {
  return (oidcIssuer ??= resolveOidcIssuer(process.env.CLOUDKEEP_OIDC_ISSUER, process.env.NEXT_PUBLIC_SUPABASE_URL));
}

/** Parsed once; a missing or malformed CLOUDKEEP_ENCRYPTION_KEYS throws, naming the variable. */
export function keyRing(): KeyRing {
  return (ring ??= parseKeyRing(process.env.CLOUDKEEP_ENCRYPTION_KEYS));
}

export function vaultFor(user: SessionUser): VaultContext {
  trustedCidrs ??= parseTrustedCidrs(process.env.CLOUDKEEP_TRUSTED_CIDRS);
  return { sql, ring: keyRing(), claims: user.claims, trustedCidrs, oidcIssuer: oidcIssuerUrl() };
}
