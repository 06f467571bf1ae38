// Google Cloud: a service-account key proves itself by getting an access token at its token_uri and
// reading its project; resources are the Compute Engine instances of every zone (aggregated list), and
// beside them disks, GKE clusters, Cloud SQL instances, buckets and forwarding rules (gcp-resources.ts).
//
// Compute Engine is called over REST (fetch through the outbound policy) with google-auth-library's
// token, not through @google-cloud/compute: in Deno 2.9 importing that SDK and constructing one
// InstancesClient takes 0.67–0.97 s with a warm module cache and 1.08 s with a cold one (gRPC and
// protobuf machinery), before any request — the api function's whole 1 s cold-start budget for GCP.
// This module, google-auth-library included, imports in 0.035–0.04 s warm and 0.10 s cold.
import { safeFetch } from "../net/outbound.ts";
import { requestJson, toProviderFailure, UpstreamError, type FetchLike, type RequestOptions, providerFailure } from "../net/http.ts";
import { isGcpWorkloadIdentity, type GcpCredentials } from "../schemas/providers.ts";
import { aggregatedList, gcpServiceBases, listGcpResources } from "./gcp-resources.ts";
import { str } from "./json-fields.ts";
import { forgetGcpAccessToken, gcpAccessToken, GCP_SCOPE } from "./gcp-token.ts";
import type { AdapterContext, ListResult, NormalizedResource, ProviderAdapter, ProviderFailure, ResourceStatus } from "./types.ts";

export const GCP_COMPUTE_ENDPOINT = "https://compute.googleapis.com";
const DEFAULT_TIMEOUT_MS = 10_000;

export type GcpAdapterOptions = {
  /** Extra trusted CA certificates (PEM) for every call: test fakes, a TLS-intercepting proxy. */
  ca?: string | string[];
  /** Retries after the first attempt on 429/5xx/network errors; default 3. */
  retries?: number;
  /** First backoff step in ms (full jitter, doubling); default 200. */
  backoffBaseMs?: number;
};

type Call = { fetch: FetchLike; request: RequestOptions; base: string; credentials: GcpCredentials; secrets: string[] };

/** How every Google call of a check or listing goes out: the outbound policy, timeouts and retries, the Compute base URL. */
export function gcpTransport(context: AdapterContext, options: GcpAdapterOptions): Pick<Call, "fetch" | "request" | "base"> {
  return {
    fetch: safeFetch(context.outbound, { ca: options.ca }),
    request: {
      timeoutMs: context.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      signal: context.signal,
      retries: options.retries,
      backoffBaseMs: options.backoffBaseMs,
    },
    base: (context.apiEndpoint ?? GCP_COMPUTE_ENDPOINT).replace(/\/+$/, ""),
  };
}

function startCall(credentials: GcpCredentials, context: AdapterContext, options: GcpAdapterOptions): Call {
  const secrets = [credentials.private_key, credentials.private_key.replace(/\n/g, "\\n")];
  return { ...gcpTransport(context, options), credentials, secrets };
}

// ---------------------------------------------------------------------------------------------------
// Errors

/** A google.rpc.ErrorInfo in an error's `details`: the machine-readable cause (SERVICE_DISABLED, …). */
type ErrorInfo = { "@type"?: string; reason?: string; domain?: string; metadata?: Record<string, string> };

type GoogleErrorBody = {
  error?:
    string | { code?: number; message?: string; status?: string; errors?: { reason?: string; message?: string }[]; details?: ErrorInfo[] };
  error_description?: string;
};

type GoogleError = {
  /** The legacy `errors[].reason` values (accessNotConfigured, forbidden, …). */
  reasons: string[];
  /** ErrorInfo reasons from `details`, with the service they name when they name one. */
  infos: { reason: string; service: string | null }[];
  status: string | null;
  message: string | null;
  oauth: string | null;
  description: string | null;
};

function googleError(body: unknown): GoogleError {
  const parsed = (body && typeof body === "object" ? body : {}) as GoogleErrorBody;
  if (typeof parsed.error === "string") {
    return {
      reasons: [],
      infos: [],
      status: null,
      message: null,
      oauth: parsed.error,
      description: typeof parsed.error_description === "string" ? parsed.error_description : null,
    };
  }
  const error = parsed.error && typeof parsed.error === "object" ? parsed.error : {};
  const reasons = Array.isArray(error.errors)
    ? error.errors.map((e) => (typeof e?.reason === "string" ? e.reason : "")).filter(Boolean)
    : [];
  const infos = (Array.isArray(error.details) ? error.details : [])
    .filter((d) => typeof d?.["@type"] === "string" && d["@type"].endsWith("/google.rpc.ErrorInfo") && typeof d.reason === "string")
    .map((d) => ({ reason: d.reason!, service: typeof d.metadata?.service === "string" ? d.metadata.service : null }));
  return {
    reasons,
    infos,
    status: typeof error.status === "string" ? error.status : null,
    message: typeof error.message === "string" ? error.message : null,
    oauth: null,
    description: null,
  };
}

/** Compute Engine is disabled in the project: ErrorInfo SERVICE_DISABLED (for compute, when it names a service), or the legacy accessNotConfigured. */
function computeApiDisabled({ infos, reasons }: GoogleError): boolean {
  return (
    infos.some((info) => info.reason === "SERVICE_DISABLED" && (info.service === null || info.service === "compute.googleapis.com")) ||
    reasons.includes("accessNotConfigured")
  );
}

/** Removes anything secret a hostile or careless endpoint might echo back, and keeps messages short. */
function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 8) out = out.split(secret).join("[redacted]");
  // JWTs (our assertion) and bearer tokens never belong in a message.
  out = out.replace(/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, "[redacted]").replace(/ya29\.[A-Za-z0-9._-]+/g, "[redacted]");
  return out.length > 300 ? `${out.slice(0, 297)}…` : out;
}

/** Token endpoint failures: the key itself was refused. */
function tokenFailure(error: UpstreamError, call: Call): ProviderFailure {
  const { client_email: email, project_id: project } = call.credentials;
  const { oauth, description } = googleError(error.body);
  const detail = description ? ` (${scrub(description, call.secrets)})` : "";
  if (oauth === "invalid_grant") {
    if (
      description &&
      /token must be a short-lived token|iat|exp/i.test(description) &&
      !/signature|account not found/i.test(description)
    ) {
      return providerFailure(
        "invalid_grant",
        `Google refused the token request: the signed assertion's time is off${detail}.`,
        "The server clock is out of sync with Google's. Check the clock (NTP) and try again.",
        401,
      );
    }
    return providerFailure(
      "invalid_grant",
      `Google rejected the service account key${detail}: the key was deleted or disabled — create a new key for ${email}.`,
      `IAM & Admin → Service accounts → ${email} → Keys: check the key ${call.credentials.private_key_id} still exists and the account is enabled; otherwise add a new JSON key and rotate it here.`,
      401,
    );
  }
  if (oauth === "invalid_client" || oauth === "unauthorized_client" || oauth === "disabled_client") {
    return providerFailure(
      oauth,
      `Google refused the service account ${email}${detail}.`,
      `Check that ${email} exists in project ${project} and is enabled (IAM & Admin → Service accounts), then create a new key for it.`,
      401,
    );
  }
  if (oauth === "invalid_scope") {
    return providerFailure(
      "invalid_scope",
      `Google refused the scope ${GCP_SCOPE}${detail}.`,
      "The key's organization may restrict scopes; allow cloud-platform for this account (its roles still limit it to reading).",
      401,
    );
  }
  const base = error.toFailure();
  return {
    ...base,
    message: scrub(`Getting an access token from ${new URL(call.credentials.token_uri).host} failed: ${error.message}`, call.secrets),
  };
}

/** Compute Engine failures: the token worked, the project or the API did not. */
function computeFailure(error: UpstreamError, call: Call): ProviderFailure {
  const { client_email: email, project_id: project } = call.credentials;
  const parsed = googleError(error.body);
  const { status, message } = parsed;
  const said = message ? ` Google said: ${scrub(message, call.secrets)}` : "";
  // The cause is in details[] (google.rpc.ErrorInfo); `status` is PERMISSION_DENIED for this and for a missing role alike.
  if (computeApiDisabled(parsed)) {
    return providerFailure(
      "compute_api_disabled",
      `The Compute Engine API is not enabled in project ${project}.`,
      `Enable it at https://console.cloud.google.com/apis/library/compute.googleapis.com?project=${encodeURIComponent(project)} (or gcloud services enable compute.googleapis.com --project=${project}), wait a few minutes, then check again.`,
      403,
    );
  }
  if (error.upstreamStatus === 403 || status === "PERMISSION_DENIED") {
    return providerFailure(
      "permission_denied",
      `${email} may not read Compute Engine in project ${project}.${said}`,
      `Grant it the Compute Viewer role: gcloud projects add-iam-policy-binding ${project} --member=serviceAccount:${email} --role=roles/compute.viewer`,
      403,
    );
  }
  if (error.upstreamStatus === 404) {
    return providerFailure(
      "project_not_found",
      `Project ${project} was not found.${said}`,
      "Check the project_id in the key file: the project may have been deleted, or the key belongs to another project.",
      404,
    );
  }
  if (error.upstreamStatus === 401) {
    return providerFailure(
      "unauthorized",
      `Compute Engine refused the access token for ${email}.`,
      "The key may have just been disabled; create a new key and try again.",
      401,
    );
  }
  const base = error.toFailure();
  return { ...base, message: scrub(error.message, call.secrets) };
}

function asFailure(error: unknown, call: Call, stage: "token" | "compute"): ProviderFailure {
  if (error instanceof UpstreamError && error.upstreamStatus !== undefined) {
    return stage === "token" ? tokenFailure(error, call) : computeFailure(error, call);
  }
  if (error instanceof UpstreamError) return { ...error.toFailure(), message: scrub(error.message, call.secrets) };
  if (stage === "token" && error instanceof Error && /DECODER|PEM|asn1|private key|routines/i.test(error.message)) {
    return providerFailure(
      "invalid_private_key",
      "The key file's private_key could not be read as an RSA key.",
      `Paste the key file exactly as downloaded, or create a new key for ${call.credentials.client_email}.`,
      422,
    );
  }
  const base = toProviderFailure(error);
  return { ...base, message: scrub(base.message, call.secrets) };
}

class StageError extends Error {
  constructor(
    readonly stage: "token" | "compute",
    override readonly cause: unknown,
  ) {
    super("gcp call failed");
  }
}

async function authorized<T>(call: Call, url: string): Promise<T> {
  let token: string;
  try {
    token = await gcpAccessToken(call.credentials, call);
  } catch (error) {
    throw new StageError("token", error);
  }
  if (!call.secrets.includes(token)) call.secrets.push(token);
  try {
    const response = await requestJson<T>(call.fetch, url, { headers: { authorization: `Bearer ${token}` } }, call.request);
    return response.body;
  } catch (error) {
    if (error instanceof UpstreamError && error.upstreamStatus === 401) await forgetGcpAccessToken(call.credentials);
    throw new StageError("compute", error);
  }
}

function describeFailure(error: unknown, call: Call): ProviderFailure {
  return error instanceof StageError ? asFailure(error.cause, call, error.stage) : asFailure(error, call, "compute");
}

// ---------------------------------------------------------------------------------------------------
// Normalization

type GcpInstance = {
  id?: unknown;
  name?: unknown;
  zone?: unknown;
  status?: unknown;
  machineType?: unknown;
  labels?: unknown;
  creationTimestamp?: unknown;
  networkInterfaces?: unknown;
};

const STATUS: Record<string, ResourceStatus> = {
  RUNNING: "running",
  PROVISIONING: "pending",
  STAGING: "pending",
  REPAIRING: "pending",
  STOPPING: "pending",
  SUSPENDING: "pending",
  // In Compute Engine TERMINATED means stopped (the disk and the instance remain).
  TERMINATED: "stopped",
  STOPPED: "stopped",
  SUSPENDED: "stopped",
};

function lastSegment(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? (value.split("/").pop() ?? null) : null;
}

/** us-central1-a → us-central1. */
export function zoneToRegion(zone: string): string {
  return zone.replace(/-[a-z]$/, "");
}

export function gcpConsoleUrl(project: string, zone: string, name: string): string {
  return `https://console.cloud.google.com/compute/instancesDetail/zones/${encodeURIComponent(zone)}/instances/${encodeURIComponent(name)}?project=${encodeURIComponent(project)}`;
}

export function normalizeGcpInstance(instance: GcpInstance, project: string, scopeZone: string | null): NormalizedResource | null {
  const name = str(instance.name);
  if (!name) return null;
  const zone = lastSegment(instance.zone) ?? scopeZone;
  const publicIps: string[] = [];
  const privateIps: string[] = [];
  for (const nic of Array.isArray(instance.networkInterfaces) ? instance.networkInterfaces : []) {
    const ip = str(nic?.networkIP);
    if (ip) privateIps.push(ip);
    for (const access of [
      ...(Array.isArray(nic?.accessConfigs) ? nic.accessConfigs : []),
      ...(Array.isArray(nic?.ipv6AccessConfigs) ? nic.ipv6AccessConfigs : []),
    ]) {
      const external = str(access?.natIP) ?? str(access?.externalIpv6);
      if (external) publicIps.push(external);
    }
  }
  const labels: Record<string, string> = {};
  if (instance.labels && typeof instance.labels === "object" && !Array.isArray(instance.labels)) {
    for (const [key, value] of Object.entries(instance.labels)) if (typeof value === "string") labels[key] = value;
  }
  const rawStatus = str(instance.status);
  const created = str(instance.creationTimestamp);
  const createdMs = created ? Date.parse(created) : NaN;
  return {
    id: str(instance.id) ?? `projects/${project}/zones/${zone ?? "-"}/instances/${name}`,
    name,
    type: "instance",
    region: zone ? zoneToRegion(zone) : null,
    zone,
    status: (rawStatus ? STATUS[rawStatus] : undefined) ?? "unknown",
    raw_status: rawStatus,
    size: lastSegment(instance.machineType),
    public_ips: publicIps,
    private_ips: privateIps,
    tags: labels,
    created_at: Number.isNaN(createdMs) ? null : new Date(createdMs).toISOString(),
    console_url: zone ? gcpConsoleUrl(project, zone, name) : null,
  };
}

// ---------------------------------------------------------------------------------------------------
// The adapter

type ProjectBody = { name?: unknown; id?: unknown };

/** The project a check read, as the identity it proves: its name and number, and how Cloudkeep reached it (`details`). */
export function projectIdentity(
  base: string,
  projectId: string,
  project: ProjectBody | null,
  details: Record<string, string>,
  malformed: (message: string) => Error,
) {
  const name = project && typeof project === "object" ? str(project.name) : null;
  if (name === null) throw malformed(`${new URL(base).host} answered the project request without a project name.`);
  const number = str(project?.id);
  return {
    account: projectId,
    label: number ? `${name} (project number ${number})` : name,
    details: { ...details, ...(number ? { project_number: number } : {}) },
  };
}

function malformed(message: string): UpstreamError {
  return new UpstreamError({ code: "malformed_response", message });
}

export function createGcpAdapter(options: GcpAdapterOptions = {}): ProviderAdapter<"gcp"> {
  return {
    kind: "gcp",

    async checkHealth(credentials, context) {
      if (isGcpWorkloadIdentity(credentials))
        return (await import("./gcp-workload-identity.ts")).checkWorkloadIdentityHealth(credentials, context, options);
      const started = performance.now();
      const checkedAt = new Date().toISOString();
      const call = startCall(credentials, context, options);
      try {
        const project = await authorized<ProjectBody>(
          call,
          `${call.base}/compute/v1/projects/${encodeURIComponent(credentials.project_id)}`,
        );
        const details = { client_email: credentials.client_email };
        const identity = projectIdentity(
          call.base,
          credentials.project_id,
          project,
          details,
          (m) => new StageError("compute", malformed(m)),
        );
        return {
          ok: true,
          identity,
          latencyMs: Math.round(performance.now() - started),
          checkedAt,
        };
      } catch (error) {
        return { ok: false, error: describeFailure(error, call), latencyMs: Math.round(performance.now() - started), checkedAt };
      }
    },

    async listResources(credentials, context): Promise<ListResult> {
      if (isGcpWorkloadIdentity(credentials))
        return (await import("./gcp-workload-identity.ts")).listWorkloadIdentityResources(credentials, context, options);
      const call = startCall(credentials, context, options);
      const get = (url: string) => authorized<unknown>(call, url);
      const malformedStage = (message: string) => new StageError("compute", malformed(message));
      try {
        return await listGcpResources(
          {
            get,
            bases: gcpServiceBases(context.apiEndpoint),
            project: credentials.project_id,
            regions: context.regions,
            secrets: call.secrets,
            malformed: malformedStage,
            failureOf: (error) => describeFailure(error, call),
            member: `serviceAccount:${credentials.client_email}`,
            who: credentials.client_email,
            listInstances: () =>
              listAggregatedInstances(get, {
                base: call.base,
                project: credentials.project_id,
                regions: context.regions,
                secrets: call.secrets,
                malformed: malformedStage,
              }),
          },
          context.type,
          (message) => scrub(message, call.secrets),
        );
      } catch (error) {
        throw asThrowable(describeFailure(error, call));
      }
    },
  };
}

/**
 * Every instance of a project's aggregated list, page after page, limited to `regions` (regions or
 * zones; empty: all). Scopes that warn or are unreachable are partial failures, not fatal. `get`
 * fetches one page with the caller's token (a key's or a federated one); `malformed` makes the error
 * for an answer that is not an aggregated list.
 */
export async function listAggregatedInstances(
  get: (url: string) => Promise<unknown>,
  where: { base: string; project: string; regions: readonly string[]; secrets: string[]; malformed: (message: string) => Error },
): Promise<ListResult> {
  const regions = new Set(where.regions);
  const { items, notes } = await aggregatedList(
    { get, bases: { compute: where.base }, project: where.project, malformed: where.malformed },
    "instances",
    "instances",
    (message) => scrub(message, where.secrets),
  );
  const resources: NormalizedResource[] = [];
  for (const { scope, item } of items) {
    const scopeZone = scope.startsWith("zones/") ? scope.slice("zones/".length) : null;
    const resource = normalizeGcpInstance(item as GcpInstance, where.project, scopeZone);
    if (!resource) continue;
    if (regions.size > 0 && !(resource.region && regions.has(resource.region)) && !(resource.zone && regions.has(resource.zone))) continue;
    resources.push(resource);
  }
  return { resources, partialFailures: notes };
}

/** A failed listing, thrown as an UpstreamError carrying the mapped failure. */
function asThrowable(f: ProviderFailure): UpstreamError {
  return new UpstreamError({ code: f.code, message: f.message, hint: f.hint, status: f.status, retryable: f.retryable });
}

/** The adapter with default options (public Google endpoints, the system's trusted CAs). */
export const gcpAdapter: ProviderAdapter<"gcp"> = createGcpAdapter();

export { GCP_SCOPE };
