// A wire-level fake on a free 127.0.0.1 port, with switches every provider fake shares: bad credentials,
// slow answers, 429 with Retry-After, N server errors then success, malformed bodies, resource counts.
// Each provider fake (tests/fakes/<kind>.ts) supplies only the handler that speaks its API.
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { captures } from "../../supabase/functions/_shared/captures.ts";

export type FakeRequest = {
  method: string;
  /** Path without the query string. */
  path: string;
  url: URL;
  headers: Record<string, string>;
  body: string;
  at: number;
  /** What the fake answered (status, headers, body text): the conformance tests hold it against the cloud's schema. */
  answer?: { status: number; headers: Record<string, string>; text: string };
};

export type FakeResponse = {
  status?: number;
  /** Headers to send; undefined values are left out. */
  headers?: Record<string, string | undefined>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
};

export type FakeSwitches = {
  /** The provider fake answers its own "bad credentials" error. */
  badCredentials: boolean;
  /** Delay before every matching answer, in ms. */
  delayMs: number;
  /** The next `count` matching requests answer 429 with this Retry-After (seconds or an HTTP date). */
  rateLimit: { count: number; retryAfter: string | null };
  /** The next `count` matching requests answer `status` (5xx). */
  serverErrors: { count: number; status: number };
  /** Matching answers come back as a truncated, unparsable JSON body. */
  malformedBody: boolean;
  /** How many resources the fake serves. */
  resourceCount: number;
  /** Largest page the fake hands out (it clamps bigger page-size requests to this). */
  maxPageSize: number;
  /** Which paths the delay / 429 / 5xx / malformed switches apply to (default: every path). */
  match: RegExp | null;
};

export type FakeHandler = (request: FakeRequest, fake: Fake) => FakeResponse | Promise<FakeResponse>;

export type Fake = {
  url: string;
  port: number;
  /** Every request received, in order (including those a switch answered). */
  requests: FakeRequest[];
  switches: FakeSwitches;
  /** Requests received whose path matches. */
  hits(path?: string | RegExp): FakeRequest[];
  /** Switches back to their defaults and forgets the requests. */
  reset(): void;
  close(): Promise<void>;
};

export type StartFakeOptions = {
  https?: { key: string | Buffer; cert: string | Buffer };
  switches?: Partial<FakeSwitches>;
  host?: string;
  /** A fixed port (the demo's stable endpoints); default: any free one. */
  port?: number;
};

export function defaultSwitches(): FakeSwitches {
  return {
    badCredentials: false,
    delayMs: 0,
    rateLimit: { count: 0, retryAfter: null },
    serverErrors: { count: 0, status: 503 },
    malformedBody: false,
    resourceCount: 3,
    maxPageSize: 200,
    match: null,
  };
}

const MALFORMED = '{"truncated": [{"id": 1, "name": "half a resp';

function sendJson(res: http.ServerResponse, response: FakeResponse, request?: FakeRequest) {
  const status = response.status ?? 200;
  const text = typeof response.body === "string" ? response.body : response.body === undefined ? "" : JSON.stringify(response.body);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers ?? {})) if (value !== undefined) headers[name] = value;
  if (text && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) headers["content-type"] = "application/json";
  if (request) request.answer = { status, headers, text };
  res.writeHead(status, headers);
  res.end(text);
}

export async function startFake(handler: FakeHandler, options: StartFakeOptions = {}): Promise<Fake> {
  const requests: FakeRequest[] = [];
  const initial = () => ({ ...defaultSwitches(), ...options.switches });
  const sockets = new Set<import("node:net").Socket>();

  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      void (async () => {
        const url = new URL(req.url ?? "/", fake.url);
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(", ") : (value ?? "");
        const request: FakeRequest = {
          method: req.method ?? "GET",
          path: url.pathname,
          url,
          headers,
          body: Buffer.concat(chunks).toString("utf8"),
          at: Date.now(),
        };
        requests.push(request);
        const s = fake.switches;
        const applies = !s.match || s.match.test(request.path);
        try {
          if (applies && s.delayMs > 0) await new Promise((r) => setTimeout(r, s.delayMs));
          if (res.destroyed) return;
          if (applies && s.rateLimit.count > 0) {
            s.rateLimit.count--;
            return sendJson(res, {
              status: 429,
              headers: s.rateLimit.retryAfter === null ? {} : { "retry-after": s.rateLimit.retryAfter },
              body: { message: "Too many requests" },
            });
          }
          if (applies && s.serverErrors.count > 0) {
            s.serverErrors.count--;
            return sendJson(res, { status: s.serverErrors.status, body: { message: "Internal server error" } });
          }
          const response = await handler(request, fake);
          if (applies && s.malformedBody && (response.status ?? 200) < 300) {
            return sendJson(res, { ...response, body: MALFORMED, headers: { ...response.headers, "content-type": "application/json" } });
          }
          // Only the provider fake's own answers are recorded: the switches' 429/5xx/malformed bodies are test devices.
          sendJson(res, response, request);
        } catch (error) {
          sendJson(res, { status: 500, body: { message: `fake failed: ${(error as Error).message}` } });
        }
      })();
    });
  };

  const server = options.https
    ? https.createServer({ key: options.https.key, cert: options.https.cert }, listener)
    : http.createServer(listener);
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("secureConnection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const fake: Fake = {
    url: `${options.https ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    requests,
    switches: initial(),
    hits(path) {
      return requests.filter((r) => (path === undefined ? true : typeof path === "string" ? r.path === path : path.test(r.path)));
    },
    reset() {
      fake.switches = initial();
      requests.length = 0;
    },
    close() {
      return new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      });
    },
  };
  return fake;
}

/** The bearer token of a request, or null. */
export function bearerToken(request: FakeRequest): string | null {
  const match = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? "");
  return match ? captures(match, 1)[0] : null;
}

/** Capture group `n` of a match, for patterns where that group is not optional. */
export function group(match: RegExpExecArray, n: number): string {
  const value = match[n];
  if (value === undefined) throw new Error(`Capture group ${n} did not take part in the match.`);
  return value;
}

/** The item at `index` of a fixed list, going round (fake resources cycle through regions, states, …). */
export function cycle<T>(items: readonly T[], index: number): T {
  const item = items[index % items.length];
  if (item === undefined) throw new Error(`No item at ${index} of a list of ${items.length}.`);
  return item;
}

/** A page-size query parameter clamped to the fake's limit. */
export function pageSize(request: FakeRequest, name: string, fallback: number, fake: Fake): number {
  const asked = Number(request.url.searchParams.get(name) ?? fallback);
  return Math.max(1, Math.min(Number.isFinite(asked) && asked > 0 ? Math.floor(asked) : fallback, fake.switches.maxPageSize));
}
