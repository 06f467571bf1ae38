// Database helpers for integration tests: users, personas and RLS-scoped attempts that
// always roll back, so one test's writes never leak into another.
import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { inject } from "vitest";
import { withRls, type Claims } from "../../supabase/functions/_shared/db.ts";

export type TestUser = { id: string; email: string; claims: Claims };

/** A well-formed envelope that decrypts to nothing: for rows whose credential a test never reads. */
export const FAKE_ENVELOPE = { v: 1, alg: "A256GCM", kid: "k1", wk: "d2s=", wiv: "aXY=", iv: "aXY=", ct: "Y3Q=" };

export function connect() {
  return postgres(inject("stack").databaseUrl, { max: 5, onnotice: () => {} });
}

export async function createUser(sql: postgres.Sql, label = "user"): Promise<TestUser> {
  const id = randomUUID();
  const email = `${label}-${id.slice(0, 8)}@example.test`;
  await sql`
    insert into auth.users (id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
    values (${id}, 'authenticated', 'authenticated', ${email}, extensions.crypt('password-123', extensions.gen_salt('bf', 4)), now(),
            '{"provider":"email","providers":["email"]}', '{}', now(), now())`;
  return { id, email, claims: { sub: id, role: "authenticated", email, aud: "authenticated" } };
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

class Rollback extends Error {}

/**
 * Runs `fn` as `claims` (null = anon) under RLS inside a transaction that is always rolled
 * back, and reports what happened: the value, or the Postgres error code and message.
 */
export async function attempt<T>(
  sql: postgres.Sql,
  claims: Claims | null,
  fn: (tx: postgres.TransactionSql) => Promise<T>,
): Promise<Outcome<T>> {
  let outcome: Outcome<T> | undefined;
  try {
    await withRls(sql, claims, async (tx) => {
      try {
        outcome = { ok: true, value: await fn(tx) };
      } catch (error) {
        const pg = error as { code?: string; message?: string };
        outcome = { ok: false, code: pg.code ?? "unknown", message: pg.message ?? String(error) };
      }
      throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  }
  return outcome!;
}

/** Shorthand: the number of rows a statement touched, or its error. */
export async function affected(
  sql: postgres.Sql,
  claims: Claims | null,
  fn: (tx: postgres.TransactionSql) => Promise<postgres.RowList<postgres.Row[]>>,
) {
  const result = await attempt(sql, claims, fn);
  return result.ok ? { ok: true as const, count: result.value.count } : result;
}
