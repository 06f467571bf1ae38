// Row-level security the way PostgREST applies it: inside one transaction, switch to the
// caller's database role and expose the verified JWT claims to auth.uid() / auth.jwt().
// Runtime-neutral: the caller passes its postgres.js client.
import type { Sql, TransactionSql } from "postgres";

export type Claims = {
  sub: string;
  role: string;
  email?: string;
  session_id?: string;
  [claim: string]: unknown;
};

export type Tx = TransactionSql;

// Only these roles may be assumed from a token; anything else is treated as anon.
const JWT_ROLES = new Set(["authenticated", "anon"]);

/**
 * Sends the role and claims without waiting for the answer, so they travel in the same
 * network write as the first query `run` sends (one round trip less per transaction; the
 * portal opens several per page). That is safe because a transaction's queries run in
 * order on its one connection, so nothing runs before the context is set; and if setting it
 * failed, Postgres aborts the transaction, every later query in it fails, and
 * postgres.js rolls back and rethrows that first error.
 */
function setContext(query: ReturnType<Tx>) {
  query.execute();
}

export function withRls<T>(sql: Sql, claims: Claims | null, run: (tx: Tx) => Promise<T>): Promise<T> {
  const role = claims && JWT_ROLES.has(claims.role) ? claims.role : "anon";
  return sql.begin((tx) => {
    setContext(tx`select set_config('role', ${role}, true), set_config('request.jwt.claims', ${JSON.stringify(claims ?? { role: "anon" })}, true)`);
    return run(tx);
  }) as Promise<T>;
}

/** Service access: bypasses RLS. Only for work whose permission was already established. */
export function asService<T>(sql: Sql, run: (tx: Tx) => Promise<T>): Promise<T> {
  return sql.begin((tx) => {
    setContext(tx`select set_config('role', 'service_role', true), set_config('request.jwt.claims', ${JSON.stringify({ role: "service_role" })}, true)`);
    return run(tx);
  }) as Promise<T>;
}
