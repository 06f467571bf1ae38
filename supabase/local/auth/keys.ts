// The ES256 key the local auth server signs access tokens with: kept as a private JWK in a
// file (mode 0600) so tokens stay valid across restarts, generated with a random kid if absent.
import { randomUUID } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { errors, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWTPayload } from "jose";

export type PublicJwk = JsonWebKey & { kid: string };

export type SigningKey = {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** As the JWKS endpoint serves it, the way hosted Supabase does. */
  publicJwk: PublicJwk;
};

type PrivateEcJwk = { kty: "EC"; crv: "P-256"; x: string; y: string; d: string; kid: string };

function isPrivateEcJwk(value: unknown): value is PrivateEcJwk {
  const jwk = value as Partial<PrivateEcJwk> | null;
  return (
    typeof jwk === "object" &&
    jwk !== null &&
    jwk.kty === "EC" &&
    jwk.crv === "P-256" &&
    [jwk.x, jwk.y, jwk.d, jwk.kid].every((part) => typeof part === "string" && part.length > 0)
  );
}

async function readKeyFile(keyFile: string): Promise<unknown | null> {
  let text: string;
  try {
    text = await readFile(keyFile, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${keyFile} is not JSON; delete it to let the local auth server generate a new signing key.`);
  }
}

async function createKeyFile(keyFile: string): Promise<unknown> {
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: "ES256", use: "sig" };
  await mkdir(dirname(keyFile), { recursive: true });
  try {
    // "wx": never overwrite a key another process wrote meanwhile; tokens it signed must stay valid.
    await writeFile(keyFile, `${JSON.stringify(jwk, null, 2)}\n`, { mode: 0o600, flag: "wx" });
    return jwk;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return readKeyFile(keyFile);
    throw error;
  }
}

/**
 * Reads the key file, creating it on first run. Accepts one private JWK, or an array of them
 * (the Supabase CLI's signing_keys.json shape), in which case the first EC P-256 key signs.
 */
export async function loadSigningKey(keyFile: string): Promise<SigningKey> {
  const stored = (await readKeyFile(keyFile)) ?? (await createKeyFile(keyFile));
  const jwk = Array.isArray(stored) ? stored.find(isPrivateEcJwk) : stored;
  if (!isPrivateEcJwk(jwk)) {
    throw new Error(
      `${keyFile} does not hold an ES256 (EC P-256) private JWK with a "kid"; delete it to let the local auth server generate one.`,
    );
  }
  const { kty, crv, x, y, d, kid } = jwk;
  // Import from the bare key material: a stored key_ops such as ["sign","verify"] would make
  // WebCrypto refuse to import an EC private key.
  const privateKey = (await importJWK({ kty, crv, x, y, d }, "ES256")) as CryptoKey;
  const publicKey = (await importJWK({ kty, crv, x, y }, "ES256")) as CryptoKey;
  return {
    kid,
    privateKey,
    publicKey,
    publicJwk: { kty, crv, x, y, kid, alg: "ES256", use: "sig", key_ops: ["verify"], ext: true },
  };
}

export function signAccessToken(key: SigningKey, claims: JWTPayload): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid: key.kid, typ: "JWT" }).sign(key.privateKey);
}

export class InvalidAccessToken extends Error {}

/** Verifies signature, kid and expiry; the message says why a token was refused, as GoTrue's does. */
export async function verifyAccessToken(key: SigningKey, token: string, now: Date): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(
      token,
      (header) => {
        if (header.kid !== key.kid) throw new InvalidAccessToken(`unrecognized JWT kid ${header.kid} for algorithm ${header.alg}`);
        return key.publicKey;
      },
      { algorithms: ["ES256"], currentDate: now },
    );
    return payload;
  } catch (error) {
    if (error instanceof InvalidAccessToken) throw error;
    if (error instanceof errors.JWTExpired) throw new InvalidAccessToken("token has invalid claims: token is expired");
    if (error instanceof errors.JWSSignatureVerificationFailed) throw new InvalidAccessToken("token signature is invalid");
    if (error instanceof errors.JOSEAlgNotAllowed) throw new InvalidAccessToken("token signature is invalid: signing method not allowed");
    if (error instanceof errors.JOSEError) throw new InvalidAccessToken(`token is malformed: ${error.message}`);
    throw error;
  }
}
