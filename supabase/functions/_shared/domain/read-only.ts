// A provider's optional read-only credential: checks and listings use it whenever it is set
// (see private.usable_envelope). It is encrypted like the full one but bound to `<id>_ro`,
// so neither envelope decrypts in the other's place.
import { encryptCredential } from "../crypto/index.ts";
import { withRls } from "../db.ts";
import { describeCredential, parseCredentials } from "../schemas/providers.ts";
import { credentialBinding } from "./connectivity.ts";
import { DomainError, fromPostgres, validationError } from "./errors.ts";
import { withExternalId } from "./external-id.ts";
import { PROVIDER_COLUMNS, requireRole, type ProviderRecord, type VaultContext } from "./providers.ts";

/** Sets (or, with null, removes) the read-only credential. Admins and owners only. */
export async function setReadOnlyCredentials(ctx: VaultContext, providerId: string, credentials: unknown): Promise<ProviderRecord> {
  return withRls(ctx.sql, ctx.claims, async (tx) => {
    const [current] = await tx<ProviderRecord[]>`select ${tx(PROVIDER_COLUMNS)} from public.cloud_providers where id = ${providerId}`;
    if (!current) throw new DomainError("not_found", "Provider not found.");
    const org = await requireRole(tx, current.organization_id, "admin", "change read-only credentials");
    let envelope: unknown = null;
    let hint: string | null = null;
    let method: string | null = null;
    if (credentials !== null) {
      const parsed = parseCredentials(current.provider_type, credentials, { allowHttp: org.allow_http_endpoints });
      if (!parsed.success) throw validationError(parsed.error);
      const described = describeCredential(current.provider_type, parsed.data, current.api_endpoint);
      // A read-only role is assumed with the provider's own external ID, sealed in like the full credential's.
      envelope = await encryptCredential(
        ctx.ring,
        credentialBinding(current, true),
        withExternalId(current.provider_type, parsed.data, current.external_id),
      );
      hint = described.credentialHint;
      method = described.authMethod;
    }
    try {
      const [row] = await tx<ProviderRecord[]>`
        update public.cloud_providers set
          read_only_credentials = ${envelope === null ? null : tx.json(envelope as never)},
          read_only_credential_hint = ${hint},
          read_only_auth_method = ${method}
        where id = ${providerId}
        returning ${tx(PROVIDER_COLUMNS)}`;
      return row;
    } catch (error) {
      fromPostgres(error, "change read-only credentials");
    }
  });
}
