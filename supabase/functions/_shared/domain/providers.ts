// Provider writes — create, update metadata, rotate credentials, suspend/resume, delete —
// shared by the portal's server actions and the HTTP API. Each runs as the caller under
// RLS, checks the caller's role first, and is audited by the database's triggers.
import type { Sql } from "postgres";
import { credentialFingerprints, encryptCredential, type KeyRing } from "../crypto/index.ts";
import { onlyRow, withRls, type Claims, type Tx } from "../db.ts";
import {
  apiEndpointSchema,
  describeCredential,
  parseCredentials,
  parseProviderInput,
  providerUpdateSchema,
  type ProviderType,
} from "../schemas/providers.ts";
import { DomainError, fromPostgres, validationError } from "./errors.ts";
import { rederiveChildren } from "./child-credentials.ts";
import { issueExternalId, withExternalId } from "./external-id.ts";
import { parseOrganizationScope } from "./organization-scope.ts";
import { hasRole, type OrgRole } from "./roles.ts";
import type { Tables } from "../database.types.ts";

export type VaultContext = {
  sql: Sql;
  ring: KeyRing;
  claims: Claims;
  /** Networks the operator trusts for live calls (CLOUDKEEP_TRUSTED_CIDRS); see OutboundPolicy. */
  trustedCidrs?: string[];
  /** Cloudkeep's OIDC issuer URL (CLOUDKEEP_OIDC_ISSUER); without it, providers connected by federation cannot be checked. */
  oidcIssuer?: string;
};

/** Every column a client may see; `credentials` is deliberately absent. */
export const PROVIDER_COLUMNS = [
  "id",
  "organization_id",
  "name",
  "provider_type",
  "api_endpoint",
  "auth_method",
  "credential_hint",
  "read_only_credential_hint",
  "read_only_auth_method",
  "external_id",
  "credential_fingerprint",
  "account_identifier",
  "environment",
  "regions",
  "status",
  "last_checked_at",
  "last_error_code",
  "last_error_message",
  "credentials_rotated_at",
  "credentials_expires_at",
  "created_by",
  "created_at",
  "updated_at",
  "organization_scope",
  "parent_provider_id",
  "federation_subject_id",
] as const;

/** A provider as clients see it: every column but the credential envelopes (generated row type). */
export type ProviderRecord = Pick<
  Tables["cloud_providers"],
  | "id"
  | "organization_id"
  | "name"
  | "provider_type"
  | "api_endpoint"
  | "auth_method"
  | "credential_hint"
  // Set when a read-only credential is stored; checks and listings then use it.
  | "read_only_credential_hint"
  | "read_only_auth_method"
  // AWS only: the sts:ExternalId its role must require; issued by the database, not a secret.
  | "external_id"
  | "credential_fingerprint"
  | "account_identifier"
  | "environment"
  | "regions"
  | "status"
  | "last_checked_at"
  | "last_error_code"
  | "last_error_message"
  | "credentials_rotated_at"
  | "credentials_expires_at"
  | "created_by"
  | "created_at"
  | "updated_at"
  // Whole cloud organizations: what a parent connects, a discovered account's parent, whose token subject it uses.
  | "organization_scope"
  | "parent_provider_id"
  | "federation_subject_id"
>;

export async function requireRole(tx: Tx, organizationId: string, atLeast: OrgRole, doing: string) {
  const [membership] = await tx<{ role: OrgRole; allow_http_endpoints: boolean }[]>`
    select m.role, o.allow_http_endpoints
    from public.organization_members m
    join public.organizations o on o.id = m.organization_id
    where m.organization_id = ${organizationId} and m.user_id = (select auth.uid())`;
  if (!membership) throw new DomainError("not_found", "Organization not found.");
  if (!hasRole(membership.role, atLeast)) {
    throw new DomainError("forbidden", `Only an ${atLeast} or owner can ${doing}; your role is ${membership.role}.`);
  }
  return membership;
}

async function loadProvider(tx: Tx, providerId: string) {
  const [row] = await tx<ProviderRecord[]>`select ${tx(PROVIDER_COLUMNS)} from public.cloud_providers where id = ${providerId}`;
  if (!row) throw new DomainError("not_found", "Provider not found.");
  return row;
}

/** The same account or the same credential already connected in this organization. */
async function refuseDuplicate(
  tx: Tx,
  organizationId: string,
  kind: ProviderType,
  accountIdentifier: string | null,
  fingerprints: string[],
  exceptId: string | null = null,
) {
  const [existing] = await tx<{ name: string; same_account: boolean }[]>`
    select name, (provider_type = ${kind} and account_identifier is not distinct from ${accountIdentifier} and ${accountIdentifier}::text is not null) as same_account
    from public.cloud_providers
    where organization_id = ${organizationId}
      and (id <> ${exceptId ?? "00000000-0000-0000-0000-000000000000"})
      and ((provider_type = ${kind} and account_identifier = ${accountIdentifier}) or credential_fingerprint = any (${fingerprints}))
    limit 1`;
  if (existing) {
    throw new DomainError(
      "duplicate",
      existing.same_account
        ? `This account is already connected as "${existing.name}".`
        : `This credential is already stored as "${existing.name}".`,
      { credentials: [`Already connected as "${existing.name}".`] },
    );
  }
}

function isUniqueViolation(error: unknown) {
  return (error as { code?: string })?.code === "23505";
}

export async function createProvider(ctx: VaultContext, organizationId: string, body: unknown): Promise<ProviderRecord> {
  return withRls(ctx.sql, ctx.claims, async (tx) => {
    const org = await requireRole(tx, organizationId, "admin", "add providers");
    const parsed = parseProviderInput(body, { allowHttp: org.allow_http_endpoints });
    if (!parsed.success) throw validationError(parsed.error);
    const input = parsed.data;
    const scope = parseOrganizationScope(input.provider_type, (body as { organization_scope?: unknown } | null)?.organization_scope);
    const described = describeCredential(input.provider_type, input.credentials, input.api_endpoint ?? null);
    const fingerprints = await credentialFingerprints(ctx.ring, input.provider_type, input.credentials, input.api_endpoint);
    await refuseDuplicate(tx, organizationId, input.provider_type, described.accountIdentifier, fingerprints);

    const id = crypto.randomUUID();
    const externalId = await issueExternalId(tx, input.provider_type);
    const envelope = await encryptCredential(
      ctx.ring,
      { organizationId, providerId: id },
      withExternalId(input.provider_type, input.credentials, externalId),
    );
    try {
      const rows = await tx<ProviderRecord[]>`
        insert into public.cloud_providers
          (id, organization_id, name, provider_type, api_endpoint, auth_method, credentials, credential_hint,
           credential_fingerprint, account_identifier, environment, regions, credentials_expires_at, organization_scope)
        values
          (${id}, ${organizationId}, ${input.name}, ${input.provider_type}, ${input.api_endpoint ?? null}, ${described.authMethod},
           ${tx.json(envelope as never)}, ${described.credentialHint}, ${fingerprints[0]}, ${described.accountIdentifier},
           ${input.environment}, ${input.regions}, ${described.expiresAt ?? null}, ${scope ? tx.json(scope) : null})
        returning ${tx(PROVIDER_COLUMNS)}`;
      return onlyRow(rows, "insert into public.cloud_providers");
    } catch (error) {
      if (isUniqueViolation(error)) throw new DomainError("duplicate", "This account or credential was just connected by someone else.");
      fromPostgres(error, "add providers");
    }
  });
}

export async function updateProvider(ctx: VaultContext, providerId: string, body: unknown): Promise<ProviderRecord> {
  return withRls(ctx.sql, ctx.claims, async (tx) => {
    const current = await loadProvider(tx, providerId);
    const org = await requireRole(tx, current.organization_id, "admin", "edit providers");
    const parsed = providerUpdateSchema.safeParse(body);
    if (!parsed.success) throw validationError(parsed.error);
    const changes = parsed.data;
    if (changes.api_endpoint !== undefined) {
      const endpoint = checkedEndpoint(current.provider_type, changes.api_endpoint, org.allow_http_endpoints);
      // The stored secret must never be sent to an address nobody entered it for: a new
      // endpoint comes with the credentials typed again (rotateProviderCredentials).
      if (endpoint !== current.api_endpoint) {
        throw new DomainError("validation_failed", ENDPOINT_NEEDS_CREDENTIALS, { api_endpoint: [ENDPOINT_NEEDS_CREDENTIALS] });
      }
    }
    try {
      const rows = await tx<ProviderRecord[]>`
        update public.cloud_providers set
          name = ${changes.name ?? current.name},
          environment = ${changes.environment ?? current.environment},
          regions = ${changes.regions ?? current.regions}
        where id = ${providerId}
        returning ${tx(PROVIDER_COLUMNS)}`;
      return onlyRow(rows, "update public.cloud_providers (name, environment, regions)");
    } catch (error) {
      fromPostgres(error, "edit providers");
    }
  });
}

export const ENDPOINT_NEEDS_CREDENTIALS =
  "Changing the endpoint needs the credentials entered again, so the stored secret is never sent to a new address. Use Rotate credentials and give the new endpoint there.";

function checkedEndpoint(kind: ProviderType, value: unknown, allowHttp: boolean): string | null {
  const checked = apiEndpointSchema(kind, { allowHttp }).safeParse(value ?? undefined);
  if (!checked.success) throw validationError(checked.error, "api_endpoint");
  return checked.data ?? null;
}

/**
 * New credentials, and with them (optionally) a new endpoint: the only way an endpoint
 * changes, since the secret then goes to the address it was entered for.
 */
export async function rotateProviderCredentials(
  ctx: VaultContext,
  providerId: string,
  credentials: unknown,
  options: { apiEndpoint?: string | null } = {},
): Promise<ProviderRecord> {
  return withRls(ctx.sql, ctx.claims, async (tx) => {
    const current = await loadProvider(tx, providerId);
    const org = await requireRole(tx, current.organization_id, "admin", "rotate credentials");
    const endpoint =
      options.apiEndpoint === undefined
        ? current.api_endpoint
        : checkedEndpoint(current.provider_type, options.apiEndpoint, org.allow_http_endpoints);
    const parsed = parseCredentials(current.provider_type, credentials, { allowHttp: org.allow_http_endpoints });
    if (!parsed.success) throw validationError(parsed.error);
    const described = describeCredential(current.provider_type, parsed.data, endpoint);
    const fingerprints = await credentialFingerprints(ctx.ring, current.provider_type, parsed.data, endpoint);
    await refuseDuplicate(tx, current.organization_id, current.provider_type, described.accountIdentifier, fingerprints, providerId);
    // A fresh data key: the old ciphertext is overwritten, not kept.
    const sealed = withExternalId(current.provider_type, parsed.data, current.external_id);
    const envelope = await encryptCredential(ctx.ring, { organizationId: current.organization_id, providerId }, sealed);
    try {
      const rows = await tx<ProviderRecord[]>`
        update public.cloud_providers set
          credentials = ${tx.json(envelope as never)},
          api_endpoint = ${endpoint},
          auth_method = ${described.authMethod},
          credential_hint = ${described.credentialHint},
          credential_fingerprint = ${fingerprints[0]},
          account_identifier = ${described.accountIdentifier},
          credentials_expires_at = ${described.expiresAt ?? null},
          credentials_rotated_at = now(),
          status = case when status = 'suspended' then status else 'pending'::public.provider_status end
        where id = ${providerId}
        returning ${tx(PROVIDER_COLUMNS)}`;
      const row = onlyRow(rows, "update public.cloud_providers (credentials)");
      // The accounts it connected use credentials derived from this one: derived again, never left on the old secret.
      if (!row.read_only_credential_hint) await rederiveChildren(tx, ctx.ring, row, sealed);
      return row;
    } catch (error) {
      if (isUniqueViolation(error)) throw new DomainError("duplicate", "This credential is already stored for another provider.");
      fromPostgres(error, "rotate credentials");
    }
  });
}

export async function setProviderSuspended(ctx: VaultContext, providerId: string, suspended: boolean): Promise<ProviderRecord> {
  return withRls(ctx.sql, ctx.claims, async (tx) => {
    const current = await loadProvider(tx, providerId);
    await requireRole(tx, current.organization_id, "admin", suspended ? "suspend providers" : "resume providers");
    if ((current.status === "suspended") === suspended) return current;
    const rows = await tx<ProviderRecord[]>`
      update public.cloud_providers set status = ${suspended ? "suspended" : "pending"}
      where id = ${providerId}
      returning ${tx(PROVIDER_COLUMNS)}`;
    return onlyRow(rows, "update public.cloud_providers (status)");
  });
}

/** What happens to the accounts a whole-organization provider connected when it is removed. */
export type ChildrenChoice = "remove" | "keep";

/**
 * `confirmName`, when given, must equal the provider's name (the portal's typed confirmation). A
 * provider that connected accounts of its organization needs `children`: remove them with it, or keep
 * them as providers of their own (their credentials are their own copies, so they go on working).
 */
export async function deleteProvider(
  ctx: VaultContext,
  providerId: string,
  options: { confirmName?: string; children?: ChildrenChoice } = {},
): Promise<{ id: string; name: string; children: { removed: number; kept: number } }> {
  return withRls(ctx.sql, ctx.claims, async (tx) => {
    const current = await loadProvider(tx, providerId);
    await requireRole(tx, current.organization_id, "admin", "delete providers");
    if (options.confirmName !== undefined && options.confirmName.trim() !== current.name) {
      throw new DomainError("validation_failed", "Type the provider's name exactly to confirm.", {
        confirmName: [`Type "${current.name}" to confirm.`],
      });
    }
    const { count } = onlyRow(
      await tx<{ count: number }[]>`
      select count(*)::int as count from public.cloud_providers where parent_provider_id = ${providerId}`,
      "select count(*) of the provider's children",
    );
    if (count > 0 && options.children !== "remove" && options.children !== "keep") {
      const message = `"${current.name}" connected ${count} ${count === 1 ? "account" : "accounts"} of its organization. Choose whether to remove ${count === 1 ? "it" : "them"} too or keep ${count === 1 ? "it" : "them"} as separate providers.`;
      throw new DomainError("validation_failed", message, { children: [message] });
    }
    const removed =
      count > 0 && options.children === "remove"
        ? (await tx`delete from public.cloud_providers where parent_provider_id = ${providerId} returning id`).length
        : 0;
    const [row] = await tx<{ id: string; name: string }[]>`delete from public.cloud_providers where id = ${providerId} returning id, name`;
    if (!row) throw new DomainError("not_found", "Provider not found.");
    return { ...row, children: { removed, kept: count - removed } };
  });
}
