// Agents for SDK clients (AWS NodeHttpHandler, Azure pipeline, google-auth-library): http(s) agents
// whose lookup checks every address against the policy and refuses literal private addresses.
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import type { Duplex } from "node:stream";
import {
  assertAddressAllowed,
  OutboundRefusedError,
  pinnedLookup,
  refusalMessage,
  ResolveError,
  systemResolver,
  type OutboundOptions,
  type OutboundPolicy,
} from "./destination.ts";
import { parseIp } from "./ip.ts";

export type NodeAgentOptions = OutboundOptions & {
  keepAlive?: boolean;
  /** Extra trusted CA certificates (PEM) for the https agent. */
  ca?: string | string[];
};

/** A lookup that resolves, refuses disallowed answers with OutboundRefusedError, and connects to what it checked. */
export function checkedLookup(policy: OutboundPolicy, options: OutboundOptions = {}): LookupFunction {
  const resolve = options.resolve ?? systemResolver;
  return ((
    hostname: string,
    lookupOptions: { all?: boolean; family?: number } | number | undefined,
    callback: (...args: unknown[]) => void,
  ) => {
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
        : new OutboundRefusedError(
            "scheme",
            host,
            null,
            refusalMessage("scheme", host, null, "plain http is not allowed for this organization"),
          );
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
