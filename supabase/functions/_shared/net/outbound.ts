// Outbound safety for user-supplied endpoints (SSRF): every destination is resolved and judged before a
// byte is sent, and the connection is made to the address that was judged, so a DNS answer that changes
// between the check and the connect (rebinding) cannot reach an internal address.
//
// Runtime-neutral: node:http(s) and node:dns behave the same under Node 20 and Deno 2 (both honour the
// `lookup` option of a request and of an Agent, which is how the checked address is pinned).
import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import type { Duplex } from "node:stream";

export type OutboundPolicy = {
  /** Accept http:// (the organization allows plain-http private endpoints). */
  allowHttp: boolean;
  /**
   * Private CIDRs the organization allow-listed (on-premises OpenStack, MinIO). Entries an
   * organization may never allow-list (see allowListProblem) are ignored, whatever a row holds.
   */
  allowedCidrs: string[];
  /**
   * Networks the deployment's operator trusts (CLOUDKEEP_TRUSTED_CIDRS, e.g. 127.0.0.1/32 for the
   * local fakes in demo mode and tests). Set only from the server's environment, never by an organization.
   */
  trustedCidrs?: string[];
};

/** The rule that refused a destination. */
export type OutboundRule =
  | "scheme"
  | "invalid_host"
  | "loopback"
  | "unspecified"
  | "link_local"
  | "metadata"
  | "private"
  | "shared"
  | "unique_local"
  | "multicast"
  | "reserved";

const RULE_DESCRIPTIONS: Record<OutboundRule, string> = {
  scheme: "only https endpoints are allowed",
  invalid_host: "the host is not a valid name or address",
  loopback: "loopback addresses (127.0.0.0/8, ::1) are refused",
  unspecified: "the unspecified network (0.0.0.0/8, ::) is refused",
  link_local: "link-local addresses (169.254.0.0/16, fe80::/10) are refused",
  metadata: "cloud instance metadata addresses are refused",
  private: "private addresses (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16) are refused",
  shared: "shared address space (100.64.0.0/10, carrier-grade NAT) is refused",
  unique_local: "unique-local IPv6 addresses (fc00::/7) are refused",
  multicast: "multicast and broadcast addresses are refused",
  reserved: "reserved, documentation and special-purpose addresses are refused",
};

/** A destination the policy refuses. Nothing was sent to it. */
export class OutboundRefusedError extends Error {
  override readonly name = "OutboundRefusedError";
  readonly code = "refused_endpoint";
  /** The status an API should answer with: the endpoint the user configured is not acceptable. */
  readonly status = 422;
  constructor(
    readonly rule: OutboundRule,
    readonly host: string,
    readonly address: string | null,
    message?: string,
  ) {
    super(message ?? refusalMessage(rule, host, address));
  }
}

function refusalMessage(rule: OutboundRule, host: string, address: string | null, note?: string): string {
  const where = address && address !== host ? `${host} (${address})` : host;
  const fix =
    rule === "scheme"
      ? "Use an https URL, or allow plain http in the organization's settings."
      : rule === "invalid_host"
        ? "Check the endpoint URL."
        : "If this endpoint is yours (on-premises OpenStack, MinIO), an admin can allow-list its CIDR in the organization's settings.";
  return `Refused to connect to ${where}: ${note ?? RULE_DESCRIPTIONS[rule]} [rule: ${rule}]. ${fix}`;
}

/** The redirect chain of one request was longer than allowed. */
export class RedirectLimitError extends Error {
  override readonly name = "RedirectLimitError";
  readonly code = "too_many_redirects";
  constructor(readonly host: string, readonly limit: number) {
    super(`${host} redirected more than ${limit} times.`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Addresses and CIDRs

export type IpFamily = 4 | 6;
type ParsedIp = { family: IpFamily; bytes: Uint8Array };

function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i];
    // Dotted decimal only; URL parsing has already turned 0x7f.1 and 2130706433 into this form.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return null;
    const value = Number(part);
    if (value > 255) return null;
    bytes[i] = value;
  }
  return bytes;
}

function parseIpv6(input: string): Uint8Array | null {
  let text = input;
  const zone = text.indexOf("%");
  if (zone !== -1) text = text.slice(0, zone);
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return null;
  const words: number[] = [];
  let tail: Uint8Array | null = null;
  const lastColon = text.lastIndexOf(":");
  if (text.includes(".")) {
    tail = parseIpv4(text.slice(lastColon + 1));
    if (!tail) return null;
    text = text.slice(0, lastColon + 1) + "0:0";
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const parse = (half: string): number[] | null => {
    if (half === "") return [];
    const out: number[] = [];
    for (const group of half.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return null;
      out.push(parseInt(group, 16));
    }
    return out;
  };
  const head = parse(halves[0]);
  const rest = halves.length === 2 ? parse(halves[1]) : [];
  if (!head || !rest) return null;
  if (halves.length === 2) {
    const missing = 8 - head.length - rest.length;
    if (missing < 1) return null;
    words.push(...head, ...new Array<number>(missing).fill(0), ...rest);
  } else {
    if (head.length !== 8) return null;
    words.push(...head);
  }
  const bytes = new Uint8Array(16);
  words.forEach((word, i) => {
    bytes[i * 2] = word >> 8;
    bytes[i * 2 + 1] = word & 0xff;
  });
  if (tail) bytes.set(tail, 12);
  return bytes;
}

/** Parses a literal IPv4 or IPv6 address (brackets and a zone id are accepted); null when it is not one. */
export function parseIp(address: string): ParsedIp | null {
  const text = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  const v4 = parseIpv4(text);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = text.includes(":") ? parseIpv6(text) : null;
  return v6 ? { family: 6, bytes: v6 } : null;
}

export type Cidr = { family: IpFamily; bytes: Uint8Array; prefix: number; text: string };

/** Parses `10.0.0.0/8`, `fd00::/8` or a bare address (a /32 or /128); throws a TypeError naming the entry. */
export function parseCidr(cidr: string): Cidr {
  const [addressText, prefixText, extra] = cidr.trim().split("/");
  const ip = extra === undefined ? parseIp(addressText) : null;
  const max = ip?.family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^[0-9]{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!ip || !(prefix >= 0 && prefix <= max)) {
    throw new TypeError(`"${cidr}" is not a CIDR like 10.20.0.0/16 or fd00:1234::/48.`);
  }
  return { family: ip.family, bytes: ip.bytes, prefix, text: cidr.trim() };
}

/**
 * What an organization may never allow-list, whoever asks: loopback, the unspecified network,
 * link-local and cloud metadata addresses, and their IPv4-in-IPv6 forms (mapped, compatible, NAT64,
 * 6to4). The database holds the same list (private.cidr_is_allowlistable, migration
 * 20261205000100) and refuses such rows; this one keeps the guard closed even if a row holds one.
 */
const NEVER_ALLOW_LISTED = [
  "0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "100.100.100.200/32", "192.0.0.192/32",
  "::/96", "::1/128", "fe80::/10", "fd00:ec2::/32", "::ffff:0.0.0.0/104", "::ffff:127.0.0.0/104", "::ffff:169.254.0.0/112",
  "64:ff9b::/104", "64:ff9b::7f00:0/104", "64:ff9b::a9fe:0/112", "2002::/24", "2002:7f00::/24", "2002:a9fe::/32",
].map(parseCidr);
/** The widest network an organization may allow-list. */
export const MIN_ALLOW_LIST_PREFIX = 8;

function overlaps(a: Cidr, b: Cidr): boolean {
  return a.family === b.family && bytesMatch(a.bytes, b.bytes, Math.min(a.prefix, b.prefix));
}

/** Why an organization may not allow-list `cidr` (it is not a CIDR, too wide, or reaches a forbidden range), or null. */
export function allowListProblem(cidr: string): string | null {
  let network: Cidr;
  try {
    network = parseCidr(cidr);
  } catch (error) {
    return (error as Error).message;
  }
  if (network.prefix < MIN_ALLOW_LIST_PREFIX) return `networks wider than /${MIN_ALLOW_LIST_PREFIX} cannot be allow-listed.`;
  const forbidden = NEVER_ALLOW_LISTED.find((range) => overlaps(network, range));
  if (forbidden) {
    return `${forbidden.text} (loopback, unspecified, link-local or cloud metadata) can never be allow-listed.`;
  }
  return null;
}

/** The message for a CIDR an organization cannot allow-list, or null: for settings forms and the API. */
export const validateCidr = allowListProblem;

/**
 * The operator's trusted networks from CLOUDKEEP_TRUSTED_CIDRS (comma-separated; unset or empty: none).
 * A malformed entry throws at start-up, naming the variable.
 */
export function parseTrustedCidrs(value: string | undefined, name = "CLOUDKEEP_TRUSTED_CIDRS"): string[] {
  const entries = (value ?? "").split(",").map((entry) => entry.trim()).filter(Boolean);
  for (const entry of entries) {
    try {
      parseCidr(entry);
    } catch (error) {
      throw new Error(`${name}: ${(error as Error).message}`);
    }
  }
  return entries;
}

function bytesMatch(bytes: Uint8Array, network: Uint8Array, prefix: number): boolean {
  const full = prefix >> 3;
  for (let i = 0; i < full; i++) if (bytes[i] !== network[i]) return false;
  const bits = prefix & 7;
  if (bits === 0) return true;
  const mask = (0xff << (8 - bits)) & 0xff;
  return (bytes[full] & mask) === (network[full] & mask);
}

/**
 * Whether `address` lies inside `cidr`. An IPv4 CIDR also matches the IPv4-mapped IPv6 form of its
 * addresses (::ffff:10.1.2.3 is inside 10.0.0.0/8). Invalid input never matches.
 */
export function cidrContains(cidr: string | Cidr, address: string): boolean {
  let range: Cidr;
  try {
    range = typeof cidr === "string" ? parseCidr(cidr) : cidr;
  } catch {
    return false;
  }
  const ip = parseIp(address);
  if (!ip) return false;
  if (ip.family === range.family) return bytesMatch(ip.bytes, range.bytes, range.prefix);
  if (range.family === 4 && ip.family === 6 && isMapped(ip.bytes)) return bytesMatch(ip.bytes.slice(12), range.bytes, range.prefix);
  return false;
}

function isMapped(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

type RangeRule = { cidr: Cidr; rule: OutboundRule; note?: string };
const range = (cidr: string, rule: OutboundRule, note?: string): RangeRule => ({ cidr: parseCidr(cidr), rule, note });

// Most specific first: the metadata addresses are named before the link-local and unique-local ranges holding them.
const V4_RULES: RangeRule[] = [
  range("169.254.169.254/32", "metadata", "169.254.169.254 is the cloud instance metadata service (AWS, GCP, Azure, OpenStack)"),
  range("100.100.100.200/32", "metadata", "100.100.100.200 is the Alibaba Cloud instance metadata service"),
  range("192.0.0.192/32", "metadata", "192.0.0.192 is the Oracle Cloud instance metadata service"),
  range("0.0.0.0/8", "unspecified"),
  range("10.0.0.0/8", "private"),
  range("100.64.0.0/10", "shared"),
  range("127.0.0.0/8", "loopback"),
  range("169.254.0.0/16", "link_local"),
  range("172.16.0.0/12", "private"),
  range("192.0.0.0/24", "reserved"),
  range("192.0.2.0/24", "reserved"),
  range("192.88.99.0/24", "reserved"),
  range("192.168.0.0/16", "private"),
  range("198.18.0.0/15", "reserved"),
  range("198.51.100.0/24", "reserved"),
  range("203.0.113.0/24", "reserved"),
  range("224.0.0.0/4", "multicast"),
  range("255.255.255.255/32", "multicast", "255.255.255.255 is the broadcast address"),
  range("240.0.0.0/4", "reserved"),
];

const V6_RULES: RangeRule[] = [
  range("fd00:ec2::254/128", "metadata", "fd00:ec2::254 is the AWS instance metadata service over IPv6"),
  range("::/128", "unspecified"),
  range("::1/128", "loopback"),
  range("::/96", "reserved", "IPv4-compatible IPv6 addresses (::/96) are deprecated and refused"),
  range("64:ff9b:1::/48", "reserved"),
  range("100::/64", "reserved"),
  range("2001::/23", "reserved"),
  range("2001:db8::/32", "reserved"),
  range("fc00::/7", "unique_local"),
  range("fe80::/10", "link_local"),
  range("fec0::/10", "reserved", "site-local IPv6 addresses (fec0::/10) are deprecated and refused"),
  range("ff00::/8", "multicast"),
];
const GLOBAL_UNICAST_V6 = parseCidr("2000::/3");
const NAT64 = parseCidr("64:ff9b::/96");
const SIX_TO_FOUR = parseCidr("2002::/16");

function v4Text(bytes: Uint8Array): string {
  return Array.from(bytes).join(".");
}

/**
 * Why an address is not a public destination, or null when it is public. IPv4 embedded in IPv6
 * (::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) is judged by the IPv4 address it carries.
 */
export function classifyAddress(address: string): { rule: OutboundRule; note?: string } | null {
  const ip = parseIp(address);
  if (!ip) return { rule: "invalid_host", note: `"${address}" is not an IP address` };
  if (ip.family === 4) {
    const hit = V4_RULES.find((r) => bytesMatch(ip.bytes, r.cidr.bytes, r.cidr.prefix));
    return hit ? { rule: hit.rule, note: hit.note } : null;
  }
  const embedded = isMapped(ip.bytes)
    ? { bytes: ip.bytes.slice(12), kind: "IPv4-mapped IPv6 address" }
    : bytesMatch(ip.bytes, NAT64.bytes, NAT64.prefix)
      ? { bytes: ip.bytes.slice(12), kind: "NAT64 address" }
      : bytesMatch(ip.bytes, SIX_TO_FOUR.bytes, SIX_TO_FOUR.prefix)
        ? { bytes: ip.bytes.slice(2, 6), kind: "6to4 address" }
        : null;
  if (embedded) {
    const inner = v4Text(embedded.bytes);
    const verdict = classifyAddress(inner);
    if (!verdict) return null;
    return { rule: verdict.rule, note: `${address} is an ${embedded.kind} carrying ${inner}: ${verdict.note ?? RULE_DESCRIPTIONS[verdict.rule]}` };
  }
  const hit = V6_RULES.find((r) => bytesMatch(ip.bytes, r.cidr.bytes, r.cidr.prefix));
  if (hit) return { rule: hit.rule, note: hit.note };
  if (!bytesMatch(ip.bytes, GLOBAL_UNICAST_V6.bytes, GLOBAL_UNICAST_V6.prefix)) {
    return { rule: "reserved", note: "only global unicast IPv6 (2000::/3) is allowed" };
  }
  return null;
}

function allowListed(address: string, policy: OutboundPolicy): boolean {
  return (
    policy.allowedCidrs.some((cidr) => allowListProblem(cidr) === null && cidrContains(cidr, address)) ||
    (policy.trustedCidrs ?? []).some((cidr) => cidrContains(cidr, address))
  );
}

/** True when the policy lets a connection go to `address`: a public address, or one inside an allow-listed CIDR. */
export function isAddressAllowed(address: string, policy: OutboundPolicy): boolean {
  if (!parseIp(address)) return false;
  return classifyAddress(address) === null || allowListed(address, policy);
}

/** Throws OutboundRefusedError when the policy refuses `address` (reached for `host`). */
export function assertAddressAllowed(address: string, policy: OutboundPolicy, host = address): void {
  const verdict = classifyAddress(address);
  if (!verdict || (verdict.rule !== "invalid_host" && allowListed(address, policy))) return;
  throw new OutboundRefusedError(verdict.rule, host, address, refusalMessage(verdict.rule, host, address, verdict.note));
}

// ---------------------------------------------------------------------------------------------------
// Resolution and the destination check

export type ResolvedAddress = { address: string; family: IpFamily };
/** Every A and AAAA answer for a host name. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** The system resolver (getaddrinfo), all answers in the order it gives them. */
export const systemResolver: Resolver = async (hostname) => {
  const answers = await dns.promises.lookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

export type OutboundOptions = {
  /** Resolver to use instead of the system's (tests stub it). */
  resolve?: Resolver;
};

export type CheckedDestination = ResolvedAddress & {
  /** Every address the host resolved to; all of them passed. The connection uses only these. */
  addresses: ResolvedAddress[];
  /** The host name as in the URL, without IPv6 brackets. */
  hostname: string;
};

/** The URL's host without IPv6 brackets. */
export function urlHostname(url: URL): string {
  return url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
}

/** Errors from name resolution: the host does not exist or DNS is down (not a policy refusal). */
export class ResolveError extends Error {
  override readonly name = "ResolveError";
  constructor(readonly host: string, readonly code: string) {
    super(code === "ENOTFOUND" || code === "ENODATA" ? `The host ${host} does not exist (DNS has no address for it).` : `Could not resolve ${host} (${code}).`);
  }
}

/**
 * Checks the scheme, resolves the host (all A/AAAA answers) and refuses unless every address is public
 * or allow-listed. Returns the address to connect to. A mixed answer (public and private) is refused:
 * that is what a rebinding attack looks like.
 */
export async function checkDestination(url: URL, policy: OutboundPolicy, options: OutboundOptions = {}): Promise<CheckedDestination> {
  const hostname = urlHostname(url);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && policy.allowHttp)) {
    const note = url.protocol === "http:" ? "plain http is not allowed for this organization" : `the ${url.protocol.replace(/:$/, "")} scheme is not allowed`;
    throw new OutboundRefusedError("scheme", hostname || url.protocol, null, refusalMessage("scheme", hostname || url.href, null, note));
  }
  if (!hostname) throw new OutboundRefusedError("invalid_host", url.href, null);
  let addresses: ResolvedAddress[];
  const literal = parseIp(hostname);
  if (literal) {
    addresses = [{ address: hostname, family: literal.family }];
  } else {
    try {
      addresses = await (options.resolve ?? systemResolver)(hostname);
    } catch (error) {
      throw new ResolveError(hostname, (error as { code?: string })?.code ?? "EAI_FAIL");
    }
    if (addresses.length === 0) throw new ResolveError(hostname, "ENODATA");
  }
  for (const { address } of addresses) assertAddressAllowed(address, policy, hostname);
  return { ...addresses[0], addresses, hostname };
}

// ---------------------------------------------------------------------------------------------------
// safeFetch: fetch over node:http(s) with the checked address pinned

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

/** A lookup that answers only with addresses that were already checked (rebinding cannot change them). */
function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  return ((_hostname: string, options: { all?: boolean; family?: number } | number | undefined, callback: (...args: unknown[]) => void) => {
    const opts = typeof options === "object" && options !== null ? options : { family: typeof options === "number" ? options : 0 };
    const wanted = opts.family === 4 || opts.family === 6 ? addresses.filter((a) => a.family === opts.family) : addresses;
    const list = wanted.length > 0 ? wanted : addresses;
    if (opts.all) callback(null, list.map((a) => ({ address: a.address, family: a.family })));
    else callback(null, list[0].address, list[0].family);
  }) as unknown as LookupFunction;
}

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
      if (redirectMode === "error") throw new TypeError(`${url.host} answered with a redirect, and redirects are not allowed for this request.`);
      if (hop >= maxRedirects) throw new RedirectLimitError(url.host, maxRedirects);
      const next = new URL(location, url);
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
        if (method !== "HEAD") method = "GET";
        body = null;
        for (const name of ["content-type", "content-length", "content-encoding", "content-language", "content-location"]) headers.delete(name);
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
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) responseHeaders.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
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
            stream = stream.pipeThrough(new DecompressionStream(encoding === "deflate" ? "deflate" : "gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>);
          }
        } else {
          res.resume();
          res.on("end", () => signal?.removeEventListener("abort", onAbort));
        }
        settled = true;
        resolve(new Response(stream, { status: status < 200 || status > 599 ? 502 : status, statusText: res.statusMessage ?? "", headers: responseHeaders }));
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

// ---------------------------------------------------------------------------------------------------
// Agents for SDK clients (AWS NodeHttpHandler, Azure pipeline, google-auth-library)

export type NodeAgentOptions = OutboundOptions & {
  keepAlive?: boolean;
  /** Extra trusted CA certificates (PEM) for the https agent. */
  ca?: string | string[];
};

/** A lookup that resolves, refuses disallowed answers with OutboundRefusedError, and connects to what it checked. */
export function checkedLookup(policy: OutboundPolicy, options: OutboundOptions = {}): LookupFunction {
  const resolve = options.resolve ?? systemResolver;
  return ((hostname: string, lookupOptions: { all?: boolean; family?: number } | number | undefined, callback: (...args: unknown[]) => void) => {
    resolve(hostname)
      .then((addresses) => {
        if (addresses.length === 0) throw new ResolveError(hostname, "ENODATA");
        for (const { address } of addresses) assertAddressAllowed(address, policy, hostname);
        pinnedLookup(addresses)(hostname, lookupOptions as never, callback as never);
      })
      .catch((error: unknown) => {
        const failure =
          error instanceof OutboundRefusedError || error instanceof ResolveError
            ? error
            : new ResolveError(hostname, (error as { code?: string })?.code ?? "EAI_FAIL");
        callback(failure);
      });
  }) as unknown as LookupFunction;
}

type ConnectionOptions = { host?: string | null; hostname?: string | null };
type ConnectionCallback = (error: Error | null, stream: Duplex) => void;

function literalRefusal(options: ConnectionOptions, policy: OutboundPolicy): OutboundRefusedError | null {
  // Node skips `lookup` for literal IPs, so they are judged here.
  const host = (options.hostname ?? options.host ?? "").replace(/^\[|\]$/g, "");
  if (!parseIp(host)) return null;
  try {
    assertAddressAllowed(host, policy, host);
    return null;
  } catch (error) {
    return error as OutboundRefusedError;
  }
}

/**
 * http and https Agents for SDK clients whose connections must obey the policy: names are resolved and
 * judged by the agent's `lookup` (and connected to the judged address), literal IPs are judged before
 * connecting, and the http agent refuses everything unless the policy allows plain http.
 */
export function nodeAgents(policy: OutboundPolicy, options: NodeAgentOptions = {}): { httpAgent: http.Agent; httpsAgent: https.Agent } {
  const lookup = checkedLookup(policy, options);
  const keepAlive = options.keepAlive ?? true;

  // Returning undefined after calling back with an error is the Agent contract for "no socket".
  class CheckedHttpAgent extends http.Agent {
    override createConnection(connection: http.ClientRequestArgs, callback?: ConnectionCallback): Duplex | null | undefined {
      const host = connection.hostname ?? connection.host ?? "";
      const refusal = policy.allowHttp
        ? literalRefusal(connection, policy)
        : new OutboundRefusedError("scheme", host, null, refusalMessage("scheme", host, null, "plain http is not allowed for this organization"));
      if (refusal) {
        callback?.(refusal, undefined as never);
        return undefined;
      }
      return super.createConnection(connection, callback);
    }
  }
  class CheckedHttpsAgent extends https.Agent {
    override createConnection(connection: https.RequestOptions, callback?: ConnectionCallback): Duplex | null | undefined {
      const refusal = literalRefusal(connection, policy);
      if (refusal) {
        callback?.(refusal, undefined as never);
        return undefined;
      }
      return super.createConnection(connection, callback);
    }
  }
  return {
    httpAgent: new CheckedHttpAgent({ keepAlive, lookup } as http.AgentOptions),
    httpsAgent: new CheckedHttpsAgent({ keepAlive, lookup, ...(options.ca ? { ca: options.ca } : {}) } as https.AgentOptions),
  };
}
