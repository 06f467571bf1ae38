// safeFetch: fetch over node:http(s) with every hop's destination checked and its address pinned,
// so a DNS answer that changes between the check and the connect cannot reach an internal address.
import http from "node:http";
import https from "node:https";
import { checkDestination, pinnedLookup, type CheckedDestination, type OutboundOptions, type OutboundPolicy } from "./destination.ts";
import { parseIp } from "./ip.ts";

/** The redirect chain of one request was longer than allowed. */
export class RedirectLimitError extends Error {
  override readonly name = "RedirectLimitError";
  readonly code = "too_many_redirects";
  constructor(
    readonly host: string,
    readonly limit: number,
  ) {
    super(`${host} redirected more than ${limit} times.`);
  }
}

export type SafeFetchOptions = OutboundOptions & {
  /** Redirects followed (each hop re-checked); default 5. */
  maxRedirects?: number;
  /** Extra trusted CA certificates (PEM), e.g. a test CA. */
  ca?: string | string[];
  /** Reuse connections within this fetch function (its own pool, so policies never share sockets); default true. */
  keepAlive?: boolean;
};

export type SafeFetch = ((input: string | URL | Request, init?: RequestInit) => Promise<Response>) & {
  /** Closes the pooled idle connections of this fetch function (optional; idle sockets never keep a process alive). */
  close(): void;
};

const CROSS_ORIGIN_STRIPPED = ["authorization", "proxy-authorization", "cookie", "x-auth-token"];
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * A fetch-compatible function that checks every destination against the policy, connects only to the
 * checked addresses (DNS is not asked again at connect time), follows up to `maxRedirects` redirects
 * re-checking each hop, and drops credentials (Authorization, X-Auth-Token, Cookie) when a redirect
 * leaves the origin. A refused destination throws OutboundRefusedError before any byte is sent.
 */
export function safeFetch(policy: OutboundPolicy, options: SafeFetchOptions = {}): SafeFetch {
  const maxRedirects = options.maxRedirects ?? 5;
  const keepAlive = options.keepAlive ?? true;
  const ca = options.ca;
  const agents = {
    http: new http.Agent({ keepAlive }),
    https: new https.Agent({ keepAlive, ...(ca ? { ca } : {}) }),
  };

  const fetchChecked = async function (input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const request = new Request(input, init);
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined) ?? undefined;
    const redirectMode = init?.redirect ?? (input instanceof Request ? input.redirect : "follow");
    let method = request.method;
    let body: Uint8Array | null = request.body ? new Uint8Array(await request.arrayBuffer()) : null;
    const headers = new Headers(request.headers);
    let url = new URL(request.url);
    const startOrigin = url.origin;

    for (let hop = 0; ; hop++) {
      signal?.throwIfAborted();
      const destination = await checkDestination(url, policy, options);
      signal?.throwIfAborted();
      const response = await send(url, destination, method, headers, body, signal, url.protocol === "https:" ? agents.https : agents.http);
      const location = response.headers.get("location");
      if (![301, 302, 303, 307, 308].includes(response.status) || !location || redirectMode === "manual") {
        markResponse(response, url, hop > 0);
        return response;
      }
      await response.body?.cancel();
      if (redirectMode === "error")
        throw new TypeError(`${url.host} answered with a redirect, and redirects are not allowed for this request.`);
      if (hop >= maxRedirects) throw new RedirectLimitError(url.host, maxRedirects);
      const next = new URL(location, url);
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
        if (method !== "HEAD") method = "GET";
        body = null;
        for (const name of ["content-type", "content-length", "content-encoding", "content-language", "content-location"])
          headers.delete(name);
      }
      if (next.origin !== url.origin || next.origin !== startOrigin) {
        for (const name of CROSS_ORIGIN_STRIPPED) headers.delete(name);
      }
      url = next;
    }
  };
  return Object.assign(fetchChecked, {
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  });
}

function markResponse(response: Response, url: URL, redirected: boolean) {
  Object.defineProperty(response, "url", { value: url.href });
  Object.defineProperty(response, "redirected", { value: redirected });
}

function send(
  url: URL,
  destination: CheckedDestination,
  method: string,
  headers: Headers,
  body: Uint8Array | null,
  signal: AbortSignal | undefined,
  agent: http.Agent,
): Promise<Response> {
  const outgoing: Record<string, string> = {};
  headers.forEach((value, name) => {
    outgoing[name] = value;
  });
  const decodes = !headers.has("accept-encoding");
  if (decodes) outgoing["accept-encoding"] = "gzip, deflate";
  if (body) outgoing["content-length"] = String(body.byteLength);
  const transport = url.protocol === "https:" ? https : http;

  return new Promise<Response>((resolve, reject) => {
    let settled = false;
    const onAbort = () => {
      req.destroy();
      if (!settled) {
        settled = true;
        reject(signal?.reason ?? new DOMException("The operation was aborted.", "AbortError"));
      }
    };
    const req = transport.request(
      {
        protocol: url.protocol,
        hostname: destination.hostname,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method,
        headers: outgoing,
        agent,
        // THE PIN: the socket connects to an address checkDestination already judged, never a fresh DNS answer.
        lookup: pinnedLookup(destination.addresses),
        ...(url.protocol === "https:" && !parseIp(destination.hostname) ? { servername: destination.hostname } : {}),
      },
      (res) => {
        const responseHeaders = new Headers();
        // rawHeaders alternates name, value; i + 1 < length keeps both in range.
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) responseHeaders.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
        const status = res.statusCode ?? 502;
        let stream: ReadableStream<Uint8Array> | null = null;
        if (!NULL_BODY_STATUSES.has(status) && method !== "HEAD") {
          // Guarded: after a cancel (e.g. a redirect's body dropped) or an abort, late events must not touch the controller.
          let open = true;
          const finish = (action: () => void) => {
            if (!open) return;
            open = false;
            signal?.removeEventListener("abort", onAbort);
            signal?.removeEventListener("abort", onBodyAbort);
            action();
          };
          let onBodyAbort = () => {};
          stream = new ReadableStream<Uint8Array>({
            start(controller) {
              onBodyAbort = () => {
                finish(() => controller.error(signal?.reason));
                res.destroy();
              };
              res.on("data", (chunk: Uint8Array) => {
                if (!open) return;
                controller.enqueue(new Uint8Array(chunk));
                if ((controller.desiredSize ?? 1) <= 0) res.pause();
              });
              res.on("end", () => finish(() => controller.close()));
              res.on("error", (error) => finish(() => controller.error(error)));
              res.on("close", () => finish(() => controller.error(new TypeError("The connection closed before the response body ended."))));
              signal?.addEventListener("abort", onBodyAbort, { once: true });
            },
            pull() {
              res.resume();
            },
            cancel() {
              finish(() => {});
              res.destroy();
            },
          });
          const encoding = responseHeaders.get("content-encoding")?.trim().toLowerCase();
          if (decodes && (encoding === "gzip" || encoding === "x-gzip" || encoding === "deflate")) {
            stream = stream.pipeThrough(
              new DecompressionStream(encoding === "deflate" ? "deflate" : "gzip") as unknown as ReadableWritablePair<
                Uint8Array,
                Uint8Array
              >,
            );
          }
        } else {
          res.resume();
          res.on("end", () => signal?.removeEventListener("abort", onAbort));
        }
        settled = true;
        resolve(
          new Response(stream, {
            status: status < 200 || status > 599 ? 502 : status,
            statusText: res.statusMessage ?? "",
            headers: responseHeaders,
          }),
        );
      },
    );
    req.on("error", (error) => {
      signal?.removeEventListener("abort", onAbort);
      if (!settled) {
        settled = true;
        reject(error);
      }
    });
    if (signal) {
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
    }
    req.end(body ?? undefined);
  });
}
