// Short-lived provider tokens (Keystone, STS, Azure AD, Google OAuth) kept in memory until shortly
// before they expire. Keys are keyed hashes of the credential, never the secret itself; concurrent
// callers for one credential share a single fetch. Nothing here is ever written anywhere.
import { canonicalJson } from "../crypto/canonical-json.ts";

export type FetchedToken<T> = {
  value: T;
  /** When the token stops working: epoch ms, a Date, or an ISO string. */
  expiresAt: number | Date | string;
};

export type TokenCacheOptions = {
  /** Stop handing out a token this long before it expires; default 60 s. */
  refreshBeforeMs?: number;
  /** Entries kept at most (oldest dropped first); default 1,000. */
  maxEntries?: number;
  /** Clock, for tests. */
  now?: () => number;
};

// A per-process random key: the cache keys mean nothing outside this process, even for guessable passwords.
let hmacKey: Promise<CryptoKey> | null = null;
function processKey(): Promise<CryptoKey> {
  hmacKey ??= crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, ["sign"]) as Promise<CryptoKey>;
  return hmacKey;
}

/** A keyed SHA-256 of the given parts (canonical JSON): a cache key that never holds the secret. */
export async function tokenCacheKey(...parts: unknown[]): Promise<string> {
  const message = new TextEncoder().encode(canonicalJson(parts));
  try {
    const mac = await crypto.subtle.sign("HMAC", await processKey(), message);
    return Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, "0")).join("");
  } finally {
    message.fill(0);
  }
}

function toEpochMs(expiresAt: number | Date | string): number {
  if (typeof expiresAt === "number") return expiresAt;
  const ms = expiresAt instanceof Date ? expiresAt.getTime() : Date.parse(expiresAt);
  return Number.isNaN(ms) ? 0 : ms;
}

export class TokenCache<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();
  private readonly inFlight = new Map<string, Promise<T>>();
  private readonly refreshBeforeMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: TokenCacheOptions = {}) {
    this.refreshBeforeMs = options.refreshBeforeMs ?? 60_000;
    this.maxEntries = options.maxEntries ?? 1_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * The cached token for `credential` (any JSON value: the parts that identify it, secrets included —
   * only a keyed hash is kept), or a fresh one from `fetchToken`. A failed fetch is not cached.
   */
  async get(credential: unknown, fetchToken: () => Promise<FetchedToken<T>>): Promise<T> {
    const key = await tokenCacheKey(credential);
    const cached = this.entries.get(key);
    if (cached && cached.expiresAt - this.refreshBeforeMs > this.now()) return cached.value;
    if (cached) this.entries.delete(key);

    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const fetching = (async () => {
      try {
        const token = await fetchToken();
        const expiresAt = toEpochMs(token.expiresAt);
        // A token that is already inside the refresh window is used once and not kept.
        if (expiresAt - this.refreshBeforeMs > this.now()) this.store(key, token.value, expiresAt);
        return token.value;
      } finally {
        this.inFlight.delete(key);
      }
    })();
    this.inFlight.set(key, fetching);
    return fetching;
  }

  /** Forgets the token for `credential` (the provider refused it: revoked early). */
  async invalidate(credential: unknown): Promise<void> {
    this.entries.delete(await tokenCacheKey(credential));
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private store(key: string, value: T, expiresAt: number) {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}
