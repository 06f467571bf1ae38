// Live calls to clouds: check a provider's health, test unsaved credentials, refresh its
// inventory. The credential is decrypted only here, for one call, after the database has
// checked the caller's role and recorded the read; the adapter call itself runs outside any
// transaction so a slow cloud never holds a database connection.
import { decryptCredential } from "../crypto/index.ts";
import { withRls, type Tx } from "../db.ts";
import type { OutboundPolicy } from "../net/outbound.ts";
import { loadAdapter, type AdapterLoader } from "../providers/index.ts";
import type { AdapterContext, HealthResult, ListResult } from "../providers/types.ts";
import { parseProviderInput, type CredentialsOf, type ProviderType } from "../schemas/providers.ts";
import { toProviderFailure } from "../net/http.ts";
import { DomainError, ProviderCallError, validationError } from "./errors.ts";
import type { ProviderRecord, VaultContext } from "./providers.ts";

export type ConnectivityContext = VaultContext & { adapters?: AdapterLoader; timeoutMs?: number };

export type HealthTrigger = "manual" | "save" | "api" | "scheduled";

type OrgSettings = { role: string; allow_http_endpoints: boolean; allowed_private_cidrs: string[]; horizon_url: string | null };

const RANK: Record<string, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

async function orgSettings(tx: Tx, organizationId: string): Promise<OrgSettings> {
  const [org] = await tx<OrgSettings[]>`
    select m.role, o.allow_http_endpoints, o.allowed_private_cidrs::text[] as allowed_private_cidrs, o.horizon_url
    from public.organizations o
    join public.organization_members m on m.organization_id = o.id and m.user_id = (select auth.uid())
    where o.id = ${organizationId}`;
  if (!org) throw new DomainError("not_found", "Organization not found.");
  return org;
}

function requireMember(org: OrgSettings, doing: string) {
  if ((RANK[org.role] ?? -1) < RANK.member) {
    throw new DomainError("forbidden", `Viewers see stored results only; a member or above can ${doing}.`);
  }
}

function adapterContext(ctx: ConnectivityContext, org: OrgSettings, apiEndpoint: string | null, regions: string[]): AdapterContext {
  const outbound: OutboundPolicy = { allowHttp: org.allow_http_endpoints, allowedCidrs: org.allowed_private_cidrs };
  return { apiEndpoint, regions, outbound, timeoutMs: ctx.timeoutMs, consoleUrls: { horizon: org.horizon_url } };
}

/** Loads what a live call needs: the provider, the org's settings, and the decrypted credential. */
async function openProvider(ctx: ConnectivityContext, providerId: string, purpose: string, doing: string) {
  const loaded = await withRls(ctx.sql, ctx.claims, async (tx) => {
    const [provider] = await tx<Pick<ProviderRecord, "id" | "organization_id" | "provider_type" | "api_endpoint" | "regions" | "status" | "name">[]>`
      select id, organization_id, provider_type, api_endpoint, regions, status, name from public.cloud_providers where id = ${providerId}`;
    if (!provider) throw new DomainError("not_found", "Provider not found.");
    const org = await orgSettings(tx, provider.organization_id);
    requireMember(org, doing);
    if (provider.status === "suspended") throw new DomainError("conflict", `"${provider.name}" is suspended. Resume it before ${doing}.`);
    const [{ credentials }] = await tx<{ credentials: unknown }[]>`select credentials from private.read_provider_credentials(${providerId}, ${purpose})`;
    return { provider, org, envelope: credentials };
  });
  const credentials = await decryptCredential(ctx.ring, { organizationId: loaded.provider.organization_id, providerId }, loaded.envelope);
  return { ...loaded, credentials: credentials as CredentialsOf<ProviderType> };
}

export type RecordedCheck = {
  id: string;
  checked_at: Date;
  ok: boolean;
  latency_ms: number | null;
  identity: Record<string, unknown> | null;
  error_code: string | null;
  error_message: string | null;
  error_hint: string | null;
  trigger: HealthTrigger;
};

/** Runs a health check now, records it in the history, and moves the provider's status. */
export async function checkProviderHealth(ctx: ConnectivityContext, providerId: string, trigger: HealthTrigger = "manual") {
  const { provider, org, credentials } = await openProvider(ctx, providerId, "health_check", "running a health check");
  const adapter = await (ctx.adapters ?? loadAdapter)(provider.provider_type);
  const result = await adapter.checkHealth(credentials as never, adapterContext(ctx, org, provider.api_endpoint, provider.regions));
  const failure = result.ok ? null : result.error;
  const [check] = await withRls(ctx.sql, ctx.claims, (tx) => tx<RecordedCheck[]>`
    select id::text, checked_at, ok, latency_ms, identity, error_code, error_message, error_hint, trigger
    from private.record_health_check(${providerId}, ${result.ok}, ${Math.round(result.latencyMs)},
      ${result.ok ? tx.json(result.identity as never) : null}, ${failure?.code ?? null}, ${failure?.message ?? null}, ${failure?.hint ?? null}, ${trigger})`);
  return { check, result };
}

/** Checks credentials that are not saved yet. Nothing is stored, not even in the history. */
export async function testCredentials(ctx: ConnectivityContext, organizationId: string, body: unknown): Promise<HealthResult> {
  const org = await withRls(ctx.sql, ctx.claims, (tx) => orgSettings(tx, organizationId));
  requireMember(org, "test credentials");
  const parsed = parseProviderInput(body, { allowHttp: org.allow_http_endpoints });
  if (!parsed.success) throw validationError(parsed.error);
  const input = parsed.data;
  const adapter = await (ctx.adapters ?? loadAdapter)(input.provider_type);
  return adapter.checkHealth(input.credentials as never, adapterContext(ctx, org, input.api_endpoint ?? null, input.regions));
}

/** Lists resources live and replaces the stored inventory (vanished ones are marked, not dropped). */
export async function refreshResources(ctx: ConnectivityContext, providerId: string, type?: string): Promise<ListResult> {
  const { provider, org, credentials } = await openProvider(ctx, providerId, "list_resources", "listing resources live");
  const adapter = await (ctx.adapters ?? loadAdapter)(provider.provider_type);
  let listing: ListResult;
  try {
    listing = await adapter.listResources(credentials as never, { ...adapterContext(ctx, org, provider.api_endpoint, provider.regions), type });
  } catch (error) {
    // The stored inventory stays as it was; the caller learns what failed and what to do.
    throw new ProviderCallError(toProviderFailure(error));
  }
  await withRls(ctx.sql, ctx.claims, (tx) => tx`
    select private.record_inventory(${providerId}, ${tx.json(listing.resources as never)}, ${tx.json(listing.partialFailures as never)})`);
  return listing;
}
