// The key ring: the key-encryption keys named by CLOUDKEEP_ENCRYPTION_KEYS, the first one active.
import { bytesToBase64, looseBase64ToBytes } from "./base64.ts";

export const KEY_RING_VARIABLE = "CLOUDKEEP_ENCRYPTION_KEYS";
export const KEY_BYTES = 32;

/** Key ids appear in envelopes, fingerprints and error messages, so they stay short and plain. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const FINGERPRINT_INFO = "cloudkeep:fingerprint:v1";

const HOW_TO_FIX =
  `Set ${KEY_RING_VARIABLE} to comma-separated keyId:base64Key entries, the active key first, ` +
  `each key 32 random bytes (for example k1:$(openssl rand -base64 32)).`;

/** A key ring that cannot be used. The message names the variable and the entry, never key material. */
export class KeyRingError extends Error {
  override name = "KeyRingError";
}

interface RingKeys {
  /** AES-256-GCM key that wraps and unwraps data keys. */
  keyEncryption: CryptoKey;
  /** HMAC-SHA256 key derived with HKDF for credential fingerprints. */
  fingerprint: CryptoKey;
}

/**
 * Raw key bytes live in a private field until first use, are then imported as non-extractable
 * CryptoKeys, and the bytes are zeroed. Nothing on the public surface (or JSON.stringify) reveals them.
 */
export class KeyRing {
  readonly activeKeyId: string;
  readonly keyIds: readonly string[];
  readonly #material = new Map<string, Uint8Array<ArrayBuffer>>();
  readonly #keys = new Map<string, Promise<RingKeys>>();

  /** Prefer parseKeyRing; this copies the given bytes so the caller may zero its own. */
  constructor(entries: readonly { id: string; key: Uint8Array }[]) {
    const [active] = entries;
    if (!active) throw new KeyRingError(`${KEY_RING_VARIABLE} has no keys. ${HOW_TO_FIX}`);
    for (const [index, { id, key }] of entries.entries()) {
      if (!KEY_ID_PATTERN.test(id)) {
        throw new KeyRingError(`${KEY_RING_VARIABLE} entry ${index + 1} has an invalid key id. ${HOW_TO_FIX}`);
      }
      if (key.length !== KEY_BYTES) {
        throw new KeyRingError(
          `${KEY_RING_VARIABLE} entry ${index + 1} (key id "${id}") is ${key.length} bytes; each key must be exactly ${KEY_BYTES} bytes.`,
        );
      }
      if (this.#material.has(id)) {
        throw new KeyRingError(`${KEY_RING_VARIABLE} lists key id "${id}" more than once; key ids must be unique.`);
      }
      this.#material.set(id, new Uint8Array(key));
    }
    this.keyIds = Object.freeze(entries.map((entry) => entry.id));
    this.activeKeyId = active.id;
  }

  has(keyId: string): boolean {
    return this.keyIds.includes(keyId);
  }

  /** The non-extractable AES-GCM key-encryption key for a key id. */
  async keyEncryptionKey(keyId: string): Promise<CryptoKey> {
    return (await this.#keysFor(keyId)).keyEncryption;
  }

  /** The non-extractable HMAC key for fingerprints, derived from the ring key with HKDF-SHA256. */
  async fingerprintKey(keyId: string): Promise<CryptoKey> {
    return (await this.#keysFor(keyId)).fingerprint;
  }

  /** What a log line or JSON dump of a ring shows: ids only. */
  toJSON() {
    return { activeKeyId: this.activeKeyId, keyIds: this.keyIds };
  }

  #keysFor(keyId: string): Promise<RingKeys> {
    let keys = this.#keys.get(keyId);
    if (!keys) {
      const material = this.#material.get(keyId);
      if (!material) return Promise.reject(new KeyRingError(`Key id "${keyId}" is not in ${KEY_RING_VARIABLE}.`));
      keys = importRingKeys(material).finally(() => {
        material.fill(0);
        this.#material.delete(keyId);
      });
      this.#keys.set(keyId, keys);
    }
    return keys;
  }
}

async function importRingKeys(material: Uint8Array<ArrayBuffer>): Promise<RingKeys> {
  const keyEncryption = await crypto.subtle.importKey("raw", material, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
  const hkdf = await crypto.subtle.importKey("raw", material, "HKDF", false, ["deriveKey"]);
  const fingerprint = await crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: new TextEncoder().encode(FINGERPRINT_INFO) },
    hkdf,
    { name: "HMAC", hash: "SHA-256", length: 256 },
    false,
    ["sign"],
  );
  return { keyEncryption, fingerprint };
}

/**
 * Parses the value of CLOUDKEEP_ENCRYPTION_KEYS: `keyId:base64Key[,keyId:base64Key...]`, first active.
 * Throws KeyRingError naming the variable and what is wrong; never echoes a key.
 */
export function parseKeyRing(value: string | undefined): KeyRing {
  if (value === undefined || value.trim() === "") {
    throw new KeyRingError(`${KEY_RING_VARIABLE} is ${value === undefined ? "not set" : "empty"}. ${HOW_TO_FIX}`);
  }
  const entries: { id: string; key: Uint8Array }[] = [];
  const seen = new Map<string, number>();
  try {
    for (const [index, raw] of value.split(",").entries()) {
      const position = index + 1;
      const entry = raw.trim();
      if (entry === "") {
        throw new KeyRingError(`${KEY_RING_VARIABLE} entry ${position} is empty (look for a stray comma). ${HOW_TO_FIX}`);
      }
      const colon = entry.indexOf(":");
      if (colon === -1) {
        throw new KeyRingError(`${KEY_RING_VARIABLE} entry ${position} is malformed: expected keyId:base64Key. ${HOW_TO_FIX}`);
      }
      const id = entry.slice(0, colon).trim();
      const encoded = entry.slice(colon + 1).trim();
      if (!KEY_ID_PATTERN.test(id)) {
        throw new KeyRingError(
          `${KEY_RING_VARIABLE} entry ${position} is malformed: the key id must be 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit.`,
        );
      }
      const previous = seen.get(id);
      if (previous !== undefined) {
        throw new KeyRingError(
          `${KEY_RING_VARIABLE} has a duplicate key id "${id}" (entries ${previous} and ${position}); key ids must be unique.`,
        );
      }
      seen.set(id, position);
      const key = encoded === "" ? null : looseBase64ToBytes(encoded);
      if (!key) {
        throw new KeyRingError(`${KEY_RING_VARIABLE} entry ${position} (key id "${id}") is malformed: the key is not valid base64.`);
      }
      if (key.length !== KEY_BYTES) {
        const length = key.length;
        key.fill(0);
        throw new KeyRingError(
          `${KEY_RING_VARIABLE} entry ${position} (key id "${id}") decodes to ${length} bytes; each key must be exactly ${KEY_BYTES} bytes (256 bits).`,
        );
      }
      entries.push({ id, key });
    }
    return new KeyRing(entries);
  } finally {
    for (const entry of entries) entry.key.fill(0);
  }
}

/** A fresh `keyId:base64Key` entry, e.g. for the local stack's .env.local or a rotation runbook. */
export function generateKeyRingEntry(keyId: string): string {
  if (!KEY_ID_PATTERN.test(keyId)) {
    throw new KeyRingError("A key id must be 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit.");
  }
  const key = crypto.getRandomValues(new Uint8Array(KEY_BYTES));
  try {
    return `${keyId}:${bytesToBase64(key)}`;
  } finally {
    key.fill(0);
  }
}
