// Starting one Azure call: the cloud (resolved from the API endpoint), the outbound policy's agents, a
// credential — the client secret, or with no secret the federated ClientAssertionCredential whose
// assertion is Cloudkeep's own OIDC token for api://AzureADTokenExchange — behind an in-memory token
// cache, and the Resource Manager clients that share them. Every attempt has a timeout, and the SDK
// pipelines retry 429/5xx with backoff, honouring Retry-After up to a cap.
import {
  ClientAssertionCredential,
  ClientSecretCredential,
  type AccessToken,
  type TokenCredential,
  type TokenCredentialOptions,
} from "@azure/identity";
import { ComputeManagementClient } from "@azure/arm-compute";
import { createDefaultHttpClient, createPipelineRequest } from "@azure/core-rest-pipeline";
import { SubscriptionClient } from "@azure/arm-resources-subscriptions";
import { nodeAgents } from "../net/outbound.ts";
import { UpstreamError } from "../net/http.ts";
import { TokenCache } from "../net/token-cache.ts";
import { AZURE_FEDERATION_AUDIENCE, type FederationValues } from "../federation/issuer.ts";
import { isAzureFederated, type AzureCredentials } from "../schemas/providers.ts";
import { resolveAzureCloud, type AzureCloud } from "./azure-cloud.ts";
import { federationUnavailable } from "./azure-errors.ts";
import type { AdapterContext } from "./types.ts";

export const DEFAULT_TIMEOUT_MS = 10_000;
/** The longest Retry-After we wait for; a longer one fails at once as rate_limited. */
const MAX_RETRY_AFTER_MS = 30_000;

export type AzureAdapterOptions = {
  /** Extra trusted CA certificates (PEM) for every call: test fakes, a TLS-intercepting proxy. */
  ca?: string | string[];
  /** Retries after the first attempt on 429/5xx/network errors; default 3. */
  retries?: number;
  /** First backoff step in ms (exponential with jitter, capped at 5 s); default 500. */
  backoffBaseMs?: number;
};

type PipelinePolicy = NonNullable<TokenCredentialOptions["additionalPolicies"]>[number]["policy"];

export type SdkError = Error & {
  code?: string;
  statusCode?: number;
  errorResponse?: { error?: string; errorDescription?: string };
  cause?: unknown;
};

/**
 * What one adapter call saw on the wire, for mapping errors the SDKs wrap beyond recognition (MSAL
 * turns a refused OpenID-configuration request or a TLS failure into a bare "endpoints_resolution_error").
 */
type CallState = {
  timedOut: boolean;
  retryAfterMs: number | null;
  timeoutMs: number;
  /** The last failed exchange: an error status with its body, or a connection error. */
  lastFailure: { host: string; status?: number; body?: string; error?: SdkError } | null;
  /** Cloudkeep could not issue its own token (federated credentials): nothing reached Entra. */
  assertionFailed: boolean;
};

export class AttemptTimeoutError extends Error {
  override readonly name = "TimeoutError";
}

/** Per attempt: a timeout covering the whole exchange, and a cap on how long Retry-After may make us wait. */
function callPolicy(state: CallState, signal: AbortSignal | undefined): PipelinePolicy {
  return {
    name: "cloudkeepAttempt",
    async sendRequest(request, next) {
      const timer = new AbortController();
      const timeout = setTimeout(() => timer.abort(), state.timeoutMs);
      const original = request.abortSignal;
      // The SDK passes the caller's AbortSignal through; anything else is not combinable and the context signal covers it.
      const outer = [original, signal].filter((s): s is AbortSignal => s instanceof AbortSignal);
      request.abortSignal = AbortSignal.any([timer.signal, ...outer]);
      const host = hostOf(request.url);
      try {
        const response = await next(request);
        if (response.status >= 400) state.lastFailure = { host, status: response.status, body: response.bodyAsText?.slice(0, 4096) ?? "" };
        if (response.status === 429 || response.status === 503) {
          const header = response.headers.get("retry-after-ms") ?? response.headers.get("x-ms-retry-after-ms");
          const seconds = response.headers.get("retry-after");
          const waitMs =
            header !== undefined && /^\d+$/.test(header) ? Number(header) : seconds !== undefined ? parseRetryAfter(seconds) : null;
          if (waitMs !== null) {
            state.retryAfterMs = waitMs;
            if (waitMs > MAX_RETRY_AFTER_MS) {
              // The SDK would sleep as long as asked; fail now instead and say how long to wait.
              for (const name of ["retry-after", "retry-after-ms", "x-ms-retry-after-ms"]) response.headers.delete(name);
            }
          }
        }
        return response;
      } catch (error) {
        if (timer.signal.aborted && !original?.aborted && !signal?.aborted) {
          state.timedOut = true;
          throw new AttemptTimeoutError(`No answer within ${state.timeoutMs} ms.`);
        }
        state.lastFailure = { host, error: error as SdkError };
        throw error;
      } finally {
        clearTimeout(timeout);
        request.abortSignal = original;
      }
    },
  };
}

/** A request a Resource Manager client was about to send to another origin (a nextLink elsewhere). */
export class ForeignLinkError extends Error {
  override readonly name = "ForeignLinkError";
  constructor(readonly host: string) {
    super(`Resource Manager handed out a link to ${host}.`);
  }
}

/**
 * Resource Manager clients send their bearer token only to the cloud's ARM origin. The SDK's pagers follow
 * whatever nextLink an answer names; this refuses any other origin before the token is attached.
 */
function armOnlyPolicy(armOrigin: string): PipelinePolicy {
  return {
    name: "cloudkeepArmOnly",
    sendRequest(request, next) {
      let origin: string | null = null;
      try {
        origin = new URL(request.url).origin;
      } catch {
        origin = null;
      }
      if (origin !== armOrigin) throw new ForeignLinkError(hostOf(request.url));
      return next(request);
    },
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "Azure";
  }
}

function parseRetryAfter(value: string): number | null {
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

// ---------------------------------------------------------------------------------------------------
// Tokens: one in-memory cache for every call, keyed by a hash of the whole credential and the cloud

const tokens = new TokenCache<AccessToken>();

/** Forgets every cached Resource Manager token (tests; a process whose issuer changed). */
export function clearAzureTokens() {
  tokens.clear();
}

/**
 * What makes a token this credential's: the secret, or — federated, no secret — the subject and issuer
 * Entra trusted (another provider on the same app is another subject, and must not share its token).
 */
function tokenIdentity(credentials: AzureCredentials, federation: FederationValues | null): unknown[] {
  if (isAzureFederated(credentials)) return ["federated", federation?.issuer ?? null, federation?.subject ?? null];
  return ["client_secret", credentials.client_secret];
}

function cachedCredential(
  inner: TokenCredential,
  credentials: AzureCredentials,
  cloud: AzureCloud,
  federation: FederationValues | null,
): TokenCredential {
  return {
    getToken(scopes, options) {
      const scopeList = Array.isArray(scopes) ? scopes : [scopes];
      const identity = [
        "azure",
        cloud.authorityHost,
        credentials.tenant_id,
        credentials.client_id,
        ...tokenIdentity(credentials, federation),
        scopeList,
      ];
      return tokens.get(identity, async () => {
        const token = await inner.getToken(scopes, options);
        if (!token) throw new Error("Azure AD returned no token.");
        return { value: token, expiresAt: token.expiresOnTimestamp };
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// One call: the cloud, agents, a credential and clients that share them

export type Call = {
  credentials: AzureCredentials;
  /** The issuer and subject Entra must trust (federated credentials), for precise failures. */
  federation: FederationValues | null;
  cloud: AzureCloud;
  state: CallState;
  secrets: string[];
  credential: TokenCredential;
  subscriptions: () => SubscriptionClient;
  compute: () => ComputeManagementClient;
  close: () => void;
};

export async function startCall(credentials: AzureCredentials, context: AdapterContext, options: AzureAdapterOptions): Promise<Call> {
  const supplier = context.federation;
  const federated = isAzureFederated(credentials);
  // Before anything goes on the wire: the subject names a saved provider, so unsaved credentials cannot federate.
  if (federated && !supplier) throw new UpstreamError(federationUnavailable());
  const federation =
    federated && supplier ? { issuer: supplier.issuer, subject: supplier.subject, audience: AZURE_FEDERATION_AUDIENCE } : null;
  const state: CallState = {
    timedOut: false,
    retryAfterMs: null,
    timeoutMs: context.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    lastFailure: null,
    assertionFailed: false,
  };
  const cloud = await resolveAzureCloud(context.apiEndpoint, {
    policy: context.outbound,
    timeoutMs: state.timeoutMs,
    ca: options.ca,
    signal: context.signal,
  });
  const { httpAgent, httpsAgent } = nodeAgents(context.outbound, { ca: options.ca });
  const pipeline = {
    agent: httpsAgent,
    retryOptions: { maxRetries: options.retries ?? 3, retryDelayInMs: options.backoffBaseMs ?? 500, maxRetryDelayInMs: 5_000 },
    additionalPolicies: [{ policy: callPolicy(state, context.signal), position: "perRetry" as const }],
    userAgentOptions: { userAgentPrefix: "cloudkeep" },
  };
  const identityOptions = {
    ...pipeline,
    authorityHost: cloud.authorityHost,
    // Instance discovery asks login.microsoftonline.com about the authority: wrong for other clouds and fakes.
    disableInstanceDiscovery: true,
    // Tokens only for the tenant the user named; never persisted (the in-memory cache above is all).
    additionallyAllowedTenants: [],
  };
  const secrets: string[] = federated ? [] : [credentials.client_secret, encodeURIComponent(credentials.client_secret)];
  let inner: TokenCredential;
  if (federated && supplier) {
    // A fresh Cloudkeep token per Entra request (each lives five minutes); remembered only to scrub it from messages.
    const assertion = async () => {
      try {
        const token = await supplier.token(AZURE_FEDERATION_AUDIENCE);
        secrets.push(token);
        return token;
      } catch (error) {
        state.assertionFailed = true;
        throw error;
      }
    };
    inner = new ClientAssertionCredential(credentials.tenant_id, credentials.client_id, assertion, identityOptions);
  } else {
    inner = new ClientSecretCredential(
      credentials.tenant_id,
      credentials.client_id,
      (credentials as { client_secret: string }).client_secret,
      identityOptions,
    );
  }
  const credential = cachedCredential(inner, credentials, cloud, federation);
  // Resource Manager clients: the same pipeline, plus the rule that their requests stay on ARM's origin.
  const arm = {
    ...pipeline,
    additionalPolicies: [
      ...pipeline.additionalPolicies,
      { policy: armOnlyPolicy(new URL(cloud.armEndpoint).origin), position: "perCall" as const },
    ],
  };
  let subscriptionClient: SubscriptionClient | undefined;
  let computeClient: ComputeManagementClient | undefined;
  return {
    credentials,
    federation,
    cloud,
    state,
    secrets,
    credential,
    subscriptions: () =>
      (subscriptionClient ??= new SubscriptionClient(credential, {
        ...arm,
        endpoint: cloud.armEndpoint,
        credentialScopes: [cloud.scope],
      })),
    compute: () =>
      (computeClient ??= new ComputeManagementClient(credential, credentials.subscription_id, {
        ...arm,
        endpoint: cloud.armEndpoint,
        credentials: { scopes: [cloud.scope] },
      })),
    close: () => {
      httpsAgent.destroy();
      httpAgent.destroy();
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Plain ARM list operations through the compute client's pipeline (its credential, retries, agents and
// call policy): the types Cloudkeep lists beyond VMs (Microsoft.Network, ContainerService, Sql,
// DBforPostgreSQL, Storage) without an SDK each.

/** A list operation that failed: ARM's error code (never its message, which may quote the request) and the HTTP status. */
export class ArmListError extends Error {
  override readonly name = "ArmListError";
  constructor(
    readonly detail: string,
    readonly status: number | null,
  ) {
    super(detail);
  }
}

/** Every item of an ARM list at `path` (a resource path, no query), page after page. */
export type ArmLister = (path: string, apiVersion: string) => Promise<unknown[]>;

type ArmListBody = { value?: unknown; nextLink?: unknown; error?: { code?: unknown } };

/** Every item of an ARM list, following nextLink only within Resource Manager's own origin (the bearer token goes along). */
export async function armList(
  client: Pick<ComputeManagementClient, "pipeline">,
  cloud: AzureCloud,
  path: string,
  apiVersion: string,
  signal?: AbortSignal,
): Promise<unknown[]> {
  const origin = new URL(cloud.armEndpoint).origin;
  const http = createDefaultHttpClient();
  const items: unknown[] = [];
  let next: string | undefined = `${origin}${path}?api-version=${encodeURIComponent(apiVersion)}`;
  for (let page = 0; next; page++) {
    if (page >= 1000) throw new ArmListError("a nextLink chain that did not end after 1000 pages", null);
    const response = await client.pipeline.sendRequest(http, createPipelineRequest({ url: next, method: "GET", abortSignal: signal }));
    let body: ArmListBody;
    try {
      body = JSON.parse(response.bodyAsText ?? "") as ArmListBody;
    } catch {
      throw new ArmListError(`an unreadable answer (HTTP ${response.status})`, response.status < 400 ? null : response.status);
    }
    if (response.status >= 400) {
      const code =
        typeof body?.error?.code === "string" && /^[A-Za-z]{1,64}$/.test(body.error.code) ? body.error.code : `HTTP ${response.status}`;
      throw new ArmListError(code, response.status);
    }
    if (!body || typeof body !== "object" || !Array.isArray(body.value)) throw new ArmListError("an answer without a value list", null);
    items.push(...body.value);
    next = typeof body.nextLink === "string" && body.nextLink.startsWith(`${origin}/`) ? body.nextLink : undefined;
  }
  return items;
}

/** An ArmLister for one call that asks each list once, however many types read it (public IPs: VMs and load balancers). */
export function armLister(client: ComputeManagementClient, cloud: AzureCloud, signal?: AbortSignal): ArmLister {
  const answers = new Map<string, Promise<unknown[]>>();
  return (path, apiVersion) => {
    const key = `${path}?${apiVersion}`;
    let answer = answers.get(key);
    if (!answer) answers.set(key, (answer = armList(client, cloud, path, apiVersion, signal)));
    return answer;
  };
}
