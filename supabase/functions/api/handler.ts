// The Cloudkeep HTTP API: one routed edge function. Pure request → response, so tests
// can import it without a server.
import { ApiError, corsHeaders, errorResponse, json } from "../_shared/http.ts";

export async function handle(request: Request): Promise<Response> {
  if (request.method === "OPTIONS") return new Response(null, { status: 204, headers: corsHeaders });
  try {
    const url = new URL(request.url);
    // Hosted Supabase hands the function "/api/..."; accept a bare "/..." too.
    const path = url.pathname.replace(/^\/api(?=\/|$)/, "") || "/";
    if (path === "/health" && request.method === "GET") {
      return json({ status: "ok", service: "cloudkeep-api" });
    }
    throw new ApiError(404, "not_found", `No route for ${request.method} ${url.pathname}.`);
  } catch (error) {
    if (error instanceof ApiError) return errorResponse(error);
    console.error("api: unexpected error", (error as Error)?.name ?? "Error");
    return errorResponse(new ApiError(500, "internal_error", "Something went wrong on our side. Try again."));
  }
}
