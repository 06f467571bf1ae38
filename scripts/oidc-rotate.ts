// `npm run oidc:rotate`: rotates the signing key of Cloudkeep's OIDC issuer. The new key is in the
// JWKS at once and signs after the publish-ahead window (default 24 h, so every cloud that cached
// the JWKS has fetched it again); the key it replaces stops signing then and stays published until
// every token it signed has expired. Prints key ids and times, never key material.
//
//   DATABASE_URL=… CLOUDKEEP_ENCRYPTION_KEYS=… npm run oidc:rotate [-- --publish-ahead <seconds>]
//   --publish-ahead 0 rotates at once (a key you suspect was exposed).
import { join, resolve } from "node:path";
import postgres from "postgres";
import { parseKeyRing } from "../supabase/functions/_shared/crypto/index.ts";
import { algorithmsInUse, PUBLISH_AHEAD_SECONDS, rotateSigningKey } from "../supabase/functions/_shared/federation/keys.ts";
import { readEnvFile } from "../supabase/local/env-file.ts";

async function main() {
  const root = resolve(import.meta.dirname, "..");
  const env = { ...readEnvFile(join(root, ".env.local")), ...process.env } as Record<string, string | undefined>;
  const flag = process.argv.indexOf("--publish-ahead");
  const publishAheadSeconds = flag > 0 ? Number(process.argv[flag + 1]) : PUBLISH_AHEAD_SECONDS;
  if (!Number.isInteger(publishAheadSeconds) || publishAheadSeconds < 0)
    throw new Error("--publish-ahead takes a whole number of seconds (0 or more).");
  if (!env.DATABASE_URL) throw new Error("DATABASE_URL is not set (run `npm run dev` once locally, or export it).");
  const ring = parseKeyRing(env.CLOUDKEEP_ENCRYPTION_KEYS);
  const sql = postgres(env.DATABASE_URL, { max: 1, onnotice: () => {} });
  try {
    // Each algorithm in use (ES256; RS256 once an Azure provider was checked) gets its new key.
    for (const algorithm of await algorithmsInUse(sql)) {
      const result = await rotateSigningKey(sql, ring, { publishAheadSeconds, algorithm });
      console.log(`New ${algorithm} signing key ${result.kid}: published now, signs from ${result.activeFrom.toISOString()}.`);
      for (const old of result.retiring) {
        console.log(
          `  ${old.kid} stops signing at ${old.retiredAt.toISOString()} and leaves the JWKS at ${old.unpublishAfter.toISOString()}.`,
        );
      }
      if (result.removed.length) console.log(`  Removed (their tokens have all expired): ${result.removed.join(", ")}.`);
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
