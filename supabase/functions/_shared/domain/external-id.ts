// The external ID of AWS providers. The database issues it (never a client: a chosen one would not
// stop another organization from using someone else's role), and the domain seals it into a role
// credential before encryption, so whatever decrypts the credential — a check, a listing, a scheduled
// sweep — assumes the role with the provider's own ID and never with one read from elsewhere.
import { onlyRow, type Tx } from "../db.ts";
import { isAwsRoleCredentials, type AwsCredentials, type ProviderType } from "../schemas/providers.ts";

/** Reserves the external ID the provider inserted next in this transaction receives (AWS only). */
export async function issueExternalId(tx: Tx, kind: ProviderType): Promise<string | null> {
  if (kind !== "aws") return null;
  const rows = await tx<{ external_id: string }[]>`select private.issue_external_id() as external_id`;
  return onlyRow(rows, "private.issue_external_id()").external_id;
}

/** The credential to encrypt: an AWS role carries its provider's external ID; anything else is unchanged. */
export function withExternalId<T>(kind: ProviderType, credentials: T, externalId: string | null): T {
  if (kind !== "aws" || !externalId || !isAwsRoleCredentials(credentials as AwsCredentials)) return credentials;
  return { ...credentials, external_id: externalId };
}
