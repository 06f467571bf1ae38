// The portal's one Postgres pool. Queries run through withRls(); nothing here bypasses RLS.
import "server-only";
import type postgres from "postgres";
import { createPool } from "@/supabase/functions/_shared/db.ts";
import { serverEnv } from "@/lib/env/server";

const globalForDb = globalThis as unknown as { cloudkeepSql?: postgres.Sql };

// Reused across hot reloads in development so connections are not leaked.
export const sql = (globalForDb.cloudkeepSql ??= createPool(serverEnv.DATABASE_URL, {
  max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
  application: "cloudkeep-portal",
}));
