// parseQuery: the API reads query strings strictly (the first malformed parameter is named), pages
// forgivingly (a malformed parameter is as if absent), both from one zod object of the parameters.
import { describe, expect, it } from "vitest";
import { parseInventoryParams } from "../../lib/inventory-params.ts";
import {
  parseQuery,
  queryBoolean,
  queryEnum,
  queryInteger,
  queryList,
  queryObject,
  queryPageNumber,
  querySearch,
  queryText,
  QueryError,
} from "../../supabase/functions/_shared/schemas/query.ts";

const schema = queryObject({
  q: queryText({ description: "Search." }),
  kind: queryEnum(["aws", "gcp"] as const),
  limit: queryInteger({ min: 1, max: 200, fallback: 50 }),
  refresh: queryBoolean(),
  tag: queryList({ max: 2, check: { test: (tag) => tag !== "bad", message: "must not be bad" } }),
});

describe("parseQuery", () => {
  it("reads defaults, trims text, takes repeated list parameters and the first of any other", () => {
    expect(parseQuery(schema, new URLSearchParams(""), "strict")).toEqual({
      q: undefined,
      kind: undefined,
      limit: 50,
      refresh: false,
      tag: [],
    });
    const query = new URLSearchParams("q=%20web%20&kind=gcp&kind=aws&limit=7&refresh=true&tag=a:b&tag=c&other=x");
    expect(parseQuery(schema, query, "strict")).toEqual({ q: "web", kind: "gcp", limit: 7, refresh: true, tag: ["a:b", "c"] });
    // Next's searchParams object reads the same.
    expect(parseQuery(schema, { kind: ["aws", "gcp"], limit: "", tag: "x" }, "strict")).toMatchObject({
      kind: "aws",
      limit: 50,
      tag: ["x"],
    });
  });

  it.each([
    ["limit=1e18", "limit", "must be an integer from 1 to 200"],
    ["limit=0x10", "limit", "must be an integer from 1 to 200"],
    ["limit=201", "limit", "must be an integer from 1 to 200"],
    ["limit=%207", "limit", "must be an integer from 1 to 200"],
    ["kind=azure", "kind", "must be one of aws, gcp"],
    ["refresh=yes", "refresh", "must be true or false"],
    [`q=${"x".repeat(201)}`, "q", "must be at most 200 characters"],
    ["tag=a&tag=b&tag=c", "tag", "may be given at most 2 times"],
    ["tag=bad", "tag", "must not be bad"],
  ])("strict: %s is refused, naming %s", (text, parameter, problem) => {
    let thrown: unknown;
    try {
      parseQuery(schema, new URLSearchParams(text), "strict");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(QueryError);
    expect(thrown).toMatchObject({ parameter, problem, message: `${parameter} ${problem}.` });
  });

  it("forgiving: each malformed parameter falls back to its default, the others stand", () => {
    expect(parseQuery(schema, new URLSearchParams("limit=1e18&kind=azure&refresh=yes&q=ok"), "forgiving")).toEqual({
      q: "ok",
      kind: undefined,
      limit: 50,
      refresh: false,
      tag: [],
    });
  });

  it("documents each parameter from the same definition: the OpenAPI parameters", () => {
    expect(schema.parameters).toEqual([
      { name: "q", in: "query", required: false, schema: { type: "string", maxLength: 200 }, description: "Search." },
      { name: "kind", in: "query", required: false, schema: { enum: ["aws", "gcp"] } },
      { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 200, default: 50 } },
      { name: "refresh", in: "query", required: false, schema: { type: "boolean", default: false } },
      {
        name: "tag",
        in: "query",
        required: false,
        schema: { type: "array", maxItems: 2, items: { type: "string" } },
        style: "form",
        explode: true,
      },
    ]);
  });

  it("pages: search is cut rather than refused, and page numbers are clamped", () => {
    const page = queryObject({ q: querySearch(5), page: queryPageNumber(100) });
    expect(parseQuery(page, { q: "  abcdefgh ", page: "3abc" }, "forgiving")).toEqual({ q: "abcde", page: 3 });
    expect(parseQuery(page, { page: "999999" }, "forgiving")).toEqual({ q: "", page: 100 });
    expect(parseQuery(page, { page: "-4" }, "forgiving")).toEqual({ q: "", page: 1 });
  });

  it("the inventory page keeps what is valid and drops what is not", () => {
    expect(
      parseInventoryParams({
        cloud: "aws",
        provider: "not-a-uuid",
        tag: "env:prod",
        sort: "bogus",
        dir: "desc",
        page: "2",
        vanished: "include",
      }),
    ).toEqual({
      q: "",
      cloud: "aws",
      provider: "",
      type: "",
      region: "",
      status: "",
      environment: "",
      tag: "env:prod",
      vanished: "include",
      sort: "name",
      direction: "desc",
      page: 2,
    });
  });
});
