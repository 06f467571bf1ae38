// A private copy of the local stack for a test run: its own data directory and free ports,
// so tests never collide with `npm run dev` or with each other.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateApiKeys, generateKeyRing } from "../../supabase/local/env-file.ts";
import { freePort } from "../../supabase/local/ports.ts";
import { startStack } from "../../supabase/local/stack.ts";

/**
 * The fakes listen on loopback, which no organization may allow-list; the test deployment's
 * operator trusts it instead (CLOUDKEEP_TRUSTED_CIDRS), as demo mode does.
 */
export const TRUSTED_CIDRS = "127.0.0.1/32";
/** The same, as an outbound policy field, for tests that call adapters and domain functions in-process. */
export const trustedCidrs = [TRUSTED_CIDRS];

export type TestStackInfo = {
  supabaseUrl: string;
  databaseUrl: string;
  publishableKey: string;
  secretKey: string;
  encryptionKeys: string;
};

export async function startTestStack(log?: (line: string) => void) {
  const dataDir = await mkdtemp(join(tmpdir(), "cloudkeep-test-"));
  await chmod(dataDir, 0o755); // Postgres runs as the OS user `postgres` and must reach it.
  const keys = generateApiKeys();
  const encryptionKeys = generateKeyRing();
  const stack = await startStack({
    dataDir,
    dbPort: await freePort(),
    gatewayPort: await freePort(),
    ...keys,
    functionEnv: { CLOUDKEEP_ENCRYPTION_KEYS: encryptionKeys, CLOUDKEEP_TRUSTED_CIDRS: TRUSTED_CIDRS },
    ephemeral: true,
    log,
    // Tests start sweeps themselves; a timer would check their providers behind their back.
    sweepEveryMs: null,
  });
  const info: TestStackInfo = { supabaseUrl: stack.supabaseUrl, databaseUrl: stack.databaseUrl, ...keys, encryptionKeys };
  return {
    info,
    async stop() {
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
