// Whole cloud organizations: a parent provider discovers the accounts in its scope and connects each
// one it can reach as a child provider. On demand (an admin clicks Discover accounts) and after each
// scheduled sweep (new accounts join on the next run).
//
// For each account the parent's cloud lists: an account it already has a child for stays connected;
// one the cloud says cannot be used (suspended, disabled) is recorded as unavailable; one an admin
// excluded is left alone; any other gets a credential derived from the parent's, which must pass a
// health check before the child is created, so an account that cannot be connected (member role
// missing, API disabled) shows the cloud's reason instead of becoming a failing provider. The
// derived credential is encrypted for the child's own row, as every credential is.
import { mapLimit } from "../concurrency.ts";
import { asService, onlyRow, withRls, type Claims, type Querier, type Tx } from "../db.ts";
import { toProviderFailure } from "../net/http.ts";
import {
  loadDiscovery,
  type DiscoveredAccount,
  type DiscoveryCloud,
  type DiscoveryLoader,
  type OrganizationScope,
} from "../providers/discovery.ts";
import type { HealthResult } from "../providers/types.ts";
import type { CredentialsOf } from "../schemas/providers.ts";
import { sealForChild } from "./child-credentials.ts";
import {
  adapterContext,
  openEnvelope,
  recordHealthCheck,
  refuseWithoutReadOnly,
  runHealthCheck,
  type ConnectivityContext,
  type OutboundSettings,
} from "./connectivity.ts";
import { DomainError, ProviderCallError } from "./errors.ts";
import { parseOrganizationScope } from "./organization-scope.ts";
import { PROVIDER_COLUMNS, requireRole, type ProviderRecord } from "./providers.ts";

/** Connects (or stops connecting) a provider's whole organization. Stopping keeps the children, detached. */
export async function setOrganizationScope(ctx: ConnectivityContext, providerId: string, value: unknown): Promise<ProviderRecord> {
  return withRls(ctx.sql, ctx.claims, async (tx) => {
    const [current] = await tx<ProviderRecord[]>`select ${tx(PROVIDER_COLUMNS)} from public.cloud_providers where id = ${providerId}`;
    if (!current) throw new DomainError("not_found", "Provider not found.");
    await requireRole(tx, current.organization_id, "admin", "connect whole organizations");
    if (current.parent_provider_id) {
      throw new DomainError(
        "conflict",
        `"${current.name}" was discovered through another provider; connect the organization from that one.`,
      );
    }
    const scope = parseOrganizationScope(current.provider_type, value);
    const rows = await tx<ProviderRecord[]>`
      update public.cloud_providers set organization_scope = ${scope ? tx.json(scope) : null}
      where id = ${providerId}
      returning ${tx(PROVIDER_COLUMNS)}`;
    return onlyRow(rows, "update public.cloud_providers (organization_scope)");
  });
}

// ---------------------------------------------------------------------------------------------------
// Discovery

export type DiscoveryOptions = ConnectivityContext & { discovery?: DiscoveryLoader; concurrency?: number };

export type DiscoveryOutcome = {
  /** Accounts the cloud listed, the parent's own excluded. */
  discovered: number;
  /** Children created by this run. */
  added: number;
  connected: number;
  unavailable: number;
  failed: number;
  excluded: number;
};

type Parent = Pick<
  ProviderRecord,
  | "id"
  | "organization_id"
  | "name"
  | "provider_type"
  | "api_endpoint"
  | "regions"
  | "environment"
  | "account_identifier"
  | "external_id"
  | "status"
  | "federation_subject_id"
> & { organization_scope: OrganizationScope };

const PARENT_COLUMNS = [
  "id",
  "organization_id",
  "name",
  "provider_type",
  "api_endpoint",
  "regions",
  "environment",
  "account_identifier",
  "external_id",
  "status",
  "federation_subject_id",
  "organization_scope",
] as const;

type AccountRow = {
  account: string;
  name: string;
  state: "connected" | "unavailable" | "failed" | "excluded";
  child_provider_id: string | null;
  reason_code: string | null;
  reason_message: string | null;
  reason_hint: string | null;
  details: Record<string, string>;
};

/** An admin asks a parent to discover now. */
export async function discoverOrganizationAccounts(ctx: DiscoveryOptions, parentId: string): Promise<DiscoveryOutcome> {
  const parent = await withRls(ctx.sql, ctx.claims, async (tx) => {
    const [row] = await tx<Parent[]>`select ${tx(PARENT_COLUMNS)} from public.cloud_providers where id = ${parentId}`;
    if (!row) throw new DomainError("not_found", "Provider not found.");
    await requireRole(tx, row.organization_id, "admin", "discover accounts");
    if (!row.organization_scope) throw new DomainError("conflict", `"${row.name}" does not connect a whole organization.`);
    if (row.status === "suspended") throw new DomainError("conflict", `"${row.name}" is suspended. Resume it before discovering accounts.`);
    return row;
  });
  return syncOrganization(ctx, parent, ctx.claims, "manual");
}

export type ScheduledDiscoveryReport = { parents: number; added: number; failed: number };

/** After a sweep: every parent not suspended discovers, one after another; one failing never stops the others. */
export async function discoverOnSchedule(
  ctx: Omit<DiscoveryOptions, "claims"> & { organizationIds?: string[]; log?: (line: string) => void },
): Promise<ScheduledDiscoveryReport> {
  const parents = await asService(
    ctx.sql,
    (tx) => tx<Parent[]>`
      select ${tx(PARENT_COLUMNS)} from public.cloud_providers
      where organization_scope is not null and status <> 'suspended'
        and (${ctx.organizationIds ?? null}::uuid[] is null or organization_id = any (${ctx.organizationIds ?? null}::uuid[]))
      order by organization_id, id`,
  );
  const report: ScheduledDiscoveryReport = { parents: parents.length, added: 0, failed: 0 };
  for (const parent of parents) {
    try {
      report.added += (await syncOrganization(ctx, parent, null, "scheduled")).added;
    } catch (error) {
      report.failed += 1;
      ctx.log?.(`discovery: ${parent.id} failed (${(error as { code?: string })?.code ?? (error as Error)?.name ?? "error"})`);
    }
  }
  return report;
}

type Trigger = "manual" | "scheduled";

/**
 * One discovery, remembered: a run that lists the organization stores its counts with its accounts; one
 * that fails as a whole stores why (the cloud's reason and hint, or the domain's), so the parent's
 * page shows it to everyone until a later run succeeds, then fails as before.
 */
async function syncOrganization(
  ctx: Omit<DiscoveryOptions, "claims">,
  parent: Parent,
  claims: Claims | null,
  trigger: Trigger,
): Promise<DiscoveryOutcome> {
  try {
    return await discoverAndConnect(ctx, parent, claims, trigger);
  } catch (error) {
    await asService(ctx.sql, (tx) => recordRun(tx, parent.id, trigger, runFailure(error), null), claims).catch(() => undefined);
    throw error;
  }
}

/** What a failed run stores: only what was written for people (a provider's failure, a domain message), never a raw error. */
function runFailure(error: unknown): { code: string; message: string; hint?: string } {
  if (error instanceof ProviderCallError) return error.failure;
  if (error instanceof DomainError) return { code: error.code, message: error.message };
  return {
    code: "discovery_failed",
    message: "Discovery stopped on an unexpected error.",
    hint: "Try again; if it keeps failing, contact support.",
  };
}

function recordRun(tx: Querier, parentId: string, trigger: Trigger, failure: object | null, counts: DiscoveryOutcome | null) {
  return tx`select private.record_discovery_run(${parentId}, ${trigger}, ${failure ? tx.json(failure as never) : null}, ${counts ? tx.json(counts) : null})`;
}

async function discoverAndConnect(
  ctx: Omit<DiscoveryOptions, "claims">,
  parent: Parent,
  claims: Claims | null,
  trigger: Trigger,
): Promise<DiscoveryOutcome> {
  const kind = parent.provider_type as DiscoveryCloud;
  const opened = await asService(
    ctx.sql,
    async (tx) => {
      const orgs = await tx<OutboundSettings[]>`
        select allow_http_endpoints, allowed_private_cidrs::text[] as allowed_private_cidrs, horizon_url
        from public.organizations where id = ${parent.organization_id}`;
      const usable = onlyRow(
        await tx<{ api_endpoint: string | null; credentials: unknown; read_only: boolean }[]>`
        select api_endpoint, credentials, read_only from private.read_provider_credentials(${parent.id}, 'discover_accounts')`.catch(
          (error) => refuseWithoutReadOnly(error, parent.name),
        ),
        "private.read_provider_credentials",
      );
      const known = await tx<{ account: string; state: AccountRow["state"]; child_provider_id: string | null }[]>`
        select account, state, child_provider_id from public.provider_discovered_accounts where parent_provider_id = ${parent.id}`;
      const children = await tx<{ id: string; account_identifier: string | null }[]>`
        select id, account_identifier from public.cloud_providers where parent_provider_id = ${parent.id}`;
      const elsewhere = await tx<{ name: string; account_identifier: string }[]>`
        select name, account_identifier from public.cloud_providers
        where organization_id = ${parent.organization_id} and provider_type = ${parent.provider_type}
          and account_identifier is not null and parent_provider_id is distinct from ${parent.id} and id <> ${parent.id}`;
      return { org: onlyRow(orgs, "select of the parent's organization"), usable, known, children, elsewhere };
    },
    claims,
  );
  const { org, usable } = opened;
  const credentials = (await openEnvelope(ctx.ring, parent, usable.credentials, usable.read_only)) as CredentialsOf<DiscoveryCloud>;
  const discovery = await (ctx.discovery ?? loadDiscovery)(kind);
  const callOptions = { ...ctx, claims };
  const parentTarget = { ...parent, api_endpoint: usable.api_endpoint };

  let accounts: DiscoveredAccount[];
  try {
    const context = adapterContext(callOptions, org, parentTarget.api_endpoint, parent.regions, parentTarget);
    accounts = (await discovery.discoverAccounts(credentials as never, parent.organization_scope as never, context)).accounts;
  } catch (error) {
    throw new ProviderCallError(toProviderFailure(error));
  }

  const excluded = new Set(opened.known.filter((row) => row.state === "excluded").map((row) => row.account));
  const childOf = new Map(opened.children.map((child) => [child.account_identifier, child.id]));
  const connectedElsewhere = new Map(opened.elsewhere.map((row) => [row.account_identifier, row.name]));
  const rows: AccountRow[] = [];
  const candidates: DiscoveredAccount[] = [];
  for (const account of accounts) {
    if (account.account === parent.account_identifier) continue;
    const base = { account: account.account, name: account.name || account.account, details: account.details ?? {} };
    const child = childOf.get(account.account);
    const other = connectedElsewhere.get(account.account);
    if (child) rows.push({ ...base, ...reason(null), state: "connected", child_provider_id: child });
    else if (excluded.has(account.account)) rows.push({ ...base, ...reason(null), state: "excluded", child_provider_id: null });
    else if (account.unavailable) rows.push({ ...base, ...reason(account.unavailable), state: "unavailable", child_provider_id: null });
    else if (other) {
      const already = { code: "already_connected", message: `Already connected as "${other}".` };
      rows.push({ ...base, ...reason(already), state: "unavailable", child_provider_id: null });
    } else candidates.push(account);
  }

  let added = 0;
  await mapLimit(candidates, ctx.concurrency ?? 4, async (account) => {
    const base = { account: account.account, name: account.name || account.account, details: account.details ?? {} };
    let derived: CredentialsOf<DiscoveryCloud>;
    try {
      derived = discovery.childCredentials(
        credentials as never,
        parent.organization_scope as never,
        account,
      ) as CredentialsOf<DiscoveryCloud>;
    } catch (error) {
      rows.push({ ...base, ...reason(toProviderFailure(error)), state: "failed", child_provider_id: null });
      return;
    }
    // Checked as the parent's relative: its tokens carry the parent's subject, its audit names the parent.
    const check = await runHealthCheck(
      callOptions,
      { ...parentTarget, federation_subject_id: parent.federation_subject_id ?? parent.id },
      org,
      derived,
    ).catch((error): HealthResult => ({ ok: false, error: toProviderFailure(error), latencyMs: 0, checkedAt: new Date().toISOString() }));
    if (!check.ok) {
      rows.push({ ...base, ...reason(check.error), state: "failed", child_provider_id: null });
      return;
    }
    const childId = await createChild(ctx, parent, parentTarget.api_endpoint, account, derived, check, claims, trigger).catch(
      (error: unknown) => {
        rows.push({ ...base, ...reason(toProviderFailure(error)), state: "failed", child_provider_id: null });
        return null;
      },
    );
    if (childId) {
      added += 1;
      rows.push({ ...base, ...reason(null), state: "connected", child_provider_id: childId });
    }
  });

  const count = (state: AccountRow["state"]) => rows.filter((row) => row.state === state).length;
  const outcome: DiscoveryOutcome = {
    discovered: rows.length,
    added,
    connected: count("connected"),
    unavailable: count("unavailable"),
    failed: count("failed"),
    excluded: count("excluded"),
  };
  await asService(
    ctx.sql,
    async (tx) => {
      await tx`select private.record_discovered_accounts(${parent.id}, ${tx.json(rows as never)})`;
      await recordRun(tx, parent.id, trigger, null, outcome);
    },
    claims,
  );
  return outcome;
}

function reason(failure: { code: string; message: string; hint?: string } | null) {
  return { reason_code: failure?.code ?? null, reason_message: failure?.message ?? null, reason_hint: failure?.hint || null };
}

/** Creates the child with its derived credential (encrypted for its own row) and records the check it passed. */
async function createChild(
  ctx: Omit<DiscoveryOptions, "claims">,
  parent: Parent,
  apiEndpoint: string | null,
  account: DiscoveredAccount,
  credentials: CredentialsOf<DiscoveryCloud>,
  check: HealthResult,
  claims: Claims | null,
  trigger: Trigger,
): Promise<string> {
  const kind = parent.provider_type;
  const id = crypto.randomUUID();
  const { described, fingerprint, envelope } = await sealForChild(ctx.ring, { ...parent, api_endpoint: apiEndpoint }, id, credentials);
  const name = (account.name || account.account).slice(0, 80);
  return asService(
    ctx.sql,
    async (tx: Tx) => {
      // Member roles trust the parent's external ID (the StackSet gives them all the same one).
      if (parent.external_id) await tx`select private.inherit_external_id(${parent.id})`;
      await tx`
        insert into public.cloud_providers
          (id, organization_id, name, provider_type, api_endpoint, auth_method, credentials, credential_hint,
           credential_fingerprint, account_identifier, environment, regions, credentials_expires_at,
           parent_provider_id, federation_subject_id)
        values
          (${id}, ${parent.organization_id}, ${name}, ${kind}, ${apiEndpoint}, ${described.authMethod},
           ${tx.json(envelope as never)}, ${described.credentialHint}, ${fingerprint}, ${described.accountIdentifier ?? account.account},
           ${parent.environment}, ${parent.regions}, ${described.expiresAt ?? null},
           ${parent.id}, ${parent.federation_subject_id ?? parent.id})`;
      await recordHealthCheck(tx, id, check, trigger);
      return id;
    },
    claims,
  );
}

// ---------------------------------------------------------------------------------------------------
// Reading and deciding

export type DiscoveredAccountRecord = AccountRow & { first_seen_at: Date; last_seen_at: Date; checked_at: Date };

/** What a parent discovered: every account, connected or why not; not connected first, as they need attention. */
function selectDiscoveredAccounts(tx: Querier, parentId: string) {
  return tx<DiscoveredAccountRecord[]>`
    select account, name, state, child_provider_id, reason_code, reason_message, reason_hint, details, first_seen_at, last_seen_at, checked_at
    from public.provider_discovered_accounts where parent_provider_id = ${parentId}
    order by state = 'connected', state = 'excluded', name, account`;
}

export type DiscoveryRunRecord = {
  trigger: Trigger;
  ran_at: Date;
  ok: boolean;
  error_code: string | null;
  error_message: string | null;
  error_hint: string | null;
  counts: Partial<DiscoveryOutcome>;
};

/** A parent's last discovery, or null before its first. */
function selectDiscoveryRun(tx: Querier, parentId: string): Promise<DiscoveryRunRecord | null> {
  return tx<DiscoveryRunRecord[]>`
    select trigger, ran_at, ok, error_code, error_message, error_hint, counts
    from public.provider_discovery_runs where parent_provider_id = ${parentId}`.then(([row]) => row ?? null);
}

/** What a parent discovered and how its last discovery went, inside a caller's transaction (the portal's page reads). */
export async function selectDiscovery(tx: Querier, parentId: string) {
  const [accounts, run] = await Promise.all([selectDiscoveredAccounts(tx, parentId), selectDiscoveryRun(tx, parentId)]);
  return { accounts, run };
}

/** The same, for the API. */
export async function readDiscovery(ctx: ConnectivityContext, parentId: string) {
  return withRls(ctx.sql, ctx.claims, (tx) => selectDiscovery(tx, parentId));
}

/** An admin excludes an account from discovery, or lets the next discovery try it again. */
export async function setAccountExcluded(ctx: ConnectivityContext, parentId: string, account: string, exclude: boolean): Promise<void> {
  await withRls(ctx.sql, ctx.claims, async (tx) => {
    const [row] = await tx<{ organization_id: string }[]>`select organization_id from public.cloud_providers where id = ${parentId}`;
    if (!row) throw new DomainError("not_found", "Provider not found.");
    await requireRole(tx, row.organization_id, "admin", exclude ? "exclude accounts" : "include accounts");
    await tx`select private.set_discovered_account_excluded(${parentId}, ${account}, ${exclude})`.catch((error: { code?: string }) => {
      if (error?.code === "P0002") throw new DomainError("not_found", "Account not found, or already connected.");
      throw error;
    });
  });
}
