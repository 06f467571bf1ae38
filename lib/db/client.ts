// The portal's one Postgres pool. Queries run through withRls(); nothing here bypasses RLS.
import "server-only";
import postgres from "postgres";
import { serverEnv } from "@/lib/env/server";

const globalForDb = globalThis as unknown as { cloudkeepSql?: postgres.Sql };

function connect() {
  const url = new URL(serverEnv.DATABASE_URL);
  // Supabase's transaction pooler (port 6543) cannot keep prepared statements.
  const pooled = url.port === "6543" || url.searchParams.get("pgbouncer") === "true";
  return postgres(serverEnv.DATABASE_URL, {
    max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
    prepare: !pooled,
    onnotice: () => {},
    connection: { application_name: "cloudkeep-portal" },
  });
}

// Reused across hot reloads in development so connections are not leaked.
export const sql = (globalForDb.cloudkeepSql ??= connect());
