// The `oidc` edge function: Cloudkeep's OpenID Connect discovery document and JWKS, public and
// unauthenticated, as clouds fetch them to verify the tokens Cloudkeep presents. It reads public
// keys only; it has no key ring and can sign nothing.
import type { Sql } from "postgres";
import { DISCOVERY_CACHE_CONTROL, discoveryDocument, JWKS_CACHE_CONTROL } from "../_shared/federation/issuer.ts";
import { publishedKeys } from "../_shared/federation/keys.ts";

export type OidcDeps = { sql: Sql; issuer: string; log?: (line: string) => void };

const DISCOVERY = /\/\.well-known\/openid-configuration$/;
const JWKS = /\/(\.well-known\/jwks\.json|jwks)$/;

function answer(status: number, body: unknown, headers: Record<string, string> = {}, method = "GET") {
  return new Response(method === "HEAD" ? null : JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "access-control-allow-origin": "*", "x-content-type-options": "nosniff", ...headers },
  });
}

export function createOidcHandler(deps: OidcDeps) {
  const discovery = discoveryDocument(deps.issuer);
  return async function handle(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname.replace(/\/+$/, "");
    const known = DISCOVERY.test(path) || JWKS.test(path);
    if (!known)
      return answer(
        404,
        { error: { code: "not_found", message: "This issuer serves /.well-known/openid-configuration and /.well-known/jwks.json." } },
        { "cache-control": "no-store" },
      );
    if (request.method !== "GET" && request.method !== "HEAD") {
      return answer(
        405,
        { error: { code: "method_not_allowed", message: "Use GET." } },
        { allow: "GET, HEAD", "cache-control": "no-store" },
      );
    }
    if (DISCOVERY.test(path)) return answer(200, discovery, { "cache-control": DISCOVERY_CACHE_CONTROL }, request.method);
    try {
      const keys = await publishedKeys(deps.sql);
      return answer(200, { keys }, { "cache-control": JWKS_CACHE_CONTROL }, request.method);
    } catch (error) {
      deps.log?.(`jwks read failed: ${(error as Error).name}`);
      // Never cached: a verifier must retry, not keep an empty key set.
      return answer(
        503,
        { error: { code: "unavailable", message: "The key set cannot be read right now." } },
        { "cache-control": "no-store", "retry-after": "5" },
      );
    }
  };
}
