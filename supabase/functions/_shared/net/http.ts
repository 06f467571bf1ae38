// Calling provider APIs: a timeout on every attempt, retries with backoff and full jitter on 429, 5xx
// and network errors (honouring Retry-After), a cap on concurrent calls per host, and errors that are
// safe to show: they name the host, method and path, never a request header, query or body.
import type { ProviderFailure } from "../providers/types.ts";
import { OutboundRefusedError, RedirectLimitError, ResolveError } from "./outbound.ts";

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export type UpstreamErrorCode =
  | "timeout"
  | "unreachable"
  | "malformed_response"
  | "response_too_large"
  | "rate_limited"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "upstream_error"
  | "refused_endpoint"
  | "too_many_redirects"
  | "aborted"
  // Adapters add their own (invalid_credentials, no_compute_endpoint, ...).
  | (string & {});

export type UpstreamErrorInit = {
  code: UpstreamErrorCode;
  message: string;
  hint?: string;
  /** The status an API should answer with (502 upstream, 504 timeout, 422 refused, 401 bad credential, 429). */
  status?: number;
  /** The HTTP status the provider answered with, when it answered. */
  upstreamStatus?: number;
  retryable?: boolean;
  /** How long the provider asked us to wait (Retry-After), in ms. */
  retryAfterMs?: number;
  /** The provider's parsed error body, for adapters that map provider error codes. Never our request. */
  body?: unknown;
  cause?: unknown;
};

const DEFAULT_HINTS = {
  timeout: "The provider did not answer in time. Try again; if it keeps happening, check the endpoint and the provider's status page.",
  unreachable:
    "Cloudkeep could not connect to the endpoint. Check the URL and that the service is reachable from the internet (or allow-listed).",
  malformed_response:
    "The endpoint answered with something that is not the provider's API. Check that the URL points at the API, not a web page or proxy.",
  response_too_large: "The endpoint sent far more data than an API answer should. Check that the URL points at the provider's API.",
  rate_limited: "The provider is rate-limiting this credential. Wait a little and try again.",
  unauthorized: "The provider refused the credential. Check that it was copied whole and has not been revoked or expired.",
  forbidden: "The credential works but lacks permission for this call. Grant it read access.",
  not_found: "The endpoint does not know this API path. Check the endpoint URL.",
  upstream_error: "The provider answered with an error. Try again later; if it persists, check the provider's status page.",
  refused_endpoint:
    "The endpoint resolves to an address Cloudkeep does not connect to. Use a public endpoint, or ask an admin to allow-list its CIDR.",
  too_many_redirects: "The endpoint keeps redirecting. Use the final API URL directly.",
  aborted: "The request was cancelled.",
} satisfies Record<string, string>;
/** The same hints looked up by any code, which may have none. */
const HINT_OF: Readonly<Record<string, string | undefined>> = DEFAULT_HINTS;

const DEFAULT_STATUS: Record<string, number> = {
  timeout: 504,
  unreachable: 502,
  malformed_response: 502,
  response_too_large: 502,
  rate_limited: 429,
  unauthorized: 401,
  forbidden: 403,
  not_found: 502,
  upstream_error: 502,
  refused_endpoint: 422,
  too_many_redirects: 502,
  aborted: 499,
};

/** A failed provider call, shaped like ProviderFailure (code, message, hint, status, retryable). */
export class UpstreamError extends Error implements ProviderFailure {
  override readonly name = "UpstreamError";
  readonly code: UpstreamErrorCode;
  readonly hint: string;
  readonly status: number;
  readonly upstreamStatus?: number;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly body?: unknown;

  constructor(init: UpstreamErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.hint = init.hint ?? HINT_OF[init.code] ?? DEFAULT_HINTS.upstream_error;
    this.status = init.status ?? DEFAULT_STATUS[init.code] ?? 502;
    this.upstreamStatus = init.upstreamStatus;
    this.retryable = init.retryable ?? false;
    this.retryAfterMs = init.retryAfterMs;
    // Not enumerable: a provider's error body stays out of JSON.stringify(error) and structured logs.
    Object.defineProperty(this, "body", { value: init.body, enumerable: false });
  }

  /** The plain ProviderFailure, for health results and API error bodies. */
  toFailure(): ProviderFailure {
    return { code: this.code, message: this.message, hint: this.hint, status: this.status, retryable: this.retryable };
  }
}

/** A ProviderFailure in one line; not retryable unless said. */
export function providerFailure(code: string, message: string, hint: string, status: number, retryable = false): ProviderFailure {
  return { code, message, hint, status, retryable };
}

/** Any error from a provider call as a ProviderFailure; unknown errors become a generic, secret-free failure. */
export function toProviderFailure(error: unknown): ProviderFailure {
  if (error instanceof UpstreamError) return error.toFailure();
  if (error instanceof OutboundRefusedError) {
    return { code: error.code, message: error.message, hint: DEFAULT_HINTS.refused_endpoint, status: error.status, retryable: false };
  }
  if (error instanceof RedirectLimitError) {
    return { code: error.code, message: error.message, hint: DEFAULT_HINTS.too_many_redirects, status: 502, retryable: false };
  }
  if (error instanceof ResolveError) {
    return { code: "unreachable", message: error.message, hint: DEFAULT_HINTS.unreachable, status: 502, retryable: true };
  }
  if (isTimeout(error))
    return { code: "timeout", message: "The provider did not answer in time.", hint: DEFAULT_HINTS.timeout, status: 504, retryable: true };
  return {
    code: "upstream_error",
    message: "The call to the provider failed unexpectedly.",
    hint: DEFAULT_HINTS.upstream_error,
    status: 502,
    retryable: false,
  };
}

// ---------------------------------------------------------------------------------------------------
// Per-host concurrency

class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(public limit: number) {}

  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.active >= this.limit) {
      await new Promise<void>((resolve, reject) => {
        const wake = () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        };
        const onAbort = () => {
          const index = this.waiting.indexOf(wake);
          if (index !== -1) this.waiting.splice(index, 1);
          reject(signal?.reason);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        this.waiting.push(wake);
      });
    } else {
      this.active++;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so `active` only drops when nobody waits.
      if (next) next();
      else this.active--;
    };
  }
}

const hostSemaphores = new Map<string, Semaphore>();

/** Default cap on concurrent calls to one host (host:port) across this process. */
export const DEFAULT_HOST_CONCURRENCY = 8;

function semaphoreFor(host: string, limit: number): Semaphore {
  let semaphore = hostSemaphores.get(host);
  if (!semaphore) {
    semaphore = new Semaphore(limit);
    hostSemaphores.set(host, semaphore);
  }
  semaphore.limit = limit;
  return semaphore;
}

// ---------------------------------------------------------------------------------------------------
// Retries

/** Parses Retry-After (delta seconds or an HTTP date) into milliseconds; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}

/** Exponential backoff with full jitter: a random wait in [0, min(cap, base × 2^attempt)). */
export function backoffDelay(attempt: number, baseMs = 200, capMs = 5_000): number {
  return Math.floor(Math.random() * Math.min(capMs, baseMs * 2 ** attempt));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function isTimeout(error: unknown): boolean {
  return (error as { name?: string })?.name === "TimeoutError";
}

function isAbort(error: unknown): boolean {
  return (error as { name?: string })?.name === "AbortError";
}

const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);
// Network errors worth another try; a DNS miss, a refused destination or a bad certificate are not.
const TRANSIENT_NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "ECONNABORTED",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

export type RequestOptions = {
  /** Timeout of each attempt; default 10 s. A timed-out attempt is not retried (the caller's budget is spent). */
  timeoutMs?: number;
  /** Retries after the first attempt; default 3. */
  retries?: number;
  /** The caller's signal (a request being cancelled); combined with the timeout. */
  signal?: AbortSignal;
  /** Concurrent calls to one host:port across the process; default 8. */
  maxConcurrentPerHost?: number;
  /** Longest Retry-After we wait for; a longer one fails at once as rate_limited with retryAfterMs; default 30 s. */
  maxRetryAfterMs?: number;
  /** First backoff step; default 200 ms (full jitter, doubling, capped at 5 s). */
  backoffBaseMs?: number;
  /** Largest body read; default 32 MiB. */
  maxBodyBytes?: number;
  /** Statuses to return instead of throwing (e.g. 404 when absence is an answer). */
  acceptStatuses?: number[];
};

export type UpstreamResponse<T> = { status: number; headers: Headers; body: T; url: string };

type Parse<T> = (text: string, response: Response, where: string) => T;

function describe(method: string, url: URL): string {
  // Host and path only: a query string may carry something a user should not see in an error.
  return `${method} ${url.host}${url.pathname}`;
}

async function readBody(response: Response, limit: number, where: string): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw new UpstreamError({
        code: "response_too_large",
        message: `${where} answered with more than ${Math.round(limit / 1024 / 1024)} MiB.`,
      });
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

function parseJsonText<T>(text: string, response: Response, where: string): T {
  const type = response.headers.get("content-type") ?? "no content type";
  if (text.trim() === "") {
    throw new UpstreamError({
      code: "malformed_response",
      upstreamStatus: response.status,
      message: `${where} answered ${response.status} with an empty body where JSON was expected.`,
    });
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new UpstreamError({
      code: "malformed_response",
      upstreamStatus: response.status,
      message: `${where} answered ${response.status} with a body that is not valid JSON (${type}, ${text.length} characters).`,
    });
  }
}

function tryJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

function statusError(response: Response, where: string, text: string, retryAfterMs: number | null): UpstreamError {
  const status = response.status;
  const body = tryJson(text);
  const code =
    status === 401
      ? "unauthorized"
      : status === 403
        ? "forbidden"
        : status === 404
          ? "not_found"
          : status === 429
            ? "rate_limited"
            : "upstream_error";
  const what =
    status === 429
      ? `${where} was rate-limited (429)${retryAfterMs !== null ? `; the provider asks to wait ${Math.ceil(retryAfterMs / 1000)} s` : ""}.`
      : `${where} failed with HTTP ${status}${response.statusText ? ` ${response.statusText}` : ""}.`;
  return new UpstreamError({
    code,
    message: what,
    upstreamStatus: status,
    retryable: RETRYABLE_STATUSES.has(status),
    retryAfterMs: retryAfterMs ?? undefined,
    body,
  });
}

function networkError(error: unknown, where: string, timeoutMs: number): UpstreamError | Error {
  if (error instanceof UpstreamError || error instanceof OutboundRefusedError || error instanceof RedirectLimitError) return error;
  if (error instanceof ResolveError)
    return new UpstreamError({ code: "unreachable", message: `${where}: ${error.message}`, retryable: false });
  if (isTimeout(error))
    return new UpstreamError({ code: "timeout", message: `${where} did not answer within ${formatMs(timeoutMs)}.`, retryable: true });
  if (isAbort(error)) return new UpstreamError({ code: "aborted", message: `${where} was cancelled.` });
  const code = (error as { code?: string; cause?: { code?: string } })?.code ?? (error as { cause?: { code?: string } })?.cause?.code ?? "";
  if (/CERT|SSL|TLS|ERR_TLS/.test(code)) {
    return new UpstreamError({
      code: "unreachable",
      message: `${where}: the TLS certificate was not accepted (${code}).`,
      hint: "The endpoint's certificate is not trusted or does not match its host name. Use a certificate from a public CA, or the exact host name it was issued for.",
    });
  }
  return new UpstreamError({
    code: "unreachable",
    message: `${where}: could not connect${code ? ` (${code})` : ""}.`,
    retryable: code === "" || TRANSIENT_NETWORK_CODES.has(code),
  });
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s` : `${ms} ms`;
}

async function requestWith<T>(
  fetchFn: FetchLike,
  input: string | URL,
  init: RequestInit,
  options: RequestOptions,
  parse: Parse<T>,
): Promise<UpstreamResponse<T>> {
  const url = new URL(input);
  const method = (init.method ?? "GET").toUpperCase();
  const where = describe(method, url);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retries = options.retries ?? 3;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
  const maxBodyBytes = options.maxBodyBytes ?? 32 * 1024 * 1024;
  const semaphore = semaphoreFor(url.host, options.maxConcurrentPerHost ?? DEFAULT_HOST_CONCURRENCY);

  for (let attempt = 0; ; attempt++) {
    options.signal?.throwIfAborted();
    const attemptSignal = options.signal
      ? AbortSignal.any([options.signal, AbortSignal.timeout(timeoutMs)])
      : AbortSignal.timeout(timeoutMs);
    let failure: UpstreamError | Error;
    const release = await semaphore.acquire(options.signal);
    try {
      const response = await fetchFn(url, { ...init, method, signal: attemptSignal });
      const text = await readBody(response, maxBodyBytes, where);
      if (response.ok || options.acceptStatuses?.includes(response.status)) {
        return { status: response.status, headers: response.headers, body: parse(text, response, where), url: response.url || url.href };
      }
      failure = statusError(response, where, text, parseRetryAfter(response.headers.get("retry-after")));
    } catch (error) {
      // The caller cancelled: stop, whatever the attempt was doing.
      if (options.signal?.aborted) throw networkError(options.signal.reason ?? error, where, timeoutMs);
      failure = networkError(error, where, timeoutMs);
    } finally {
      release();
    }

    const upstream = failure instanceof UpstreamError ? failure : null;
    const retryable = upstream !== null && upstream.retryable && upstream.code !== "timeout";
    if (!retryable || attempt >= retries) throw failure;
    let delay = backoffDelay(attempt, options.backoffBaseMs ?? 200);
    if (upstream.retryAfterMs !== undefined) {
      if (upstream.retryAfterMs > maxRetryAfterMs) throw failure;
      delay = Math.max(delay, upstream.retryAfterMs);
    }
    await sleep(delay, options.signal).catch((reason) => {
      throw networkError(reason, where, timeoutMs);
    });
  }
}

/** Calls a JSON API: 2xx → parsed body; anything else → UpstreamError (after retries where it makes sense). */
export function requestJson<T = unknown>(
  fetchFn: FetchLike,
  url: string | URL,
  init: RequestInit = {},
  options: RequestOptions = {},
): Promise<UpstreamResponse<T>> {
  const headers = new Headers(init.headers);
  if (!headers.has("accept")) headers.set("accept", "application/json");
  return requestWith<T>(fetchFn, url, { ...init, headers }, options, (text, response, where) =>
    response.status === 204 ? (undefined as T) : parseJsonText<T>(text, response, where),
  );
}

/** Like requestJson, for XML or text APIs: 2xx → the body as text. */
export function requestText(
  fetchFn: FetchLike,
  url: string | URL,
  init: RequestInit = {},
  options: RequestOptions = {},
): Promise<UpstreamResponse<string>> {
  return requestWith<string>(fetchFn, url, init, options, (text) => text);
}
