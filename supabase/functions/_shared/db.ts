// Row-level security the way PostgREST applies it: inside one transaction, switch to the
// caller's database role and expose the verified JWT claims to auth.uid() / auth.jwt().
// Runtime-neutral: the caller passes its postgres.js client.
import postgres, { type PendingQuery, type Row, type Sql, type TransactionSql } from "postgres";

export type Claims = {
  sub: string;
  role: string;
  email?: string;
  session_id?: string;
  [claim: string]: unknown;
};

export type Tx = TransactionSql;

declare const readOnly: unique symbol;
/**
 * The transaction readWithRls hands out: READ ONLY in Postgres, and a type no writer accepts (code
 * that writes takes a Tx, which a ReadTx is not), so a write through it does not compile.
 */
export type ReadTx = Sql & { readonly [readOnly]: true };
/** What a function that only reads takes: either kind of transaction, never the bare pool. */
export type Querier = Tx | ReadTx;

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
function setContext(query: PendingQuery<Row[]>) {
  void query.execute();
}

function contextQuery(tx: Querier, claims: Claims | null): PendingQuery<Row[]> {
  const role = claims && JWT_ROLES.has(claims.role) ? claims.role : "anon";
  return tx`select set_config('role', ${role}, true), set_config('request.jwt.claims', ${JSON.stringify(claims ?? { role: "anon" })}, true)`;
}

export function withRls<T>(sql: Sql, claims: Claims | null, run: (tx: Tx) => Promise<T>): Promise<T> {
  return sql.begin((tx) => {
    setContext(contextQuery(tx, claims));
    return run(tx);
  }) as Promise<T>;
}

/**
 * withRls for reads, one round trip shorter: BEGIN travels in the same network write as the
 * role, the claims and `run`'s first queries instead of being awaited on its own. (On this
 * machine a write to Postgres costs the portal ~0.1 ms of CPU, and a page view opens two
 * transactions.)
 *
 * Safe although Postgres runs each pipelined statement even when an earlier one failed:
 * nothing `run` read is returned unless BEGIN and the context succeeded first (their answers
 * arrive before any of `run`'s, in order, on this one connection). Had BEGIN failed, `run`'s
 * queries would have run outside the transaction as the login role, and their rows are
 * thrown away with the error. The transaction is READ ONLY, so code that writes through this
 * fails on every call, in tests first, and so never reaches that window.
 */
export async function readWithRls<T>(sql: Sql, claims: Claims | null, run: (tx: ReadTx) => Promise<T>): Promise<T> {
  const connection = await sql.reserve();
  // A reserved connection queries like a transaction's (postgres.js) once BEGIN has run.
  const tx = connection as unknown as ReadTx;
  const begin = tx`begin read only`.execute();
  const context = contextQuery(tx, claims).execute();
  // Awaited below, in order; until then a failure must not surface as an unhandled rejection.
  begin.catch(() => {});
  context.catch(() => {});
  let result: Promise<T> | undefined;
  try {
    result = run(tx);
    result.catch(() => {});
    await begin;
    await context;
    const value = await result;
    await tx`commit`;
    return value;
  } catch (error) {
    await tx`rollback`.catch(() => {});
    throw error;
  } finally {
    connection.release();
  }
}

/**
 * Service access: bypasses RLS. Only for work whose permission was already established.
 * `onBehalfOf` keeps who asked (their user id and API token, for triggered_by and the audit
 * log) while the role is the service role's: the writers of call results (health checks,
 * inventory, account activity) are the service role's alone, so only the server path that
 * made the call can record what it answered.
 */
export function asService<T>(sql: Sql, run: (tx: Tx) => Promise<T>, onBehalfOf?: Claims | null): Promise<T> {
  const claims = onBehalfOf
    ? { sub: onBehalfOf.sub, role: "service_role", ...(onBehalfOf.ck_token ? { ck_token: onBehalfOf.ck_token } : {}) }
    : { role: "service_role" };
  return sql.begin((tx) => {
    setContext(tx`select set_config('role', 'service_role', true), set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`);
    return run(tx);
  }) as Promise<T>;
}

/**
 * The one way a process opens its Postgres pool (portal, `api`, `health-sweep`). Supabase's
 * transaction pooler (port 6543, or `?pgbouncer=true`) cannot keep prepared statements, so they
 * are off there; NOTICEs are not printed.
 */
export function createPool(url: string, options: { max: number; application: string; idleTimeoutSeconds?: number }): Sql {
  const parsed = new URL(url);
  const pooled = parsed.port === "6543" || parsed.searchParams.get("pgbouncer") === "true";
  return postgres(url, {
    max: options.max,
    idle_timeout: options.idleTimeoutSeconds,
    prepare: !pooled,
    onnotice: () => {},
    connection: { application_name: options.application },
  });
}

/**
 * The row a statement always returns (an aggregate, an INSERT … RETURNING, a function call);
 * throws when it returned none, which means the statement or the schema is not what the code thinks.
 */
export function onlyRow<T>(rows: readonly T[], statement: string): T {
  const [row] = rows;
  if (row === undefined) throw new Error(`${statement} returned no row.`);
  return row;
}
