// Envelope encryption of credentials: a fresh data key per credential version, wrapped by the key ring.
//
// Layout of the stored envelope (jsonb, every binary field standard padded base64):
//   { v: 1, alg: "A256GCM", kid, wk, wiv, iv, ct }
//   kid  id of the key-encryption key in CLOUDKEEP_ENCRYPTION_KEYS that wrapped the data key
//   wk   the 32-byte data key encrypted with AES-256-GCM under that key, plus the 16-byte tag (48 bytes)
//   wiv  the 12-byte IV of that wrap
//   iv   the 12-byte IV of the credential encryption
//   ct   the credential JSON encrypted with AES-256-GCM under the data key, plus the 16-byte tag
// Both layers authenticate the associated data `cloudkeep:v1:<organization_id>:<provider_id>`.
//
// Why AES-GCM and not AES-KW for the wrap: AES-KW (RFC 3394) takes no associated data, so a wrapped
// data key copied to another row would still unwrap there; GCM lets the wrap carry the same binding as
// the ciphertext. A random 96-bit IV per wrap is safe: a key-encryption key wraps far fewer than the
// 2^32 messages at which random GCM nonces become a concern.
import { base64ToBytes, bytesToBase64 } from "./base64.ts";
import { KEY_ID_PATTERN, KEY_RING_VARIABLE, type KeyRing } from "./keyring.ts";

export const ENVELOPE_VERSION = 1;
export const ENVELOPE_ALGORITHM = "A256GCM";

const DATA_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export type CredentialEnvelope = {
  v: typeof ENVELOPE_VERSION;
  alg: typeof ENVELOPE_ALGORITHM;
  kid: string;
  wk: string;
  wiv: string;
  iv: string;
  ct: string;
};

/** Which row a ciphertext belongs to; both ids are part of the authenticated data. */
export interface CredentialBinding {
  organizationId: string;
  providerId: string;
}

export type CredentialDecryptFailure = "unknown_key" | "wrong_key_or_tampered" | "malformed_envelope";

/**
 * A credential that cannot be read back. The message names the provider (and for unknown_key the key id);
 * it never contains plaintext, key material or ciphertext.
 */
export class CredentialDecryptError extends Error {
  override name = "CredentialDecryptError";
  constructor(
    readonly providerId: string,
    readonly reason: CredentialDecryptFailure,
    message: string,
    readonly keyId?: string,
  ) {
    super(message);
  }
}

/** The associated data both layers authenticate. Ids are lower-cased: Postgres prints uuids that way. */
export function associatedData(binding: CredentialBinding): Uint8Array<ArrayBuffer> {
  const organizationId = bindingPart(binding?.organizationId, "organizationId");
  const providerId = bindingPart(binding?.providerId, "providerId");
  return new TextEncoder().encode(`cloudkeep:v1:${organizationId}:${providerId}`);
}

function bindingPart(value: unknown, name: string): string {
  // A ':' inside an id would make two different bindings produce the same associated data.
  if (typeof value !== "string" || !/^[A-Za-z0-9_-]{1,128}$/.test(value)) {
    throw new TypeError(`Credential binding ${name} must be an id of letters, digits, '-' or '_' (a uuid).`);
  }
  return value.toLowerCase();
}

/** Encrypts a credential object under a fresh data key wrapped by the ring's active key. */
export async function encryptCredential(
  ring: KeyRing,
  binding: CredentialBinding,
  plaintext: Record<string, unknown>,
): Promise<CredentialEnvelope> {
  if (plaintext === null || typeof plaintext !== "object" || Array.isArray(plaintext)) {
    throw new TypeError("encryptCredential expects the credential as a plain object.");
  }
  const additionalData = associatedData(binding);
  const dataKeyBytes = crypto.getRandomValues(new Uint8Array(DATA_KEY_BYTES));
  const encoded = new TextEncoder().encode(JSON.stringify(plaintext));
  try {
    const dataKey = await crypto.subtle.importKey("raw", dataKeyBytes, { name: "AES-GCM" }, false, ["encrypt"]);
    const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData }, dataKey, encoded);
    return await sealed(ring, dataKeyBytes, additionalData, { iv: bytesToBase64(iv), ct: bytesToBase64(new Uint8Array(ct)) });
  } finally {
    dataKeyBytes.fill(0);
    encoded.fill(0);
  }
}

/** Decrypts an envelope for exactly the row it was written for; anything else is a CredentialDecryptError. */
export async function decryptCredential(ring: KeyRing, binding: CredentialBinding, envelope: unknown): Promise<Record<string, unknown>> {
  const additionalData = associatedData(binding);
  const parsed = readEnvelope(envelope, binding.providerId);
  const dataKeyBytes = await unwrapDataKey(ring, parsed, additionalData, binding.providerId);
  let plaintext: Uint8Array<ArrayBuffer> | undefined;
  try {
    const dataKey = await crypto.subtle.importKey("raw", dataKeyBytes, { name: "AES-GCM" }, false, ["decrypt"]);
    try {
      plaintext = new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv: parsed.iv, additionalData }, dataKey, parsed.ct));
    } catch {
      throw undecryptable(binding.providerId);
    }
    let value: unknown;
    try {
      value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(plaintext));
    } catch {
      value = undefined;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw malformed(binding.providerId, "the decrypted credential is not a JSON object");
    }
    return value as Record<string, unknown>;
  } finally {
    dataKeyBytes.fill(0);
    plaintext?.fill(0);
  }
}

/**
 * Re-wraps the data key under the ring's active key; `iv` and `ct` are carried over byte for byte.
 * An envelope already under the active key is returned as the very same object, so a rotation run
 * can count it as "already current" with `result === envelope` (or ask isEnvelopeCurrent first).
 */
export async function rewrapEnvelope(ring: KeyRing, binding: CredentialBinding, envelope: CredentialEnvelope): Promise<CredentialEnvelope> {
  const additionalData = associatedData(binding);
  const parsed = readEnvelope(envelope, binding.providerId);
  if (parsed.kid === ring.activeKeyId) return envelope;

  const dataKeyBytes = await unwrapDataKey(ring, parsed, additionalData, binding.providerId);
  try {
    return await sealed(ring, dataKeyBytes, additionalData, parsed.encoded);
  } finally {
    dataKeyBytes.fill(0);
  }
}

/** The envelope around an encrypted credential: its data key wrapped under the ring's active key. */
async function sealed(
  ring: KeyRing,
  dataKeyBytes: Uint8Array<ArrayBuffer>,
  additionalData: Uint8Array<ArrayBuffer>,
  body: Pick<CredentialEnvelope, "iv" | "ct">,
): Promise<CredentialEnvelope> {
  const kid = ring.activeKeyId;
  const keyEncryptionKey = await ring.keyEncryptionKey(kid);
  const wiv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const wk = await crypto.subtle.encrypt({ name: "AES-GCM", iv: wiv, additionalData }, keyEncryptionKey, dataKeyBytes);
  const wrapped = { wk: bytesToBase64(new Uint8Array(wk)), wiv: bytesToBase64(wiv) };
  return { v: ENVELOPE_VERSION, alg: ENVELOPE_ALGORITHM, kid, ...wrapped, iv: body.iv, ct: body.ct };
}

/** True when the envelope's data key is wrapped by the ring's active key (no decryption involved). */
export function isEnvelopeCurrent(ring: KeyRing, envelope: unknown): boolean {
  return envelope !== null && typeof envelope === "object" && (envelope as { kid?: unknown }).kid === ring.activeKeyId;
}

interface ParsedEnvelope {
  kid: string;
  wk: Uint8Array<ArrayBuffer>;
  wiv: Uint8Array<ArrayBuffer>;
  iv: Uint8Array<ArrayBuffer>;
  ct: Uint8Array<ArrayBuffer>;
  /** The credential layer exactly as stored, so a re-wrap copies it character for character. */
  encoded: { iv: string; ct: string };
}

function readEnvelope(envelope: unknown, providerId: string): ParsedEnvelope {
  let value = envelope;
  if (typeof value === "string") {
    // jsonb read through a driver that returns text.
    try {
      value = JSON.parse(value);
    } catch {
      throw malformed(providerId, "it is not JSON");
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw malformed(providerId, "it is not an object");
  }
  const record = value as Record<string, unknown>;
  if (record.v !== ENVELOPE_VERSION) throw malformed(providerId, `unsupported version (expected v ${ENVELOPE_VERSION})`);
  if (record.alg !== ENVELOPE_ALGORITHM) throw malformed(providerId, `unsupported algorithm (expected ${ENVELOPE_ALGORITHM})`);
  if (typeof record.kid !== "string" || !KEY_ID_PATTERN.test(record.kid)) throw malformed(providerId, "the key id is invalid");
  return {
    kid: record.kid,
    wk: binaryField(record, "wk", providerId, (n) => n === DATA_KEY_BYTES + TAG_BYTES),
    wiv: binaryField(record, "wiv", providerId, (n) => n === IV_BYTES),
    iv: binaryField(record, "iv", providerId, (n) => n === IV_BYTES),
    ct: binaryField(record, "ct", providerId, (n) => n >= TAG_BYTES),
    encoded: { iv: record.iv as string, ct: record.ct as string },
  };
}

function binaryField(
  record: Record<string, unknown>,
  field: "wk" | "wiv" | "iv" | "ct",
  providerId: string,
  lengthOk: (length: number) => boolean,
): Uint8Array<ArrayBuffer> {
  const raw = record[field];
  const bytes = typeof raw === "string" ? base64ToBytes(raw) : null;
  if (!bytes) throw malformed(providerId, `field ${field} is not base64`);
  if (!lengthOk(bytes.length)) throw malformed(providerId, `field ${field} has the wrong length`);
  return bytes;
}

async function unwrapDataKey(
  ring: KeyRing,
  envelope: ParsedEnvelope,
  additionalData: Uint8Array<ArrayBuffer>,
  providerId: string,
): Promise<Uint8Array<ArrayBuffer>> {
  if (!ring.has(envelope.kid)) {
    throw new CredentialDecryptError(
      providerId,
      "unknown_key",
      `Credentials of provider ${providerId} are encrypted under key id "${envelope.kid}", which is not in ${KEY_RING_VARIABLE}; ` +
        `add that key back to the ring (after the active key) and run keys:rotate.`,
      envelope.kid,
    );
  }
  const keyEncryptionKey = await ring.keyEncryptionKey(envelope.kid);
  try {
    const dataKey = new Uint8Array(
      await crypto.subtle.decrypt({ name: "AES-GCM", iv: envelope.wiv, additionalData }, keyEncryptionKey, envelope.wk),
    );
    if (dataKey.length !== DATA_KEY_BYTES) {
      dataKey.fill(0);
      throw new Error("unexpected data key length");
    }
    return dataKey;
  } catch {
    throw undecryptable(providerId, envelope.kid);
  }
}

function undecryptable(providerId: string, keyId?: string) {
  return new CredentialDecryptError(
    providerId,
    "wrong_key_or_tampered",
    `Credentials of provider ${providerId} could not be decrypted: wrong key, tampered ciphertext, or it belongs to another provider.`,
    keyId,
  );
}

function malformed(providerId: string, detail: string) {
  return new CredentialDecryptError(
    providerId,
    "malformed_envelope",
    `Credentials of provider ${providerId} are not a valid Cloudkeep envelope: ${detail}.`,
  );
}
