// Importing an AWS provider's account activity from CloudTrail into provider_events: live for a
// member (importProviderEvents, the API's ?refresh=true and the portal's "Import now"), and on a
// schedule as the service role (importEventsOnSchedule, for the health sweep to call).
//
// Only changes are imported (ReadOnly=false), so the timeline is not buried under reads, Cloudkeep's
// own included. CloudTrail shows an event about ten minutes (at most fifteen) after it happened, so
// each import looks again from a while before the newest stored event; the database keeps an event
// id once per provider however often it comes back. Regions: the provider's, or its home region
// (us-east-1 by default, where global services such as IAM record their events).
import type { Sql } from "postgres";
import type { KeyRing } from "../crypto/index.ts";
import { asService, onlyRow, withRls, type Tx } from "../db.ts";
import { toProviderFailure } from "../net/http.ts";
import { mapLimit } from "../concurrency.ts";
import { homeRegion } from "../providers/aws.ts";
import type { TrailEvent } from "../providers/aws-cloudtrail.ts";
import type { AdapterContext, ProviderFailure } from "../providers/types.ts";
import type { AwsCredentials } from "../schemas/providers.ts";
import { openEnvelope, outboundPolicy, refuseWithoutReadOnly, type ConnectivityContext } from "./connectivity.ts";
import { DomainError, ProviderCallError } from "./errors.ts";

/** Each import looks again this far back from the newest stored event. */
export const IMPORT_OVERLAP_MS = 30 * 60_000;
/** How far back a provider's first import reaches. */
export const FIRST_IMPORT_MS = 7 * 24 * 60 * 60_000;
/** Regions looked up at once (CloudTrail allows two LookupEvents a second per region). */
const REGION_CONCURRENCY = 4;

export type EventImport = {
  /** Events not stored before. */
  added: number;
  /** Events CloudTrail returned, new or not. */
  fetched: number;
  regions: string[];
  /** Regions that failed while others were imported. */
  partialFailures: { scope: string; code: string; message: string }[];
  /** Regions with more events than one import reads; the oldest of the window were left out. */
  truncated: string[];
};

type Target = {
  id: string;
  organization_id: string;
  name: string;
  provider_type: string;
  api_endpoint: string | null;
  regions: string[];
  status: string;
  allow_http_endpoints: boolean;
  allowed_private_cidrs: string[];
  horizon_url: string | null;
  role: string | null;
};

type Runner = <T>(work: (tx: Tx) => Promise<T>) => Promise<T>;
/** How a run reads (as the caller) and records (always as the service role, for the caller). */
type Runners = { read: Runner; record: Runner };

/** The provider, its organization's outbound settings and its usable credential envelope. `member`: the caller must be a member or above. */
async function loadTarget(tx: Tx, providerId: string, member: boolean) {
  const [target] = await tx<Target[]>`
    select p.id, p.organization_id, p.name, p.provider_type, p.api_endpoint, p.regions, p.status,
           o.allow_http_endpoints, o.allowed_private_cidrs::text[] as allowed_private_cidrs, o.horizon_url,
           (select m.role::text from public.organization_members m where m.organization_id = p.organization_id and m.user_id = (select auth.uid())) as role
    from public.cloud_providers p join public.organizations o on o.id = p.organization_id
    where p.id = ${providerId}`;
  if (!target || (member && !target.role)) throw new DomainError("not_found", "Provider not found.");
  if (member && target.role === "viewer") {
    throw new DomainError("forbidden", "Viewers see stored results only; a member or above can import account activity from AWS.");
  }
  if (target.provider_type !== "aws")
    throw new DomainError("conflict", `Account activity comes from AWS CloudTrail; "${target.name}" is not an AWS provider.`);
  if (target.status === "suspended")
    throw new DomainError("conflict", `"${target.name}" is suspended. Resume it before importing its activity.`);
  // The endpoint comes from the same statement as the credential, so a rotation in between
  // can never pair new credentials with the old endpoint.
  const usable = onlyRow(
    await tx<{ api_endpoint: string | null; credentials: unknown; read_only: boolean }[]>`
    select api_endpoint, credentials, read_only from private.read_provider_credentials(${providerId}, 'import_events')`.catch((error) =>
      refuseWithoutReadOnly(error, target.name),
    ),
    "private.read_provider_credentials",
  );
  target.api_endpoint = usable.api_endpoint;
  const newest = await tx<{ region: string; newest: Date }[]>`
    select region, max(event_time) as newest from public.provider_events where provider_id = ${providerId} group by region`;
  return {
    target,
    envelope: usable.credentials,
    readOnly: usable.read_only,
    newest: new Map(newest.map((row) => [row.region, row.newest])),
  };
}

function adapterContextOf(target: Target, timeoutMs: number | undefined, trustedCidrs: string[] | undefined): AdapterContext {
  return {
    apiEndpoint: target.api_endpoint,
    regions: target.regions,
    outbound: outboundPolicy(target, trustedCidrs),
    timeoutMs,
    consoleUrls: { horizon: target.horizon_url },
  };
}

/** Reads, decrypts, looks up every region, and stores what came back; throws when every region failed. */
async function runImport(
  run: Runners,
  ring: KeyRing,
  providerId: string,
  options: { timeoutMs?: number; trustedCidrs?: string[]; member: boolean },
): Promise<EventImport> {
  const loaded = await run.read((tx) => loadTarget(tx, providerId, options.member));
  const { target } = loaded;
  const credentials = (await openEnvelope(ring, target, loaded.envelope, loaded.readOnly)) as AwsCredentials;
  const { listAllEvents } = await import("../providers/aws-cloudtrail.ts");
  const context = adapterContextOf(target, options.timeoutMs, options.trustedCidrs);
  const regions = target.regions.length > 0 ? target.regions : [homeRegion(credentials)];
  const now = Date.now();
  const results = await mapLimit(regions, REGION_CONCURRENCY, async (region) => {
    const newest = loaded.newest.get(region)?.getTime() ?? 0;
    const startTime = new Date(Math.max(newest - IMPORT_OVERLAP_MS, now - FIRST_IMPORT_MS));
    try {
      return { region, ...(await listAllEvents(credentials, { ...context, region, startTime, filters: { readOnly: false } })) };
    } catch (error) {
      return { region, failure: toProviderFailure(error) };
    }
  });

  const failed: ProviderFailure[] = [];
  const partialFailures: EventImport["partialFailures"] = [];
  const events: TrailEvent[] = [];
  const truncated: string[] = [];
  for (const result of results) {
    if (result.failure) {
      failed.push(result.failure);
      partialFailures.push({
        scope: result.region,
        code: result.failure.code,
        message: `${result.failure.message} ${result.failure.hint}`,
      });
    } else if (result.events) {
      events.push(...result.events);
      if (result.truncated) truncated.push(result.region);
    }
  }
  const [firstFailure] = failed;
  if (firstFailure && failed.length === regions.length) throw new ProviderCallError(firstFailure);
  const added = await run.record(async (tx) => {
    const rows = await tx<{ added: number }[]>`
      select private.record_provider_events(${providerId}, ${tx.json(events as never)}, ${regions}, ${tx.json(partialFailures as never)}) as added`;
    return onlyRow(rows, "private.record_provider_events()").added;
  });
  return { added, fetched: events.length, regions, partialFailures, truncated };
}

/** Imports a provider's recent changes now, as the calling member. */
export function importProviderEvents(ctx: ConnectivityContext, providerId: string): Promise<EventImport> {
  const run: Runners = { read: (work) => withRls(ctx.sql, ctx.claims, work), record: (work) => asService(ctx.sql, work, ctx.claims) };
  return runImport(run, ctx.ring, providerId, { timeoutMs: ctx.timeoutMs, trustedCidrs: ctx.trustedCidrs, member: true });
}

export type ScheduledImportOptions = {
  sql: Sql;
  ring: KeyRing;
  /** Import providers whose last import is older than this; default 15 minutes. */
  everyMs?: number;
  /** Providers imported per run at most; default 50. */
  limit?: number;
  /** Only these organizations' providers; default every organization. */
  organizationIds?: string[];
  timeoutMs?: number;
  /** Networks the operator trusts (CLOUDKEEP_TRUSTED_CIDRS); see OutboundPolicy. */
  trustedCidrs?: string[];
  /** Where to report providers that failed (their id and the failure's code, never its text). */
  log?: (line: string) => void;
};

/**
 * The scheduled import, for the health sweep to call after its checks: every healthy AWS provider whose
 * activity is older than `everyMs`, one after another, as the service role. Two sweepers running it at
 * once may import a provider twice; the database keeps each event once.
 */
export async function importEventsOnSchedule(options: ScheduledImportOptions) {
  const everyMs = options.everyMs ?? 15 * 60_000;
  const due = await asService(
    options.sql,
    (tx) => tx<{ id: string }[]>`
    select p.id
    from public.cloud_providers p
    left join public.provider_event_imports i on i.provider_id = p.id
    where p.provider_type = 'aws' and p.status = 'healthy'
      and (i.imported_at is null or i.imported_at < now() - make_interval(secs => ${everyMs / 1000}))
      ${options.organizationIds ? tx`and p.organization_id = any (${options.organizationIds})` : tx``}
    order by i.imported_at nulls first, p.id
    limit ${options.limit ?? 50}`,
  );
  const service: Runner = (work) => asService(options.sql, work);
  const run: Runners = { read: service, record: service };
  let imported = 0;
  let added = 0;
  const failures: { providerId: string; code: string }[] = [];
  for (const { id } of due) {
    try {
      const result = await runImport(run, options.ring, id, {
        timeoutMs: options.timeoutMs,
        trustedCidrs: options.trustedCidrs,
        member: false,
      });
      imported += 1;
      added += result.added;
    } catch (error) {
      const code = error instanceof ProviderCallError ? error.failure.code : error instanceof DomainError ? error.code : "error";
      failures.push({ providerId: id, code });
      options.log?.(`events: import of ${id} failed (${code})`);
    }
  }
  return { due: due.length, imported, added, failures };
}
