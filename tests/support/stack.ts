// A private copy of the local stack for a test run: its own data directory and free ports,
// so tests never collide with `npm run dev` or with each other.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateApiKeys, generateKeyRing } from "../../supabase/local/env-file.ts";
import { freePort } from "../../supabase/local/ports.ts";
import { startStack } from "../../supabase/local/stack.ts";

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
    functionEnv: { CLOUDKEEP_ENCRYPTION_KEYS: encryptionKeys },
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
