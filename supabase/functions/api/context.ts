// What a route handler gets, and the helpers every route shares: body reading (JSON only,
// 64 KiB, 32 levels), organization resolution (an API token implies its own), and domain-error mapping.
import type { Sql } from "postgres";
import type { TokenVerifier } from "../_shared/auth/verify-token.ts";
import type { KeyRing } from "../_shared/crypto/index.ts";
import { withRls, type Claims } from "../_shared/db.ts";
import type { ApiTokenIdentity } from "../_shared/domain/api-tokens.ts";
import type { VaultContext } from "../_shared/domain/providers.ts";
import type { z } from "zod";
import { DOMAIN_ERROR_STATUS, DomainError, ProviderCallError, validationError } from "../_shared/domain/errors.ts";
import { ApiError, type ApiErrorCode } from "../_shared/http.ts";

export type ApiDeps = {
  sql: Sql;
  ring: KeyRing;
  verifyToken: TokenVerifier;
  /** Networks the operator trusts for live calls (CLOUDKEEP_TRUSTED_CIDRS); never an organization's to set. */
  trustedCidrs?: string[];
  /** Cloudkeep's OIDC issuer URL, for providers connected by federation. */
  oidcIssuer?: string;
};

export type RequestContext = {
  request: Request;
  url: URL;
  deps: ApiDeps;
  /** The verified caller: a user's JWT claims, or the claims an API token runs under. */
  claims: Claims;
  /** Set when the caller authenticated with an API token (`ck_…`); null for a user's token. */
  apiToken: ApiTokenIdentity | null;
};

/** What the domain's writes and live calls need, as the caller: the pool, the key ring, the caller's claims, the operator's settings. */
export function vaultOf(ctx: RequestContext): VaultContext {
  return {
    sql: ctx.deps.sql,
    ring: ctx.deps.ring,
    claims: ctx.claims,
    trustedCidrs: ctx.deps.trustedCidrs,
    oidcIssuer: ctx.deps.oidcIssuer,
  };
}

export const MAX_BODY_BYTES = 64 * 1024;
/** Deeper than any body a route takes (a GCP key is two levels); deeper is an attack on whatever walks it. */
export const MAX_BODY_DEPTH = 32;

/** JSON is what every body is: `application/json` or a `+json` type, in UTF-8; no Content-Type is taken as JSON. */
function requireJsonMediaType(request: Request) {
  const header = request.headers.get("content-type");
  if (header === null || header.trim() === "") return;
  const [type = "", ...params] = header.split(";").map((part) => part.trim().toLowerCase());
  const json = type === "application/json" || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(type);
  const charset = params
    .find((param) => param.startsWith("charset="))
    ?.slice("charset=".length)
    .replace(/^"|"$/g, "");
  if (!json || (charset !== undefined && charset !== "utf-8" && charset !== "utf8")) {
    throw new ApiError(415, "unsupported_media_type", "Send the body as JSON with Content-Type: application/json (UTF-8).");
  }
}

/** How deep arrays and objects nest, walked without recursion so no body can overflow the stack. */
function depthOf(value: unknown) {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > MAX_BODY_DEPTH) break;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * Reads a JSON body: 415 unless it is JSON, 413 over 64 KiB (even without Content-Length),
 * 400 when it does not parse, nests deeper than 32 levels or holds a NUL (Postgres text cannot).
 */
export async function readJson(request: Request): Promise<unknown> {
  requireJsonMediaType(request);
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw new ApiError(413, "payload_too_large", `The body is larger than ${MAX_BODY_BYTES / 1024} KiB.`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_BODY_BYTES) {
        await reader.cancel();
        throw new ApiError(413, "payload_too_large", `The body is larger than ${MAX_BODY_BYTES / 1024} KiB.`);
      }
      chunks.push(value);
    }
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(concat(chunks, size));
  } catch {
    throw new ApiError(400, "bad_request", "The body is not valid UTF-8.");
  }
  if (!text.trim()) throw new ApiError(400, "bad_request", "The request needs a JSON body.");
  let nul = false;
  let body: unknown;
  try {
    body = JSON.parse(text, (key, value) => {
      if (key.includes("\0") || (typeof value === "string" && value.includes("\0"))) nul = true;
      return value;
    });
  } catch {
    // JSON.parse's own message quotes the input, which may hold a secret.
    throw new ApiError(400, "bad_request", "The body is not valid JSON.");
  }
  if (nul) throw new ApiError(400, "bad_request", "The body contains a NUL character (\\u0000), which no field accepts.");
  if (depthOf(body) > MAX_BODY_DEPTH) throw new ApiError(400, "bad_request", `The body nests deeper than ${MAX_BODY_DEPTH} levels.`);
  return body;
}

/** Reads a JSON body (as readJson) and checks it with the route's schema; a refusal is a 422 naming each field. */
export async function readBody<S extends z.ZodType>(request: Request, schema: S): Promise<z.output<S>> {
  const parsed = schema.safeParse(await readJson(request));
  if (!parsed.success) throw fromDomainError(validationError(parsed.error));
  return parsed.data;
}

function concat(chunks: Uint8Array[], size: number) {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/**
 * The organization named by ?org=<slug>, with the caller's role; 404 when they are not a member.
 * An API token implies its organization: ?org= may be left out, and naming another is 403.
 * (For a token, `role` is its creator's; the database narrows it further by scope.)
 */
export async function resolveOrganization(ctx: RequestContext) {
  const token = ctx.apiToken;
  const slug = ctx.url.searchParams.get("org") || token?.organizationSlug;
  if (!slug) throw new ApiError(400, "bad_request", "Name the organization with ?org=<slug>.");
  if (token && slug !== token.organizationSlug) {
    throw new ApiError(
      403,
      "forbidden",
      `This API token belongs to the organization "${token.organizationSlug}" and cannot reach another.`,
    );
  }
  const [org] = await withRls(
    ctx.deps.sql,
    ctx.claims,
    (tx) => tx<{ id: string; slug: string; role: string }[]>`
    select o.id, o.slug, m.role
    from public.organizations o
    join public.organization_members m on m.organization_id = o.id and m.user_id = (select auth.uid())
    where o.slug = ${slug}`,
  );
  if (!org) throw new ApiError(404, "not_found", `Organization "${slug}" not found.`);
  return org;
}

/** Runs a domain call, turning its refusals into API errors with field details. */
export async function domainCall<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof DomainError) throw fromDomainError(error);
    if (error instanceof ProviderCallError) throw upstreamFailure(error);
    throw error;
  }
}

function fromDomainError(error: DomainError): ApiError {
  const details = error.fieldErrors ? { fields: error.fieldErrors } : undefined;
  return new ApiError(DOMAIN_ERROR_STATUS[error.code], error.code as ApiErrorCode, error.message, details);
}

/**
 * The one mapping of a failed live call to the API's answer: 504 when the cloud did not answer in
 * time, 422 when the endpoint is one Cloudkeep refuses to call, else 502; the provider's own code,
 * message and hint travel in details.provider_error.
 */
export function upstreamFailure(error: ProviderCallError): ApiError {
  const { code, message, hint } = error.failure;
  const [status, apiCode] =
    code === "timeout"
      ? [504, "upstream_timeout" as const]
      : code === "refused_endpoint"
        ? [422, "validation_failed" as const]
        : [502, "upstream_failed" as const];
  return new ApiError(status, apiCode, `${message} ${hint}`.trim(), { provider_error: { code, message, hint } });
}
