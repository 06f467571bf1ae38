// Reading the query string strictly: numbers are plain decimal integers within documented
// bounds (Number() would take "1e18", "0x10", "1.5" or " 7 " and hand Postgres an offset it
// cannot hold), and no value may carry a NUL, which no Postgres text column can store.
import { ApiError } from "../_shared/http.ts";

/** Largest page size of any listing (resources, events, health history). */
export const MAX_LIMIT = 200;
/** Highest ?page= of the provider list: 2.4 million providers at 24 a page, far past any organization. */
export const MAX_PAGE = 100_000;

function invalid(name: string, message: string): never {
  throw new ApiError(422, "validation_failed", `${name} ${message}`, { fields: { [name]: [message] } });
}

/** ?name= as an integer from min to max; absent or empty gives `fallback`. */
export function integerParam(query: URLSearchParams, name: string, bounds: { min: number; max: number; fallback: number }): number {
  const raw = query.get(name);
  if (raw === null || raw === "") return bounds.fallback;
  const message = `must be an integer from ${bounds.min} to ${bounds.max}.`;
  // Digits only, and few enough of them that Number() is exact.
  if (!/^\d{1,15}$/.test(raw)) invalid(name, message);
  const value = Number(raw);
  if (value < bounds.min || value > bounds.max) invalid(name, message);
  return value;
}

/** Refuses a query string that holds a NUL anywhere (400): it could only fail later, deep in the database. */
export function refuseNulInQuery(query: URLSearchParams) {
  for (const [name, value] of query) {
    if (name.includes("\0") || value.includes("\0")) {
      throw new ApiError(400, "bad_request", "The query string contains a NUL character (%00), which no parameter accepts.");
    }
  }
}
