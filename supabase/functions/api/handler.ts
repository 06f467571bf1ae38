// The Cloudkeep HTTP API: one routed edge function (`{SUPABASE_URL}/functions/v1/api/...`).
// Pure request → response over injected dependencies, so tests and other runtimes can
// build it without Deno.env. Every error is { error: { code, message } } with an honest
// status; nothing unexpected escapes as a stack trace.
import { authenticateApiToken, isApiToken, type ApiTokenRefusal } from "../_shared/domain/api-tokens.ts";
import { ApiError, corsHeaders, errorResponse, json } from "../_shared/http.ts";
import type { ApiDeps, RequestContext } from "./context.ts";
import { openApiDocument } from "./openapi.ts";
import { refuseNulInQuery } from "./query.ts";
import { Router } from "./router.ts";
import { awsRoutes } from "./routes/aws.ts";
import { organizationRoutes } from "./routes/organizations.ts";
import { connectivityRoutes, providerRoutes } from "./routes/providers.ts";
import { resourceRoutes } from "./routes/resources.ts";
import { tokenRoutes } from "./routes/tokens.ts";
import { requireTokenScopes } from "./scopes.ts";

function bearer(request: Request) {
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] ?? null;
}

const TOKEN_REFUSALS: Record<ApiTokenRefusal, string> = {
  unknown: "The API token is not valid. Check that it was copied whole.",
  revoked: "This API token has been revoked. Ask an admin of the organization for a new one.",
  expired: "This API token has expired. Ask an admin of the organization for a new one.",
  creator_left:
    "The person who created this API token is no longer in the organization, so it no longer works. Ask an admin for a new one.",
};

/** Who is calling: an API token (`ck_…`) checked by the database, or a Supabase access token checked against JWKS. */
async function authenticate(deps: ApiDeps, token: string): Promise<Pick<RequestContext, "claims" | "apiToken">> {
  if (isApiToken(token)) {
    const result = await authenticateApiToken(deps.sql, token);
    if (!result.ok) throw new ApiError(401, "unauthorized", TOKEN_REFUSALS[result.refusal]);
    return { claims: result.claims, apiToken: result.identity };
  }
  const claims = await deps.verifyToken(token);
  if (!claims) throw new ApiError(401, "unauthorized", "The access token is invalid or expired. Sign in again for a new one.");
  // Only the API mints the token claim; a user's JWT carrying one would relabel their audit trail.
  const { ck_token: _ignored, ...userClaims } = claims;
  return { claims: userClaims as typeof claims, apiToken: null };
}

export type { ApiDeps } from "./context.ts";

/** Routes that answer without a token, before the router: liveness and the contract. */
export const PUBLIC_ROUTES: Readonly<Record<string, (url: URL) => Response>> = {
  "GET /health": () => json({ status: "ok", service: "cloudkeep-api" }),
  "GET /openapi.json": (url) => json(openApiDocument(url)),
};

/** Every route, behind the scope guard. */
export function createRouter() {
  const router = new Router<RequestContext>(requireTokenScopes);
  // Before providerRoutes: /providers/test must not be taken for /providers/:id.
  connectivityRoutes(router);
  providerRoutes(router);
  tokenRoutes(router);
  awsRoutes(router);
  organizationRoutes(router);
  resourceRoutes(router);
  return router;
}

export function createApi(deps: ApiDeps) {
  const router = createRouter();

  return async function handle(request: Request): Promise<Response> {
    if (request.method === "OPTIONS") return new Response(null, { status: 204, headers: corsHeaders });
    try {
      const url = new URL(request.url);
      // Hosted Supabase hands the function "/api/..."; accept a bare "/..." too.
      const path = url.pathname.replace(/^\/api(?=\/|$)/, "") || "/";
      const route = `${request.method} ${path}`;
      const publicRoute = Object.hasOwn(PUBLIC_ROUTES, route) ? PUBLIC_ROUTES[route] : undefined;
      if (publicRoute) return publicRoute(url);
      refuseNulInQuery(url.searchParams);

      const token = bearer(request);
      if (!token) {
        throw new ApiError(
          401,
          "unauthorized",
          "Send a Supabase access token or a Cloudkeep API token (ck_…) as Authorization: Bearer <token>.",
        );
      }
      return await router.dispatch(request.method, path, { request, url, deps, ...(await authenticate(deps, token)) });
    } catch (error) {
      if (error instanceof ApiError) return errorResponse(error);
      // Log the kind of failure, never the error's text: it may quote input.
      console.error(`api: unexpected ${(error as Error)?.name ?? "error"} on ${request.method} ${new URL(request.url).pathname}`);
      return errorResponse(new ApiError(500, "internal_error", "Something went wrong on our side. Try again."));
    }
  };
}
