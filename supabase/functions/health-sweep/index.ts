// Entry point of the `health-sweep` edge function. Configuration is read here, once; a
// missing variable stops the function at start-up, naming it.
import { parseKeyRing } from "../_shared/crypto/index.ts";
import { createPool } from "../_shared/db.ts";
import { parseTrustedCidrs } from "../_shared/net/outbound.ts";
import { resolveOidcIssuer } from "../_shared/federation/issuer.ts";
import { createSweepHandler, secretKeysFrom } from "./handler.ts";

const env = (name: string) => Deno.env.get(name);
const databaseUrl = env("SUPABASE_DB_URL");
if (!databaseUrl) throw new Error("The health-sweep function needs SUPABASE_DB_URL.");

/** A whole number from the environment, within bounds, or the default. */
function setting(name: string, fallback: number, min: number, max: number) {
  const value = Number(env(name) ?? fallback);
  return Number.isInteger(value) && value >= min && value <= max ? value : fallback;
}

const concurrency = setting("CLOUDKEEP_SWEEP_CONCURRENCY", 16, 1, 200);
const handle = createSweepHandler({
  // Transaction pooler (port 6543) connections cannot keep prepared statements.
  sql: createPool(databaseUrl, { max: Math.min(10, concurrency), idleTimeoutSeconds: 20, application: "cloudkeep-health-sweep" }),
  ring: parseKeyRing(env("CLOUDKEEP_ENCRYPTION_KEYS")),
  trustedCidrs: parseTrustedCidrs(env("CLOUDKEEP_TRUSTED_CIDRS")),
  oidcIssuer: resolveOidcIssuer(env("CLOUDKEEP_OIDC_ISSUER"), env("SUPABASE_URL")),
  secretKeys: secretKeysFrom(env),
  sweeperId: `health-sweep/${env("SB_EXECUTION_ID") ?? crypto.randomUUID()}`,
  concurrency,
  // Hosted functions have a wall-clock limit (150 s on the free plan): stop claiming well before it.
  budgetMs: setting("CLOUDKEEP_SWEEP_BUDGET_MS", 100_000, 1_000, 3_600_000),
});

export default { fetch: handle } satisfies Deno.ServeDefaultExport;
