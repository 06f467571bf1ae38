// The API reads every query string strictly (parseQuery in _shared/schemas/query.ts): the first
// malformed parameter is a 422 naming it. And no value may carry a NUL, which no Postgres text
// column can store.
import type { z } from "zod";
import { ApiError } from "../_shared/http.ts";
import { parseQuery, QueryError, type QueryField, type QuerySchema } from "../_shared/schemas/query.ts";

/** A 422 for parameter `name`, in the shape every validation failure of the API has. */
export function invalidParameter(name: string, problem: string): never {
  throw new ApiError(422, "validation_failed", `${name} ${problem}.`, { fields: { [name]: [problem] } });
}

/** The request's query parameters `schema` names, or a 422 for the first malformed one. */
export function apiQuery<F extends Record<string, QueryField>>(definition: QuerySchema<F>, url: URL): z.infer<QuerySchema<F>["schema"]> {
  try {
    return parseQuery(definition, url.searchParams, "strict");
  } catch (error) {
    if (error instanceof QueryError) invalidParameter(error.parameter, error.problem);
    throw error;
  }
}

/** Refuses a query string that holds a NUL anywhere (400): it could only fail later, deep in the database. */
export function refuseNulInQuery(query: URLSearchParams) {
  for (const [name, value] of query) {
    if (name.includes("\0") || value.includes("\0")) {
      throw new ApiError(400, "bad_request", "The query string contains a NUL character (%00), which no parameter accepts.");
    }
  }
}
