// Microsoft Azure: a service principal proves itself by getting a Resource Manager token from Entra ID —
// with its client secret, or with no secret at all (federated: Cloudkeep's own OIDC token for this
// provider, audience api://AzureADTokenExchange, is the client assertion) — and reading its subscription, which must be usable (Enabled; Warned and PastDue
// pass with a warning); resources are the subscription's virtual machines, and the instances of its
// Uniform scale sets, with their power state and (for VMs) IP addresses. Official SDKs throughout:
// @azure/identity, @azure/arm-resources-subscriptions, @azure/arm-compute 24.x; the addresses (on
// Microsoft.Network network interfaces and public IPs) are read through the compute client's own
// pipeline (same credential, retries and outbound policy) rather than a second large SDK.
//
// Every connection goes through the outbound policy's agents (nodeAgents), every attempt has a
// timeout, and the SDK pipelines retry 429/5xx with backoff, honouring Retry-After up to a cap.
import { ClientAssertionCredential, ClientSecretCredential, type AccessToken, type TokenCredential, type TokenCredentialOptions } from "@azure/identity";
import { ComputeManagementClient, type VirtualMachine, type VirtualMachineScaleSetVM } from "@azure/arm-compute";
import { createDefaultHttpClient, createPipelineRequest } from "@azure/core-rest-pipeline";
import { SubscriptionClient } from "@azure/arm-resources-subscriptions";
import { nodeAgents, OutboundRefusedError, RedirectLimitError, ResolveError } from "../net/outbound.ts";
import { toProviderFailure, UpstreamError } from "../net/http.ts";
import { TokenCache } from "../net/token-cache.ts";
import { AZURE_FEDERATION_AUDIENCE, type FederationValues } from "../federation/issuer.ts";
import { isAzureFederated, type AzureCredentials } from "../schemas/providers.ts";
import { AzureCloudDiscoveryError, azurePortalUrl, resolveAzureCloud, type AzureCloud } from "./azure-cloud.ts";
import {
  aadFailure,
  aadstsCode,
  authenticationFailed,
  federationFailure,
  federationIssueFailed,
  federationUnavailable,
  permissionDenied,
  scrub,
  subscriptionFailure,
} from "./azure-errors.ts";
import type { AdapterContext, HealthResult, ListResult, NormalizedResource, ProviderAdapter, ProviderFailure, ResourceStatus } from "./types.ts";

export { NO_ENABLED_SUBSCRIPTION } from "./azure-errors.ts";
export { azurePortalUrl, resolveAzureCloud, type AzureCloud } from "./azure-cloud.ts";

const DEFAULT_TIMEOUT_MS = 10_000;
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

class AttemptTimeoutError extends Error {
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
          const waitMs = header !== undefined && /^\d+$/.test(header) ? Number(header) : seconds !== undefined ? parseRetryAfter(seconds) : null;
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
class ForeignLinkError extends Error {
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

function cachedCredential(inner: TokenCredential, credentials: AzureCredentials, cloud: AzureCloud, federation: FederationValues | null): TokenCredential {
  return {
    getToken(scopes, options) {
      const scopeList = Array.isArray(scopes) ? scopes : [scopes];
      const identity = ["azure", cloud.authorityHost, credentials.tenant_id, credentials.client_id, ...tokenIdentity(credentials, federation), scopeList];
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

type Call = {
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

async function startCall(credentials: AzureCredentials, context: AdapterContext, options: AzureAdapterOptions): Promise<Call> {
  const supplier = context.federation;
  const federated = isAzureFederated(credentials);
  // Before anything goes on the wire: the subject names a saved provider, so unsaved credentials cannot federate.
  if (federated && !supplier) throw new UpstreamError(federationUnavailable());
  const federation = federated && supplier ? { issuer: supplier.issuer, subject: supplier.subject, audience: AZURE_FEDERATION_AUDIENCE } : null;
  const state: CallState = { timedOut: false, retryAfterMs: null, timeoutMs: context.timeoutMs ?? DEFAULT_TIMEOUT_MS, lastFailure: null, assertionFailed: false };
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
    inner = new ClientSecretCredential(credentials.tenant_id, credentials.client_id, (credentials as { client_secret: string }).client_secret, identityOptions);
  }
  const credential = cachedCredential(inner, credentials, cloud, federation);
  // Resource Manager clients: the same pipeline, plus the rule that their requests stay on ARM's origin.
  const arm = { ...pipeline, additionalPolicies: [...pipeline.additionalPolicies, { policy: armOnlyPolicy(new URL(cloud.armEndpoint).origin), position: "perCall" as const }] };
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
// Errors

type SdkError = Error & {
  code?: string;
  statusCode?: number;
  errorResponse?: { error?: string; errorDescription?: string };
  cause?: unknown;
};

function causes(error: unknown): SdkError[] {
  const chain: SdkError[] = [];
  let current = error as SdkError | undefined;
  for (let i = 0; current && typeof current === "object" && i < 6; i++) {
    chain.push(current);
    current = current.cause as SdkError | undefined;
  }
  return chain;
}

function isIdentityError(error: SdkError): boolean {
  return ["AuthenticationError", "AuthenticationRequiredError", "CredentialUnavailableError", "AggregateAuthenticationError"].includes(error.name);
}

const CONNECT_CODES = ["ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "ENODATA"];

/** Connection-level failures: refused by the outbound policy, DNS, TLS, a dead host. */
function networkFailure(chain: SdkError[], where: string): ProviderFailure | null {
  for (const e of chain) {
    if (e instanceof OutboundRefusedError || e instanceof RedirectLimitError || e instanceof ResolveError) return toProviderFailure(e);
    const code = e.code ?? "";
    // The SDK's HTTP client rethrows a socket error as a RestError that keeps its code and message.
    if (code === "refused_endpoint") {
      return { code, message: e.message, hint: toProviderFailure(new OutboundRefusedError("private", where, null)).hint, status: 422, retryable: false };
    }
    // Entra's own answers talk about certificates too (AADSTS7000272, AADSTS700024's link): those are not TLS failures.
    if (/CERT|SSL|TLS/.test(code) || (/certificate|self[- ]signed/i.test(e.message ?? "") && !/AADSTS\d+/.test(e.message ?? ""))) {
      return {
        code: "unreachable",
        message: `${where}: the TLS certificate was not accepted${code ? ` (${code})` : ""}.`,
        hint: "The endpoint's certificate is not trusted or does not match its host name. Use a certificate from a public CA, or the exact host name it was issued for.",
        status: 502,
        retryable: false,
      };
    }
    if (CONNECT_CODES.includes(code)) {
      return toProviderFailure(new UpstreamError({ code: "unreachable", message: `${where}: could not connect (${code}).`, retryable: code !== "ENOTFOUND" }));
    }
  }
  return null;
}

const MALFORMED_HINT = "Check that the API endpoint points at Azure Resource Manager, not a web page or proxy.";

function rateLimited(where: string, waitMs: number | null | undefined): ProviderFailure {
  return {
    code: "rate_limited",
    message: `${where} is rate-limiting this service principal (429)${typeof waitMs === "number" ? `; it asks to wait ${Math.ceil(waitMs / 1000)} s` : ""}.`,
    hint: "Wait a little and try again.",
    status: 429,
    retryable: true,
  };
}

/** The `error` field of an Entra ID error body, when the body is one. */
function aadErrorName(body: string | undefined): string | null {
  if (!body) return null;
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    return typeof parsed.error === "string" && /^[a-z_]{3,40}$/.test(parsed.error) ? parsed.error : null;
  } catch {
    return null;
  }
}

/** Maps whatever an SDK threw to a failure with a stable code, never quoting a secret. */
function describeFailure(error: unknown, call: Call | null, credentials: AzureCredentials, stage: "token" | "subscription" | "list"): ProviderFailure {
  const secrets = call?.secrets ?? (isAzureFederated(credentials) ? [] : [credentials.client_secret]);
  const armHost = call ? new URL(call.cloud.armEndpoint).host : "Azure Resource Manager";
  const loginHost = call ? new URL(call.cloud.authorityHost).host : "Entra ID";
  if (error instanceof UpstreamError) return { ...error.toFailure(), message: scrub(error.message, secrets) };
  if (error instanceof AzureCloudDiscoveryError) {
    return {
      code: error.reason === "timeout" ? "timeout" : "unknown_cloud",
      message: scrub(error.message, secrets),
      hint: "Leave the API endpoint empty for public Azure, or set it to an Azure Resource Manager endpoint (https://management.azure.com, Azure China, Azure US Government or an Azure Stack Hub ARM endpoint).",
      status: error.reason === "timeout" ? 504 : 422,
      retryable: error.reason === "timeout",
    };
  }
  const chain = causes(error);
  const foreign = chain.find((e): e is ForeignLinkError => e instanceof ForeignLinkError);
  if (foreign) {
    return {
      code: "foreign_next_link",
      message: `${armHost} answered with a next-page link to ${scrub(foreign.host, secrets)}; Cloudkeep sends the access token only to ${armHost}.`,
      hint: "Check that the API endpoint is the cloud's Resource Manager endpoint itself, not a proxy that rewrites its answers.",
      status: 502,
      retryable: false,
    };
  }
  const wire = call?.state.lastFailure ?? null;
  if (call?.state.timedOut || chain.some((e) => e instanceof AttemptTimeoutError)) {
    const host = wire?.host ?? (stage === "token" ? loginHost : armHost);
    return {
      code: "timeout",
      message: `${host} did not answer within ${call?.state.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms.`,
      hint: "Azure did not answer in time. Try again; if it keeps happening, check the endpoint and Azure's status page.",
      status: 504,
      retryable: true,
    };
  }

  // Resource Manager answered with an error status (a RestError carrying statusCode and ARM's error code).
  const rest = chain.find((e) => e.name === "RestError" && typeof e.statusCode === "number");
  if (rest && !chain.some(isIdentityError)) {
    const status = rest.statusCode as number;
    const armCode = typeof rest.code === "string" ? rest.code : null;
    if (armCode === "PARSE_ERROR" || (status < 400 && chain.some((e) => e instanceof SyntaxError || e instanceof TypeError))) {
      return { code: "malformed_response", message: `${armHost} answered with a body that is not Azure Resource Manager JSON.`, hint: MALFORMED_HINT, status: 502, retryable: false };
    }
    if (status === 429) return rateLimited(armHost, call?.state.retryAfterMs);
    if (status === 401) {
      return {
        code: "unauthorized",
        message: `${armHost} refused the access token (${armCode ?? "401"}).`,
        hint: "The token was issued for another audience or tenant. Check the tenant ID, and that the API endpoint is the subscription's cloud.",
        status: 401,
        retryable: false,
      };
    }
    if (status === 403) return stage === "subscription" ? subscriptionFailure({ kind: "forbidden" }, credentials) : permissionDenied(credentials, "list virtual machines");
    if (status === 404 && stage === "subscription") return subscriptionFailure({ kind: "not_found" }, credentials);
    return {
      code: status >= 500 ? "upstream_error" : (armCode ?? "upstream_error"),
      message: scrub(`${armHost} answered ${status}${armCode ? ` ${armCode}` : ""}.`, secrets),
      hint: "Azure answered with an error. Try again later; if it persists, check Azure's status page.",
      status: 502,
      retryable: status >= 500,
    };
  }

  const network = networkFailure(chain, stage === "token" ? loginHost : armHost);
  if (network) return network;

  if (stage === "token" || chain.some(isIdentityError)) {
    // MSAL keeps little of what went wrong: read the last failed exchange the pipeline saw.
    if (wire?.error) {
      const fromWire = networkFailure(causes(wire.error), wire.host);
      if (fromWire) return fromWire;
    }
    if (call?.state.assertionFailed) return federationIssueFailed();
    const texts = [...chain.map((e) => `${e.errorResponse?.errorDescription ?? ""} ${e.message ?? ""}`), wire?.body ?? ""].join(" ");
    if (wire?.status === 429) return rateLimited(wire.host, call?.state.retryAfterMs);
    const known = (call?.federation ? federationFailure(aadstsCode(texts), credentials, call.federation) : null) ?? aadFailure(aadstsCode(texts), credentials);
    if (known) return known;
    if (wire?.status && wire.status >= 500) {
      return { code: "upstream_error", message: `${wire.host} answered ${wire.status} to the token request.`, hint: "Entra ID answered with an error. Try again later.", status: 502, retryable: true };
    }
    const aad = chain.find((e) => e.errorResponse?.error)?.errorResponse?.error ?? aadErrorName(wire?.body);
    // No failed exchange on the wire, yet MSAL saw a "network" or discovery error: the answers were 2xx but unreadable.
    const unreadable = !wire && /network_error|endpoints_resolution_error|invalid_authority/i.test(texts);
    if (!aad && (unreadable || chain.some((e) => e instanceof SyntaxError) || /json|parse|unexpected token/i.test(texts))) {
      return {
        code: "malformed_response",
        message: `${wire?.host ?? loginHost} did not answer the sign-in requests the way Entra ID does.`,
        hint: MALFORMED_HINT,
        status: 502,
        retryable: false,
      };
    }
    return authenticationFailed(credentials, aad ? scrub(aad, secrets) : null);
  }
  if (chain.some((e) => e instanceof SyntaxError || e instanceof TypeError)) {
    return { code: "malformed_response", message: `${armHost} answered with a body that is not Azure Resource Manager JSON.`, hint: MALFORMED_HINT, status: 502, retryable: false };
  }
  const fallback = toProviderFailure(error);
  return { ...fallback, message: scrub(fallback.message, secrets) };
}

class StageError extends Error {
  constructor(readonly stage: "token" | "subscription" | "list", override readonly cause: unknown) {
    super("azure call failed");
  }
}

async function stage<T>(name: StageError["stage"], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw error instanceof StageError ? error : new StageError(name, error);
  }
}

function toFailure(error: unknown, call: Call | null, credentials: AzureCredentials): ProviderFailure {
  return error instanceof StageError ? describeFailure(error.cause, call, credentials, error.stage) : describeFailure(error, call, credentials, "subscription");
}

// ---------------------------------------------------------------------------------------------------
// Normalization

const POWER_STATES: Record<string, ResourceStatus> = {
  running: "running",
  starting: "pending",
  stopping: "pending",
  deallocating: "pending",
  stopped: "stopped",
  deallocated: "stopped",
};

/** The SDK flattens ARM's `properties` onto the model. */
type StatusCarrier = { instanceView?: { statuses?: { code?: string }[] } };

/** "PowerState/running" from a VM's (or a statusOnly listing's) instance view, if present. */
export function powerState(vm: StatusCarrier | undefined): string | null {
  const statuses = vm?.instanceView?.statuses;
  if (!Array.isArray(statuses)) return null;
  return statuses.map((s) => s?.code).find((code): code is string => typeof code === "string" && code.startsWith("PowerState/")) ?? null;
}

export type VmAddresses = { public_ips: string[]; private_ips: string[] };

export function normalizeAzureVm(
  vm: VirtualMachine,
  cloud: AzureCloud,
  tenantId: string,
  power: string | null,
  addresses: VmAddresses = { public_ips: [], private_ips: [] },
): NormalizedResource | null {
  if (typeof vm?.id !== "string" || typeof vm.name !== "string") return null;
  const provisioning = typeof vm.provisioningState === "string" ? vm.provisioningState : null;
  const status: ResourceStatus = power
    ? (POWER_STATES[power.slice("PowerState/".length)] ?? "unknown")
    : provisioning === "Failed"
      ? "error"
      : "unknown";
  const created: unknown = vm.timeCreated;
  const createdMs = created instanceof Date ? created.getTime() : typeof created === "string" ? Date.parse(created) : NaN;
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(vm.tags ?? {})) if (typeof value === "string") tags[key] = value;
  return {
    id: vm.id,
    name: vm.name,
    type: "instance",
    region: typeof vm.location === "string" ? vm.location : null,
    zone: Array.isArray(vm.zones) && typeof vm.zones[0] === "string" ? vm.zones[0] : null,
    status,
    raw_status: power ?? (provisioning ? `ProvisioningState/${provisioning}` : null),
    size: typeof vm.hardwareProfile?.vmSize === "string" ? vm.hardwareProfile.vmSize : null,
    // IP addresses live on network interfaces and public IP resources (Microsoft.Network), not on the VM.
    public_ips: addresses.public_ips,
    private_ips: addresses.private_ips,
    tags,
    created_at: Number.isNaN(createdMs) ? null : new Date(createdMs).toISOString(),
    console_url: azurePortalUrl(cloud, tenantId, vm.id),
  };
}

// ---------------------------------------------------------------------------------------------------
// IP addresses: network interfaces name their VM and carry private addresses and links to public IP
// resources, which carry the public addresses. Two subscription-wide listings, joined here.

const NETWORK_API_VERSION = "2024-05-01";

type ArmList = { value?: unknown[]; nextLink?: string; error?: { code?: unknown } };
type Nic = { properties?: { virtualMachine?: { id?: unknown }; ipConfigurations?: { properties?: { privateIPAddress?: unknown; publicIPAddress?: { id?: unknown } } }[] } };
type PublicIp = { id?: unknown; properties?: { ipAddress?: unknown } };

class NetworkListError extends Error {
  constructor(readonly detail: string) {
    super(detail);
  }
}

/** Every item of an ARM list, following nextLink only within Resource Manager's own origin (the bearer token goes along). */
async function armList(client: ComputeManagementClient, cloud: AzureCloud, path: string, signal?: AbortSignal): Promise<unknown[]> {
  const origin = new URL(cloud.armEndpoint).origin;
  // The client's pipeline: its credential, retries, agents (outbound policy) and call policy.
  const http = createDefaultHttpClient();
  const items: unknown[] = [];
  let next: string | undefined = `${origin}${path}?api-version=${NETWORK_API_VERSION}`;
  for (let page = 0; next && page < 1000; page++) {
    const response = await client.pipeline.sendRequest(http, createPipelineRequest({ url: next, method: "GET", abortSignal: signal }));
    let body: ArmList;
    try {
      body = JSON.parse(response.bodyAsText ?? "") as ArmList;
    } catch {
      throw new NetworkListError(`an unreadable answer (HTTP ${response.status})`);
    }
    if (response.status >= 400) {
      // The code only: an error message may quote the request.
      const code = typeof body?.error?.code === "string" && /^[A-Za-z]{1,64}$/.test(body.error.code) ? body.error.code : `HTTP ${response.status}`;
      throw new NetworkListError(code);
    }
    if (Array.isArray(body.value)) items.push(...body.value);
    next = typeof body.nextLink === "string" && body.nextLink.startsWith(`${origin}/`) ? body.nextLink : undefined;
  }
  return items;
}

const isAddress = (value: unknown): value is string => typeof value === "string" && value.length > 0 && value.length <= 64;

/** Addresses per VM id (lower-cased), from the subscription's network interfaces and public IPs. */
async function vmAddresses(client: ComputeManagementClient, cloud: AzureCloud, subscriptionId: string, signal?: AbortSignal) {
  const base = `/subscriptions/${encodeURIComponent(subscriptionId)}/providers/Microsoft.Network`;
  const [nics, publicIps] = await Promise.all([
    armList(client, cloud, `${base}/networkInterfaces`, signal) as Promise<Nic[]>,
    armList(client, cloud, `${base}/publicIPAddresses`, signal) as Promise<PublicIp[]>,
  ]);
  const publicById = new Map<string, string>();
  for (const ip of publicIps) if (typeof ip?.id === "string" && isAddress(ip.properties?.ipAddress)) publicById.set(ip.id.toLowerCase(), ip.properties.ipAddress);
  const byVm = new Map<string, VmAddresses>();
  for (const nic of nics) {
    const vmId = nic?.properties?.virtualMachine?.id;
    if (typeof vmId !== "string") continue;
    const entry = byVm.get(vmId.toLowerCase()) ?? { public_ips: [], private_ips: [] };
    for (const config of nic.properties?.ipConfigurations ?? []) {
      const privateIp = config?.properties?.privateIPAddress;
      if (isAddress(privateIp)) entry.private_ips.push(privateIp);
      const publicId = config?.properties?.publicIPAddress?.id;
      const publicIp = typeof publicId === "string" ? publicById.get(publicId.toLowerCase()) : undefined;
      if (publicIp) entry.public_ips.push(publicIp);
    }
    byVm.set(vmId.toLowerCase(), entry);
  }
  return byVm;
}

// ---------------------------------------------------------------------------------------------------
// Subscription states (Microsoft.Resources subscriptions: Enabled, Warned, PastDue, Disabled, Deleted)

/**
 * The states in which a subscription still serves requests, with the warning to show (empty: none).
 * Warned and PastDue keep working until Azure disables them; Disabled and Deleted (and anything else) fail.
 */
const USABLE_STATES: Record<string, string> = {
  Enabled: "",
  Warned: "The subscription is Warned: Azure will disable it unless its billing or spending limit is sorted out. Resources keep running until then.",
  PastDue: "The subscription is PastDue: a payment is overdue, and Azure will disable it unless it is paid. Resources keep running until then.",
};

// ---------------------------------------------------------------------------------------------------
// Scale-set instances: Uniform scale sets keep their machines out of the VM listing (Flexible ones do not)

/** Every instance of every Uniform scale set, with its power state from the expanded instance view. */
async function scaleSetInstances(compute: ComputeManagementClient, signal?: AbortSignal): Promise<VirtualMachineScaleSetVM[]> {
  const sets: { resourceGroup: string; name: string }[] = [];
  for await (const set of compute.virtualMachineScaleSets.listAll({ abortSignal: signal })) {
    // Flexible sets' machines are ordinary VMs, already in virtualMachines.listAll.
    if (set?.orchestrationMode === "Flexible" || typeof set?.id !== "string" || typeof set.name !== "string") continue;
    const resourceGroup = /\/resourceGroups\/([^/]+)\//i.exec(set.id)?.[1];
    if (resourceGroup) sets.push({ resourceGroup, name: set.name });
  }
  const instances: VirtualMachineScaleSetVM[] = [];
  for (const set of sets) {
    for await (const vm of compute.virtualMachineScaleSetVMs.list(set.resourceGroup, set.name, { expand: "instanceView", abortSignal: signal })) instances.push(vm);
  }
  return instances;
}

/** A scale-set instance in the VM shape normalizeAzureVm reads: its size is the scale set's SKU. */
function scaleSetVmAsVm(vm: VirtualMachineScaleSetVM): VirtualMachine {
  return { ...vm, hardwareProfile: { vmSize: vm.hardwareProfile?.vmSize ?? vm.sku?.name } } as VirtualMachine;
}

// ---------------------------------------------------------------------------------------------------
// The adapter

export function createAzureAdapter(options: AzureAdapterOptions = {}): ProviderAdapter<"azure"> {
  return {
    kind: "azure",

    async checkHealth(credentials, context): Promise<HealthResult> {
      const started = performance.now();
      const checkedAt = new Date().toISOString();
      let call: Call | null = null;
      try {
        call = await startCall(credentials, context, options);
        const active = call;
        await stage("token", () => active.credential.getToken(active.cloud.scope, { abortSignal: context.signal }));
        const subscription = await stage("subscription", () =>
          active.subscriptions().subscriptions.get(credentials.subscription_id, { abortSignal: context.signal }),
        );
        if (!subscription || typeof subscription !== "object" || typeof subscription.subscriptionId !== "string") {
          throw new StageError("subscription", new SyntaxError("The subscription answer has no subscriptionId."));
        }
        const state = String(subscription.state ?? "in an unknown state");
        const warning = Object.hasOwn(USABLE_STATES, state) ? USABLE_STATES[state] : undefined;
        if (warning === undefined) {
          return {
            ok: false,
            error: subscriptionFailure({ kind: "state", state }, credentials),
            latencyMs: Math.round(performance.now() - started),
            checkedAt,
          };
        }
        return {
          ok: true,
          identity: {
            account: credentials.subscription_id,
            label: subscription.displayName ?? credentials.subscription_name ?? credentials.subscription_id,
            details: { tenant: credentials.tenant_id, subscription_state: state, ...(warning ? { warning } : {}) },
          },
          latencyMs: Math.round(performance.now() - started),
          checkedAt,
        };
      } catch (error) {
        return { ok: false, error: toFailure(error, call, credentials), latencyMs: Math.round(performance.now() - started), checkedAt };
      } finally {
        call?.close();
      }
    },

    async listResources(credentials, context): Promise<ListResult> {
      if (context.type && context.type !== "instance") return { resources: [], partialFailures: [] };
      let call: Call | null = null;
      // Ends the listings still running when one of them fails the whole listing: none outlives the call.
      const stop = new AbortController();
      const signal = context.signal ? AbortSignal.any([context.signal, stop.signal]) : stop.signal;
      try {
        call = await startCall(credentials, context, options);
        const active = call;
        const compute = active.compute();
        // Two listings side by side: the VMs themselves, and (statusOnly) their power states, which the
        // full listing leaves out. Both follow nextLink to the end.
        const [vms, statuses, scaleSets, network] = await Promise.all([
          stage("list", async () => {
            const all: VirtualMachine[] = [];
            for await (const vm of compute.virtualMachines.listAll({ abortSignal: signal })) all.push(vm);
            return all;
          }),
          stage("list", async () => {
            const power = new Map<string, string>();
            for await (const vm of compute.virtualMachines.listAll({ statusOnly: "true", abortSignal: signal })) {
              const state = powerState(vm as StatusCarrier);
              if (typeof vm?.id === "string" && state) power.set(vm.id.toLowerCase(), state);
            }
            return power;
          }).then(
            (power) => ({ power, error: null as ProviderFailure | null }),
            (error) => ({ power: new Map<string, string>(), error: toFailure(error, active, credentials) }),
          ),
          // Scale-set instances: a failure is reported, the VMs still list.
          stage("list", () => scaleSetInstances(compute, signal)).then(
            (instances) => ({ instances, error: null as ProviderFailure | null }),
            (error) => ({ instances: [] as VirtualMachineScaleSetVM[], error: toFailure(error, active, credentials) }),
          ),
          // Addresses are a bonus: without them the listing still stands, with a note.
          vmAddresses(compute, active.cloud, credentials.subscription_id, signal).then(
            (addresses) => ({ addresses, error: null as string | null }),
            (error) => ({
              addresses: new Map<string, VmAddresses>(),
              error: error instanceof NetworkListError ? error.detail : toFailure(error, active, credentials).message,
            }),
          ),
        ]);
        const regions = new Set(context.regions.map((r) => r.toLowerCase()));
        const resources: NormalizedResource[] = [];
        for (const vm of vms) {
          const key = String(vm?.id).toLowerCase();
          const resource = normalizeAzureVm(vm, active.cloud, credentials.tenant_id, statuses.power.get(key) ?? powerState(vm as StatusCarrier), network.addresses.get(key));
          if (!resource) continue;
          if (regions.size > 0 && !(resource.region && regions.has(resource.region.toLowerCase()))) continue;
          resources.push(resource);
        }
        for (const instance of scaleSets.instances) {
          const resource = normalizeAzureVm(scaleSetVmAsVm(instance), active.cloud, credentials.tenant_id, powerState(instance as StatusCarrier));
          if (!resource) continue;
          if (regions.size > 0 && !(resource.region && regions.has(resource.region.toLowerCase()))) continue;
          resources.push(resource);
        }
        const partialFailures = [
          ...(statuses.error
            ? [{ scope: "power-state", code: statuses.error.code, message: `Power states could not be read, so statuses show as unknown: ${statuses.error.message}` }]
            : []),
          ...(scaleSets.error
            ? [{ scope: "scale-sets", code: scaleSets.error.code, message: `Scale-set instances could not be listed: ${scaleSets.error.message}` }]
            : []),
          ...(network.error
            ? [{ scope: "ip-addresses", code: "network_read_failed", message: `IP addresses could not be read from Microsoft.Network (${network.error}), so they show empty. The service principal needs Reader on the subscription.` }]
            : []),
        ];
        return { resources, partialFailures };
      } catch (error) {
        const f = toFailure(error, call, credentials);
        throw new UpstreamError({ code: f.code, message: f.message, hint: f.hint, status: f.status, retryable: f.retryable });
      } finally {
        stop.abort();
        call?.close();
      }
    },
  };
}

/** The adapter with default options (the cloud's public endpoints, the system's trusted CAs). */
export const azureAdapter: ProviderAdapter<"azure"> = createAzureAdapter();
