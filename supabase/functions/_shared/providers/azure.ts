// Microsoft Azure: a service principal proves itself by getting a Resource Manager token from Entra ID —
// with its client secret, or with no secret at all (federated: Cloudkeep's own OIDC token for this
// provider is the client assertion) — and reading its subscription, which must be usable (Enabled;
// Warned and PastDue pass with a warning); resources are the subscription's virtual machines, and the
// instances of its Uniform scale sets, with their power state and (for VMs) IP addresses; and, each its
// own listing, managed disks, AKS clusters, SQL databases and PostgreSQL servers, storage accounts and
// load balancers (azure-resources.ts). Official SDKs: @azure/identity, @azure/arm-resources-subscriptions,
// @azure/arm-compute 24.x; the other types are plain ARM lists through the compute client's pipeline.
//
// Starting a call (cloud, agents, credential, token cache, clients) is azure-call.ts; the VMs' addresses
// are azure-network.ts; the failures' wording is azure-errors.ts. This file maps what went wrong and
// turns Azure's answers into resources.
import type { ComputeManagementClient, VirtualMachine, VirtualMachineScaleSetVM } from "@azure/arm-compute";
import { settleEach } from "../concurrency.ts";
import { OutboundRefusedError, RedirectLimitError, ResolveError } from "../net/outbound.ts";
import { toProviderFailure, UpstreamError, providerFailure } from "../net/http.ts";
import { isAzureFederated, type AzureCredentials } from "../schemas/providers.ts";
import { AzureCloudDiscoveryError, azurePortalUrl, type AzureCloud } from "./azure-cloud.ts";
import {
  armLister,
  ArmListError,
  AttemptTimeoutError,
  DEFAULT_TIMEOUT_MS,
  ForeignLinkError,
  startCall,
  type ArmLister,
  type AzureAdapterOptions,
  type Call,
  type SdkError,
} from "./azure-call.ts";
import {
  aadFailure,
  aadstsCode,
  authenticationFailed,
  federationFailure,
  federationIssueFailed,
  permissionDenied,
  scrub,
  subscriptionFailure,
} from "./azure-errors.ts";
import { vmAddresses, type VmAddresses } from "./azure-network.ts";
import { AZURE_READ_ACTIONS, AZURE_TYPE_LISTINGS, type AzureExtraType } from "./azure-resources.ts";
import type { HealthResult, ListResult, NormalizedResource, ProviderAdapter, ProviderFailure, ResourceStatus } from "./types.ts";

export { NO_ENABLED_SUBSCRIPTION } from "./azure-errors.ts";
export { azurePortalUrl, resolveAzureCloud, type AzureCloud } from "./azure-cloud.ts";
export { clearAzureTokens, type AzureAdapterOptions } from "./azure-call.ts";
export type { VmAddresses } from "./azure-network.ts";

// ---------------------------------------------------------------------------------------------------
// Errors

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
  return ["AuthenticationError", "AuthenticationRequiredError", "CredentialUnavailableError", "AggregateAuthenticationError"].includes(
    error.name,
  );
}

const CONNECT_CODES = [
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_FAIL",
  "ENODATA",
];

/** Connection-level failures: refused by the outbound policy, DNS, TLS, a dead host. */
function networkFailure(chain: SdkError[], where: string): ProviderFailure | null {
  for (const e of chain) {
    if (e instanceof OutboundRefusedError || e instanceof RedirectLimitError || e instanceof ResolveError) return toProviderFailure(e);
    const code = e.code ?? "";
    // The SDK's HTTP client rethrows a socket error as a RestError that keeps its code and message.
    if (code === "refused_endpoint") {
      return {
        code,
        message: e.message,
        hint: toProviderFailure(new OutboundRefusedError("private", where, null)).hint,
        status: 422,
        retryable: false,
      };
    }
    // Entra's own answers talk about certificates too (AADSTS7000272, AADSTS700024's link): those are not TLS failures.
    if (/CERT|SSL|TLS/.test(code) || (/certificate|self[- ]signed/i.test(e.message ?? "") && !/AADSTS\d+/.test(e.message ?? ""))) {
      return providerFailure(
        "unreachable",
        `${where}: the TLS certificate was not accepted${code ? ` (${code})` : ""}.`,
        "The endpoint's certificate is not trusted or does not match its host name. Use a certificate from a public CA, or the exact host name it was issued for.",
        502,
      );
    }
    if (CONNECT_CODES.includes(code)) {
      return toProviderFailure(
        new UpstreamError({ code: "unreachable", message: `${where}: could not connect (${code}).`, retryable: code !== "ENOTFOUND" }),
      );
    }
  }
  return null;
}

const MALFORMED_HINT = "Check that the API endpoint points at Azure Resource Manager, not a web page or proxy.";

function rateLimited(where: string, waitMs: number | null | undefined): ProviderFailure {
  return providerFailure(
    "rate_limited",
    `${where} is rate-limiting this service principal (429)${typeof waitMs === "number" ? `; it asks to wait ${Math.ceil(waitMs / 1000)} s` : ""}.`,
    "Wait a little and try again.",
    429,
    true,
  );
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
export function describeFailure(
  error: unknown,
  call: Call | null,
  credentials: AzureCredentials,
  stage: "token" | "subscription" | "list",
): ProviderFailure {
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
    return providerFailure(
      "foreign_next_link",
      `${armHost} answered with a next-page link to ${scrub(foreign.host, secrets)}; Cloudkeep sends the access token only to ${armHost}.`,
      "Check that the API endpoint is the cloud's Resource Manager endpoint itself, not a proxy that rewrites its answers.",
      502,
    );
  }
  const wire = call?.state.lastFailure ?? null;
  if (call?.state.timedOut || chain.some((e) => e instanceof AttemptTimeoutError)) {
    const host = wire?.host ?? (stage === "token" ? loginHost : armHost);
    return providerFailure(
      "timeout",
      `${host} did not answer within ${call?.state.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms.`,
      "Azure did not answer in time. Try again; if it keeps happening, check the endpoint and Azure's status page.",
      504,
      true,
    );
  }

  // Resource Manager answered with an error status (a RestError carrying statusCode and ARM's error code).
  const rest = chain.find((e) => e.name === "RestError" && typeof e.statusCode === "number");
  if (rest && !chain.some(isIdentityError)) {
    const status = rest.statusCode as number;
    const armCode = typeof rest.code === "string" ? rest.code : null;
    if (armCode === "PARSE_ERROR" || (status < 400 && chain.some((e) => e instanceof SyntaxError || e instanceof TypeError))) {
      return providerFailure(
        "malformed_response",
        `${armHost} answered with a body that is not Azure Resource Manager JSON.`,
        MALFORMED_HINT,
        502,
      );
    }
    if (status === 429) return rateLimited(armHost, call?.state.retryAfterMs);
    if (status === 401) {
      return providerFailure(
        "unauthorized",
        `${armHost} refused the access token (${armCode ?? "401"}).`,
        "The token was issued for another audience or tenant. Check the tenant ID, and that the API endpoint is the subscription's cloud.",
        401,
      );
    }
    if (status === 403)
      return stage === "subscription"
        ? subscriptionFailure({ kind: "forbidden" }, credentials)
        : permissionDenied(credentials, "list virtual machines");
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
    const known =
      (call?.federation ? federationFailure(aadstsCode(texts), credentials, call.federation) : null) ??
      aadFailure(aadstsCode(texts), credentials);
    if (known) return known;
    if (wire?.status && wire.status >= 500) {
      return providerFailure(
        "upstream_error",
        `${wire.host} answered ${wire.status} to the token request.`,
        "Entra ID answered with an error. Try again later.",
        502,
        true,
      );
    }
    const aad = chain.find((e) => e.errorResponse?.error)?.errorResponse?.error ?? aadErrorName(wire?.body);
    // No failed exchange on the wire, yet MSAL saw a "network" or discovery error: the answers were 2xx but unreadable.
    const unreadable = !wire && /network_error|endpoints_resolution_error|invalid_authority/i.test(texts);
    if (!aad && (unreadable || chain.some((e) => e instanceof SyntaxError) || /json|parse|unexpected token/i.test(texts))) {
      return providerFailure(
        "malformed_response",
        `${wire?.host ?? loginHost} did not answer the sign-in requests the way Entra ID does.`,
        MALFORMED_HINT,
        502,
      );
    }
    return authenticationFailed(credentials, aad ? scrub(aad, secrets) : null);
  }
  if (chain.some((e) => e instanceof SyntaxError || e instanceof TypeError)) {
    return providerFailure(
      "malformed_response",
      `${armHost} answered with a body that is not Azure Resource Manager JSON.`,
      MALFORMED_HINT,
      502,
    );
  }
  const fallback = toProviderFailure(error);
  return { ...fallback, message: scrub(fallback.message, secrets) };
}

class StageError extends Error {
  constructor(
    readonly stage: "token" | "subscription" | "list",
    override readonly cause: unknown,
  ) {
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
  return error instanceof StageError
    ? describeFailure(error.cause, call, credentials, error.stage)
    : describeFailure(error, call, credentials, "subscription");
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
// Subscription states (Microsoft.Resources subscriptions: Enabled, Warned, PastDue, Disabled, Deleted)

/**
 * The states in which a subscription still serves requests, with the warning to show (empty: none).
 * Warned and PastDue keep working until Azure disables them; Disabled and Deleted (and anything else) fail.
 */
export const USABLE_STATES: Record<string, string> = {
  Enabled: "",
  Warned:
    "The subscription is Warned: Azure will disable it unless its billing or spending limit is sorted out. Resources keep running until then.",
  PastDue:
    "The subscription is PastDue: a payment is overdue, and Azure will disable it unless it is paid. Resources keep running until then.",
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
    for await (const vm of compute.virtualMachineScaleSetVMs.list(set.resourceGroup, set.name, {
      expand: "instanceView",
      abortSignal: signal,
    }))
      instances.push(vm);
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
      const types = AZURE_TYPES.filter((type) => !context.type || context.type === type);
      if (types.length === 0) return { resources: [], partialFailures: [] };
      let call: Call | null = null;
      // Ends the listings still running when one of them fails the whole listing: none outlives the call.
      const stop = new AbortController();
      const signal = context.signal ? AbortSignal.any([context.signal, stop.signal]) : stop.signal;
      try {
        call = await startCall(credentials, context, options);
        const active = call;
        // The token first: a refused credential fails the whole listing once, not once per type.
        await stage("token", () => active.credential.getToken(active.cloud.scope, { abortSignal: signal }));
        const compute = active.compute();
        const list = armLister(compute, active.cloud, signal);
        const where = { list, cloud: active.cloud, tenantId: credentials.tenant_id, subscriptionId: credentials.subscription_id };
        // Every type side by side, each its own listing: one that fails is reported with the type as its scope.
        const settled = await settleEach(types, (type) =>
          type === "instance"
            ? stage("list", () => listMachines(active, compute, list, signal))
            : stage("list", () => AZURE_TYPE_LISTINGS[type](where)).then((found) => ({
                resources: found.resources,
                partialFailures: found.notes.map((note) => ({ scope: type, ...note })),
              })),
        );
        const regions = new Set(context.regions.map((r) => r.toLowerCase()));
        const resources: NormalizedResource[] = [];
        const partialFailures: ListResult["partialFailures"] = [];
        const failures: ProviderFailure[] = [];
        settled.forEach(([type, outcome]) => {
          if (outcome.status === "fulfilled") {
            // With regions named, only those in them.
            for (const resource of outcome.value.resources)
              if (regions.size === 0 || (resource.region && regions.has(resource.region.toLowerCase()))) resources.push(resource);
            partialFailures.push(...outcome.value.partialFailures);
            return;
          }
          const failure = typeFailure(outcome.reason, type, active, credentials);
          failures.push(failure);
          partialFailures.push({ scope: type, code: failure.code, message: failure.message });
        });
        // A failure about the credential or the endpoint, not one type, ends the listing; so does every type failing.
        const fatal = failures.find((f) => FATAL.has(f.code));
        if (fatal) throw new StageError("list", new UpstreamError(fatal));
        // types is never empty here, so neither is failures when every type failed.
        const [firstFailure] = failures;
        if (firstFailure && failures.length === types.length) throw new StageError("list", new UpstreamError(firstFailure));
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

/** The types Azure lists, VMs first. */
const AZURE_TYPES = ["instance", ...(Object.keys(AZURE_TYPE_LISTINGS) as AzureExtraType[])] as const;

/** Failures that are about the credential or the endpoint, not one type: they end the whole listing. */
const FATAL = new Set(["unauthorized", "refused_endpoint", "foreign_next_link", "aborted", "unknown_cloud"]);

/** A type's listing failed: the SDK's errors as for VMs, armList's by ARM's status and code. */
function typeFailure(error: unknown, type: string, call: Call, credentials: AzureCredentials): ProviderFailure {
  const cause = error instanceof StageError ? error.cause : error;
  if (!(cause instanceof ArmListError)) return toFailure(error, call, credentials);
  const armHost = new URL(call.cloud.armEndpoint).host;
  const action = type in AZURE_READ_ACTIONS ? AZURE_READ_ACTIONS[type as AzureExtraType] : type;
  if (cause.status === 403) {
    const denied = permissionDenied(credentials, `read ${action}`);
    return { ...denied, message: `${denied.message.replace(/\.$/, "")} (${cause.detail}). Reader on the subscription covers it.` };
  }
  if (cause.status === 401) return { ...toFailure(error, call, credentials), code: "unauthorized", status: 401 };
  if (cause.status === 429) return rateLimited(armHost, call.state.retryAfterMs);
  if (cause.status === null) {
    return providerFailure("malformed_response", `${armHost} answered the ${type} listing with ${cause.detail}.`, MALFORMED_HINT, 502);
  }
  return {
    code: cause.status >= 500 ? "upstream_error" : cause.detail,
    message: `${armHost} answered ${cause.status} ${cause.detail} to the ${type} listing.`,
    hint: "Azure answered with an error. Try again later; if it persists, check Azure's status page.",
    status: 502,
    retryable: cause.status >= 500,
  };
}

/** VMs and the instances of Uniform scale sets, with power states and addresses; what only partly failed is noted. */
async function listMachines(
  call: Call,
  compute: ComputeManagementClient,
  list: ArmLister,
  signal: AbortSignal,
): Promise<{ resources: NormalizedResource[]; partialFailures: ListResult["partialFailures"] }> {
  const credentials = call.credentials;
  // Two listings side by side: the VMs themselves, and (statusOnly) their power states, which the
  // full listing leaves out. Both follow nextLink to the end.
  const [vms, statuses, scaleSets, network] = await Promise.all([
    (async () => {
      const all: VirtualMachine[] = [];
      for await (const vm of compute.virtualMachines.listAll({ abortSignal: signal })) all.push(vm);
      return all;
    })(),
    (async () => {
      const power = new Map<string, string>();
      for await (const vm of compute.virtualMachines.listAll({ statusOnly: "true", abortSignal: signal })) {
        const state = powerState(vm as StatusCarrier);
        if (typeof vm?.id === "string" && state) power.set(vm.id.toLowerCase(), state);
      }
      return power;
    })().then(
      (power) => ({ power, error: null as ProviderFailure | null }),
      (error) => ({ power: new Map<string, string>(), error: toFailure(new StageError("list", error), call, credentials) }),
    ),
    // Scale-set instances: a failure is reported, the VMs still list.
    scaleSetInstances(compute, signal).then(
      (instances) => ({ instances, error: null as ProviderFailure | null }),
      (error) => ({ instances: [] as VirtualMachineScaleSetVM[], error: toFailure(new StageError("list", error), call, credentials) }),
    ),
    // Addresses are a bonus: without them the listing still stands, with a note.
    vmAddresses(list, credentials.subscription_id).then(
      (addresses) => ({ addresses, error: null as string | null }),
      (error) => ({
        addresses: new Map<string, VmAddresses>(),
        error: error instanceof ArmListError ? error.detail : toFailure(new StageError("list", error), call, credentials).message,
      }),
    ),
  ]);
  const machines = [
    ...vms.map((vm) => {
      const key = String(vm?.id).toLowerCase();
      return normalizeAzureVm(
        vm,
        call.cloud,
        credentials.tenant_id,
        statuses.power.get(key) ?? powerState(vm as StatusCarrier),
        network.addresses.get(key),
      );
    }),
    ...scaleSets.instances.map((instance) =>
      normalizeAzureVm(scaleSetVmAsVm(instance), call.cloud, credentials.tenant_id, powerState(instance as StatusCarrier)),
    ),
  ];
  // VMs first, then scale-set instances.
  const resources = machines.filter((resource): resource is NormalizedResource => resource !== null);
  const partialFailures = [
    ...(statuses.error
      ? [
          {
            scope: "power-state",
            code: statuses.error.code,
            message: `Power states could not be read, so statuses show as unknown: ${statuses.error.message}`,
          },
        ]
      : []),
    ...(scaleSets.error
      ? [
          {
            scope: "scale-sets",
            code: scaleSets.error.code,
            message: `Scale-set instances could not be listed: ${scaleSets.error.message}`,
          },
        ]
      : []),
    ...(network.error
      ? [
          {
            scope: "ip-addresses",
            code: "network_read_failed",
            message: `IP addresses could not be read from Microsoft.Network (${network.error}), so they show empty. The service principal needs Reader on the subscription.`,
          },
        ]
      : []),
  ];
  return { resources, partialFailures };
}

/** The adapter with default options (the cloud's public endpoints, the system's trusted CAs). */
export const azureAdapter: ProviderAdapter<"azure"> = createAzureAdapter();
