// Live calls to clouds: check a provider's health, test unsaved credentials, refresh its
// inventory. The credential is decrypted only here, for one call, after the database has
// checked the caller's role and recorded the read; the adapter call itself runs outside any
// transaction so a slow cloud never holds a database connection.
import { decryptCredential, type KeyRing } from "../crypto/index.ts";
import { asService, onlyRow, withRls, type Claims, type Tx } from "../db.ts";
import type { OutboundPolicy } from "../net/outbound.ts";
import { loadAdapter, type AdapterLoader } from "../providers/index.ts";
import type { AdapterContext, HealthResult, ListResult } from "../providers/types.ts";
import { parseProviderInput, type CredentialsOf, type ProviderType } from "../schemas/providers.ts";
import { toProviderFailure } from "../net/http.ts";
import { federationSupplier } from "../federation/token.ts";
import type { Sql } from "postgres";
import { DomainError, ProviderCallError, validationError } from "./errors.ts";
import { hasRole } from "./roles.ts";
import type { ProviderRecord, VaultContext } from "./providers.ts";

export type ConnectivityContext = VaultContext & { adapters?: AdapterLoader; timeoutMs?: number };

export type HealthTrigger = "manual" | "save" | "api" | "scheduled";

/** What an organization's settings say about outbound calls: which endpoints may be reached, and its console links. */
export type OutboundSettings = { allow_http_endpoints: boolean; allowed_private_cidrs: string[]; horizon_url: string | null };

type OrgSettings = OutboundSettings & { role: string };

/** What a live call needs besides credentials, and which provider they belong to. */
export type LiveTarget = Pick<ProviderRecord, "id" | "organization_id" | "provider_type" | "api_endpoint" | "regions">;

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
  if (!hasRole(org.role, "member")) {
    throw new DomainError("forbidden", `Viewers see stored results only; a member or above can ${doing}.`);
  }
}

/** Where an organization's live calls may go: its own settings, plus the networks the operator trusts. */
export function outboundPolicy(org: OutboundSettings, trustedCidrs: string[] = []): OutboundPolicy {
  return { allowHttp: org.allow_http_endpoints, allowedCidrs: org.allowed_private_cidrs, trustedCidrs };
}

/** `claims`: whoever caused the call (a person, an API token), named in the audit of any token issued for it; none for the sweep. */
type CallOptions = { timeoutMs?: number; trustedCidrs?: string[]; sql?: Sql; ring?: KeyRing; oidcIssuer?: string; claims?: Claims | null };

/** A saved provider (id and organization known) gets a token supplier, when this deployment has an issuer. */
type Saved = Partial<Pick<LiveTarget, "id" | "organization_id">> & { federation_subject_id?: string | null };

export function adapterContext(
  ctx: CallOptions,
  org: OutboundSettings,
  apiEndpoint: string | null,
  regions: string[],
  provider: Saved = {},
): AdapterContext {
  const outbound = outboundPolicy(org, ctx.trustedCidrs);
  const federation =
    ctx.sql && ctx.ring && ctx.oidcIssuer && provider.id && provider.organization_id
      ? federationSupplier(
          { sql: ctx.sql, ring: ctx.ring, issuer: ctx.oidcIssuer, onBehalfOf: ctx.claims },
          { id: provider.id, organization_id: provider.organization_id, federation_subject_id: provider.federation_subject_id },
        )
      : undefined;
  return {
    apiEndpoint,
    regions,
    outbound,
    timeoutMs: ctx.timeoutMs,
    consoleUrls: { horizon: org.horizon_url },
    ...(federation ? { federation } : {}),
  };
}

/** Loads what a live call needs: the provider, the org's settings, and the decrypted credential. */
async function openProvider(ctx: ConnectivityContext, providerId: string, purpose: string, doing: string) {
  const loaded = await withRls(ctx.sql, ctx.claims, async (tx) => {
    const [provider] = await tx<
      Pick<
        ProviderRecord,
        "id" | "organization_id" | "provider_type" | "api_endpoint" | "regions" | "status" | "name" | "federation_subject_id"
      >[]
    >`
      select id, organization_id, provider_type, api_endpoint, regions, status, name, federation_subject_id
      from public.cloud_providers where id = ${providerId}`;
    if (!provider) throw new DomainError("not_found", "Provider not found.");
    const org = await orgSettings(tx, provider.organization_id);
    requireMember(org, doing);
    if (provider.status === "suspended") throw new DomainError("conflict", `"${provider.name}" is suspended. Resume it before ${doing}.`);
    // The endpoint comes from the same statement as the credential: read apart, a rotation
    // committed between the two reads would send the new credential to the old endpoint.
    const usable = onlyRow(
      await tx<{ api_endpoint: string | null; credentials: unknown; read_only: boolean }[]>`
      select api_endpoint, credentials, read_only from private.read_provider_credentials(${providerId}, ${purpose})`.catch((error) =>
        refuseWithoutReadOnly(error, provider.name),
      ),
      "private.read_provider_credentials",
    );
    return { provider: { ...provider, api_endpoint: usable.api_endpoint }, org, envelope: usable.credentials, readOnly: usable.read_only };
  });
  return { ...loaded, credentials: await openEnvelope(ctx.ring, loaded.provider, loaded.envelope, loaded.readOnly) };
}

/** The database refused the full credential because the organization allows read-only access only. */
export function refuseWithoutReadOnly(error: unknown, name: string): never {
  if ((error as { code?: string })?.code === "CKR01") {
    throw new DomainError(
      "conflict",
      `This organization allows read-only access only, and "${name}" has no read-only credential. Add one (Read-only credential, in the provider's actions) to check it.`,
    );
  }
  throw error;
}

/** Decrypts a provider's credential; the envelope is bound to its organization and row, so a moved one fails. */
export async function openEnvelope(
  ring: KeyRing,
  provider: Pick<LiveTarget, "id" | "organization_id">,
  envelope: unknown,
  readOnly = false,
) {
  const credentials = await decryptCredential(ring, credentialBinding(provider, readOnly), envelope);
  return credentials as CredentialsOf<ProviderType>;
}

/** The associated data of a provider's full credential, or of its read-only one (`<id>_ro`): never interchangeable. */
export function credentialBinding(provider: Pick<LiveTarget, "id" | "organization_id">, readOnly = false) {
  return { organizationId: provider.organization_id, providerId: readOnly ? `${provider.id}_ro` : provider.id };
}

/** Asks the provider's cloud whether the credential works. Records nothing. */
export async function runHealthCheck(
  ctx: CallOptions & { adapters?: AdapterLoader },
  target: Omit<LiveTarget, "id" | "organization_id"> & Saved,
  org: OutboundSettings,
  credentials: CredentialsOf<ProviderType>,
): Promise<HealthResult> {
  const adapter = await (ctx.adapters ?? loadAdapter)(target.provider_type);
  return adapter.checkHealth(credentials as never, adapterContext(ctx, org, target.api_endpoint, target.regions, target));
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

/**
 * Appends a result to the history and moves the provider's status (the database applies the
 * failure threshold). `tx` must run as the service role (asService): only the server path that
 * made the call may record what it answered.
 */
export async function recordHealthCheck(tx: Tx, providerId: string, result: HealthResult, trigger: HealthTrigger): Promise<RecordedCheck> {
  const failure = result.ok ? null : result.error;
  const rows = await tx<RecordedCheck[]>`
    select id::text, checked_at, ok, latency_ms, identity, error_code, error_message, error_hint, trigger
    from private.record_health_check(${providerId}, ${result.ok}, ${Math.round(result.latencyMs)},
      ${result.ok ? tx.json(result.identity as never) : null}, ${failure?.code ?? null}, ${failure?.message ?? null}, ${failure?.hint ?? null}, ${trigger})`;
  return onlyRow(rows, "private.record_health_check()");
}

/** Runs a health check now, records it in the history, and moves the provider's status. */
export async function checkProviderHealth(ctx: ConnectivityContext, providerId: string, trigger: HealthTrigger = "manual") {
  const { provider, org, credentials } = await openProvider(ctx, providerId, "health_check", "running a health check");
  const answer = await runHealthCheck(ctx, provider, org, credentials);
  const check = await asService(ctx.sql, (tx) => recordHealthCheck(tx, providerId, answer, trigger), ctx.claims);
  return { check, result: asRecorded(answer, check) };
}

/**
 * The result as the history recorded it. The database can turn a good answer into a failure
 * (the account is already connected as another provider); the caller is told what was stored.
 */
function asRecorded(answer: HealthResult, check: RecordedCheck): HealthResult {
  if (!answer.ok || check.ok) return answer;
  return {
    ok: false,
    latencyMs: answer.latencyMs,
    checkedAt: answer.checkedAt,
    error: {
      code: check.error_code ?? "refused",
      message: check.error_message ?? "The check was not accepted.",
      hint: check.error_hint ?? "",
      status: 409,
    },
  };
}

/** Checks credentials that are not saved yet. Nothing is stored, not even in the history. */
export async function testCredentials(ctx: ConnectivityContext, organizationId: string, body: unknown): Promise<HealthResult> {
  const org = await withRls(ctx.sql, ctx.claims, (tx) => orgSettings(tx, organizationId));
  requireMember(org, "test credentials");
  const parsed = parseProviderInput(body, { allowHttp: org.allow_http_endpoints });
  if (!parsed.success) throw validationError(parsed.error);
  const input = parsed.data;
  return runHealthCheck(
    ctx,
    { provider_type: input.provider_type, api_endpoint: input.api_endpoint ?? null, regions: input.regions },
    org,
    input.credentials,
  );
}

/** Lists resources live and replaces the stored inventory (vanished ones are marked, not dropped). */
export async function refreshResources(ctx: ConnectivityContext, providerId: string, type?: string): Promise<ListResult> {
  const { provider, org, credentials } = await openProvider(ctx, providerId, "list_resources", "listing resources live");
  const adapter = await (ctx.adapters ?? loadAdapter)(provider.provider_type);
  let listing: ListResult;
  try {
    listing = await adapter.listResources(credentials as never, {
      ...adapterContext(ctx, org, provider.api_endpoint, provider.regions, provider),
      type,
    });
  } catch (error) {
    // The stored inventory stays as it was; the caller learns what failed and what to do.
    throw new ProviderCallError(toProviderFailure(error));
  }
  await asService(
    ctx.sql,
    // A refresh of one type can only say resources of that type are gone.
    (tx) =>
      tx`select private.record_inventory(${providerId}, ${tx.json(listing.resources as never)}, ${tx.json(listing.partialFailures as never)}, ${type ?? null})`,
    ctx.claims,
  );
  return listing;
}
