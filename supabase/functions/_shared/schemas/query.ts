// Query strings read one way: a zod object of the parameters, and parseQuery. The API is strict
// (the first malformed parameter is a 422 naming it); pages are forgiving (a malformed parameter
// falls back to its default, as if it were absent, so an edited URL still shows a page). Numbers
// are plain decimal integers within bounds (Number() would take "1e18", "0x10", "1.5" or " 7 ").
import { z } from "zod";

/** Largest page size of any listing (resources, events, health history). */
export const MAX_LIMIT = 200;
/** Highest ?page=: 2.4 million rows at 24 a page, far past any organization. */
export const MAX_PAGE = 100_000;
/** The longest text filter. */
export const MAX_QUERY_TEXT = 200;

/** A parameter that was not there: absent, or empty. */
const absent = (value: unknown) => (value === "" || value === undefined ? undefined : value);

/** ?name= as an integer from min to max; absent or empty gives `fallback`. */
export function queryInteger(bounds: { min: number; max: number; fallback: number }) {
  const message = `must be an integer from ${bounds.min} to ${bounds.max}`;
  return z.preprocess(
    absent,
    z
      .string()
      // Digits only, and few enough of them that Number() is exact.
      .regex(/^\d{1,15}$/, { message })
      .transform(Number)
      .pipe(z.number().min(bounds.min, { message }).max(bounds.max, { message }))
      .default(bounds.fallback),
  );
}

/** Trimmed text of at most `max` characters; absent or blank gives undefined. */
export function queryText(max = MAX_QUERY_TEXT) {
  return z.preprocess(
    (value) => absent(typeof value === "string" ? value.trim() : value),
    z.string().max(max, { message: `must be at most ${max} characters` }).optional(),
  );
}

/** One of `allowed`; absent gives undefined. */
export function queryEnum<T extends readonly [string, ...string[]]>(allowed: T) {
  return z.preprocess(absent, z.enum(allowed, { error: () => `must be one of ${allowed.join(", ")}` }).optional());
}

/** "true" or "false"; absent gives `fallback`. */
export function queryBoolean(fallback = false) {
  return z.preprocess(absent, z.enum(["true", "false"], { error: () => "must be true or false" }).transform((value) => value === "true").default(fallback));
}

/** A page's search box: trimmed and cut to `max` characters (never refused); absent gives "". */
export function querySearch(max = 100) {
  return z.preprocess((value) => (typeof value === "string" ? value.trim().slice(0, max) : ""), z.string());
}

/** A page's ?page=: its leading digits, clamped to 1…max (an edited URL still shows a page). */
export function queryPageNumber(max = MAX_PAGE) {
  return z.preprocess((value) => {
    const page = Number.parseInt(typeof value === "string" ? value : "", 10);
    return Number.isFinite(page) && page > 1 ? Math.min(page, max) : 1;
  }, z.number());
}

/** A query as URLSearchParams (a request) or Next's searchParams object (a page). */
export type QueryInput = URLSearchParams | Record<string, string | string[] | undefined>;

/** Fields that take every value of a repeated parameter (?tag=a&tag=b); the others take the first. */
function takesList(field: z.ZodType): boolean {
  let current: z.ZodType | undefined = field;
  for (let depth = 0; current && depth < 6; depth++) {
    const def = current.def as { type: string; innerType?: z.ZodType; out?: z.ZodType; in?: z.ZodType };
    if (def.type === "array") return true;
    current = def.innerType ?? def.in ?? def.out;
  }
  return false;
}

function rawQuery(shape: Record<string, z.ZodType>, query: QueryInput): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(shape)) {
    const values = query instanceof URLSearchParams ? query.getAll(name) : [query[name] ?? []].flat();
    if (values.length === 0) continue;
    raw[name] = takesList(field) ? values : values[0];
  }
  return raw;
}

/** A malformed parameter, said so a person can fix it: `name` and what it must be. */
export class QueryError extends Error {
  override name = "QueryError";
  constructor(
    readonly parameter: string,
    readonly problem: string,
  ) {
    super(`${parameter} ${problem}.`);
  }
}

/**
 * The parameters `schema` names, parsed. `strict` throws a QueryError for the first malformed one;
 * `forgiving` drops each malformed one and uses its default instead. Parameters the schema does
 * not name are ignored.
 */
export function parseQuery<S extends z.ZodObject>(schema: S, query: QueryInput, mode: "strict" | "forgiving"): z.infer<S> {
  const raw = rawQuery(schema.shape as Record<string, z.ZodType>, query);
  for (;;) {
    const parsed = schema.safeParse(raw);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0]!;
    const parameter = String(issue.path[0] ?? "query");
    if (mode === "strict" || !(parameter in raw)) throw new QueryError(parameter, issue.message);
    delete raw[parameter];
  }
}
