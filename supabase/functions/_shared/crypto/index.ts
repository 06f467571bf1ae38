// Credential encryption and fingerprints; see envelope.ts for the stored format.
export { generateKeyRingEntry, KEY_RING_VARIABLE, KeyRing, KeyRingError, parseKeyRing } from "./keyring.ts";
export {
  associatedData,
  CredentialDecryptError,
  decryptCredential,
  encryptCredential,
  ENVELOPE_ALGORITHM,
  ENVELOPE_VERSION,
  isEnvelopeCurrent,
  rewrapEnvelope,
  type CredentialBinding,
  type CredentialDecryptFailure,
  type CredentialEnvelope,
} from "./envelope.ts";
export { credentialFingerprint, credentialFingerprints } from "./fingerprint.ts";
export { canonicalJson } from "./canonical-json.ts";
