// Which API-token scopes each route needs, checked in one place (the router's guard) before
// any route runs. A route missing from this table is closed to API tokens, so a new route
// stays user-only until someone decides its scope. User access tokens are not affected:
// their limits are the user's role, enforced by the database.
import { ApiError } from "../_shared/http.ts";
import type { ApiTokenScope } from "../_shared/schemas/tokens.ts";
import type { RequestContext } from "./context.ts";
import type { RouteKey } from "./router.ts";

export type ScopeRequirement = {
  scopes: readonly ApiTokenScope[];
  /** More scopes when a query parameter asks for more work, e.g. a live refresh. */
  when?: { param: string; value: string; scopes: readonly ApiTokenScope[] };
};

export const ROUTE_SCOPES: Readonly<Record<string, ScopeRequirement>> = {
  "GET /providers": { scopes: ["providers:read"] },
  "POST /providers": { scopes: ["providers:write"] },
  "GET /providers/:id": { scopes: ["providers:read"] },
  "PATCH /providers/:id": { scopes: ["providers:write"] },
  "DELETE /providers/:id": { scopes: ["providers:write"] },
  // Sends caller-supplied credentials to a cloud: as sensitive as saving them.
  "POST /providers/test": { scopes: ["providers:write"] },
  "POST /providers/:id/health": { scopes: ["health:run"] },
  "GET /providers/:id/health": { scopes: ["providers:read"] },
  // refresh=true decrypts the credential and calls the cloud, like a health check does.
  "GET /providers/:id/resources": { scopes: ["resources:read"], when: { param: "refresh", value: "true", scopes: ["health:run"] } },
  // AWS by role: the setup is provider metadata; the activity timeline is read like the inventory, refreshed like it.
  "GET /providers/:id/aws/cloudformation": { scopes: ["providers:read"] },
  "GET /providers/:id/events": { scopes: ["resources:read"], when: { param: "refresh", value: "true", scopes: ["health:run"] } },
  // Whole cloud organizations: what was discovered is provider metadata; discovering decrypts the
  // credential and adds providers, as writes do; excluding an account decides what discovery adds.
  "GET /providers/:id/accounts": { scopes: ["providers:read"] },
  "POST /providers/:id/discover": { scopes: ["providers:write"] },
  "PUT /providers/:id/organization-scope": { scopes: ["providers:write"] },
  "PATCH /providers/:id/accounts/:account": { scopes: ["providers:write"] },
  // The organization-wide inventory: stored rows only, never a live call.
  "GET /resources": { scopes: ["resources:read"] },
};

/** Routes only a person may call: tokens are managed by people, never by other tokens. */
export const USER_ONLY_ROUTES: readonly string[] = ["GET /tokens", "POST /tokens", "DELETE /tokens/:id"];

export const routeName = ({ method, path }: RouteKey) => `${method} ${path}`;

/** The scopes a token needs for this route and query, or null when tokens may not call it at all. */
export function requiredScopes(route: RouteKey, query: URLSearchParams): { scopes: ApiTokenScope[]; asked: string } | null {
  const rule = ROUTE_SCOPES[routeName(route)];
  if (!rule) return null;
  const more = rule.when && query.get(rule.when.param) === rule.when.value ? rule.when : null;
  return { scopes: [...rule.scopes, ...(more?.scopes ?? [])], asked: more ? `?${more.param}=${more.value}` : "" };
}

/** The router's guard: refuses an API token outside its scopes with 403 naming what is missing. */
export function requireTokenScopes(ctx: Pick<RequestContext, "apiToken" | "url">, route: RouteKey) {
  const token = ctx.apiToken;
  if (!token) return;
  const needed = requiredScopes(route, ctx.url.searchParams);
  if (!needed) {
    throw new ApiError(
      403,
      "forbidden",
      `API tokens cannot call ${route.method} /api${route.path}; it needs a signed-in person's access token.`,
    );
  }
  const missing = needed.scopes.filter((scope) => !token.scopes.includes(scope));
  if (missing.length) {
    throw new ApiError(
      403,
      "forbidden",
      `This API token lacks the ${missing.join(" and ")} scope${missing.length > 1 ? "s" : ""} that ${route.method} /api${route.path}${needed.asked} needs.`,
      { missing_scopes: missing },
    );
  }
}
