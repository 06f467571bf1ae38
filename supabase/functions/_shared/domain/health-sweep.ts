// Scheduled health sweeps: claim the providers that are due, check them with bounded
// concurrency, record the results. Several sweepers may run at once; the database's leases
// (FOR UPDATE SKIP LOCKED) keep them from checking a provider twice in a round.
//
// A sweep runs as the service role: no person is behind it, so no member check applies.
// private.claim_health_checks (executable by the service role only) leases due providers and
// returns everything a check needs but the credential. The credential comes, as for every
// other caller, from private.read_provider_credentials, which lets the service role in,
// applies the organization's read-only rule and records a `provider.credentials_read` audit
// event (actor: Cloudkeep, purpose: scheduled_health_check). It is decrypted here, in memory,
// just before its one check, with the same key ring and associated data as the API; the cloud
// call runs outside any transaction.
//
// The database work is batched, because at scale it, not the clouds, sets the pace: each claim
// reads its batch's credentials in one transaction, and results are recorded together, as
// many as finished while the previous write was in flight. When a batch fails as a whole (a
// provider deleted meanwhile), its items are retried one by one so only that one is lost.
import type { Sql } from "postgres";
import type { KeyRing } from "../crypto/index.ts";
import { asService, onlyRow, type Tx } from "../db.ts";
import { toProviderFailure } from "../net/http.ts";
import type { AdapterLoader } from "../providers/index.ts";
import type { HealthResult, ProviderFailure } from "../providers/types.ts";
import { openEnvelope, recordHealthCheck, runHealthCheck, type LiveTarget, type OutboundSettings } from "./connectivity.ts";

export type SweepOptions = {
  sql: Sql;
  ring: KeyRing;
  /** Names this sweeper in leases, audit events and the run log (1–100 characters). */
  sweeperId: string;
  /** Checks in flight at once; default 10. */
  concurrency?: number;
  /** Providers claimed per round trip; default twice the concurrency. */
  batchSize?: number;
  adapters?: AdapterLoader;
  /** Timeout of each call an adapter makes; default 10 s. */
  timeoutMs?: number;
  /** Networks the operator trusts (CLOUDKEEP_TRUSTED_CIDRS); see OutboundPolicy. */
  trustedCidrs?: string[];
  /** Cloudkeep's OIDC issuer URL, for providers connected by federation. */
  oidcIssuer?: string;
  /** How long a claim holds a provider before another sweeper may take it; default 300 s. */
  leaseSeconds?: number;
  /** Only these organizations' providers (one organization swept on demand); default: every organization. */
  organizationIds?: string[];
  /** Stop claiming after this long (an edge function has a wall-clock limit); what is claimed is still checked. */
  budgetMs?: number;
  /** Where to report checks that could not be recorded (the kind of error only, never its text). */
  log?: (line: string) => void;
};

export type SweepResult = {
  runId: string;
  sweeperId: string;
  startedAt: Date;
  finishedAt: Date;
  /** Providers leased by this run. */
  claimed: number;
  /** Checks recorded. */
  checked: number;
  healthy: number;
  /** Recorded checks that failed (the provider turns failed only at the organization's threshold). */
  failed: number;
  /** Claimed providers that could not be checked or recorded (undecryptable, deleted meanwhile); their lease runs out and they return. */
  errors: number;
  organizations: number;
};

type Claimed = LiveTarget & OutboundSettings & { name: string; federation_subject_id?: string | null };

/** A claimed provider with the credential it may be checked with, or the reason it may not be checked. */
type Ready = Claimed & ({ envelope: unknown; readOnly: boolean } | { refused: ProviderFailure });

type OrgCounts = Map<string, { checked: number; failed: number }>;

const DEFAULT_CONCURRENCY = 10;
const DEFAULT_LEASE_SECONDS = 300;
const CREDENTIAL_PURPOSE = "scheduled_health_check";

// The organization allows read-only access only and the provider has no read-only
// credential: the check fails closed, and says so, rather than use the full credential.
const READ_ONLY_REQUIRED: ProviderFailure = {
  code: "read_only_required",
  message: "This organization allows read-only access only, and this provider has no read-only credential, so it was not checked.",
  hint: "Add a read-only credential to the provider, or turn off read-only access only in the organization's settings.",
};

export async function runSweep(options: SweepOptions): Promise<SweepResult> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY));
  const batchSize = Math.max(1, Math.min(1000, Math.floor(options.batchSize ?? concurrency * 2)));
  const clock = performance.now();
  // The round is anchored to the database's clock, which stamps next_check_at: the function's
  // clock may be ahead or behind it, and a round must take exactly what was due when it began.
  // Kept as text too, and sent back as text: a Date (and postgres.js's timestamptz parameter)
  // has milliseconds, Postgres microseconds, and a provider stamped in the same millisecond
  // must not fall out of the round.
  const { startedAt, roundStart } = onlyRow(
    await options.sql<{ startedAt: Date; roundStart: string }[]>`select now() as "startedAt", now()::text as "roundStart"`,
    "select now()",
  );
  const runId = crypto.randomUUID();
  const result: SweepResult = {
    runId,
    sweeperId: options.sweeperId,
    startedAt,
    finishedAt: startedAt,
    claimed: 0,
    checked: 0,
    healthy: 0,
    failed: 0,
    errors: 0,
    organizations: 0,
  };
  const seenOrganizations = new Set<string>();
  let unflushed: OrgCounts = new Map();
  const lost = (error: unknown) => {
    result.errors++;
    const kind = error as { code?: string; reason?: string; name?: string } | null;
    options.log?.(
      `health-sweep: a claimed provider was not checked (${kind?.code ?? kind?.reason ?? kind?.name ?? "error"}); its lease will run out`,
    );
  };

  // Hands the counts gathered so far to the run log, in the caller's transaction.
  const flush = async (tx: Tx) => {
    if (unflushed.size === 0) return;
    const counts = [...unflushed].map(([organization_id, c]) => ({ organization_id, ...c }));
    unflushed = new Map();
    await tx`select private.record_sweep_progress(${runId}, ${options.sweeperId}, ${roundStart}::text::timestamptz, ${tx.json(counts as never)})`;
  };

  // The next batch, ready to check; empty once nothing is due.
  const claim = async (): Promise<Ready[]> => {
    for (;;) {
      const claimed = await asService(options.sql, async (tx) => {
        await flush(tx);
        return tx<Claimed[]>`
          select id, organization_id, name, provider_type, api_endpoint, regions, allow_http_endpoints, allowed_private_cidrs, horizon_url
          from private.claim_health_checks(${options.sweeperId}, ${batchSize}, ${roundStart}::text::timestamptz,
                                           make_interval(secs => ${options.leaseSeconds ?? DEFAULT_LEASE_SECONDS}),
                                           ${options.organizationIds ?? null}::uuid[])`;
      });
      if (claimed.length === 0) return [];
      result.claimed += claimed.length;
      const ready = await readCredentials(options.sql, claimed, lost);
      if (ready.length > 0) return ready;
    }
  };

  const queue = claimQueue(claim, () => options.budgetMs !== undefined && performance.now() - clock >= options.budgetMs, concurrency);
  const record = batchedRecorder(options.sql, lost);

  // Runs the check; null when it could not run at all (undecryptable).
  const probe = async (target: Ready): Promise<HealthResult | null> => {
    try {
      return "refused" in target ? failed(target.refused, performance.now()) : await check(options, target);
    } catch (error) {
      lost(error);
      return null;
    }
  };

  const keep = async (target: Ready, health: HealthResult) => {
    if (!(await record(target.id, health))) return;
    result.checked++;
    if (health.ok) result.healthy++;
    else result.failed++;
    const counts = unflushed.get(target.organization_id) ?? { checked: 0, failed: 0 };
    counts.checked++;
    if (!health.ok) counts.failed++;
    unflushed.set(target.organization_id, counts);
    seenOrganizations.add(target.organization_id);
  };

  // Each worker checks its next provider while the last result is being recorded (at most one
  // waiting per worker), so a slow write never leaves a check slot idle.
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      let recording: Promise<void> = Promise.resolve();
      for (let target = await queue.next(); target; target = await queue.next()) {
        const health = await probe(target);
        await recording;
        if (health) recording = keep(target, health);
      }
      await recording;
    }),
  );
  await asService(options.sql, flush);
  if (queue.failure) throw queue.failure;
  result.finishedAt = new Date(startedAt.getTime() + (performance.now() - clock));
  result.organizations = seenOrganizations.size;
  return result;
}

// The endpoint is read with the credential, in one statement: the one claimed with the batch
// may predate a rotation, and new credentials must never go to the old endpoint.
const readOne = async (tx: Tx, id: string) =>
  onlyRow(
    await tx<{ api_endpoint: string | null; credentials: unknown; read_only: boolean; federation_subject_id: string | null }[]>`
    select api_endpoint, credentials, read_only,
           (select federation_subject_id from public.cloud_providers where id = ${id}) as federation_subject_id
    from private.read_provider_credentials(${id}, ${CREDENTIAL_PURPOSE})`,
    "private.read_provider_credentials",
  );

const readyFrom = (target: Claimed, usable: Awaited<ReturnType<typeof readOne>>): Ready => ({
  ...target,
  api_endpoint: usable.api_endpoint,
  federation_subject_id: usable.federation_subject_id,
  envelope: usable.credentials,
  readOnly: usable.read_only,
});

/**
 * Reads a batch's credentials, each read audited by private.read_provider_credentials: all in
 * one transaction, or, when that fails (a read-only refusal, a provider deleted meanwhile), one
 * by one, so a refusal becomes a failed check and only a vanished provider is lost.
 */
async function readCredentials(sql: Sql, claimed: Claimed[], lost: (error: unknown) => void): Promise<Ready[]> {
  if (claimed.length === 0) return [];
  try {
    return await asService(sql, (tx) => Promise.all(claimed.map(async (target) => readyFrom(target, await readOne(tx, target.id)))));
  } catch {
    const ready: Ready[] = [];
    for (const target of claimed) {
      try {
        ready.push(readyFrom(target, await asService(sql, (tx) => readOne(tx, target.id))));
      } catch (error) {
        if ((error as { code?: string })?.code === "CKR01") ready.push({ ...target, refused: READ_ONLY_REQUIRED });
        else lost(error);
      }
    }
    return ready;
  }
}

/**
 * Records results in batches: while one write is in flight, the results that finish meanwhile
 * wait and go together in the next. Resolves true once the result is recorded.
 */
function batchedRecorder(sql: Sql, lost: (error: unknown) => void) {
  type Item = { providerId: string; health: HealthResult; done: (recorded: boolean) => void };
  let waiting: Item[] = [];
  let writing = false;

  const write = async (items: Item[]) => {
    try {
      await asService(sql, (tx) => Promise.all(items.map((item) => recordHealthCheck(tx, item.providerId, item.health, "scheduled"))));
      for (const item of items) item.done(true);
    } catch {
      for (const item of items) {
        try {
          await asService(sql, (tx) => recordHealthCheck(tx, item.providerId, item.health, "scheduled"));
          item.done(true);
        } catch (error) {
          lost(error);
          item.done(false);
        }
      }
    }
  };

  const next = () => {
    if (writing || waiting.length === 0) return;
    const items = waiting;
    waiting = [];
    writing = true;
    void write(items).finally(() => {
      writing = false;
      next();
    });
  };

  return (providerId: string, health: HealthResult) =>
    new Promise<boolean>((done) => {
      waiting.push({ providerId, health, done });
      next();
    });
}

/**
 * A queue that refills itself by claiming: the next batch is claimed (and its credentials read)
 * while the last `lowWater` items are still being checked, so workers rarely wait on the
 * database; one claim at a time. `next()` returns null once a claim finds nothing due, or the
 * budget is spent, and the queue is empty.
 */
function claimQueue<T>(claim: () => Promise<T[]>, outOfBudget: () => boolean, lowWater: number) {
  const queue: T[] = [];
  let exhausted = false;
  let claiming: Promise<void> | null = null;
  const refill = () => {
    if (claiming || exhausted || outOfBudget()) return;
    claiming = claim()
      .then(
        (rows) => {
          if (rows.length === 0) exhausted = true;
          queue.push(...rows);
        },
        (error) => {
          exhausted = true;
          state.failure ??= error;
        },
      )
      .finally(() => {
        claiming = null;
      });
  };
  const state = {
    /** A claim that failed (the database went away): the sweep stops claiming, finishes what it holds, then reports it. */
    failure: null as unknown,
    async next(): Promise<T | null> {
      for (;;) {
        if (queue.length <= lowWater) refill();
        const item = queue.shift();
        if (item !== undefined) return item;
        if (!claiming) return null;
        await claiming;
      }
    },
  };
  return state;
}

const failed = (error: ProviderFailure, started: number): HealthResult => ({
  ok: false,
  error,
  latencyMs: performance.now() - started,
  checkedAt: new Date().toISOString(),
});

/** Decrypts and checks one provider. A cloud that cannot be reached is a failed check, not an error. */
async function check(options: SweepOptions, target: Claimed & { envelope: unknown; readOnly: boolean }): Promise<HealthResult> {
  const credentials = await openEnvelope(options.ring, target, target.envelope, target.readOnly);
  const started = performance.now();
  try {
    return await runHealthCheck(options, target, target, credentials);
  } catch (error) {
    return failed(toProviderFailure(error), started);
  }
}
