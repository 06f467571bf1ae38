import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseRetryAfter, requestJson, requestText, toProviderFailure, UpstreamError } from "../../supabase/functions/_shared/net/http.ts";
import { OutboundRefusedError, safeFetch, type OutboundPolicy } from "../../supabase/functions/_shared/net/outbound.ts";
import { TokenCache, tokenCacheKey } from "../../supabase/functions/_shared/net/token-cache.ts";
import { startFake, type Fake } from "../fakes/server.ts";

const policy: OutboundPolicy = { allowHttp: true, allowedCidrs: [], trustedCidrs: ["127.0.0.1/32"] };
const fetchChecked = safeFetch(policy);

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UpstreamError);
  return error as UpstreamError;
}

describe("requestJson", () => {
  let fake: Fake;
  beforeAll(async () => {
    fake = await startFake((request) => {
      if (request.path === "/text") return { headers: { "content-type": "text/plain" }, body: "plain words" };
      if (request.path === "/html") return { headers: { "content-type": "text/html" }, body: "<html>login</html>" };
      if (request.path === "/big") return { body: "x".repeat(2048) };
      if (request.path === "/forbidden") return { status: 403, body: { message: "nope" } };
      return { headers: { "x-request-id": "req-1" }, body: { ok: true, path: request.path } };
    });
  });
  afterAll(async () => {
    fetchChecked.close();
    await fake.close();
  });
  beforeEach(() => fake.reset());

  it("returns the parsed body, the status and the headers", async () => {
    const response = await requestJson<{ ok: boolean }>(fetchChecked, `${fake.url}/thing`);
    expect(response).toMatchObject({ status: 200, body: { ok: true, path: "/thing" } });
    expect(response.headers.get("x-request-id")).toBe("req-1");
    expect(fake.requests[0]!.headers.accept).toBe("application/json");
  });

  it("turns a slow answer into a timeout (504) without retrying it", async () => {
    fake.switches.delayMs = 400;
    const started = performance.now();
    const error = await failure(requestJson(fetchChecked, `${fake.url}/slow`, {}, { timeoutMs: 100 }));
    expect(error).toMatchObject({ code: "timeout", status: 504 });
    expect(error.message).toBe(`GET 127.0.0.1:${fake.port}/slow did not answer within 100 ms.`);
    expect(performance.now() - started).toBeLessThan(390);
    expect(fake.requests).toHaveLength(1);
  });

  it("waits as long as Retry-After asks after a 429, then succeeds", async () => {
    fake.switches.rateLimit = { count: 1, retryAfter: "1" };
    const started = performance.now();
    const response = await requestJson(fetchChecked, `${fake.url}/limited`);
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    expect(fake.requests).toHaveLength(2);
  });

  it("reads Retry-After written as an HTTP date", async () => {
    fake.switches.rateLimit = { count: 1, retryAfter: new Date(Date.now() + 1500).toUTCString() };
    const started = performance.now();
    await requestJson(fetchChecked, `${fake.url}/limited`);
    // HTTP dates have one-second resolution, so the wait is at least 0.5 s.
    expect(performance.now() - started).toBeGreaterThanOrEqual(500);
    expect(fake.requests).toHaveLength(2);
  });

  it("gives up at once when Retry-After is longer than the cap, reporting how long to wait", async () => {
    fake.switches.rateLimit = { count: 5, retryAfter: "120" };
    const error = await failure(requestJson(fetchChecked, `${fake.url}/limited`, {}, { maxRetryAfterMs: 30_000 }));
    expect(error).toMatchObject({ code: "rate_limited", status: 429, retryAfterMs: 120_000, upstreamStatus: 429 });
    expect(error.message).toMatch(/asks to wait 120 s/);
    expect(fake.requests).toHaveLength(1);
  });

  it("retries server errors with backoff and succeeds when the server recovers", async () => {
    fake.switches.serverErrors = { count: 2, status: 503 };
    const response = await requestJson(fetchChecked, `${fake.url}/flaky`, {}, { backoffBaseMs: 10 });
    expect(response.status).toBe(200);
    expect(fake.requests).toHaveLength(3);
  });

  it("stops after the configured retries and reports the upstream error as 502", async () => {
    fake.switches.serverErrors = { count: 10, status: 500 };
    const error = await failure(requestJson(fetchChecked, `${fake.url}/down`, {}, { retries: 2, backoffBaseMs: 5 }));
    expect(error).toMatchObject({ code: "upstream_error", status: 502, upstreamStatus: 500, retryable: true });
    expect(fake.requests).toHaveLength(3);
  });

  it("does not retry a 4xx other than 429", async () => {
    const error = await failure(requestJson(fetchChecked, `${fake.url}/forbidden`));
    expect(error).toMatchObject({ code: "forbidden", upstreamStatus: 403 });
    expect(error.body).toEqual({ message: "nope" });
    expect(fake.requests).toHaveLength(1);
  });

  it("reports a body that is not JSON as malformed_response, naming the content type", async () => {
    const error = await failure(requestJson(fetchChecked, `${fake.url}/html`));
    expect(error).toMatchObject({ code: "malformed_response", status: 502 });
    expect(error.message).toBe(
      `GET 127.0.0.1:${fake.port}/html answered 200 with a body that is not valid JSON (text/html, 18 characters).`,
    );
  });

  it("reports a truncated JSON body as malformed_response without retrying", async () => {
    fake.switches.malformedBody = true;
    const error = await failure(requestJson(fetchChecked, `${fake.url}/cut`));
    expect(error.code).toBe("malformed_response");
    expect(fake.requests).toHaveLength(1);
  });

  it("refuses a body larger than the limit", async () => {
    const error = await failure(requestJson(fetchChecked, `${fake.url}/big`, {}, { maxBodyBytes: 1024 }));
    expect(error.code).toBe("response_too_large");
  });

  it("returns text bodies through requestText", async () => {
    expect((await requestText(fetchChecked, `${fake.url}/text`)).body).toBe("plain words");
  });

  it("never puts request headers, the query string or the request body in an error", async () => {
    fake.switches.serverErrors = { count: 10, status: 500 };
    const error = await failure(
      requestJson(
        fetchChecked,
        `${fake.url}/secret-path?api_key=QUERY-SECRET`,
        { method: "POST", headers: { authorization: "Bearer HEADER-SECRET" }, body: JSON.stringify({ password: "BODY-SECRET" }) },
        { retries: 0 },
      ),
    );
    const everything = `${error.message} ${error.hint} ${JSON.stringify(error)} ${error.stack} ${JSON.stringify(toProviderFailure(error))}`;
    for (const secret of ["QUERY-SECRET", "HEADER-SECRET", "BODY-SECRET"]) expect(everything).not.toContain(secret);
    expect(error.message).toBe(`POST 127.0.0.1:${fake.port}/secret-path failed with HTTP 500 Internal Server Error.`);
  });

  it("stops when the caller cancels", async () => {
    fake.switches.delayMs = 1_000;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await failure(requestJson(fetchChecked, `${fake.url}/slow`, {}, { signal: controller.signal }));
    expect(error.code).toBe("aborted");
  });

  it("caps concurrent calls to one host", async () => {
    let active = 0;
    let peak = 0;
    const counting = await startFake(async () => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 60));
      active--;
      return { body: { ok: true } };
    });
    try {
      await Promise.all(Array.from({ length: 12 }, () => requestJson(fetchChecked, `${counting.url}/x`, {}, { maxConcurrentPerHost: 3 })));
      expect(peak).toBe(3);
      expect(counting.requests).toHaveLength(12);
    } finally {
      await counting.close();
    }
  });

  it("retries a dropped connection and succeeds", async () => {
    let drops = 1;
    const server = http.createServer((req, res) => {
      if (drops-- > 0) return req.socket.destroy();
      res.setHeader("content-type", "application/json");
      res.end('{"ok":true}');
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    try {
      const port = (server.address() as AddressInfo).port;
      const response = await requestJson(safeFetch(policy, { keepAlive: false }), `http://127.0.0.1:${port}/`, {}, { backoffBaseMs: 5 });
      expect(response.body).toEqual({ ok: true });
    } finally {
      server.close();
    }
  });

  it("passes an outbound refusal through untouched and unretried", async () => {
    const error = await requestJson(safeFetch({ allowHttp: true, allowedCidrs: [] }), "http://10.0.0.1/").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboundRefusedError);
    expect(toProviderFailure(error)).toMatchObject({ code: "refused_endpoint", status: 422 });
  });
});

describe("parseRetryAfter", () => {
  it("reads delta seconds and HTTP dates, and ignores nonsense", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter("Wed, 01 Jan 2025 00:00:10 GMT", now)).toBe(10_000);
    expect(parseRetryAfter("Tue, 31 Dec 2024 00:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});

describe("TokenCache", () => {
  it("reuses a token until a minute before it expires, then fetches a new one", async () => {
    let now = 1_000_000;
    const cache = new TokenCache<string>({ now: () => now });
    let fetches = 0;
    const fetchToken = async () => ({ value: `token-${++fetches}`, expiresAt: now + 10 * 60_000 });
    expect(await cache.get({ user: "a", password: "p" }, fetchToken)).toBe("token-1");
    now += 8 * 60_000;
    expect(await cache.get({ user: "a", password: "p" }, fetchToken)).toBe("token-1");
    now += 61_000;
    expect(await cache.get({ user: "a", password: "p" }, fetchToken)).toBe("token-2");
  });

  it("shares one fetch between concurrent callers of the same credential", async () => {
    const cache = new TokenCache<string>();
    let fetches = 0;
    const fetchToken = async () => {
      fetches++;
      await new Promise((r) => setTimeout(r, 30));
      return { value: "shared", expiresAt: new Date(Date.now() + 3_600_000) };
    };
    const values = await Promise.all(Array.from({ length: 8 }, () => cache.get(["k", "secret"], fetchToken)));
    expect(values).toEqual(Array(8).fill("shared"));
    expect(fetches).toBe(1);
  });

  it("keeps separate tokens for different credentials and does not cache failures", async () => {
    const cache = new TokenCache<string>();
    await cache.get("one", async () => ({ value: "1", expiresAt: Date.now() + 3_600_000 }));
    await expect(cache.get("two", async () => Promise.reject(new Error("refused")))).rejects.toThrow("refused");
    expect(cache.size).toBe(1);
    expect(await cache.get("two", async () => ({ value: "2", expiresAt: Date.now() + 3_600_000 }))).toBe("2");
    await cache.invalidate("one");
    expect(cache.size).toBe(1);
  });

  it("keys entries by a keyed hash that never contains the secret", async () => {
    const key = await tokenCacheKey({ password: "hunter2-hunter2" });
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(key).not.toContain("hunter2");
    expect(await tokenCacheKey({ password: "hunter2-hunter2" })).toBe(key);
    expect(await tokenCacheKey({ password: "other" })).not.toBe(key);
  });
});
