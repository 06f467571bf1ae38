// The issuer's signing keys, one line of keys per algorithm (ES256; RS256 for Azure), kept in private.oidc_signing_keys (see the migration for the
// columns). The private JWK is a key-ring envelope bound to `cloudkeep:v1:oidc:<kid>`; it is
// decrypted only in memory, into a non-extractable CryptoKey, cached per process for a minute.
//
// Rotation publishes first and signs later: a new key enters the JWKS at once but signs only
// after the publish-ahead window (default 24 h, longer than any cloud caches a JWKS), and the key
// it replaces stops signing at that moment yet stays in the JWKS until every token it signed has
// expired. The first key is created on first use and signs at once: nobody can have cached a JWKS
// without it.
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import type { Sql } from "postgres";
import { decryptCredential, encryptCredential, rewrapEnvelope, type CredentialEnvelope, type KeyRing } from "../crypto/index.ts";
import { asService, onlyRow, type Tx } from "../db.ts";
import { SIGNING_ALGORITHM, TOKEN_LIFETIME_SECONDS, type SigningAlgorithm } from "./issuer.ts";

/** Default publish-ahead window of a rotation. */
export const PUBLISH_AHEAD_SECONDS = 24 * 3600;
/**
 * How long a retired key stays published: the longest token lifetime, plus clock skew, plus the
 * minute a process may keep signing with a cached key after another process rotated.
 */
export const RETIRED_KEY_GRACE_SECONDS = TOKEN_LIFETIME_SECONDS + 180;
/** A process re-reads which key signs at least this often. */
const CURRENT_KEY_CACHE_MS = 60_000;

/** The associated data of a signing key's envelope: never equal to a provider credential's (those name a uuid). */
export const signingKeyBinding = (kid: string) => ({ organizationId: "oidc", providerId: kid });

export type PublishedKey = JWK & { kid: string; alg: string; use: "sig" };
export type SigningKey = { kid: string; key: CryptoKey };

type KeyRow = {
  kid: string;
  alg: SigningAlgorithm;
  public_jwk: PublishedKey;
  private_jwk: CredentialEnvelope;
  published_at: Date;
  active_from: Date;
  retired_at: Date | null;
  unpublish_after: Date | null;
};

const LOCK = "cloudkeep:oidc_signing_keys";

async function lock(tx: Tx) {
  await tx`select pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext(${LOCK}))`;
}

/** The public members a JWKS carries for each key type (never `d` or the RSA primes). */
const PUBLIC_MEMBERS: Record<SigningAlgorithm, readonly (keyof JWK)[]> = { ES256: ["kty", "crv", "x", "y"], RS256: ["kty", "n", "e"] };

/** A fresh key pair: the public JWK as published, the private JWK sealed by the key ring. */
async function newKey(ring: KeyRing, alg: SigningAlgorithm) {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === "RS256" ? { modulusLength: 2048 } : {}) });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = await exportJWK(privateKey);
  try {
    const sealed = await encryptCredential(ring, signingKeyBinding(kid), privateJwk as Record<string, unknown>);
    const published = {
      ...Object.fromEntries(PUBLIC_MEMBERS[alg].map((name) => [name, publicJwk[name]])),
      kid,
      alg,
      use: "sig",
    } as PublishedKey;
    return { kid, published, sealed };
  } finally {
    for (const secret of ["d", "p", "q", "dp", "dq", "qi"] as const) privateJwk[secret] = undefined;
  }
}

async function insertKey(tx: Tx, ring: KeyRing, publishAheadSeconds: number, alg: SigningAlgorithm) {
  const { kid, published, sealed } = await newKey(ring, alg);
  const rows = await tx<{ kid: string; active_from: Date }[]>`
    insert into private.oidc_signing_keys (kid, alg, public_jwk, private_jwk, active_from)
    values (${kid}, ${alg}, ${tx.json(published as never)}, ${tx.json(sealed as never)}, now() + make_interval(secs => ${publishAheadSeconds}))
    returning kid, active_from`;
  return onlyRow(rows, "insert into private.oidc_signing_keys");
}

const ACTIVE = (tx: Tx, alg: SigningAlgorithm) => tx<KeyRow[]>`
  select kid, alg, public_jwk, private_jwk, published_at, active_from, retired_at, unpublish_after
  from private.oidc_signing_keys
  where alg = ${alg} and active_from <= now() and (retired_at is null or retired_at > now())
  order by active_from desc
  limit 1`;

const cache = new WeakMap<Sql, Map<SigningAlgorithm, { kid: string; key: Promise<CryptoKey>; until: number }>>();

async function openPrivateKey(ring: KeyRing, row: Pick<KeyRow, "kid" | "alg" | "private_jwk">): Promise<CryptoKey> {
  const jwk = (await decryptCredential(ring, signingKeyBinding(row.kid), row.private_jwk)) as JWK;
  try {
    return (await importJWK({ ...jwk, alg: row.alg }, row.alg, { extractable: false })) as CryptoKey;
  } finally {
    for (const secret of ["d", "p", "q", "dp", "dq", "qi"] as const) jwk[secret] = undefined;
  }
}

/** The key that signs now with `alg` (ES256 unless said); created (and signing at once) when there is none yet. */
export async function currentSigningKey(sql: Sql, ring: KeyRing, alg: SigningAlgorithm = SIGNING_ALGORITHM): Promise<SigningKey> {
  const perSql = cache.get(sql) ?? new Map<SigningAlgorithm, { kid: string; key: Promise<CryptoKey>; until: number }>();
  cache.set(sql, perSql);
  const cached = perSql.get(alg);
  if (cached && cached.until > Date.now()) return { kid: cached.kid, key: await cached.key };
  const row = await asService(sql, async (tx) => {
    const [active] = await ACTIVE(tx, alg);
    if (active) return active;
    // First use (or every key retired): one process creates it, the others wait and read it.
    await lock(tx);
    const [raced] = await ACTIVE(tx, alg);
    if (raced) return raced;
    await insertKey(tx, ring, 0, alg);
    const [created] = await ACTIVE(tx, alg);
    return created;
  });
  // Checked once the transaction is over, so the key it created stays created.
  if (!row) throw new Error(`No active ${alg} signing key right after creating one.`);
  const until = Math.min(Date.now() + CURRENT_KEY_CACHE_MS, row.retired_at ? row.retired_at.getTime() : Infinity);
  const key = openPrivateKey(ring, row);
  perSql.set(alg, { kid: row.kid, key, until });
  key.catch(() => perSql.delete(alg));
  return { kid: row.kid, key: await key };
}

/** Forgets the cached signing keys of this process (tests; after a rotation this process made). */
export function forgetSigningKey(sql: Sql) {
  cache.delete(sql);
}

/** The algorithms that have a key (ES256 always counts): what `npm run oidc:rotate` rotates. */
export async function algorithmsInUse(sql: Sql): Promise<SigningAlgorithm[]> {
  const rows = await asService(sql, (tx) => tx<{ alg: SigningAlgorithm }[]>`select distinct alg from private.oidc_signing_keys`);
  return [...new Set<SigningAlgorithm>([SIGNING_ALGORITHM, ...rows.map((row) => row.alg)])];
}

/** The JWKS: every key published and not yet withdrawn, newest first. */
export async function publishedKeys(sql: Sql): Promise<PublishedKey[]> {
  const rows = await asService(
    sql,
    (tx) => tx<{ public_jwk: PublishedKey }[]>`
      select public_jwk from private.oidc_signing_keys
      where published_at <= now() and (unpublish_after is null or unpublish_after > now())
      order by active_from desc`,
  );
  return rows.map((row) => row.public_jwk);
}

export type RotationResult = {
  kid: string;
  activeFrom: Date;
  /** Keys that stop signing when the new one starts, and when they leave the JWKS. */
  retiring: { kid: string; retiredAt: Date; unpublishAfter: Date }[];
  /** Keys withdrawn from the JWKS for good (their tokens have all expired) and deleted. */
  removed: string[];
};

/**
 * Rotates the signing key of one algorithm (ES256 unless said): publishes a new key now, which signs from `publishAheadSeconds` on; every
 * key still signing then retires at that moment and stays published for RETIRED_KEY_GRACE_SECONDS.
 * Keys whose publication ended are deleted. `publishAheadSeconds: 0` rotates at once (a key
 * suspected to be exposed; tokens it already signed still verify until they expire).
 */
export async function rotateSigningKey(
  sql: Sql,
  ring: KeyRing,
  options: { publishAheadSeconds?: number; algorithm?: SigningAlgorithm } = {},
): Promise<RotationResult> {
  const ahead = options.publishAheadSeconds ?? PUBLISH_AHEAD_SECONDS;
  const alg = options.algorithm ?? SIGNING_ALGORITHM;
  if (!Number.isFinite(ahead) || ahead < 0 || ahead > 30 * 24 * 3600)
    throw new RangeError("The publish-ahead window must be 0–30 days in seconds.");
  const result = await asService(sql, async (tx) => {
    await lock(tx);
    const removed = await tx<{ kid: string }[]>`delete from private.oidc_signing_keys where unpublish_after <= now() returning kid`;
    const created = await insertKey(tx, ring, ahead, alg);
    const retiring = await tx<{ kid: string; retired_at: Date; unpublish_after: Date }[]>`
      update private.oidc_signing_keys
      set retired_at = ${created.active_from}, unpublish_after = ${created.active_from}::timestamptz + make_interval(secs => ${RETIRED_KEY_GRACE_SECONDS})
      where kid <> ${created.kid} and alg = ${alg} and active_from < ${created.active_from} and (retired_at is null or retired_at > ${created.active_from})
      returning kid, retired_at, unpublish_after`;
    return {
      kid: created.kid,
      activeFrom: created.active_from,
      retiring: retiring.map((r) => ({ kid: r.kid, retiredAt: r.retired_at, unpublishAfter: r.unpublish_after })),
      removed: removed.map((r) => r.kid),
    };
  });
  forgetSigningKey(sql);
  return result;
}

/** Re-wraps every signing key's private JWK under the ring's active key (`npm run keys:rotate`). */
export async function rewrapSigningKeys(
  sql: Sql,
  ring: KeyRing,
): Promise<{ rewrapped: number; failed: { kid: string; reason: string }[] }> {
  return asService(sql, async (tx) => {
    const rows = await tx<{ kid: string; private_jwk: CredentialEnvelope }[]>`
      select kid, private_jwk from private.oidc_signing_keys
      where private_jwk ->> 'kid' is distinct from ${ring.activeKeyId}
      for update`;
    const failed: { kid: string; reason: string }[] = [];
    let rewrapped = 0;
    for (const row of rows) {
      try {
        const envelope = await rewrapEnvelope(ring, signingKeyBinding(row.kid), row.private_jwk);
        await tx`update private.oidc_signing_keys set private_jwk = ${tx.json(envelope as never)} where kid = ${row.kid}`;
        rewrapped += 1;
      } catch (error) {
        failed.push({ kid: row.kid, reason: (error as Error).message });
      }
    }
    return { rewrapped, failed };
  });
}
