// Credential fingerprints: find the same credential twice in an organization without decrypting anything.
//
// fingerprint = "<keyId>:" + hex(HMAC-SHA256(K_fp, canonicalJson({ kind, credential: identity })))
// where K_fp = HKDF-SHA256(ring key, salt = empty, info = "cloudkeep:fingerprint:v1") and `identity` is the
// credential's identifying fields (credentialIdentity in schemas/providers.ts: the AWS access key id, the
// Azure tenant/client/subscription, the GCP key id, a token itself, ...). Keyed, so a database dump alone
// cannot confirm a guessed token. After a key rotation, stored fingerprints carry the old key id; compute
// credentialFingerprints (one per ring key) and look for any of them.
import { bytesToHex } from "./base64.ts";
import { canonicalJson } from "./canonical-json.ts";
import type { KeyRing } from "./keyring.ts";
import { credentialIdentity, type CredentialsOf, type ProviderType } from "../schemas/providers.ts";

/** The fingerprint under the ring's active key; store this with the provider. */
export async function credentialFingerprint<K extends ProviderType>(
  ring: KeyRing,
  kind: K,
  canonicalCredential: CredentialsOf<K>,
  apiEndpoint?: string | null,
): Promise<string> {
  const message = fingerprintMessage(kind, canonicalCredential, apiEndpoint);
  try {
    return await fingerprintUnder(ring, ring.activeKeyId, message);
  } finally {
    message.fill(0);
  }
}

/** The fingerprint under every key of the ring, active first; a duplicate matches any of them. */
export async function credentialFingerprints<K extends ProviderType>(
  ring: KeyRing,
  kind: K,
  canonicalCredential: CredentialsOf<K>,
  apiEndpoint?: string | null,
): Promise<[active: string, ...others: string[]]> {
  const message = fingerprintMessage(kind, canonicalCredential, apiEndpoint);
  try {
    const [active, ...others] = await Promise.all(ring.keyIds.map((keyId) => fingerprintUnder(ring, keyId, message)));
    // A KeyRing refuses to be built without keys, so there is always the active key's.
    if (active === undefined) throw new Error("The key ring has no keys.");
    return [active, ...others];
  } finally {
    // The message may hold a token itself (DigitalOcean, Linode, Vultr).
    message.fill(0);
  }
}

function fingerprintMessage<K extends ProviderType>(
  kind: K,
  canonicalCredential: CredentialsOf<K>,
  apiEndpoint: string | null | undefined,
): Uint8Array<ArrayBuffer> {
  const identity = credentialIdentity(kind, canonicalCredential, apiEndpoint);
  return new TextEncoder().encode(canonicalJson({ kind, credential: identity }));
}

async function fingerprintUnder(ring: KeyRing, keyId: string, message: Uint8Array<ArrayBuffer>): Promise<string> {
  const key = await ring.fingerprintKey(keyId);
  const mac = await crypto.subtle.sign("HMAC", key, message);
  return `${keyId}:${bytesToHex(new Uint8Array(mac))}`;
}
