// The destination check: an outbound policy (an organization's settings plus the operator's trusted
// networks), the refusal it raises, and the resolution of a host to addresses that all pass it.
import dns from "node:dns";
import type { LookupFunction } from "node:net";
import { allowListProblem, cidrContains, classifyAddress, parseIp, RULE_DESCRIPTIONS, type IpFamily, type OutboundRule } from "./ip.ts";

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

export function refusalMessage(rule: OutboundRule, host: string, address: string | null, note?: string): string {
  const where = address && address !== host ? `${host} (${address})` : host;
  const fix =
    rule === "scheme"
      ? "Use an https URL, or allow plain http in the organization's settings."
      : rule === "invalid_host"
        ? "Check the endpoint URL."
        : "If this endpoint is yours (on-premises OpenStack, MinIO), an admin can allow-list its CIDR in the organization's settings.";
  return `Refused to connect to ${where}: ${note ?? RULE_DESCRIPTIONS[rule]} [rule: ${rule}]. ${fix}`;
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
  constructor(
    readonly host: string,
    readonly code: string,
  ) {
    super(
      code === "ENOTFOUND" || code === "ENODATA"
        ? `The host ${host} does not exist (DNS has no address for it).`
        : `Could not resolve ${host} (${code}).`,
    );
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
    const note =
      url.protocol === "http:"
        ? "plain http is not allowed for this organization"
        : `the ${url.protocol.replace(/:$/, "")} scheme is not allowed`;
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
  }
  // A literal is one address; a resolver may answer with none.
  const [first] = addresses;
  if (!first) throw new ResolveError(hostname, "ENODATA");
  for (const { address } of addresses) assertAddressAllowed(address, policy, hostname);
  return { ...first, addresses, hostname };
}

/** A lookup that answers only with addresses that were already checked (rebinding cannot change them). */
export function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  return ((_hostname: string, options: { all?: boolean; family?: number } | number | undefined, callback: (...args: unknown[]) => void) => {
    const opts = typeof options === "object" && options !== null ? options : { family: typeof options === "number" ? options : 0 };
    const wanted = opts.family === 4 || opts.family === 6 ? addresses.filter((a) => a.family === opts.family) : addresses;
    const list = wanted.length > 0 ? wanted : addresses;
    if (opts.all)
      callback(
        null,
        list.map((a) => ({ address: a.address, family: a.family })),
      );
    else {
      // checkDestination never pins an empty list.
      const [first] = list;
      if (!first) throw new Error("pinnedLookup has no address to answer with.");
      callback(null, first.address, first.family);
    }
  }) as unknown as LookupFunction;
}
