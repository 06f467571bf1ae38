// Malformed input at every operation of the API's own OpenAPI document: broken percent-encoding,
// huge numbers, unicode, `..` and very long path parameters; junk query strings, headers and
// bodies; as an admin (user token and API token) and unauthenticated. No answer may be a 5xx,
// every error must be { error: { code, message } }, and none may carry a stack trace.
// The cases come from a seeded generator: CLOUDKEEP_FUZZ_SEED=<n> replays (or varies) a run,
// and each failure names the seed and the case's number.
import { request as httpRequest } from "node:http";
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captures } from "../../supabase/functions/_shared/captures.ts";
import { accessToken, api } from "../support/api.ts";
import { connect } from "../support/db.ts";
import { startDenoFunction } from "../support/deno-function.ts";
import { createPersonas, type Personas } from "../support/personas.ts";
import { sampleProvider } from "../support/samples.ts";

const SEED = Number(process.env.CLOUDKEEP_FUZZ_SEED ?? 0x5eed_c10d) >>> 0;
const CONCURRENCY = 4;
const REQUEST_TIMEOUT_MS = 15_000;
const METHODS = ["get", "post", "patch", "put", "delete"] as const;

/** mulberry32: small, fast and the same on every machine. */
function generator(seed: number) {
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T; // int(n) < n
  return { next, int, pick };
}
type Random = ReturnType<typeof generator>;

/** Text from awkward corners of Unicode: controls, combining marks, RTL overrides, astral planes, lone surrogates. */
function unicode(r: Random, length: number) {
  const ranges: [number, number][] = [
    [0x01, 0x1f],
    [0x20, 0x7e],
    [0x80, 0xff],
    [0x300, 0x36f],
    [0x202a, 0x202e],
    [0x4e00, 0x4e80],
    [0xd800, 0xdfff],
    [0xfff0, 0xffff],
    [0x1f300, 0x1f64f],
  ];
  let out = "";
  for (let i = 0; i < length; i++) {
    const [low, high] = r.pick(ranges);
    out += String.fromCodePoint(low + r.int(high - low + 1));
  }
  return out;
}

/** Percent-encodes as a careless client would: UTF-8 where it can, lone surrogates as their raw (invalid) bytes. */
function percent(text: string) {
  return [...text]
    .map((ch) => {
      const code = ch.codePointAt(0)!;
      if (code >= 0xd800 && code <= 0xdfff)
        return `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`;
      return /[A-Za-z0-9\-._~]/.test(ch)
        ? ch
        : [...Buffer.from(ch, "utf8")].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join("");
    })
    .join("");
}

// Values for path segments and query parameters, as they go on the wire (already encoded).
const RAW_VALUES = [
  "%",
  "%%",
  "%zz",
  "%E0%A4%A",
  "%C0%AF",
  "%ED%A0%80",
  "%FF%FE",
  "%00",
  "a%00b",
  "%0A%0D",
  "%25",
  "%u0041",
  "1e18",
  "1e400",
  "-1",
  "0",
  "-0",
  "1.5",
  "00000000000000000000000000000001",
  "99999999999999999999999999",
  "9007199254740993",
  "0x10",
  "NaN",
  "Infinity",
  "-Infinity",
  "+5",
  "%201",
  "1%20",
  "",
  "null",
  "undefined",
  "[]",
  "{}",
  "..",
  "%2e%2e",
  "..%2f..%2fetc%2fpasswd",
  "%2F",
  "%5C..%5C",
  ".",
  "~",
  "%27%20or%201%3D1--",
  "%3Cscript%3E",
  "%F0%9F%92%A5",
  "%E2%80%AE",
  "ck_",
  "TRUE",
  "yes",
  "1",
  "false",
];

// Every query parameter gets each of these: numbers Number() would take but Postgres or a
// bound would not, and encodings decodeURIComponent would throw on.
const EDGE_VALUES = [
  "1e18",
  "1e400",
  "-1",
  "0",
  "1.5",
  "9007199254740993",
  "0x10",
  "NaN",
  "Infinity",
  "%207",
  "7%20",
  "%",
  "%zz",
  "%00",
  "%ED%A0%80",
  "",
];

function wireValue(r: Random): string {
  switch (r.int(4)) {
    case 0:
      return percent(unicode(r, 1 + r.int(24)));
    case 1:
      return "a".repeat(1000 + r.int(3000));
    case 2:
      return String(r.next() * 10 ** r.int(30)).replace(/\+/g, "%2B");
    default:
      return r.pick(RAW_VALUES);
  }
}

/** Never ask for a live refresh: that would call a cloud, which no test here may reach. */
function harmless(name: string, value: string) {
  if (name !== "refresh") return true;
  try {
    return decodeURIComponent(value.replace(/\+/g, " ")) !== "true";
  } catch {
    return true;
  }
}

const LONG_JWT_PART = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
const AUTHORIZATIONS = [
  "Bearer",
  "Bearer ",
  "Bearer  ",
  "bearer x y",
  "Basic Zm9vOmJhcg==",
  "Token abc",
  "Bearer ck_",
  `Bearer ck_${"A".repeat(43)}`,
  `Bearer ck_${"A".repeat(44)}`,
  `Bearer ck_${"\u00ff".repeat(43)}`,
  `Bearer ck_${"a".repeat(8000)}`,
  "Bearer a.b.c",
  "Bearer ...",
  `Bearer ${LONG_JWT_PART}.${Buffer.from(JSON.stringify({ sub: "x", role: "authenticated" })).toString("base64url")}.`,
  `Bearer ${LONG_JWT_PART}.e30.${"A".repeat(6000)}`,
  `Bearer eyJ${"\u00e9".repeat(20)}`,
  "Bearer \u00ff\u00fe\u0080",
  "Bearer %00",
  `Bearer ${"x".repeat(8000)}`,
];

const CONTENT_TYPES = [
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/json; charset=latin1",
  "application/json-patch+json",
  "application/xml",
  "application/jsonx",
  "*/*",
  "application/json; charset=\u00ff",
  ";;;",
];

type Body = { text: string | Buffer; label: string };

function nested(depth: number, open: string, close: string, inner = "1") {
  return open.repeat(depth) + inner + close.repeat(depth);
}

/** Bodies that are not what any route asks for: not JSON, wrong shapes and types, too deep, too big. */
function junkBody(r: Random, schemaProperties: string[]): Body {
  const props = schemaProperties.length ? schemaProperties : ["name", "credentials", "scopes"];
  const wrongValues: unknown[] = [
    null,
    0,
    -1,
    1e308,
    1.5,
    true,
    "",
    "x".repeat(5000),
    [],
    [null],
    {},
    { $ref: "#/x" },
    "\u0000",
    "\ud800",
    unicode(r, 40),
    [[[[[]]]]],
    { constructor: { prototype: { polluted: true } } },
  ];
  const wrong = () => r.pick(wrongValues);
  const choices: (() => Body)[] = [
    () => ({ label: "truncated JSON", text: `{"${r.pick(props)}": ` }),
    () => ({ label: "single quotes", text: `{'${r.pick(props)}': 'x'}` }),
    () => ({ label: "trailing comma", text: `{"${r.pick(props)}": 1,}` }),
    () => ({ label: "byte-order mark", text: `\ufeff{"${r.pick(props)}": "x"}` }),
    () => ({ label: "NaN literal", text: `{"${r.pick(props)}": NaN}` }),
    () => ({ label: "bare word", text: r.pick(["nul", "tru", "undefined", "{", "}", "[", "]", ":", '"', "\\"]) }),
    () => ({ label: "not UTF-8", text: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d]) }),
    () => ({ label: "whitespace", text: " \n\t " }),
    () => ({ label: "JSON null", text: "null" }),
    () => ({ label: "JSON scalar", text: r.pick(["0", "1e999", "-0", '"x"', "true", "false", "123456789012345678901234567890"]) }),
    () => ({ label: "array instead of object", text: JSON.stringify(r.pick([[], [{}], [{ [r.pick(props)]: "x" }], [null]])) }),
    () => ({ label: "wrong types", text: JSON.stringify(Object.fromEntries(props.map((p) => [p, wrong()]))) }),
    () => ({ label: "one wrong type", text: JSON.stringify({ [r.pick(props)]: wrong() }) }),
    () => ({ label: "nulls", text: JSON.stringify(Object.fromEntries(props.map((p) => [p, null]))) }),
    () => ({
      label: "NUL in keys and values",
      text: JSON.stringify({ [`${r.pick(props)}\u0000`]: "a\u0000b", name: "n\u0000", credentials: { access_key: "\u0000" } }),
    }),
    () => ({
      label: "lone surrogates",
      text: `{"name": "\\ud800", "${r.pick(props)}": "\\udfff\\ud800x", "credentials": {"\\ud83d": "\\ud800"}}`,
    }),
    () => ({ label: "deep array", text: nested(2000 + r.int(20000), "[", "]") }),
    () => ({ label: "deep object", text: nested(2000 + r.int(5000), '{"a":', "}") }),
    () => ({ label: "deep credentials", text: `{"name":"deep","provider_type":"aws","credentials":${nested(3000, '{"a":', "}")}}` }),
    () => ({ label: "deep scopes", text: `{"name":"deep","scopes":${nested(3000, "[", "]", '"providers:read"')}}` }),
    () => ({ label: "huge string", text: JSON.stringify({ [r.pick(props)]: unicode(r, 4000 + r.int(8000)) }) }),
    () => ({ label: "over 64 KiB", text: JSON.stringify({ name: "x".repeat(65 * 1024 + r.int(4096)) }) }),
    () => ({ label: "a megabyte", text: `{"name":"${"y".repeat(1024 * 1024)}"}` }),
    () => ({ label: "many keys", text: JSON.stringify(Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, i]))) }),
    () => ({
      label: "__proto__ key",
      text: `{"__proto__": {"${r.pick(props)}": "x", "polluted": true}, "${r.pick(props)}": {"__proto__": null}}`,
    }),
    () => ({ label: "duplicate keys", text: `{"${r.pick(props)}": 1, "${r.pick(props)}": "x", "${r.pick(props)}": null}` }),
    () => ({
      label: "huge numbers",
      text: `{"expires_in_days": 1e308, "page": -1e308, "${r.pick(props)}": 123456789012345678901234567890}`,
    }),
  ];
  return r.pick(choices)();
}

/** The documented example with one field (or one credential field) poisoned, so validation past the first field is reached. */
function poisonedExample(r: Random, example: Record<string, unknown>): Body {
  const poisons: [string, unknown][] = [
    ["null", null],
    ["zero", 0],
    ["negative", -1],
    ["fraction", 1.5],
    ["huge number", 1e308],
    ["boolean", true],
    ["empty string", ""],
    ["blank", "   "],
    ["NUL", "a\u0000b"],
    ["lone surrogate", "\ud800"],
    ["unicode", unicode(r, 100)],
    ["long string", "x".repeat(20_000)],
    ["empty array", []],
    ["array", [1, "a", null]],
    ["object", { a: 1 }],
    ["deep", JSON.parse(nested(40, '{"a":', "}"))],
  ];
  const body: Record<string, unknown> = structuredClone(example);
  const [label, poison] = r.pick(poisons);
  const credentials = body.credentials as Record<string, unknown> | undefined;
  if (credentials && r.int(2)) {
    const key = r.int(4) ? r.pick(Object.keys(credentials)) : r.pick(["region", "session_token", "private_key", "__proto__"]);
    credentials[key] = poison;
    return { label: `example with credentials.${key} ${label}`, text: JSON.stringify(body) };
  }
  const key = r.int(5)
    ? r.pick(Object.keys(body))
    : r.pick(["api_endpoint", "environment", "regions", "expires_at", "read_only_credentials", "extra"]);
  body[key] = poison;
  return { label: `example with ${key} ${label}`, text: JSON.stringify(body) };
}

type Auth = { label: string; authorization: string | null };
type Case = { n: number; auth: string; method: string; path: string; headers: Record<string, string>; body?: Body; note: string };
type Failure = { case: string; status: number; problem: string; excerpt: string };

type Operation = {
  template: string;
  method: string;
  parameters: { name: string; in: string }[];
  bodyProperties: string[] | null;
  example: Record<string, unknown> | null;
};

type Document = {
  paths: Record<
    string,
    Record<
      string,
      { parameters?: { name: string; in: string }[]; requestBody?: { content?: Record<string, { example?: Record<string, unknown> }> } }
    >
  >;
};

function operations(doc: Document) {
  const out: Operation[] = [];
  const schemas =
    (doc as unknown as { components?: { schemas?: Record<string, { properties?: Record<string, unknown> }> } }).components?.schemas ?? {};
  for (const [template, ops] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = ops[method];
      if (!op) continue;
      let bodyProperties: string[] | null = null;
      if (op.requestBody) {
        const text = JSON.stringify(op.requestBody);
        const refs = [...text.matchAll(/#\/components\/schemas\/(\w+)/g)].map((m) => captures(m, 1)[0]);
        const inline = [...text.matchAll(/"properties":\{([^}]*)/g)].flatMap((m) =>
          [...captures(m, 1)[0].matchAll(/"(\w+)":/g)].map((k) => captures(k, 1)[0]),
        );
        bodyProperties = [...new Set([...refs.flatMap((ref) => Object.keys(schemas[ref]?.properties ?? {})), ...inline])];
      }
      const example = op.requestBody?.content?.["application/json"]?.example ?? null;
      out.push({ template, method: method.toUpperCase(), parameters: op.parameters ?? [], bodyProperties, example });
    }
  }
  return out;
}

let sql: postgres.Sql;
let p: Personas;
let auths: Auth[];
let doc: Document;
let awsProviderId: string;
let fn: Awaited<ReturnType<typeof startDenoFunction>>;

beforeAll(async () => {
  // Its own api function, configured as in production (with Cloudkeep's AWS principal), so
  // that no answer is a 5xx for want of configuration rather than for the input.
  fn = await startDenoFunction("api", { CLOUDKEEP_AWS_PRINCIPAL_ARN: "arn:aws:iam::111122223333:role/cloudkeep" });
  sql = connect();
  p = await createPersonas(sql, "fuzz");
  const admin = await accessToken(p.admin);
  const { canary: _c, ...aws } = sampleProvider("aws", "fuzz");
  const created = await api(`/providers?org=${p.orgSlug}`, { token: admin, method: "POST", body: aws });
  expect(created.status).toBe(201);
  awsProviderId = created.body.data.id;
  const minted = await api(`/tokens?org=${p.orgSlug}`, {
    token: admin,
    method: "POST",
    body: { name: "fuzz", scopes: ["providers:read", "providers:write", "health:run", "resources:read"] },
  });
  expect(minted.status).toBe(201);
  auths = [
    { label: "admin user token", authorization: `Bearer ${admin}` },
    { label: "admin API token", authorization: `Bearer ${minted.body.data.token}` },
    { label: "unauthenticated", authorization: null },
  ];
  doc = (await api("/openapi.json", { base: fn.url })).body;
});

afterAll(async () => {
  await fn?.stop();
  await sql?.end();
});

/** The cases for one operation and caller, all drawn from `r`. */
function casesFor(r: Random, op: Operation, auth: Auth, next: () => number): Case[] {
  const cases: Case[] = [];
  // Reads may use the real provider (so the query is parsed, not just a 404); writes never
  // touch it, except PATCH, whose body is what is being thrown at it.
  const realId = op.method === "GET" || op.method === "PATCH" ? awsProviderId : "00000000-0000-4000-8000-000000000000";
  const query = op.parameters.filter((param) => param.in === "query");
  const hasOrg = query.some((param) => param.name === "org");
  const base = (id = realId) => op.template.replace(/\{\w+\}/g, id);
  const withOrg = (params: string[]) =>
    hasOrg && !params.some((param) => param.startsWith("org=")) ? [`org=${p.orgSlug}`, ...params] : params;
  const headers = (extra: Record<string, string> = {}) => ({
    ...(auth.authorization ? { authorization: auth.authorization } : {}),
    ...extra,
  });
  const add = (path: string, note: string, more: Partial<Case> = {}) =>
    cases.push({ n: next(), auth: auth.label, method: op.method, path, headers: headers(), note, ...more });

  // Path parameters.
  if (op.template.includes("{")) {
    for (const value of RAW_VALUES) add(`${base(value)}${hasOrg ? `?org=${p.orgSlug}` : ""}`, `path parameter ${JSON.stringify(value)}`);
    for (let i = 0; i < 6; i++) {
      const value = wireValue(r);
      add(base(value), `path parameter (${value.length} chars)`);
    }
    add(base(`${realId}%zz`), "valid id then broken percent-encoding");
    add(`${base()}/..`, "trailing ..");
    add(`${base()}/%2e%2e/%2e%2e/tokens`, "encoded dot segments");
  }
  add(`${base()}/%E0%A4%A`, "extra broken segment");
  add(`${base()}%`, "trailing %");

  // Query strings: each documented parameter, then random mixes with unknown ones.
  for (const param of [...query, { name: "page", in: "query" }, { name: "limit", in: "query" }]) {
    for (const value of [...EDGE_VALUES, wireValue(r), wireValue(r), wireValue(r)]) {
      if (!harmless(param.name, value)) continue;
      add(`${base()}?${withOrg([`${param.name}=${value}`]).join("&")}`, `${param.name}=${value.slice(0, 40)}`);
    }
  }
  for (let i = 0; i < 6; i++) {
    const names = [...query.map((param) => param.name), "org", "page", "limit", "cursor", "%zz", "a[b]", "", "__proto__", "constructor"];
    const params = Array.from(
      { length: 1 + r.int(6) },
      () => `${r.pick(names)}${r.int(5) ? "=" : ""}${r.int(5) ? wireValue(r) : ""}`,
    ).filter((pair) => harmless(pair.split("=")[0] ?? "", pair.split("=")[1] ?? ""));
    add(`${base()}?${withOrg(params).join("&")}`, `query mix ${params.length}`);
  }
  add(`${base()}?&&==&%&=%zz&%3D=%3D`, "query of separators");
  add(`${base()}?${hasOrg ? "org=%00&" : ""}page=1&page=abc&limit=1&limit=-1`, "repeated parameters");

  // Headers: a malformed Authorization stands in for the caller's; other odd headers ride beside it.
  for (let i = 0; i < 4; i++) {
    const authorization = r.pick(AUTHORIZATIONS);
    cases.push({
      n: next(),
      auth: "malformed Authorization",
      method: op.method,
      path: base(),
      headers: { authorization },
      note: `Authorization ${JSON.stringify(authorization.slice(0, 40))}`,
    });
  }
  add(`${base()}${hasOrg ? `?org=${p.orgSlug}` : ""}`, "odd headers", {
    headers: headers({
      "x-forwarded-for": "::ffff:%zz, ., 999.999.999.999",
      "x-forwarded-host": "evil.example%00",
      accept: "application/xml;q=x, */*;q=-1",
      "accept-encoding": "\u00ff",
      origin: "null",
      cookie: "sb-access-token=%zz; =; ;",
      apikey: "\u00ff".repeat(100),
      "content-length": "0",
      "x-client-info": "a".repeat(4000),
    }),
  });

  // Bodies: the routes that read one get all kinds; the others get a few and must ignore them.
  if (op.example) {
    for (let i = 0; i < 16; i++) {
      const body = poisonedExample(r, op.example);
      add(`${base()}${hasOrg ? `?org=${p.orgSlug}` : ""}`, `body: ${body.label}`, {
        body,
        headers: headers({ "content-type": "application/json" }),
      });
    }
  }
  const bodies = op.bodyProperties ? 22 : 3;
  for (let i = 0; i < bodies; i++) {
    const body = junkBody(r, op.bodyProperties ?? []);
    const contentType = r.int(4) ? "application/json" : r.int(3) ? r.pick(CONTENT_TYPES) : null;
    const extra: Record<string, string> = contentType ? { "content-type": contentType } : {};
    add(`${base()}${hasOrg ? `?org=${p.orgSlug}` : ""}`, `body: ${body.label}, content-type ${contentType}`, {
      body,
      headers: headers(extra),
    });
  }
  return cases;
}

function send(c: Case): Promise<{ status: number; contentType: string; text: string }> {
  const url = new URL(fn.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: c.method,
        // The raw path, byte for byte: fetch() would normalise `..` and re-encode `%`.
        path: `/api${c.path}`,
        headers: {
          ...c.headers,
          ...(c.body && !("content-length" in c.headers) ? { "content-length": String(Buffer.byteLength(c.body.text)) } : {}),
        },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers["content-type"] ?? ""),
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    // A server may answer (413) before it has read a big body and drop the rest: once the answer
    // is in, a later write error changes nothing (a settled promise ignores reject).
    req.on("error", reject);
    req.end(c.body?.text);
  });
}

const STACK_TRACE = [
  /\n\s+at\s/,
  /\bat\s+\S+\s+\(?\S+:\d+:\d+\)?/,
  /file:\/\//,
  /node_modules/,
  /supabase\/functions\//,
  /\b(TypeError|RangeError|SyntaxError|URIError|ReferenceError|PostgresError)\b/,
];

function judge(answer: { status: number; contentType: string; text: string }): string | null {
  if (answer.status >= 500) return `answered ${answer.status}`;
  if (answer.status >= 400 && STACK_TRACE.some((pattern) => pattern.test(answer.text)))
    return "the error looks like a stack trace or an internal error";
  if (answer.status === 204) return answer.text ? "a 204 with a body" : null;
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return "the body is not JSON";
  }
  if (!/^application\/json\b/.test(answer.contentType)) return `content-type ${answer.contentType}`;
  if (answer.status >= 400) {
    const error = (body as { error?: { code?: unknown; message?: unknown } })?.error;
    if (typeof error?.code !== "string" || typeof error.message !== "string" || !error.code || !error.message)
      return "an error without { error: { code, message } }";
  }
  return null;
}

async function run(cases: Case[]) {
  const failures: Failure[] = [];
  const statuses: Record<number, number> = {};
  let index = 0;
  const worker = async () => {
    while (index < cases.length) {
      const c = cases[index++]!; // in range: checked just above, with no await in between
      const label = `#${c.n} ${c.method} ${c.path.slice(0, 120)} (${c.auth}; ${c.note})`;
      try {
        const answer = await send(c);
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
        const problem = judge(answer);
        if (problem) failures.push({ case: label, status: answer.status, problem, excerpt: answer.text.slice(0, 200) });
      } catch (error) {
        failures.push({ case: label, status: 0, problem: `the request failed: ${(error as Error).message}`, excerpt: "" });
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { failures: failures.sort((a, b) => a.case.localeCompare(b.case)), statuses };
}

/** One request to the function, raw path and all, as the fuzzer sends it. */
async function once(method: string, path: string, init: { token?: string; headers?: Record<string, string>; body?: string } = {}) {
  const answer = await send({
    n: -1,
    auth: "",
    method,
    path,
    note: "",
    headers: { ...(init.token ? { authorization: init.token } : { authorization: auths[0]!.authorization! }), ...init.headers },
    ...(init.body !== undefined ? { body: { label: "", text: init.body } } : {}),
  });
  return { status: answer.status, body: JSON.parse(answer.text || "null") };
}

describe("the malformed requests the security review found", () => {
  it("refuses ?page=1e18 and other non-integers or out-of-bounds numbers with 422 naming the parameter", async () => {
    for (const page of ["1e18", "1.5", "0x10", "-1", "0", "100001", "9007199254740993"]) {
      expect(await once("GET", `/providers?org=${p.orgSlug}&page=${page}`), page).toMatchObject({
        status: 422,
        body: { error: { code: "validation_failed", details: { fields: { page: [expect.stringContaining("integer")] } } } },
      });
    }
    expect((await once("GET", `/providers?org=${p.orgSlug}&page=100000`)).status).toBe(200);
    expect(await once("GET", `/providers/${awsProviderId}/health?limit=1e3`)).toMatchObject({
      status: 422,
      body: { error: { details: { fields: { limit: expect.any(Array) } } } },
    });
  });

  it("answers a malformed % in a path with 400", async () => {
    for (const id of ["%", "%zz", "%E0%A4%A", "%ED%A0%80", `${awsProviderId}%`]) {
      expect(await once("GET", `/providers/${id}`), id).toMatchObject({
        status: 400,
        body: { error: { code: "bad_request", message: expect.stringContaining("percent-encoded") } },
      });
    }
  });

  it("answers a NUL in the query, the path or the body with 400", async () => {
    expect(await once("GET", `/providers?org=${p.orgSlug}&q=a%00b`)).toMatchObject({
      status: 400,
      body: { error: { code: "bad_request" } },
    });
    expect(await once("DELETE", "/tokens/%00")).toMatchObject({ status: 400, body: { error: { code: "bad_request" } } });
    const nul = JSON.stringify({ name: "deploy\u0000bot", scopes: ["providers:read"] });
    expect(await once("POST", `/tokens?org=${p.orgSlug}`, { body: nul, headers: { "content-type": "application/json" } })).toMatchObject({
      status: 400,
      body: { error: { message: expect.stringContaining("NUL") } },
    });
  });

  it("refuses a body that is not JSON by its Content-Type with 415, and one nested too deep with 400", async () => {
    const body = JSON.stringify({ name: "x", scopes: ["providers:read"] });
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1"]) {
      expect(await once("POST", `/tokens?org=${p.orgSlug}`, { body, headers: { "content-type": type } }), type).toMatchObject({
        status: 415,
        body: { error: { code: "unsupported_media_type" } },
      });
    }
    const deep = `{"name":"x","scopes":${"[".repeat(40)}"providers:read"${"]".repeat(40)}}`;
    expect(await once("POST", `/tokens?org=${p.orgSlug}`, { body: deep, headers: { "content-type": "application/json" } })).toMatchObject({
      status: 400,
      body: { error: { message: expect.stringContaining("nests deeper") } },
    });
  });

  it("answers a malformed Authorization header with 401", async () => {
    for (const authorization of ["Bearer", "Basic Zm9vOmJhcg==", "Bearer a b", `Bearer ck_${"a".repeat(8000)}`, "Bearer a.b.c"]) {
      expect(await once("GET", `/providers?org=${p.orgSlug}`, { token: authorization }), authorization.slice(0, 20)).toMatchObject({
        status: 401,
        body: { error: { code: "unauthorized" } },
      });
    }
  });
});

describe(`malformed input at every documented operation (seed ${SEED})`, () => {
  it("documents the operations the fuzzer walks", () => {
    const ops = operations(doc);
    expect(ops.length).toBeGreaterThanOrEqual(14);
    expect(ops.map((op) => `${op.method} ${op.template}`)).toEqual(
      expect.arrayContaining(["GET /providers", "POST /providers", "PATCH /providers/{id}", "DELETE /tokens/{id}"]),
    );
  });

  it(
    "never answers 5xx, always answers errors as { error: { code, message } }, never with a stack trace",
    { timeout: 120_000 },
    async () => {
      const r = generator(SEED);
      let n = 0;
      const cases = operations(doc).flatMap((op) => auths.flatMap((auth) => casesFor(r, op, auth, () => n++)));
      const started = Date.now();
      const { failures, statuses } = await run(cases);
      const seen = Object.entries(statuses)
        .map(([status, count]) => `${status}×${count}`)
        .join(" ");
      console.log(
        `api fuzz: ${cases.length} requests in ${Date.now() - started} ms, seed ${SEED}, ${failures.length} failures; statuses ${seen}`,
      );
      expect(failures, `seed ${SEED}: replay with CLOUDKEEP_FUZZ_SEED=${SEED}`).toEqual([]);
      // The stored provider the reads used is still there: the fuzzing changed no one's data by accident.
      const [row] = await sql`select id from public.cloud_providers where id = ${awsProviderId}`;
      expect(row?.id).toBe(awsProviderId);
    },
  );
});
