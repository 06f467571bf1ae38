// Envelope encryption, key ring parsing and fingerprints (supabase/functions/_shared/crypto).
import { describe, expect, it } from "vitest";
import {
  CredentialDecryptError,
  credentialFingerprint,
  credentialFingerprints,
  decryptCredential,
  encryptCredential,
  generateKeyRingEntry,
  isEnvelopeCurrent,
  KeyRingError,
  parseKeyRing,
  rewrapEnvelope,
  type CredentialEnvelope,
} from "../../supabase/functions/_shared/crypto/index.ts";

// Fixed, obviously fake 32-byte keys so failures are reproducible.
const KEY_1 = Buffer.alloc(32, 1).toString("base64");
const KEY_2 = Buffer.alloc(32, 2).toString("base64");
const KEY_3 = Buffer.alloc(32, 3).toString("base64");

const ORG = "6f1c1a52-8a3e-4c5e-9d1b-0c2f9e7a4b10";
const OTHER_ORG = "0b7e4d7e-3f0a-4a34-8f6e-2d9c5b1a7e21";
const PROVIDER = "3d2e9c8b-1a4f-4b6e-8c7d-5e6f7a8b9c0d";
const OTHER_PROVIDER = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
const binding = { organizationId: ORG, providerId: PROVIDER };

const CANARY = "CANARY-7f3a9c-wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const credential = {
  access_key: "AKIAIOSFODNN7EXAMPLE",
  secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  note: CANARY,
};

function flipByte(base64: string, index = 0): string {
  const bytes = Buffer.from(base64, "base64");
  bytes[index]! ^= 0x01;
  return bytes.toString("base64");
}

async function decryptError(promise: Promise<unknown>): Promise<CredentialDecryptError> {
  const error = await promise.then(
    () => {
      throw new Error("expected decryption to fail");
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CredentialDecryptError);
  return error as CredentialDecryptError;
}

function keyRingError(value: string | undefined): KeyRingError {
  try {
    parseKeyRing(value);
  } catch (error) {
    expect(error).toBeInstanceOf(KeyRingError);
    return error as KeyRingError;
  }
  throw new Error("expected parseKeyRing to throw");
}

describe("key ring", () => {
  it("makes the first key active and keeps the order of the rest", () => {
    const ring = parseKeyRing(`k2:${KEY_2}, k1:${KEY_1}`);
    expect(ring.activeKeyId).toBe("k2");
    expect(ring.keyIds).toEqual(["k2", "k1"]);
    expect(ring.has("k1")).toBe(true);
    expect(ring.has("k3")).toBe(false);
  });

  it("accepts URL-safe base64 without padding", () => {
    const urlSafe = Buffer.alloc(32, 0xfb).toString("base64url");
    expect(parseKeyRing(`k1:${urlSafe}`).activeKeyId).toBe("k1");
  });

  it("refuses a missing variable and names it", () => {
    expect(keyRingError(undefined).message).toMatch(/^CLOUDKEEP_ENCRYPTION_KEYS is not set/);
    expect(keyRingError("   ").message).toMatch(/^CLOUDKEEP_ENCRYPTION_KEYS is empty/);
  });

  it("refuses a malformed entry and says which one, without echoing it", () => {
    const error = keyRingError(`k1:${KEY_1},${KEY_2}`);
    expect(error.message).toContain("CLOUDKEEP_ENCRYPTION_KEYS entry 2 is malformed");
    expect(error.message).not.toContain(KEY_2);
  });

  it("refuses an empty entry left by a stray comma", () => {
    expect(keyRingError(`k1:${KEY_1},`).message).toContain("entry 2 is empty");
  });

  it("refuses a key id with characters other than letters, digits, '.', '_' and '-'", () => {
    const error = keyRingError(`key one:${KEY_1}`);
    expect(error.message).toContain("entry 1 is malformed: the key id");
  });

  it("refuses a key that is not base64", () => {
    const error = keyRingError("k1:not*base64!");
    expect(error.message).toContain('entry 1 (key id "k1") is malformed: the key is not valid base64');
    expect(error.message).not.toContain("not*base64!");
  });

  it("refuses a key that is not 32 bytes and says how long it is", () => {
    const short = Buffer.alloc(16, 7).toString("base64");
    const error = keyRingError(`k1:${KEY_1},k2:${short}`);
    expect(error.message).toContain('CLOUDKEEP_ENCRYPTION_KEYS entry 2 (key id "k2") decodes to 16 bytes');
    expect(error.message).toContain("exactly 32 bytes");
    expect(error.message).not.toContain(short);
  });

  it("refuses a duplicate key id", () => {
    const error = keyRingError(`k1:${KEY_1},k2:${KEY_2},k1:${KEY_3}`);
    expect(error.message).toContain('duplicate key id "k1" (entries 1 and 3)');
    expect(error.message).not.toContain(KEY_3);
  });

  it("shows only key ids when serialised or printed", () => {
    const ring = parseKeyRing(`k1:${KEY_1}`);
    expect(JSON.stringify(ring)).toBe('{"activeKeyId":"k1","keyIds":["k1"]}');
    expect(String(Object.values(ring))).not.toContain(KEY_1);
  });

  it("generates entries that parse as a one-key ring", () => {
    const entry = generateKeyRingEntry("2026-01");
    const ring = parseKeyRing(entry);
    expect(ring.activeKeyId).toBe("2026-01");
    expect(generateKeyRingEntry("2026-01")).not.toBe(entry);
  });
});

describe("envelope encryption", () => {
  const ring = parseKeyRing(`k1:${KEY_1}`);

  it("decrypts what it encrypted for the same organization and provider", async () => {
    const envelope = await encryptCredential(ring, binding, credential);
    expect(await decryptCredential(ring, binding, envelope)).toEqual(credential);
  });

  it("writes a JSON-serialisable envelope naming the key id, with base64 fields of the expected sizes", async () => {
    const envelope = await encryptCredential(ring, binding, credential);
    expect(Object.keys(envelope).sort()).toEqual(["alg", "ct", "iv", "kid", "v", "wiv", "wk"]);
    expect(envelope).toMatchObject({ v: 1, alg: "A256GCM", kid: "k1" });
    expect(Buffer.from(envelope.wk, "base64")).toHaveLength(48);
    expect(Buffer.from(envelope.wiv, "base64")).toHaveLength(12);
    expect(Buffer.from(envelope.iv, "base64")).toHaveLength(12);
    const roundTripped = JSON.parse(JSON.stringify(envelope)) as CredentialEnvelope;
    expect(await decryptCredential(ring, binding, roundTripped)).toEqual(credential);
  });

  it("uses a fresh data key and fresh IVs for every encryption", async () => {
    const first = await encryptCredential(ring, binding, credential);
    const second = await encryptCredential(ring, binding, credential);
    expect(second.wk).not.toBe(first.wk);
    expect(second.wiv).not.toBe(first.wiv);
    expect(second.iv).not.toBe(first.iv);
    expect(second.ct).not.toBe(first.ct);
  });

  it("reads an envelope that a driver returned as JSON text", async () => {
    const envelope = await encryptCredential(ring, binding, credential);
    expect(await decryptCredential(ring, binding, JSON.stringify(envelope))).toEqual(credential);
  });

  it("refuses ciphertext moved to another organization and names the provider", async () => {
    const envelope = await encryptCredential(ring, binding, credential);
    const error = await decryptError(decryptCredential(ring, { organizationId: OTHER_ORG, providerId: PROVIDER }, envelope));
    expect(error.reason).toBe("wrong_key_or_tampered");
    expect(error.providerId).toBe(PROVIDER);
    expect(error.message).toBe(
      `Credentials of provider ${PROVIDER} could not be decrypted: wrong key, tampered ciphertext, or it belongs to another provider.`,
    );
  });

  it("refuses ciphertext moved to another provider and names that provider", async () => {
    const envelope = await encryptCredential(ring, binding, credential);
    const error = await decryptError(decryptCredential(ring, { organizationId: ORG, providerId: OTHER_PROVIDER }, envelope));
    expect(error.reason).toBe("wrong_key_or_tampered");
    expect(error.providerId).toBe(OTHER_PROVIDER);
    expect(error.message).toContain(`provider ${OTHER_PROVIDER} could not be decrypted`);
  });

  it("refuses a wrapped data key moved from another provider's envelope", async () => {
    const mine = await encryptCredential(ring, binding, credential);
    const theirs = await encryptCredential(ring, { organizationId: ORG, providerId: OTHER_PROVIDER }, credential);
    const spliced = { ...mine, wk: theirs.wk, wiv: theirs.wiv };
    expect((await decryptError(decryptCredential(ring, binding, spliced))).reason).toBe("wrong_key_or_tampered");
  });

  it("treats ids case-insensitively, as Postgres prints uuids in lower case", async () => {
    const envelope = await encryptCredential(ring, binding, credential);
    const upper = { organizationId: ORG.toUpperCase(), providerId: PROVIDER.toUpperCase() };
    expect(await decryptCredential(ring, upper, envelope)).toEqual(credential);
  });

  it("refuses a binding whose ids could run together in the associated data", async () => {
    await expect(encryptCredential(ring, { organizationId: `${ORG}:x`, providerId: PROVIDER }, credential)).rejects.toThrow(TypeError);
  });

  it("refuses to encrypt something other than a credential object", async () => {
    await expect(encryptCredential(ring, binding, [] as unknown as Record<string, unknown>)).rejects.toThrow(TypeError);
  });

  describe("tampering", () => {
    const twoKeys = parseKeyRing(`k1:${KEY_1},k2:${KEY_2}`);
    const cases: [string, (envelope: CredentialEnvelope) => unknown, string, RegExp][] = [
      ["kid naming another key of the ring", (e) => ({ ...e, kid: "k2" }), "wrong_key_or_tampered", /could not be decrypted/],
      ["kid naming a key not in the ring", (e) => ({ ...e, kid: "k9" }), "unknown_key", /key id "k9"/],
      ["kid that is not a key id", (e) => ({ ...e, kid: "k1 k2" }), "malformed_envelope", /key id is invalid/],
      ["wk with one bit flipped", (e) => ({ ...e, wk: flipByte(e.wk, 5) }), "wrong_key_or_tampered", /could not be decrypted/],
      [
        "wk cut short",
        (e) => ({ ...e, wk: Buffer.from(e.wk, "base64").subarray(0, 32).toString("base64") }),
        "malformed_envelope",
        /field wk has the wrong length/,
      ],
      ["wiv with one bit flipped", (e) => ({ ...e, wiv: flipByte(e.wiv) }), "wrong_key_or_tampered", /could not be decrypted/],
      ["iv with one bit flipped", (e) => ({ ...e, iv: flipByte(e.iv) }), "wrong_key_or_tampered", /could not be decrypted/],
      ["ct with one bit flipped", (e) => ({ ...e, ct: flipByte(e.ct, 3) }), "wrong_key_or_tampered", /could not be decrypted/],
      [
        "ct with its last character edited",
        (e) => ({ ...e, ct: e.ct.replace(/.(=*)$/, (m, pad: string) => (m[0] === "A" ? "B" : "A") + pad) }),
        "wrong_key_or_tampered|malformed_envelope",
        /./,
      ],
      ["ct that is not base64", (e) => ({ ...e, ct: `${e.ct}!` }), "malformed_envelope", /field ct is not base64/],
      ["v of another version", (e) => ({ ...e, v: 2 }), "malformed_envelope", /unsupported version/],
      ["alg of another algorithm", (e) => ({ ...e, alg: "A128GCM" }), "malformed_envelope", /unsupported algorithm/],
      ["a missing field", ({ iv: _iv, ...rest }) => rest, "malformed_envelope", /field iv is not base64/],
      ["an array instead of an envelope", () => [], "malformed_envelope", /not an object/],
      ["text that is not JSON", () => "{not json", "malformed_envelope", /not JSON/],
    ];

    it.each(cases)("refuses an envelope with %s, with a clear error naming the provider", async (_, tamper, reasons, detail) => {
      const envelope = await encryptCredential(twoKeys, binding, credential);
      const error = await decryptError(decryptCredential(twoKeys, binding, tamper(envelope)));
      expect(reasons.split("|")).toContain(error.reason);
      expect(error.message).toContain(`provider ${PROVIDER}`);
      expect(error.message).toMatch(detail);
    });
  });

  it("refuses to decrypt under a different key that has the same key id", async () => {
    const envelope = await encryptCredential(ring, binding, credential);
    const impostor = parseKeyRing(`k1:${KEY_2}`);
    const error = await decryptError(decryptCredential(impostor, binding, envelope));
    expect(error.reason).toBe("wrong_key_or_tampered");
  });

  it("names the key id when the envelope's key is not in the ring", async () => {
    const envelope = await encryptCredential(ring, binding, credential);
    const error = await decryptError(decryptCredential(parseKeyRing(`k2:${KEY_2}`), binding, envelope));
    expect(error.reason).toBe("unknown_key");
    expect(error.keyId).toBe("k1");
    expect(error.message).toContain(`provider ${PROVIDER}`);
    expect(error.message).toContain('key id "k1", which is not in CLOUDKEEP_ENCRYPTION_KEYS');
  });
});

describe("key rotation", () => {
  const oldRing = parseKeyRing(`k1:${KEY_1}`);
  const rotatedRing = parseKeyRing(`k2:${KEY_2},k1:${KEY_1}`);
  const newRing = parseKeyRing(`k2:${KEY_2}`);

  it("re-wraps the data key under the active key and leaves the credential ciphertext byte-identical", async () => {
    const envelope = await encryptCredential(oldRing, binding, credential);
    const rewrapped = await rewrapEnvelope(rotatedRing, binding, envelope);
    expect(rewrapped.kid).toBe("k2");
    expect(rewrapped.wk).not.toBe(envelope.wk);
    expect(rewrapped.wiv).not.toBe(envelope.wiv);
    expect(rewrapped.iv).toBe(envelope.iv);
    expect(rewrapped.ct).toBe(envelope.ct);
    expect(await decryptCredential(rotatedRing, binding, rewrapped)).toEqual(await decryptCredential(oldRing, binding, envelope));
  });

  it("decrypts re-wrapped credentials after the old key is removed from the ring", async () => {
    const envelope = await encryptCredential(oldRing, binding, credential);
    const rewrapped = await rewrapEnvelope(rotatedRing, binding, envelope);
    expect(await decryptCredential(newRing, binding, rewrapped)).toEqual(credential);
    expect((await decryptError(decryptCredential(newRing, binding, envelope))).reason).toBe("unknown_key");
  });

  it("returns the same envelope when it is already under the active key, so a run can count it as current", async () => {
    const envelope = await encryptCredential(rotatedRing, binding, credential);
    expect(isEnvelopeCurrent(rotatedRing, envelope)).toBe(true);
    expect(await rewrapEnvelope(rotatedRing, binding, envelope)).toBe(envelope);
    const old = await encryptCredential(oldRing, binding, credential);
    expect(isEnvelopeCurrent(rotatedRing, old)).toBe(false);
  });

  it("refuses to re-wrap an envelope for another provider", async () => {
    const envelope = await encryptCredential(oldRing, binding, credential);
    const error = await decryptError(rewrapEnvelope(rotatedRing, { organizationId: ORG, providerId: OTHER_PROVIDER }, envelope));
    expect(error.reason).toBe("wrong_key_or_tampered");
    expect(error.providerId).toBe(OTHER_PROVIDER);
  });

  it("refuses to re-wrap an envelope whose key is gone, naming the key id", async () => {
    const envelope = await encryptCredential(oldRing, binding, credential);
    const error = await decryptError(rewrapEnvelope(parseKeyRing(`k3:${KEY_3},k2:${KEY_2}`), binding, envelope));
    expect(error.reason).toBe("unknown_key");
    expect(error.message).toContain('"k1"');
  });
});

describe("fingerprints", () => {
  const ring = parseKeyRing(`k1:${KEY_1}`);
  const token = "dop_v1_" + "ab12".repeat(16);
  const aws = { access_key: "AKIAIOSFODNN7EXAMPLE", secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };

  it("is the key id and 64 hex characters of HMAC-SHA256", async () => {
    expect(await credentialFingerprint(ring, "aws", aws)).toMatch(/^k1:[0-9a-f]{64}$/);
  });

  it("is equal for equal credentials", async () => {
    expect(await credentialFingerprint(ring, "aws", { ...aws })).toBe(await credentialFingerprint(ring, "aws", aws));
  });

  it("covers identifying fields only, so a different default region is still the same credential", async () => {
    expect(await credentialFingerprint(ring, "aws", { ...aws, region: "eu-west-1" })).toBe(await credentialFingerprint(ring, "aws", aws));
    expect(await credentialFingerprint(ring, "aws", { ...aws, access_key: "AKIAI44QH8DHBEXAMPLE" })).not.toBe(
      await credentialFingerprint(ring, "aws", aws),
    );
  });

  it("differs across kinds for the same token", async () => {
    expect(await credentialFingerprint(ring, "linode", { access_key: token })).not.toBe(
      await credentialFingerprint(ring, "vultr", { access_key: token }),
    );
  });

  it("tells the same S3 access key on two endpoints apart", async () => {
    const s3 = { access_key: "minioadmin", secret_key: "minioadmin", region: "us-east-1", force_path_style: true };
    expect(await credentialFingerprint(ring, "s3_compatible", s3, "https://a.example.com")).not.toBe(
      await credentialFingerprint(ring, "s3_compatible", s3, "https://b.example.com"),
    );
  });

  it("differs under a different key and does not contain the token", async () => {
    const other = parseKeyRing(`k1:${KEY_2}`);
    const mine = await credentialFingerprint(ring, "digitalocean", { access_key: token });
    expect(await credentialFingerprint(other, "digitalocean", { access_key: token })).not.toBe(mine);
    expect(mine).not.toContain(token.slice(-8));
  });

  it("is still found under the old key after rotation", async () => {
    const stored = await credentialFingerprint(ring, "digitalocean", { access_key: token });
    const rotated = parseKeyRing(`k2:${KEY_2},k1:${KEY_1}`);
    const candidates = await credentialFingerprints(rotated, "digitalocean", { access_key: token });
    expect(candidates).toHaveLength(2);
    expect(candidates[0]).toMatch(/^k2:/);
    expect(candidates).toContain(stored);
    expect(await credentialFingerprint(rotated, "digitalocean", { access_key: token })).toBe(candidates[0]);
  });
});

describe("secrecy", () => {
  it("never shows a plaintext canary in the envelope or in any error message", async () => {
    const ring = parseKeyRing(`k1:${KEY_1},k2:${KEY_2}`);
    const envelope = await encryptCredential(ring, binding, credential);
    expect(JSON.stringify(envelope)).not.toContain(CANARY);
    expect(JSON.stringify(envelope)).not.toContain("CANARY");

    const failures: (() => Promise<unknown>)[] = [
      () => decryptCredential(ring, { organizationId: OTHER_ORG, providerId: PROVIDER }, envelope),
      () => decryptCredential(ring, binding, { ...envelope, ct: flipByte(envelope.ct) }),
      () => decryptCredential(ring, binding, { ...envelope, kid: "k2" }),
      () => decryptCredential(parseKeyRing(`k9:${KEY_3}`), binding, envelope),
      () => decryptCredential(parseKeyRing(`k1:${KEY_3}`), binding, envelope),
      () => decryptCredential(ring, binding, { ...envelope, v: 9 }),
      () => rewrapEnvelope(parseKeyRing(`k3:${KEY_3},k1:${KEY_1}`), { organizationId: ORG, providerId: OTHER_PROVIDER }, envelope),
    ];
    for (const failure of failures) {
      const error = await decryptError(failure());
      const shown = `${error.message} ${JSON.stringify(error)} ${String(error.stack)}`;
      expect(shown).not.toContain("CANARY");
      expect(shown).not.toContain(credential.secret_key);
      expect(shown).not.toContain(KEY_1);
    }
  });
});
