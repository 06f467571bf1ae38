// The Google Cloud resource types Cloudkeep lists beside Compute Engine instances, each its own listing
// with the same access token (a key's or a federated one): persistent disks (volume, Compute Engine
// aggregated list), GKE clusters (kubernetes_cluster, Kubernetes Engine API), Cloud SQL instances
// (database, Cloud SQL Admin API), Cloud Storage buckets (bucket) and forwarding rules (load_balancer,
// Compute Engine aggregated list: one row per forwarding rule, the frontend a load balancer answers on).
//
// Each API can be disabled in a project on its own: that type is then a partial failure saying which API
// to enable, and the other types still list. ONLY the fields named here are read: a Cloud SQL instance
// carries serverCaCert and a GKE cluster masterAuth (client keys, legacy passwords); neither is touched.
import { settleEach } from "../concurrency.ts";
import { UpstreamError, providerFailure } from "../net/http.ts";
import type { ListResult, NormalizedResource, ProviderFailure, ResourceStatus } from "./types.ts";

export const GCP_ENDPOINTS = {
  compute: "https://compute.googleapis.com",
  container: "https://container.googleapis.com",
  sqladmin: "https://sqladmin.googleapis.com",
  storage: "https://storage.googleapis.com",
} as const;

export type GcpService = keyof typeof GCP_ENDPOINTS;

/** Each API's origin: Google's own, or every one at the provider's api_endpoint (a private Google endpoint; the fakes). */
export function gcpServiceBases(apiEndpoint: string | null): Record<GcpService, string> {
  if (!apiEndpoint) return { ...GCP_ENDPOINTS };
  const base = apiEndpoint.replace(/\/+$/, "");
  return { compute: base, container: base, sqladmin: base, storage: base };
}

export type GcpType = "instance" | "volume" | "kubernetes_cluster" | "database" | "bucket" | "load_balancer";

/** The API behind each type, and the predefined role that reads it. */
export const GCP_TYPE_ACCESS: Record<GcpType, { service: string; api: string; role: string; roleName: string }> = {
  instance: { service: "compute.googleapis.com", api: "Compute Engine API", role: "roles/compute.viewer", roleName: "Compute Viewer" },
  volume: { service: "compute.googleapis.com", api: "Compute Engine API", role: "roles/compute.viewer", roleName: "Compute Viewer" },
  kubernetes_cluster: {
    service: "container.googleapis.com",
    api: "Kubernetes Engine API",
    role: "roles/container.clusterViewer",
    roleName: "Kubernetes Engine Cluster Viewer",
  },
  database: { service: "sqladmin.googleapis.com", api: "Cloud SQL Admin API", role: "roles/cloudsql.viewer", roleName: "Cloud SQL Viewer" },
  bucket: {
    service: "storage.googleapis.com",
    api: "Cloud Storage API",
    role: "roles/storage.bucketViewer",
    roleName: "Storage Bucket Viewer",
  },
  load_balancer: { service: "compute.googleapis.com", api: "Compute Engine API", role: "roles/compute.viewer", roleName: "Compute Viewer" },
};

/** Every role Cloudkeep's listing needs on a project, for setup guidance. */
export const GCP_VIEWER_ROLES = [...new Set(Object.values(GCP_TYPE_ACCESS).map((access) => access.role))];

export type GcpListWhere = {
  /** GETs one URL with the caller's access token; errors carry the stage they failed in (`stage`, `cause`). */
  get: (url: string) => Promise<unknown>;
  bases: Record<GcpService, string>;
  project: string;
  regions: readonly string[];
  secrets: string[];
  malformed: (message: string) => Error;
  /** The caller's mapping of any error: token, exchange and Compute Engine failures. */
  failureOf: (error: unknown) => ProviderFailure;
  /** Who reads, as an IAM member (serviceAccount:… or principal://…), and as shown to people. */
  member: string;
  who: string;
  /** The instance listing (gcp.ts). */
  listInstances: () => Promise<ListResult>;
};

const PAGE_SIZE = 500;
const MAX_PAGES = 1_000;

// ---------------------------------------------------------------------------------------------------
// Reading Google's answers

type Item = Record<string, unknown>;

const text = (value: unknown): string | null =>
  typeof value === "string" && value !== "" ? value : typeof value === "number" ? String(value) : null;
const record = (value: unknown): Item => (value && typeof value === "object" && !Array.isArray(value) ? (value as Item) : {});
const lastSegment = (value: unknown): string | null => (text(value) ? (text(value)!.split("/").pop() ?? null) : null);
const isZone = (location: string) => /-[a-z]$/.test(location);
const zoneRegion = (zone: string) => zone.replace(/-[a-z]$/, "");

function labels(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, label] of Object.entries(record(value))) if (typeof label === "string") out[key] = label;
  return out;
}

function isoTime(value: unknown): string | null {
  const ms = typeof value === "string" ? Date.parse(value) : NaN;
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** RFC 1918, CGNAT, loopback, link-local and IPv6 ULA addresses are private. */
function isPrivateAddress(address: string): boolean {
  return /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.|127\.|169\.254\.|f[cd][0-9a-f]{2}:|fe80:)/i.test(
    address,
  );
}

const consoleUrl = (path: string, project: string) => `https://console.cloud.google.com/${path}?project=${encodeURIComponent(project)}`;
const seg = encodeURIComponent;

/** Every page of a Compute Engine aggregated list, its items under `key` per scope; scopes that warn are notes. */
export async function aggregatedList(
  where: Pick<GcpListWhere, "get" | "project" | "malformed"> & { bases: { compute: string } },
  collection: string,
  key: string,
  scrub: (text: string) => string,
): Promise<{ items: { scope: string; item: unknown }[]; notes: { scope: string; code: string; message: string }[] }> {
  const host = new URL(where.bases.compute).host;
  const items: { scope: string; item: unknown }[] = [];
  const notes: { scope: string; code: string; message: string }[] = [];
  let pageToken: string | null = null;
  for (let page = 0; ; page++) {
    if (page >= MAX_PAGES) throw where.malformed(`${host} kept handing out page tokens past ${MAX_PAGES} pages.`);
    const url = new URL(`${where.bases.compute}/compute/v1/projects/${seg(where.project)}/aggregated/${collection}`);
    url.searchParams.set("maxResults", String(PAGE_SIZE));
    url.searchParams.set("returnPartialSuccess", "true");
    if (pageToken) url.searchParams.set("pageToken", pageToken);
    const body = (await where.get(url.href)) as { items?: unknown; nextPageToken?: unknown; unreachables?: unknown } | null;
    if (!body || typeof body !== "object" || (body.items !== undefined && (typeof body.items !== "object" || body.items === null))) {
      throw where.malformed(`${host} answered the ${collection} list with something that is not an aggregated list.`);
    }
    for (const [scope, entry] of Object.entries(record(body.items))) {
      const warning = record(record(entry).warning);
      if (text(warning.code) && warning.code !== "NO_RESULTS_ON_PAGE") {
        notes.push({ scope, code: String(warning.code), message: scrub(text(warning.message) ?? String(warning.code)) });
      }
      const listed = record(entry)[key];
      for (const item of Array.isArray(listed) ? listed : []) items.push({ scope, item });
    }
    for (const scope of Array.isArray(body.unreachables) ? body.unreachables : []) {
      if (typeof scope === "string")
        notes.push({ scope, code: "unreachable", message: `Compute Engine could not list ${scope}; it is left out of this listing.` });
    }
    pageToken = text(body.nextPageToken);
    if (!pageToken) break;
  }
  return { items, notes };
}

/** Pages of a list whose items are under `key`, following nextPageToken (Cloud SQL, Cloud Storage). */
async function pagedList(where: GcpListWhere, first: URL, key: string, what: string): Promise<Item[]> {
  const out: Item[] = [];
  let pageToken: string | null = null;
  for (let page = 0; ; page++) {
    if (page >= MAX_PAGES) throw where.malformed(`${first.host} kept handing out page tokens past ${MAX_PAGES} pages.`);
    const url = new URL(first);
    if (pageToken) url.searchParams.set("pageToken", pageToken);
    const body = (await where.get(url.href)) as Item | null;
    if (!body || typeof body !== "object" || (body[key] !== undefined && !Array.isArray(body[key]))) {
      throw where.malformed(`${first.host} answered the ${what} list with something that is not one.`);
    }
    for (const item of (body[key] as unknown[] | undefined) ?? []) out.push(record(item));
    pageToken = text(body.nextPageToken);
    if (!pageToken) break;
  }
  return out;
}

type Found = { resources: (NormalizedResource | null)[]; notes: { scope: string; code: string; message: string }[] };

/** The location parts every type shares: a zone gives its region, a region none. */
function located(location: string | null): Pick<NormalizedResource, "region" | "zone"> {
  if (!location) return { region: null, zone: null };
  return isZone(location) ? { region: zoneRegion(location), zone: location } : { region: location, zone: null };
}

// ---------------------------------------------------------------------------------------------------
// volume: persistent disks (disks.aggregatedList)

const DISK_STATUS: Record<string, ResourceStatus> = {
  CREATING: "pending",
  RESTORING: "pending",
  FAILED: "error",
  UNAVAILABLE: "error",
  DELETING: "terminated",
};

export function normalizeGcpDisk(disk: Item, project: string): NormalizedResource | null {
  const name = text(disk.name);
  if (!name) return null;
  const zone = lastSegment(disk.zone);
  const region = zone ? null : lastSegment(disk.region);
  const raw = text(disk.status);
  const attached = Array.isArray(disk.users) && disk.users.length > 0;
  const gib = text(disk.sizeGb);
  const diskType = lastSegment(disk.type);
  // A READY disk is in use when an instance has it attached (`users`), else it only exists.
  const status = raw === "READY" ? (attached ? "running" : "stopped") : ((raw ? DISK_STATUS[raw] : undefined) ?? "unknown");
  const where = zone ? `zones/${seg(zone)}` : `regions/${seg(region ?? "-")}`;
  return {
    id: text(disk.id) ?? `projects/${project}/${where}/disks/${name}`,
    name,
    type: "volume",
    ...located(zone ?? region),
    status,
    raw_status: raw,
    size: [gib ? `${gib} GiB` : null, diskType].filter(Boolean).join(" ") || null,
    public_ips: [],
    private_ips: [],
    tags: labels(disk.labels),
    created_at: isoTime(disk.creationTimestamp),
    console_url: consoleUrl(`compute/disksDetail/${where}/disks/${seg(name)}`, project),
  };
}

async function listDisks(where: GcpListWhere, scrub: (t: string) => string): Promise<Found> {
  const { items, notes } = await aggregatedList(where, "disks", "disks", scrub);
  return {
    resources: items.map(({ item }) => normalizeGcpDisk(record(item), where.project)),
    notes: notes.map((note) => ({ ...note, scope: `volume/${note.scope}` })),
  };
}

// ---------------------------------------------------------------------------------------------------
// load_balancer: forwarding rules (forwardingRules.aggregatedList), regional and global

export function normalizeGcpForwardingRule(rule: Item, project: string, scope: string): NormalizedResource | null {
  const name = text(rule.name);
  if (!name) return null;
  const region = lastSegment(rule.region) ?? (scope.startsWith("regions/") ? scope.slice("regions/".length) : null);
  const address = text(rule.IPAddress);
  const scheme = text(rule.loadBalancingScheme);
  const internal = scheme?.startsWith("INTERNAL") ?? false;
  const ports =
    text(rule.portRange) ??
    (Array.isArray(rule.ports) ? rule.ports.map(String).join(",") : null) ??
    (rule.allPorts === true ? "all" : null);
  const where = region ? `regions/${seg(region)}/` : "";
  return {
    id: text(rule.id) ?? `projects/${project}/${region ? `regions/${region}` : "global"}/forwardingRules/${name}`,
    name,
    type: "load_balancer",
    region,
    zone: null,
    // A forwarding rule has no state: one that exists answers.
    status: "running",
    raw_status: scheme,
    size: [text(rule.IPProtocol), ports].filter(Boolean).join(" ") || null,
    public_ips: address && !internal && !isPrivateAddress(address) ? [address] : [],
    private_ips: address && (internal || isPrivateAddress(address)) ? [address] : [],
    tags: labels(rule.labels),
    created_at: isoTime(rule.creationTimestamp),
    console_url: consoleUrl(`net-services/loadbalancing/advanced/forwardingRules/details/${where}forwardingRules/${seg(name)}`, project),
  };
}

async function listForwardingRules(where: GcpListWhere, scrub: (t: string) => string): Promise<Found> {
  const { items, notes } = await aggregatedList(where, "forwardingRules", "forwardingRules", scrub);
  return {
    resources: items.map(({ scope, item }) => normalizeGcpForwardingRule(record(item), where.project, scope)),
    notes: notes.map((note) => ({ ...note, scope: `load_balancer/${note.scope}` })),
  };
}

// ---------------------------------------------------------------------------------------------------
// kubernetes_cluster: GKE clusters in every location (projects.locations.clusters.list, location "-")

const CLUSTER_STATUS: Record<string, ResourceStatus> = {
  RUNNING: "running",
  PROVISIONING: "pending",
  RECONCILING: "pending",
  STOPPING: "terminated",
  ERROR: "error",
  DEGRADED: "error",
};

/** "3 nodes: e2-standard-4, n2-highmem-8": the cluster's node count and its pools' machine types. */
function clusterSize(cluster: Item): string | null {
  const pools = Array.isArray(cluster.nodePools) ? cluster.nodePools.map(record) : [];
  const types = [...new Set(pools.map((pool) => text(record(pool.config).machineType)).filter(Boolean))];
  const nodes = typeof cluster.currentNodeCount === "number" ? cluster.currentNodeCount : null;
  const count = nodes === null ? null : `${nodes} ${nodes === 1 ? "node" : "nodes"}`;
  if (count && types.length) return `${count}: ${types.join(", ")}`;
  return count ?? (types.join(", ") || null);
}

export function normalizeGkeCluster(cluster: Item, project: string): NormalizedResource | null {
  const name = text(cluster.name);
  const location = text(cluster.location);
  if (!name || !location) return null;
  const raw = text(cluster.status);
  // `endpoint` is the control plane's address: public, or private for a private-endpoint cluster.
  const endpoint = text(cluster.endpoint);
  const privateEndpoint = record(cluster.privateClusterConfig).enablePrivateEndpoint === true;
  const isPrivate = endpoint !== null && (privateEndpoint || isPrivateAddress(endpoint));
  return {
    id: text(cluster.id) ?? `projects/${project}/locations/${location}/clusters/${name}`,
    name,
    type: "kubernetes_cluster",
    ...located(location),
    status: (raw ? CLUSTER_STATUS[raw] : undefined) ?? "unknown",
    raw_status: raw,
    size: clusterSize(cluster),
    public_ips: endpoint && !isPrivate ? [endpoint] : [],
    private_ips: endpoint && isPrivate ? [endpoint] : [],
    tags: labels(cluster.resourceLabels),
    created_at: isoTime(cluster.createTime),
    console_url: consoleUrl(`kubernetes/clusters/details/${seg(location)}/${seg(name)}/details`, project),
  };
}

async function listClusters(where: GcpListWhere): Promise<Found> {
  const url = `${where.bases.container}/v1/projects/${seg(where.project)}/locations/-/clusters`;
  const body = record(await where.get(url));
  if (body.clusters !== undefined && !Array.isArray(body.clusters)) {
    throw where.malformed(`${new URL(url).host} answered the cluster list with something that is not one.`);
  }
  // Zones Kubernetes Engine could not reach: their clusters are missing from this answer.
  const missing = Array.isArray(body.missingZones) ? body.missingZones.filter((z): z is string => typeof z === "string") : [];
  return {
    resources: ((body.clusters as unknown[] | undefined) ?? []).map((cluster) => normalizeGkeCluster(record(cluster), where.project)),
    notes: missing.map((zone) => ({
      scope: `kubernetes_cluster/${zone}`,
      code: "unreachable",
      message: `Kubernetes Engine could not list clusters in ${zone}; they are left out of this listing.`,
    })),
  };
}

// ---------------------------------------------------------------------------------------------------
// database: Cloud SQL instances (instances.list)

const SQL_STATUS: Record<string, ResourceStatus> = {
  RUNNABLE: "running",
  SUSPENDED: "stopped",
  PENDING_CREATE: "pending",
  MAINTENANCE: "pending",
  ONLINE_MAINTENANCE: "pending",
  REPAIRING: "pending",
  PENDING_DELETE: "terminated",
  FAILED: "error",
};

/**
 * ONLY the fields named here are read: never serverCaCert, diskEncryption*, replicaConfiguration or
 * anything else an instance carries. PRIMARY addresses are public, PRIVATE ones private; OUTGOING
 * (the instance's own egress address) is neither a way in nor kept.
 */
export function normalizeCloudSqlInstance(instance: Item, project: string): NormalizedResource | null {
  const name = text(instance.name);
  if (!name) return null;
  const settings = record(instance.settings);
  const raw = text(instance.state);
  // A RUNNABLE instance whose activation policy is NEVER has been stopped (the console says "Stopped").
  const stopped = raw === "RUNNABLE" && settings.activationPolicy === "NEVER";
  const publicIps: string[] = [];
  const privateIps: string[] = [];
  for (const entry of Array.isArray(instance.ipAddresses) ? instance.ipAddresses.map(record) : []) {
    const address = text(entry.ipAddress);
    if (!address) continue;
    if (entry.type === "PRIMARY") publicIps.push(address);
    else if (entry.type === "PRIVATE") privateIps.push(address);
  }
  const gib = text(settings.dataDiskSizeGb);
  return {
    id: `projects/${project}/instances/${name}`,
    name,
    type: "database",
    region: text(instance.region),
    zone: text(instance.gceZone),
    status: stopped ? "stopped" : ((raw ? SQL_STATUS[raw] : undefined) ?? "unknown"),
    raw_status: raw,
    size: [text(instance.databaseVersion), text(settings.tier), gib ? `${gib} GiB` : null].filter(Boolean).join(", ") || null,
    public_ips: publicIps,
    private_ips: privateIps,
    tags: labels(settings.userLabels),
    created_at: isoTime(instance.createTime),
    console_url: consoleUrl(`sql/instances/${seg(name)}/overview`, project),
  };
}

async function listSqlInstances(where: GcpListWhere): Promise<Found> {
  const first = new URL(`${where.bases.sqladmin}/v1/projects/${seg(where.project)}/instances`);
  first.searchParams.set("maxResults", String(PAGE_SIZE));
  const items = await pagedList(where, first, "items", "Cloud SQL instance");
  return { resources: items.map((instance) => normalizeCloudSqlInstance(instance, where.project)), notes: [] };
}

// ---------------------------------------------------------------------------------------------------
// bucket: Cloud Storage buckets (buckets.list, projection noAcl)

export function normalizeGcsBucket(bucket: Item, project: string): NormalizedResource | null {
  const name = text(bucket.name);
  if (!name) return null;
  // Locations are upper case (US-CENTRAL1, EU, NAM4); regions elsewhere are lower case.
  const location = text(bucket.location)?.toLowerCase() ?? null;
  return {
    id: text(bucket.id) ?? name,
    name,
    type: "bucket",
    region: location,
    zone: null,
    // A bucket has no state: one that is listed serves.
    status: "running",
    raw_status: null,
    size: [text(bucket.storageClass), text(bucket.locationType)].filter(Boolean).join(" ") || null,
    public_ips: [],
    private_ips: [],
    tags: labels(bucket.labels),
    created_at: isoTime(bucket.timeCreated),
    console_url: consoleUrl(`storage/browser/${seg(name)}`, project),
  };
}

async function listBuckets(where: GcpListWhere): Promise<Found> {
  const first = new URL(`${where.bases.storage}/storage/v1/b`);
  first.searchParams.set("project", where.project);
  first.searchParams.set("maxResults", "1000");
  first.searchParams.set("projection", "noAcl");
  const items = await pagedList(where, first, "items", "bucket");
  return { resources: items.map((bucket) => normalizeGcsBucket(bucket, where.project)), notes: [] };
}

// ---------------------------------------------------------------------------------------------------
// Failures of one type

type GoogleErrorBody = {
  error?: {
    message?: unknown;
    status?: unknown;
    errors?: { reason?: unknown }[];
    details?: { "@type"?: unknown; reason?: unknown; metadata?: { service?: unknown } }[];
  };
};

/** The API the error says is disabled in the project (ErrorInfo SERVICE_DISABLED, or the legacy accessNotConfigured), or null. */
export function disabledService(body: unknown): string | true | null {
  const error = record((body as GoogleErrorBody | null)?.error);
  const details = Array.isArray(error.details) ? error.details.map(record) : [];
  const info = details.find(
    (d) => typeof d["@type"] === "string" && d["@type"].endsWith("google.rpc.ErrorInfo") && d.reason === "SERVICE_DISABLED",
  );
  if (info) return text(record(info.metadata).service) ?? true;
  const reasons = Array.isArray(error.errors) ? error.errors.map((e) => record(e).reason) : [];
  return reasons.includes("accessNotConfigured") || error.status === "SERVICE_DISABLED" ? true : null;
}

/** What failed one type's listing, in words about that type: its API disabled, its role missing. */
function typeFailure(error: unknown, type: GcpType, where: GcpListWhere, scrub: (t: string) => string): ProviderFailure {
  const stage = (error as { stage?: unknown })?.stage;
  const cause = (error as { cause?: unknown })?.cause;
  const upstream = cause instanceof UpstreamError ? cause : null;
  // Instances keep the caller's own wording; a token that failed fails every type alike.
  if (type === "instance" || !upstream || upstream.upstreamStatus === undefined || (stage !== "compute" && stage !== undefined)) {
    return where.failureOf(error);
  }
  const access = GCP_TYPE_ACCESS[type];
  const project = where.project;
  const disabled = disabledService(upstream.body);
  if (disabled === true || disabled === access.service) {
    return providerFailure(
      "api_disabled",
      `The ${access.api} (${access.service}) is not enabled in project ${project}, so ${TYPE_WORDS[type]} cannot be listed.`,
      `Enable it at https://console.cloud.google.com/apis/library/${access.service}?project=${encodeURIComponent(project)} (or gcloud services enable ${access.service} --project=${project}), wait a few minutes, then refresh.`,
      403,
    );
  }
  if (upstream.upstreamStatus === 403) {
    const said = text(record((upstream.body as GoogleErrorBody | null)?.error).message);
    return providerFailure(
      "permission_denied",
      `${where.who} may not list ${TYPE_WORDS[type]} in project ${project}.${said ? ` Google said: ${scrub(said)}` : ""}`,
      `Grant it ${access.roleName}: gcloud projects add-iam-policy-binding ${project} --member="${where.member}" --role=${access.role}`,
      403,
    );
  }
  return where.failureOf(error);
}

const TYPE_WORDS: Record<GcpType, string> = {
  instance: "instances",
  volume: "persistent disks",
  kubernetes_cluster: "GKE clusters",
  database: "Cloud SQL instances",
  bucket: "Cloud Storage buckets",
  load_balancer: "forwarding rules",
};

const LISTINGS: Record<Exclude<GcpType, "instance">, (where: GcpListWhere, scrub: (t: string) => string) => Promise<Found>> = {
  volume: listDisks,
  kubernetes_cluster: listClusters,
  database: listSqlInstances,
  bucket: listBuckets,
  load_balancer: listForwardingRules,
};

const GCP_TYPES: GcpType[] = ["instance", "volume", "kubernetes_cluster", "database", "bucket", "load_balancer"];

/** Failures about the credential or the endpoint, not one type: they end the whole listing. */
const FATAL = new Set(["unauthorized", "refused_endpoint", "aborted"]);

/**
 * Every type (or the one asked for), side by side. A type that fails is a partial failure scoped to the
 * type; a failure of the credential itself, or of every type, fails the listing (the first type's).
 */
export async function listGcpResources(where: GcpListWhere, type: string | undefined, scrub: (t: string) => string): Promise<ListResult> {
  const types = GCP_TYPES.filter((t) => !type || t === type);
  if (types.length === 0) return { resources: [], partialFailures: [] };
  const settled = await settleEach(types, async (t) => {
    if (t === "instance") {
      const listed = await where.listInstances();
      return { resources: listed.resources as (NormalizedResource | null)[], notes: listed.partialFailures };
    }
    return LISTINGS[t](where, scrub);
  });
  const regions = new Set(where.regions);
  const resources: NormalizedResource[] = [];
  const partialFailures: ListResult["partialFailures"] = [];
  const failures: { error: unknown; failure: ProviderFailure }[] = [];
  settled.forEach(([t, outcome]) => {
    if (outcome.status === "rejected") {
      const failure = typeFailure(outcome.reason, t, where, scrub);
      failures.push({ error: outcome.reason, failure });
      partialFailures.push({ scope: t, code: failure.code, message: failure.message });
      return;
    }
    partialFailures.push(...outcome.value.notes);
    for (const resource of outcome.value.resources) {
      if (!resource) continue;
      if (regions.size > 0 && !(resource.region && regions.has(resource.region)) && !(resource.zone && regions.has(resource.zone)))
        continue;
      resources.push(resource);
    }
  });
  const credentialFailed = failures.find(
    ({ error, failure }) => FATAL.has(failure.code) || ((error as { stage?: unknown })?.stage ?? "compute") !== "compute",
  );
  const fatal = credentialFailed ?? (failures.length === types.length ? failures[0] : null);
  if (fatal) throw new UpstreamError(fatal.failure);
  return { resources, partialFailures };
}
