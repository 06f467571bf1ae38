// The API's scope table: every route is either scoped for API tokens or explicitly user-only,
// and the guard refuses a token outside its scopes while leaving user tokens alone.
import { describe, expect, it } from "vitest";
import { createRouter } from "../../supabase/functions/api/handler.ts";
import { requiredScopes, requireTokenScopes, ROUTE_SCOPES, routeName, USER_ONLY_ROUTES } from "../../supabase/functions/api/scopes.ts";
import type { ApiTokenScope } from "../../supabase/functions/_shared/schemas/tokens.ts";
import { ApiError } from "../../supabase/functions/_shared/http.ts";

const token = (scopes: ApiTokenScope[]) => ({ id: "t", organizationId: "o", organizationSlug: "acme", scopes });
const at = (query = "") => new URL(`https://x.test/api/providers/1/resources${query}`);

function refusal(run: () => void) {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return { status: error.status, message: error.message, details: error.details };
    throw error;
  }
  return null;
}

describe("the route scope table", () => {
  it("names every registered route exactly once, as scoped or user-only", () => {
    const routes = createRouter().list().map(routeName);
    for (const route of routes) expect(route in ROUTE_SCOPES !== USER_ONLY_ROUTES.includes(route), route).toBe(true);
    expect([...Object.keys(ROUTE_SCOPES), ...USER_ONLY_ROUTES].sort()).toEqual([...routes].sort());
  });

  it("asks for health:run on top of resources:read only for a live refresh", () => {
    const route = { method: "GET", path: "/providers/:id/resources" };
    expect(requiredScopes(route, at().searchParams)?.scopes).toEqual(["resources:read"]);
    expect(requiredScopes(route, at("?refresh=true").searchParams)?.scopes).toEqual(["resources:read", "health:run"]);
  });
});

describe("the scope guard", () => {
  const resources = { method: "GET", path: "/providers/:id/resources" };

  it("lets a user token through everywhere; the database decides by role", () => {
    expect(refusal(() => requireTokenScopes({ apiToken: null, url: at("?refresh=true") }, { method: "GET", path: "/tokens" }))).toBeNull();
  });

  it("lets a token with the scopes through", () => {
    expect(
      refusal(() => requireTokenScopes({ apiToken: token(["resources:read", "health:run"]), url: at("?refresh=true") }, resources)),
    ).toBeNull();
  });

  it("refuses a token without them with 403 naming what is missing", () => {
    expect(refusal(() => requireTokenScopes({ apiToken: token(["providers:read"]), url: at("?refresh=true") }, resources))).toEqual({
      status: 403,
      message: "This API token lacks the resources:read and health:run scopes that GET /api/providers/:id/resources?refresh=true needs.",
      details: { missing_scopes: ["resources:read", "health:run"] },
    });
  });

  it("refuses any token on a route the table does not list", () => {
    const all: ApiTokenScope[] = ["providers:read", "providers:write", "health:run", "resources:read"];
    for (const path of ["/tokens", "/members", "/anything/new"]) {
      expect(refusal(() => requireTokenScopes({ apiToken: token(all), url: at() }, { method: "GET", path }))).toMatchObject({
        status: 403,
      });
    }
  });
});
