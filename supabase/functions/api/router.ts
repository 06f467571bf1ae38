// A small method + path router: "/providers/:id" patterns, 404 and 405 in the API's shape, and
// one guard that sees every matched route before it runs (the API checks token scopes there).
import { ApiError } from "../_shared/http.ts";

export type Params = Record<string, string>;
/** The parameters a pattern names: "/providers/:id/events/:event" gives { id: string; event: string }. */
export type PathParams<P extends string> = P extends `${string}:${infer Key}/${infer Rest}`
  ? { [K in Key]: string } & PathParams<`/${Rest}`>
  : P extends `${string}:${infer Key}`
    ? { [K in Key]: string }
    : Params;
/** A route as registered: method and pattern, e.g. { method: "GET", path: "/providers/:id" }. */
export type RouteKey = { method: string; path: string };
/** Runs after a route matched and before it runs; throws to refuse. */
export type RouteGuard<C> = (ctx: C, route: RouteKey) => void;
type Route<C> = RouteKey & { pattern: RegExp; keys: string[]; run: (ctx: C, params: Params) => Promise<Response> };

/**
 * A path segment as the route sees it. Broken percent-encoding (`%`, `%zz`, invalid UTF-8)
 * and an encoded NUL, which no id can hold, are the caller's error: 400, not a URIError's 500.
 */
function decodeSegment(segment: string) {
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    throw new ApiError(400, "bad_request", "The path is not valid percent-encoded UTF-8.");
  }
  if (decoded.includes("\0")) throw new ApiError(400, "bad_request", "The path contains a NUL character (%00).");
  return decoded;
}

export class Router<C> {
  private routes: Route<C>[] = [];

  constructor(private readonly guard?: RouteGuard<C>) {}

  on<P extends string>(method: string, path: P, run: (ctx: C, params: PathParams<P>) => Promise<Response>) {
    const keys: string[] = [];
    const pattern = new RegExp(`^${path.replace(/:(\w+)/g, (_, key) => (keys.push(key), "([^/]+)"))}/?$`);
    // dispatch fills in exactly the keys read from this path, so the params are PathParams<P>.
    this.routes.push({ method, path, pattern, keys, run: run as Route<C>["run"] });
    return this;
  }

  /** Every registered route, in registration order. */
  list(): RouteKey[] {
    return this.routes.map(({ method, path }) => ({ method, path }));
  }

  async dispatch(method: string, path: string, ctx: C): Promise<Response> {
    let allowed: string[] = [];
    for (const route of this.routes) {
      const match = route.pattern.exec(path);
      if (!match) continue;
      if (route.method !== method) {
        allowed.push(route.method);
        continue;
      }
      const params: Params = {};
      for (const [i, key] of route.keys.entries()) {
        // Every key is one capture group, "([^/]+)", which matched a non-empty segment.
        const segment = match[i + 1];
        if (segment === undefined) throw new Error(`Route ${route.path} has no capture group for :${key}.`);
        params[key] = decodeSegment(segment);
      }
      this.guard?.(ctx, { method: route.method, path: route.path });
      return route.run(ctx, params);
    }
    if (allowed.length) {
      allowed = [...new Set(allowed)];
      throw new ApiError(405, "method_not_allowed", `${method} is not allowed here; use ${allowed.join(" or ")}.`);
    }
    throw new ApiError(404, "not_found", `No route for ${method} ${path}.`);
  }
}
