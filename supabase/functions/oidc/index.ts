// Entry point of the `oidc` edge function: Cloudkeep's OpenID Connect issuer documents. The issuer
// URL is CLOUDKEEP_OIDC_ISSUER, else `${SUPABASE_URL}/functions/v1/oidc`; a malformed one stops the
// function at start-up, naming the variable.
import postgres from "postgres";
import { resolveOidcIssuer } from "../_shared/federation/issuer.ts";
import { createOidcHandler } from "./handler.ts";

const databaseUrl = Deno.env.get("SUPABASE_DB_URL");
if (!databaseUrl) throw new Error("The oidc function needs SUPABASE_DB_URL.");

const handle = createOidcHandler({
  sql: postgres(databaseUrl, {
    max: 2,
    idle_timeout: 20,
    prepare: new URL(databaseUrl).port !== "6543",
    onnotice: () => {},
    connection: { application_name: "cloudkeep-oidc" },
  }),
  issuer: resolveOidcIssuer(Deno.env.get("CLOUDKEEP_OIDC_ISSUER"), Deno.env.get("SUPABASE_URL")),
  log: (line) => console.error(`[oidc] ${line}`),
});

export default { fetch: handle } satisfies Deno.ServeDefaultExport;
