// The whole local Supabase-compatible stack: Postgres, migrations, auth server, edge
// functions and the gateway. Used by `npm run dev` and by the tests (on their own ports).
import { join } from "node:path";
import postgres from "postgres";
import { createAuthServer } from "./auth-server.ts";
import { startFunctions, type FunctionsRunner } from "./functions.ts";
import { startGateway, type Gateway } from "./gateway.ts";
import { migrate, type MigrateResult } from "./migrate.ts";
import { startPostgres, type LocalPostgres } from "./postgres.ts";
import { startSweeper, SWEEP_EVERY_MS } from "./sweeper.ts";

export type StackOptions = {
  /** Holds `db/` (the cluster) and `auth/` (the JWT signing key). */
  dataDir: string;
  dbPort: number;
  gatewayPort: number;
  publishableKey: string;
  secretKey: string;
  /** Extra env for edge functions (encryption key ring and the like). */
  functionEnv?: Record<string, string>;
  ephemeral?: boolean;
  log?: (line: string) => void;
  /** Run the health sweep this often, as pg_cron does on hosted Supabase (default every minute); null: never (tests start sweeps themselves). */
  sweepEveryMs?: number | null;
};

export type Stack = {
  supabaseUrl: string;
  databaseUrl: string;
  migrations: MigrateResult;
  stop(): Promise<void>;
};

export async function startStack(options: StackOptions): Promise<Stack> {
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
    stops.length = 0;
  };
  try {
    const db: LocalPostgres = await startPostgres({
      dataDir: join(options.dataDir, "db"),
      port: options.dbPort,
      ephemeral: options.ephemeral,
    });
    stops.push(db.stop);
    const migrations = await migrate(db.url);

    const supabaseUrl = `http://127.0.0.1:${options.gatewayPort}`;
    const sql = postgres(db.url, { max: 10, onnotice: () => {} });
    stops.push(() => sql.end({ timeout: 5 }));
    const auth = await createAuthServer({
      sql,
      issuer: `${supabaseUrl}/auth/v1`,
      keyFile: join(options.dataDir, "auth", "signing-key.json"),
      publishableKey: options.publishableKey,
      secretKey: options.secretKey,
    });

    const functions: FunctionsRunner = await startFunctions({
      env: {
        SUPABASE_URL: supabaseUrl,
        SUPABASE_DB_URL: db.url,
        SUPABASE_PUBLISHABLE_KEY: options.publishableKey,
        SUPABASE_SECRET_KEY: options.secretKey,
        ...options.functionEnv,
      },
      log: options.log,
    });
    stops.push(functions.stop);

    const gateway: Gateway = await startGateway({ port: options.gatewayPort, auth, functions, log: options.log });
    stops.push(gateway.close);

    if (options.sweepEveryMs !== null) {
      const sweeper = startSweeper({
        supabaseUrl,
        secretKey: options.secretKey,
        everyMs: options.sweepEveryMs ?? SWEEP_EVERY_MS,
        log: options.log,
      });
      stops.push(sweeper.stop);
    }

    return { supabaseUrl, databaseUrl: db.url, migrations, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
