// API tokens for other services, shared by the portal's server actions and the HTTP API:
// made here from 256 random bits, handed out once, stored only as a SHA-256, and checked
// on every API request by the database (private.authenticate_api_token), which also keeps
// last_used_at and audits use. See supabase/migrations/20261122000600_api_tokens.sql for how
// a token's claims narrow RLS to its organization and scopes.
import type { Sql } from "postgres";
import { bytesToHex } from "../crypto/base64.ts";
import { asService, onlyRow, withRls, type Claims, type Tx } from "../db.ts";
import { API_TOKEN_PATTERN, API_TOKEN_PREFIX, apiTokenCreateSchema, type ApiTokenScope } from "../schemas/tokens.ts";
import { DomainError, fromPostgres, validationError } from "./errors.ts";
import { requireRole } from "./providers.ts";

export type ApiTokenStatus = "active" | "expired" | "revoked";

/** What anyone is ever shown of a token: never its hash, never the token after creation. */
export type ApiTokenRecord = {
  id: string;
  organization_id: string;
  name: string;
  scopes: ApiTokenScope[];
  token_prefix: string;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
  created_by: string | null;
  /** Null once the creator has left the organization. */
  created_by_email: string | null;
  created_at: Date;
  status: ApiTokenStatus;
};

/** The caller of a token write: who (claims) and the pool to run on. */
export type TokenContext = { sql: Sql; claims: Claims };

/** What a verified API token says about the request. */
export type ApiTokenIdentity = { id: string; organizationId: string; organizationSlug: string; scopes: ApiTokenScope[] };

export type ApiTokenRefusal = "unknown" | "revoked" | "expired" | "creator_left";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const TOKEN_CHARS = 43; // 43 × log2(62) ≈ 256 bits
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A new token: `ck_` + 43 base62 characters, each drawn without modulo bias. */
export function generateApiToken(): string {
  let out = API_TOKEN_PREFIX;
  while (out.length < API_TOKEN_PREFIX.length + TOKEN_CHARS) {
    for (const byte of crypto.getRandomValues(new Uint8Array(64))) {
      // 248 = 4 × 62: bytes above it would favour the first characters.
      if (byte < 248 && out.length < API_TOKEN_PREFIX.length + TOKEN_CHARS) out += BASE62[byte % 62];
    }
  }
  return out;
}

/** Hex SHA-256 of the whole token: what the database stores and looks up. */
export async function hashApiToken(token: string): Promise<string> {
  return bytesToHex(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token))));
}

/** The part shown in lists: `ck_` and the next 8 characters. */
export function apiTokenPrefix(token: string) {
  return token.slice(0, API_TOKEN_PREFIX.length + 8);
}

export function isApiToken(bearer: string) {
  return bearer.startsWith(API_TOKEN_PREFIX);
}

export async function selectApiTokens(tx: Tx, organizationId: string, tokenId?: string): Promise<ApiTokenRecord[]> {
  return tx<ApiTokenRecord[]>`
    select t.id, t.organization_id, t.name, t.scopes, t.token_prefix, t.expires_at, t.last_used_at, t.revoked_at,
           t.created_by, e.email as created_by_email, t.created_at,
           case when t.revoked_at is not null then 'revoked' when t.expires_at <= now() then 'expired' else 'active' end as status
    from public.api_tokens t
    left join private.member_emails(${organizationId}) e on e.user_id = t.created_by
    where t.organization_id = ${organizationId} ${tokenId ? tx`and t.id = ${tokenId}` : tx``}
    order by t.revoked_at is not null, t.created_at desc, t.id`;
}

/** The organization's tokens, newest first and revoked ones last; admins and owners only. */
export function listApiTokens(ctx: TokenContext, organizationId: string) {
  return withRls(ctx.sql, ctx.claims, async (tx) => {
    await requireRole(tx, organizationId, "admin", "see the organization's API tokens");
    return selectApiTokens(tx, organizationId);
  });
}

/** Makes a token. The returned `token` is the only copy there will ever be. */
export function createApiToken(
  ctx: TokenContext,
  organizationId: string,
  body: unknown,
): Promise<{ token: string; record: ApiTokenRecord }> {
  return withRls(ctx.sql, ctx.claims, async (tx) => {
    await requireRole(tx, organizationId, "admin", "create API tokens");
    const parsed = apiTokenCreateSchema.safeParse(body);
    if (!parsed.success) throw validationError(parsed.error);
    const { name, scopes, expiresAt } = parsed.data;
    const token = generateApiToken();
    let id: string;
    try {
      ({ id } = onlyRow(
        await tx<{ id: string }[]>`
        insert into public.api_tokens (organization_id, name, scopes, token_hash, token_prefix, expires_at)
        values (${organizationId}, ${name}, ${scopes}, ${await hashApiToken(token)}, ${apiTokenPrefix(token)}, ${expiresAt})
        returning id`,
        "insert into public.api_tokens",
      ));
    } catch (error) {
      fromPostgres(error, "create API tokens");
    }
    const record = onlyRow(await selectApiTokens(tx, organizationId, id), "select of the new API token");
    return { token, record };
  });
}

/**
 * Revokes a token at once; services using it get 401 from their next request. Revoking a
 * revoked token changes nothing and is not an error. A token the caller may not manage
 * (another organization, or not an admin there) is not found.
 */
export function revokeApiToken(ctx: TokenContext, tokenId: string, organizationId?: string): Promise<ApiTokenRecord> {
  return withRls(ctx.sql, ctx.claims, async (tx) => {
    const notFound = new DomainError("not_found", "API token not found.");
    if (!UUID.test(tokenId)) throw notFound;
    const inOrganization = () => (organizationId ? tx`and organization_id = ${organizationId}` : tx``);
    try {
      await tx`update public.api_tokens set revoked_at = now() where id = ${tokenId} and revoked_at is null ${inOrganization()}`;
    } catch (error) {
      fromPostgres(error, "revoke API tokens");
    }
    const [token] = await tx<
      { organization_id: string }[]
    >`select organization_id from public.api_tokens where id = ${tokenId} ${inOrganization()}`;
    if (!token) throw notFound;
    return onlyRow(await selectApiTokens(tx, token.organization_id, tokenId), "select of the revoked API token");
  });
}

/**
 * Checks a `ck_…` bearer token. On success, the claims the request then runs under: the
 * creator as `sub` (policies and foreign keys need a real user) plus the `ck_token` claim
 * that narrows RLS to the token's organization and scopes.
 */
export async function authenticateApiToken(
  sql: Sql,
  token: string,
): Promise<{ ok: true; identity: ApiTokenIdentity; claims: Claims } | { ok: false; refusal: ApiTokenRefusal }> {
  if (!API_TOKEN_PATTERN.test(token)) return { ok: false, refusal: "unknown" };
  const hash = await hashApiToken(token);
  const [row] = await asService(
    sql,
    (tx) =>
      tx<
        {
          token_id: string | null;
          organization_id: string;
          organization_slug: string;
          scopes: ApiTokenScope[];
          created_by: string;
          refusal: ApiTokenRefusal | null;
        }[]
      >`select token_id, organization_id, organization_slug, scopes, created_by, refusal from private.authenticate_api_token(${hash})`,
  );
  if (!row || row.refusal || !row.token_id) return { ok: false, refusal: row?.refusal ?? "unknown" };
  return {
    ok: true,
    identity: { id: row.token_id, organizationId: row.organization_id, organizationSlug: row.organization_slug, scopes: row.scopes },
    claims: { sub: row.created_by, role: "authenticated", aud: "authenticated", ck_token: { id: row.token_id } },
  };
}
