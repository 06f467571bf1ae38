// The edge functions under `deno serve`, started by a test with environment the shared stack's
// functions do not have (Cloudkeep's own AWS identity, say), behind a small proxy that serves
// `/api/...` the way the gateway does. They use the shared stack's database and auth server.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { inject } from "vitest";
import { startFunctions } from "../../supabase/local/functions.ts";
import { TRUSTED_CIDRS } from "./stack.ts";

export async function startDenoFunction(name: string, env: Record<string, string>) {
  const stack = inject("stack");
  const runner = await startFunctions({
    env: {
      SUPABASE_URL: stack.supabaseUrl,
      SUPABASE_DB_URL: stack.databaseUrl,
      SUPABASE_PUBLISHABLE_KEY: stack.publishableKey,
      SUPABASE_SECRET_KEY: stack.secretKey,
      CLOUDKEEP_ENCRYPTION_KEYS: stack.encryptionKeys,
      CLOUDKEEP_TRUSTED_CIDRS: TRUSTED_CIDRS,
      ...env,
    },
  });
  const server = createServer((req, res) => runner.proxy(name, req, res, req.url ?? "/"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await runner.stop();
    },
  };
}
