// A discovered account's credential is derived from its parent's (same secret or federated identity,
// its own subscription, project or member role). When the parent's credential is rotated, each child's
// is derived again from the new one and re-encrypted for the child's own row, in the same transaction:
// a rotated-away secret never lingers in a child.
import { credentialFingerprints, encryptCredential, type KeyRing } from "../crypto/index.ts";
import type { Tx } from "../db.ts";
import { isDiscoveryCloud, loadDiscovery, type OrganizationScope } from "../providers/discovery.ts";
import { describeCredential, type CredentialsOf, type ProviderType } from "../schemas/providers.ts";

type Parent = {
  id: string;
  organization_id: string;
  provider_type: ProviderType;
  api_endpoint: string | null;
  organization_scope: unknown;
};

// Children are derived from the credential checks and discovery use: the parent's read-only one when it
// has one (least privilege), else its full one. So a rotation of the full credential re-derives them only
// when there is no read-only one, and setting or removing the read-only one re-derives them from it.

/** A child's derived credential, encrypted for its own row, with what the row says of it (hint, method, fingerprint, expiry). */
export async function sealForChild(
  ring: KeyRing,
  parent: Pick<Parent, "organization_id" | "provider_type" | "api_endpoint">,
  childId: string,
  credentials: CredentialsOf<ProviderType>,
) {
  const described = describeCredential(parent.provider_type, credentials, parent.api_endpoint);
  const [fingerprint] = await credentialFingerprints(ring, parent.provider_type, credentials, parent.api_endpoint);
  const envelope = await encryptCredential(ring, { organizationId: parent.organization_id, providerId: childId }, credentials);
  return { described, fingerprint, envelope };
}

/** Re-derives every child's credential from the parent's new one; returns how many were updated. */
export async function rederiveChildren(
  tx: Tx,
  ring: KeyRing,
  parent: Parent,
  credentials: CredentialsOf<ProviderType> | null,
): Promise<number> {
  const kind = parent.provider_type;
  if (!credentials || !isDiscoveryCloud(kind) || !parent.organization_scope) return 0;
  const children = await tx<{ id: string; name: string; account_identifier: string | null }[]>`
    select id, name, account_identifier from public.cloud_providers where parent_provider_id = ${parent.id} for update`;
  if (children.length === 0) return 0;
  const discovery = await loadDiscovery(kind);
  const scope = parent.organization_scope as OrganizationScope;
  for (const child of children) {
    if (!child.account_identifier) continue;
    const derived = discovery.childCredentials(credentials as never, scope as never, {
      account: child.account_identifier,
      name: child.name,
      unavailable: null,
    }) as CredentialsOf<ProviderType>;
    const { described, fingerprint, envelope } = await sealForChild(ring, parent, child.id, derived);
    await tx`
      update public.cloud_providers set
        credentials = ${tx.json(envelope as never)},
        api_endpoint = ${parent.api_endpoint},
        auth_method = ${described.authMethod},
        credential_hint = ${described.credentialHint},
        credential_fingerprint = ${fingerprint},
        credentials_expires_at = ${described.expiresAt ?? null},
        credentials_rotated_at = now(),
        status = case when status = 'suspended' then status else 'pending'::public.provider_status end
      where id = ${child.id}`;
  }
  return children.length;
}
