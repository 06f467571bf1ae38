// Runs queries as the signed-in user under RLS.
import "server-only";
import { sql } from "@/lib/db/client";
import { readWithRls, withRls, type ReadTx, type Tx } from "@/supabase/functions/_shared/db.ts";
import type { SessionUser } from "@/lib/auth/require-user";

export function asUser<T>(user: SessionUser, run: (tx: Tx) => Promise<T>): Promise<T> {
  return withRls(sql, user.claims, run);
}

/** Reads as the signed-in user under RLS, one round trip shorter (see readWithRls). */
export function readAsUser<T>(user: SessionUser, run: (tx: ReadTx) => Promise<T>): Promise<T> {
  return readWithRls(sql, user.claims, run);
}
