// Addresses and networks: parsing IPv4/IPv6 and CIDRs, which ranges are never public (and why),
// and which networks an organization may never allow-list. Pure functions, no I/O.

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

export const RULE_DESCRIPTIONS: Record<OutboundRule, string> = {
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

export type IpFamily = 4 | 6;
type ParsedIp = { family: IpFamily; bytes: Uint8Array };

function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const bytes = new Uint8Array(4);
  for (const [i, part] of parts.entries()) {
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
  // split always gives at least one part; the second is there exactly when "::" was.
  const [before = "", after] = halves;
  const head = parse(before);
  const rest = after === undefined ? [] : parse(after);
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
  // split always gives at least one part; the default is never used.
  const [addressText = "", prefixText, extra] = cidr.trim().split("/");
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
  "0.0.0.0/8",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "100.100.100.200/32",
  "192.0.0.192/32",
  "::/96",
  "::1/128",
  "fe80::/10",
  "fd00:ec2::/32",
  "::ffff:0.0.0.0/104",
  "::ffff:127.0.0.0/104",
  "::ffff:169.254.0.0/112",
  "64:ff9b::/104",
  "64:ff9b::7f00:0/104",
  "64:ff9b::a9fe:0/112",
  "2002::/24",
  "2002:7f00::/24",
  "2002:a9fe::/32",
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
  const entries = (value ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
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
  // A byte past the end counts as 0, as `undefined & mask` did (same-family addresses never get there).
  return ((bytes[full] ?? 0) & mask) === ((network[full] ?? 0) & mask);
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
    return {
      rule: verdict.rule,
      note: `${address} is an ${embedded.kind} carrying ${inner}: ${verdict.note ?? RULE_DESCRIPTIONS[verdict.rule]}`,
    };
  }
  const hit = V6_RULES.find((r) => bytesMatch(ip.bytes, r.cidr.bytes, r.cidr.prefix));
  if (hit) return { rule: hit.rule, note: hit.note };
  if (!bytesMatch(ip.bytes, GLOBAL_UNICAST_V6.bytes, GLOBAL_UNICAST_V6.prefix)) {
    return { rule: "reserved", note: "only global unicast IPv6 (2000::/3) is allowed" };
  }
  return null;
}
