// Query strings read one way, and documented from the same definition: each parameter is a field
// that carries its zod schema AND its OpenAPI description, queryObject() makes the validator and
// the `parameters` of the route's OpenAPI operation from one list, and parseQuery reads it. The
// API is strict (the first malformed parameter is a 422 naming it); pages are forgiving (a
// malformed parameter falls back to its default, as if absent, so an edited URL still shows a
// page). Numbers are plain decimal integers within bounds (Number() would take "1e18", "0x10",
// "1.5" or " 7 ").
import { z } from "zod";

/** Largest page size of any listing (resources, events, health history). */
export const MAX_LIMIT = 200;
/** Highest ?page=: 2.4 million rows at 24 a page, far past any organization. */
export const MAX_PAGE = 100_000;
/** The longest text filter. */
export const MAX_QUERY_TEXT = 200;

/** One query parameter: how it is read, and how the OpenAPI document describes it. */
export type QueryField<T extends z.ZodType = z.ZodType> = {
  zod: T;
  /** The parameter's JSON Schema, as the OpenAPI document shows it. */
  schema: Record<string, unknown>;
  description?: string;
  /** Repeatable (?tag=a&tag=b): every value is read, not the first. */
  list?: boolean;
};

/** A parameter that was not there: absent, or empty. */
const absent = (value: unknown) => (value === "" || value === undefined ? undefined : value);

/** ?name= as an integer from min to max; absent or empty gives `fallback`. */
export function queryInteger(bounds: { min: number; max: number; fallback: number }, description?: string) {
  const message = `must be an integer from ${bounds.min} to ${bounds.max}`;
  const zod = z.preprocess(
    absent,
    z
      .string()
      // Digits only, and few enough of them that Number() is exact.
      .regex(/^\d{1,15}$/, { message })
      .transform(Number)
      .pipe(z.number().min(bounds.min, { message }).max(bounds.max, { message }))
      .default(bounds.fallback),
  );
  return {
    zod,
    schema: { type: "integer", minimum: bounds.min, maximum: bounds.max, default: bounds.fallback },
    description,
  } satisfies QueryField;
}

type Check = { test: (value: string) => boolean; message: string; format?: string };

/** Trimmed text of at most `max` characters, optionally checked; absent or blank gives undefined. */
export function queryText(options: { max?: number; description?: string; check?: Check } = {}) {
  const max = options.max ?? MAX_QUERY_TEXT;
  const check = options.check;
  const zod = z.preprocess(
    (value) => absent(typeof value === "string" ? value.trim() : value),
    z
      .string()
      .max(max, { message: `must be at most ${max} characters` })
      .refine((value) => !check || check.test(value), { message: check?.message })
      .optional(),
  );
  return {
    zod,
    schema: { type: "string", maxLength: max, ...(check?.format ? { format: check.format } : {}) },
    description: options.description,
  } satisfies QueryField;
}

/** One of `allowed`; absent gives undefined. */
export function queryEnum<T extends readonly [string, ...string[]]>(allowed: T, description?: string) {
  const zod = z.preprocess(absent, z.enum(allowed, { error: () => `must be one of ${allowed.join(", ")}` }).optional());
  return { zod, schema: { enum: [...allowed] }, description } satisfies QueryField;
}

/** "true" or "false"; absent gives `fallback`. */
export function queryBoolean(fallback = false, description?: string) {
  const zod = z.preprocess(
    absent,
    z
      .enum(["true", "false"], { error: () => "must be true or false" })
      .transform((value) => value === "true")
      .default(fallback),
  );
  return { zod, schema: { type: "boolean", default: fallback }, description } satisfies QueryField;
}

/** A repeatable parameter: at most `max` values, each checked. */
export function queryList(options: { max: number; check: Check; description?: string }) {
  const zod = z
    .array(z.string())
    .max(options.max, { message: `may be given at most ${options.max} times` })
    .refine((values) => values.every(options.check.test), { message: options.check.message })
    .default([]);
  return {
    zod,
    schema: { type: "array", maxItems: options.max, items: { type: "string" } },
    description: options.description,
    list: true,
  } satisfies QueryField;
}

/** A page's search box: trimmed and cut to `max` characters (never refused); absent gives "". */
export function querySearch(max = 100) {
  const zod = z.preprocess((value) => (typeof value === "string" ? value.trim().slice(0, max) : ""), z.string());
  return { zod, schema: { type: "string" } } satisfies QueryField;
}

/** A page's ?page=: its leading digits, clamped to 1…max (an edited URL still shows a page). */
export function queryPageNumber(max = MAX_PAGE) {
  const zod = z.preprocess((value) => {
    const page = Number.parseInt(typeof value === "string" ? value : "", 10);
    return Number.isFinite(page) && page > 1 ? Math.min(page, max) : 1;
  }, z.number());
  return { zod, schema: { type: "integer", minimum: 1, maximum: max, default: 1 } } satisfies QueryField;
}

type Fields = Record<string, QueryField>;
type ShapeOf<F extends Fields> = { [K in keyof F]: F[K]["zod"] };

/** A query definition: the validator and the OpenAPI parameters it documents. */
export type QuerySchema<F extends Fields = Fields> = {
  fields: F;
  schema: z.ZodObject<ShapeOf<F>>;
  /** OpenAPI parameter objects, in the fields' order. */
  parameters: {
    name: string;
    in: "query";
    required: false;
    schema: Record<string, unknown>;
    description?: string;
    style?: "form";
    explode?: true;
  }[];
};

export function queryObject<F extends Fields>(fields: F): QuerySchema<F> {
  const shape = Object.fromEntries(Object.entries(fields).map(([name, field]) => [name, field.zod])) as ShapeOf<F>;
  return {
    fields,
    schema: z.object(shape),
    parameters: Object.entries(fields).map(([name, field]) => ({
      name,
      in: "query" as const,
      required: false as const,
      schema: field.schema,
      ...(field.description ? { description: field.description } : {}),
      ...(field.list ? { style: "form" as const, explode: true as const } : {}),
    })),
  };
}

/** A query as URLSearchParams (a request) or Next's searchParams object (a page). */
export type QueryInput = URLSearchParams | Record<string, string | string[] | undefined>;

function rawQuery(fields: Fields, query: QueryInput): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(fields)) {
    const values = query instanceof URLSearchParams ? query.getAll(name) : [query[name] ?? []].flat();
    if (values.length === 0) continue;
    raw[name] = field.list ? values : values[0];
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
 * The parameters `definition` names, parsed. `strict` throws a QueryError for the first malformed
 * one; `forgiving` drops each malformed one and uses its default instead. Parameters it does not
 * name are ignored.
 */
export function parseQuery<F extends Fields>(
  definition: QuerySchema<F>,
  query: QueryInput,
  mode: "strict" | "forgiving",
): z.infer<z.ZodObject<ShapeOf<F>>> {
  const raw = rawQuery(definition.fields, query);
  for (;;) {
    const parsed = definition.schema.safeParse(raw);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0]!;
    const parameter = String(issue.path[0] ?? "query");
    if (mode === "strict" || !(parameter in raw)) throw new QueryError(parameter, issue.message);
    delete raw[parameter];
  }
}
