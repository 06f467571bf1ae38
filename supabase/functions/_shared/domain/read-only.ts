// A provider's optional read-only credential: checks and listings use it whenever it is set
// (see private.usable_envelope). It is encrypted like the full one but bound to `<id>_ro`,
// so neither envelope decrypts in the other's place.
import { encryptCredential } from "../crypto/index.ts";
import { onlyRow, withRls, type Tx } from "../db.ts";
import { describeCredential, parseCredentials, type CredentialsOf, type ProviderType } from "../schemas/providers.ts";
import { rederiveChildren } from "./child-credentials.ts";
import { credentialBinding, openEnvelope } from "./connectivity.ts";
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
    let sealed: CredentialsOf<ProviderType> | null = null;
    if (credentials !== null) {
      const parsed = parseCredentials(current.provider_type, credentials, { allowHttp: org.allow_http_endpoints });
      if (!parsed.success) throw validationError(parsed.error);
      const described = describeCredential(current.provider_type, parsed.data, current.api_endpoint);
      // A read-only role is assumed with the provider's own external ID, sealed in like the full credential's.
      sealed = withExternalId(current.provider_type, parsed.data, current.external_id);
      envelope = await encryptCredential(ctx.ring, credentialBinding(current, true), sealed);
      hint = described.credentialHint;
      method = described.authMethod;
    }
    try {
      const rows = await tx<ProviderRecord[]>`
        update public.cloud_providers set
          read_only_credentials = ${envelope === null ? null : tx.json(envelope as never)},
          read_only_credential_hint = ${hint},
          read_only_auth_method = ${method}
        where id = ${providerId}
        returning ${tx(PROVIDER_COLUMNS)}`;
      const row = onlyRow(rows, "update public.cloud_providers (read-only credentials)");
      // Its accounts are derived from the credential checks use: the new read-only one, or again the full one.
      await rederiveChildren(tx, ctx.ring, row, sealed ?? (await fullCredential(ctx, tx, row)));
      return row;
    } catch (error) {
      fromPostgres(error, "change read-only credentials");
    }
  });
}

/** The full credential, read (and audited) as every other reader does; only for re-deriving children. */
async function fullCredential(ctx: VaultContext, tx: Tx, provider: ProviderRecord) {
  if (!provider.organization_scope) return null;
  // An organization that allows read-only access only refuses the full credential: the children keep theirs.
  const [usable] = await tx<{ credentials: unknown; read_only: boolean }[]>`
    select credentials, read_only from private.read_provider_credentials(${provider.id}, 'rederive_children')`.catch(
    (error: { code?: string }) => {
      if (error?.code === "CKR01") return [null];
      throw error;
    },
  );
  return usable ? openEnvelope(ctx.ring, provider, usable.credentials, usable.read_only) : null;
}
