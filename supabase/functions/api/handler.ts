// The Cloudkeep HTTP API: one routed edge function (`{SUPABASE_URL}/functions/v1/api/...`).
// Pure request → response over injected dependencies, so tests and other runtimes can
// build it without Deno.env. Every error is { error: { code, message } } with an honest
// status; nothing unexpected escapes as a stack trace.
import { ApiError, corsHeaders, errorResponse, json } from "../_shared/http.ts";
import type { ApiDeps, RequestContext } from "./context.ts";
import { openApiDocument } from "./openapi.ts";
import { Router } from "./router.ts";
import { connectivityRoutes, providerRoutes } from "./routes/providers.ts";

function bearer(request: Request) {
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] ?? null;
}

export type { ApiDeps } from "./context.ts";

export function createApi(deps: ApiDeps) {
  const router = new Router<RequestContext>();
  // Before providerRoutes: /providers/test must not be taken for /providers/:id.
  connectivityRoutes(router);
  providerRoutes(router);

  return async function handle(request: Request): Promise<Response> {
    if (request.method === "OPTIONS") return new Response(null, { status: 204, headers: corsHeaders });
    try {
      const url = new URL(request.url);
      // Hosted Supabase hands the function "/api/..."; accept a bare "/..." too.
      const path = url.pathname.replace(/^\/api(?=\/|$)/, "") || "/";
      if (request.method === "GET" && path === "/health") return json({ status: "ok", service: "cloudkeep-api" });
      if (request.method === "GET" && path === "/openapi.json") return json(openApiDocument(url));

      const token = bearer(request);
      if (!token) throw new ApiError(401, "unauthorized", "Send a Supabase access token as Authorization: Bearer <token>.");
      const claims = await deps.verifyToken(token);
      if (!claims) throw new ApiError(401, "unauthorized", "The access token is invalid or expired. Sign in again for a new one.");

      return await router.dispatch(request.method, path, { request, url, deps, claims });
    } catch (error) {
      if (error instanceof ApiError) return errorResponse(error);
      // Log the kind of failure, never the error's text: it may quote input.
      console.error(`api: unexpected ${(error as Error)?.name ?? "error"} on ${request.method} ${new URL(request.url).pathname}`);
      return errorResponse(new ApiError(500, "internal_error", "Something went wrong on our side. Try again."));
    }
  };
}
