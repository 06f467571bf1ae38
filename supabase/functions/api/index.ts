// Entry point of the `api` edge function. Configuration is read here, once, and passed in;
// a missing CLOUDKEEP_ENCRYPTION_KEYS stops the function at start-up, naming the variable.
import { supabaseTokenVerifier } from "../_shared/auth/verify-token.ts";
import { parseKeyRing } from "../_shared/crypto/index.ts";
import { createPool } from "../_shared/db.ts";
import { parseTrustedCidrs } from "../_shared/net/outbound.ts";
import { resolveOidcIssuer } from "../_shared/federation/issuer.ts";
import { createApi } from "./handler.ts";

function required(name: string) {
  const value = Deno.env.get(name);
  if (!value) throw new Error(`The api function needs ${name}; set it with \`supabase secrets set ${name}=…\`.`);
  return value;
}

const databaseUrl = required("SUPABASE_DB_URL");
const handle = createApi({
  sql: createPool(databaseUrl, { max: 4, idleTimeoutSeconds: 20, application: "cloudkeep-api" }),
  ring: parseKeyRing(Deno.env.get("CLOUDKEEP_ENCRYPTION_KEYS")),
  trustedCidrs: parseTrustedCidrs(Deno.env.get("CLOUDKEEP_TRUSTED_CIDRS")),
  oidcIssuer: resolveOidcIssuer(Deno.env.get("CLOUDKEEP_OIDC_ISSUER"), required("SUPABASE_URL")),
  verifyToken: supabaseTokenVerifier(required("SUPABASE_URL")),
});

export default { fetch: handle } satisfies Deno.ServeDefaultExport;
