// The Azure resource types Cloudkeep lists beside VMs, one subscription-wide ARM list operation each, read
// with armList (azure-call.ts): managed disks (volume), AKS clusters (kubernetes_cluster), Azure SQL
// databases and PostgreSQL flexible servers (database), storage accounts (bucket) and load balancers.
// Reader on the subscription covers every one of them.
//
// ONLY the fields named here are read. Servers carry administratorLogin (and accept a password, which ARM
// never returns); storage accounts have keys behind listKeys, which is never called.
import type { AzureCloud } from "./azure-cloud.ts";
import { azurePortalUrl } from "./azure-cloud.ts";
import type { ArmLister } from "./azure-call.ts";
import { isAddress, NETWORK_API_VERSION, publicAddresses } from "./azure-network.ts";
import type { NormalizedResource, ResourceStatus } from "./types.ts";

/** The api-version each listing sends: the newest stable one in Azure/azure-rest-api-specs for its provider. */
export const AZURE_API_VERSIONS = {
  disks: "2024-03-02",
  managedClusters: "2025-01-01",
  sql: "2023-08-01",
  postgresqlFlexible: "2024-08-01",
  storage: "2023-05-01",
  network: NETWORK_API_VERSION,
} as const;

export type AzureExtraType = "volume" | "kubernetes_cluster" | "database" | "bucket" | "load_balancer";

/** What a type's listing found, and what it could only partly read (reported with the type as scope). */
export type AzureTypeListing = { resources: NormalizedResource[]; notes: { code: string; message: string }[] };

export type AzureListWhere = { list: ArmLister; cloud: AzureCloud; tenantId: string; subscriptionId: string };

/** The read action each type needs, named in failures (all part of the Reader role). */
export const AZURE_READ_ACTIONS: Record<AzureExtraType, string> = {
  volume: "Microsoft.Compute/disks/read",
  kubernetes_cluster: "Microsoft.ContainerService/managedClusters/read",
  database: "Microsoft.Sql/servers/read, Microsoft.Sql/servers/databases/read and Microsoft.DBforPostgreSQL/flexibleServers/read",
  bucket: "Microsoft.Storage/storageAccounts/read",
  load_balancer: "Microsoft.Network/loadBalancers/read",
};

/** At most this many Azure SQL servers are asked for their databases at once. */
const SQL_CONCURRENCY = 4;

// ---------------------------------------------------------------------------------------------------
// Reading an ARM resource

/** The SDK-less view of an ARM resource: the envelope, and `properties` as the API sends it. */
type Arm = {
  id?: unknown;
  name?: unknown;
  location?: unknown;
  zones?: unknown;
  tags?: unknown;
  sku?: { name?: unknown; tier?: unknown; capacity?: unknown } | null;
  kind?: unknown;
  systemData?: { createdAt?: unknown } | null;
  properties?: Record<string, unknown> | null;
};

const str = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);
const num = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null);
const record = (value: unknown): Record<string, unknown> =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

function isoTime(value: unknown): string | null {
  const ms = typeof value === "string" ? Date.parse(value) : NaN;
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function tagsOf(value: unknown): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [key, tag] of Object.entries(record(value))) if (typeof tag === "string") tags[key] = tag;
  return tags;
}

/** The envelope every type shares; null for an item without an id or name (it cannot be shown or linked). */
function base(item: Arm, type: string, where: AzureListWhere): Omit<NormalizedResource, "status" | "raw_status" | "size"> | null {
  const id = str(item?.id);
  const name = str(item?.name);
  if (!id || !name) return null;
  return {
    id,
    name,
    type,
    region: str(item.location),
    zone: Array.isArray(item.zones) ? str(item.zones[0]) : null,
    public_ips: [],
    private_ips: [],
    tags: tagsOf(item.tags),
    created_at: isoTime(item.systemData?.createdAt),
    console_url: azurePortalUrl(where.cloud, where.tenantId, id),
  };
}

const subscriptionPath = (where: AzureListWhere, provider: string) =>
  `/subscriptions/${encodeURIComponent(where.subscriptionId)}/providers/${provider}`;

/** A provisioning state that says the resource is not (or no longer) in service, whatever else it reports. */
function provisioning(raw: string | null): ResourceStatus | null {
  if (!raw) return null;
  if (/^(failed|canceled)$/i.test(raw)) return "error";
  if (/^deleting$/i.test(raw)) return "terminated";
  if (/^(creating|updating|upgrading|scaling|starting|stopping|migrating|resolvingdns|provisioning)$/i.test(raw)) return "pending";
  return null;
}

const pick = <T>(map: Record<string, T>, key: string | null): T | undefined =>
  key === null ? undefined : Object.entries(map).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];

// ---------------------------------------------------------------------------------------------------
// volume: Microsoft.Compute/disks (Disks_List)

const DISK_STATES: Record<string, ResourceStatus> = {
  Attached: "running",
  // Reserved: attached to a VM that is stopped (deallocated); Unattached: attached to nothing.
  Reserved: "stopped",
  Unattached: "stopped",
  Frozen: "stopped",
  ActiveSAS: "pending",
  ActiveSASFrozen: "pending",
  ReadyToUpload: "pending",
  ActiveUpload: "pending",
};

export function normalizeAzureDisk(item: Arm, where: AzureListWhere): NormalizedResource | null {
  const shared = base(item, "volume", where);
  if (!shared) return null;
  const props = record(item.properties);
  const state = str(props.diskState);
  const prov = str(props.provisioningState);
  const gib = num(props.diskSizeGB);
  const sku = str(item.sku?.name);
  return {
    ...shared,
    status: (prov === "Failed" ? "error" : pick(DISK_STATES, state)) ?? "unknown",
    raw_status: state ?? (prov ? `ProvisioningState/${prov}` : null),
    size: gib === null ? sku : `${gib} GiB${sku ? ` ${sku}` : ""}`,
    created_at: isoTime(props.timeCreated) ?? shared.created_at,
  };
}

async function listDisks(where: AzureListWhere): Promise<AzureTypeListing> {
  const items = await where.list(subscriptionPath(where, "Microsoft.Compute/disks"), AZURE_API_VERSIONS.disks);
  return { resources: keep(items.map((item) => normalizeAzureDisk(item as Arm, where))), notes: [] };
}

// ---------------------------------------------------------------------------------------------------
// kubernetes_cluster: Microsoft.ContainerService/managedClusters (ManagedClusters_List)

/** "Standard_D4s_v5 ×3, Standard_D2s_v5 ×1": each agent pool's VM size and node count. */
function agentPoolSizes(pools: unknown): string | null {
  if (!Array.isArray(pools)) return null;
  const sizes = pools.map((pool) => {
    const { vmSize, count } = record(pool);
    const size = str(vmSize);
    return size && num(count) !== null ? `${size} ×${num(count)}` : size;
  });
  return sizes.filter(Boolean).join(", ") || null;
}

export function normalizeAzureKubernetesCluster(item: Arm, where: AzureListWhere): NormalizedResource | null {
  const shared = base(item, "kubernetes_cluster", where);
  if (!shared) return null;
  const props = record(item.properties);
  const power = str(record(props.powerState).code);
  const prov = str(props.provisioningState);
  // A cluster being created, upgraded or deleted says so in provisioningState; otherwise powerState (Running, Stopped) is the state.
  const during = provisioning(prov);
  const status: ResourceStatus = during ?? (power === "Running" ? "running" : power === "Stopped" ? "stopped" : "unknown");
  return {
    ...shared,
    status,
    raw_status: during || !power ? (prov ? `ProvisioningState/${prov}` : null) : `PowerState/${power}`,
    size: agentPoolSizes(props.agentPoolProfiles),
  };
}

async function listKubernetesClusters(where: AzureListWhere): Promise<AzureTypeListing> {
  const items = await where.list(subscriptionPath(where, "Microsoft.ContainerService/managedClusters"), AZURE_API_VERSIONS.managedClusters);
  return { resources: keep(items.map((item) => normalizeAzureKubernetesCluster(item as Arm, where))), notes: [] };
}

// ---------------------------------------------------------------------------------------------------
// database: Azure SQL databases (Servers_List, then Databases_ListByServer per server) and PostgreSQL
// flexible servers (Servers_List). One row per SQL database, as the portal lists them, but one per
// PostgreSQL server: its databases are inside the server, not ARM resources with a state of their own.

const SQL_STATUS: Record<string, ResourceStatus> = {
  Online: "running",
  OnlineChangingDwPerformanceTiers: "running",
  Paused: "stopped",
  Stopped: "stopped",
  Offline: "stopped",
  OfflineSecondary: "stopped",
  Shutdown: "stopped",
  AutoClosed: "stopped",
  Standby: "stopped",
  Creating: "pending",
  Copying: "pending",
  Restoring: "pending",
  Recovering: "pending",
  RecoveryPending: "pending",
  Pausing: "pending",
  Resuming: "pending",
  Scaling: "pending",
  Starting: "pending",
  Stopping: "pending",
  OfflineChangingDwPerformanceTiers: "pending",
  Suspect: "error",
  EmergencyMode: "error",
  Inaccessible: "error",
  Disabled: "error",
};

/** A SQL server's id as ARM spells it, or null: only such a path is asked for its databases. */
const SQL_SERVER_ID = /^\/subscriptions\/[^/?#]+\/resourceGroups\/[^/?#]+\/providers\/Microsoft\.Sql\/servers\/[^/?#]+$/i;

export function normalizeAzureSqlDatabase(item: Arm, serverName: string, where: AzureListWhere): NormalizedResource | null {
  const shared = base(item, "database", where);
  if (!shared) return null;
  const props = record(item.properties);
  const raw = str(props.status);
  const objective = str(props.currentServiceObjectiveName) ?? str(item.sku?.name);
  const bytes = num(props.maxSizeBytes);
  const gib = bytes === null ? null : Math.round(bytes / 2 ** 30);
  return {
    ...shared,
    // Database names repeat across servers (every server has its "app"): the server says which one.
    name: `${serverName}/${shared.name}`,
    status: pick(SQL_STATUS, raw) ?? "unknown",
    raw_status: raw,
    size: [objective, gib === null ? null : `${gib} GiB`].filter(Boolean).join(", ") || null,
    created_at: isoTime(props.creationDate) ?? shared.created_at,
  };
}

const POSTGRES_STATUS: Record<string, ResourceStatus> = {
  Ready: "running",
  Stopped: "stopped",
  Disabled: "stopped",
  Starting: "pending",
  Stopping: "pending",
  Updating: "pending",
  Dropping: "terminated",
};

export function normalizeAzurePostgresServer(item: Arm, where: AzureListWhere): NormalizedResource | null {
  const shared = base(item, "database", where);
  if (!shared) return null;
  const props = record(item.properties);
  const raw = str(props.state);
  const sku = str(item.sku?.name);
  const gib = num(record(props.storage).storageSizeGB);
  return {
    ...shared,
    zone: str(props.availabilityZone),
    status: pick(POSTGRES_STATUS, raw) ?? "unknown",
    raw_status: raw,
    size: [sku, gib === null ? null : `${gib} GiB`].filter(Boolean).join(", ") || null,
  };
}

async function listDatabases(where: AzureListWhere): Promise<AzureTypeListing> {
  const [servers, postgres] = await Promise.allSettled([
    where.list(subscriptionPath(where, "Microsoft.Sql/servers"), AZURE_API_VERSIONS.sql),
    where.list(subscriptionPath(where, "Microsoft.DBforPostgreSQL/flexibleServers"), AZURE_API_VERSIONS.postgresqlFlexible),
  ]);
  // Both failing is the type failing; one failing is a note beside what the other found.
  if (servers.status === "rejected" && postgres.status === "rejected") throw servers.reason;
  const resources: (NormalizedResource | null)[] = [];
  const notes: AzureTypeListing["notes"] = [];
  const failed = (what: string, reason: unknown) =>
    notes.push({ code: "partial_listing", message: `${what} could not be listed (${reasonOf(reason)}); the other databases are shown.` });
  if (postgres.status === "fulfilled") resources.push(...postgres.value.map((item) => normalizeAzurePostgresServer(item as Arm, where)));
  else failed("PostgreSQL flexible servers", postgres.reason);
  if (servers.status === "fulfilled") {
    const named = (servers.value as Arm[]).filter((s) => typeof s?.id === "string" && SQL_SERVER_ID.test(s.id) && str(s.name));
    // A few servers at a time: one Databases_ListByServer call each.
    for (let i = 0; i < named.length; i += SQL_CONCURRENCY) {
      const batch = named.slice(i, i + SQL_CONCURRENCY);
      const answers = await Promise.allSettled(batch.map((server) => where.list(`${server.id}/databases`, AZURE_API_VERSIONS.sql)));
      answers.forEach((answer, n) => {
        const serverName = str(batch[n]?.name)!;
        if (answer.status === "rejected") return failed(`The databases of SQL server ${serverName}`, answer.reason);
        for (const database of answer.value as Arm[]) {
          // The master database is the server's own (kind "v12.0,system"); the portal does not list it either.
          if (typeof database?.kind === "string" && /(^|,)system(,|$)/.test(database.kind)) continue;
          resources.push(normalizeAzureSqlDatabase(database, serverName, where));
        }
      });
    }
  } else failed("Azure SQL servers", servers.reason);
  return { resources: keep(resources), notes };
}

function reasonOf(error: unknown): string {
  return error && typeof error === "object" && "detail" in error && typeof error.detail === "string" ? error.detail : "an error";
}

// ---------------------------------------------------------------------------------------------------
// bucket: Microsoft.Storage/storageAccounts (StorageAccounts_List) — the account is the bucket-like unit

export function normalizeAzureStorageAccount(item: Arm, where: AzureListWhere): NormalizedResource | null {
  const shared = base(item, "bucket", where);
  if (!shared) return null;
  const props = record(item.properties);
  const prov = str(props.provisioningState);
  const primary = str(props.statusOfPrimary);
  const during = provisioning(prov);
  const status: ResourceStatus =
    during ?? (primary === "available" ? "running" : primary === "unavailable" ? "error" : prov === "Succeeded" ? "running" : "unknown");
  return {
    ...shared,
    status,
    raw_status: during || !primary ? (prov ? `ProvisioningState/${prov}` : null) : primary,
    size: [str(item.kind), str(item.sku?.name)].filter(Boolean).join(" ") || null,
    created_at: isoTime(props.creationTime) ?? shared.created_at,
  };
}

async function listStorageAccounts(where: AzureListWhere): Promise<AzureTypeListing> {
  const items = await where.list(subscriptionPath(where, "Microsoft.Storage/storageAccounts"), AZURE_API_VERSIONS.storage);
  return { resources: keep(items.map((item) => normalizeAzureStorageAccount(item as Arm, where))), notes: [] };
}

// ---------------------------------------------------------------------------------------------------
// load_balancer: Microsoft.Network/loadBalancers (LoadBalancers_ListAll), frontends' addresses joined
// with the subscription's public IPs (the same answer the VMs' addresses use)

export function normalizeAzureLoadBalancer(item: Arm, where: AzureListWhere, publicById: Map<string, string>): NormalizedResource | null {
  const shared = base(item, "load_balancer", where);
  if (!shared) return null;
  const props = record(item.properties);
  const prov = str(props.provisioningState);
  const publicIps: string[] = [];
  const privateIps: string[] = [];
  for (const frontend of Array.isArray(props.frontendIPConfigurations) ? props.frontendIPConfigurations : []) {
    const config = record(record(frontend).properties);
    if (isAddress(config.privateIPAddress)) privateIps.push(config.privateIPAddress);
    const publicId = str(record(config.publicIPAddress).id);
    const address = publicId ? publicById.get(publicId.toLowerCase()) : undefined;
    if (address) publicIps.push(address);
  }
  return {
    ...shared,
    // A load balancer has no run state: provisioned is in service.
    status: provisioning(prov) ?? (prov === "Succeeded" ? "running" : "unknown"),
    raw_status: prov ? `ProvisioningState/${prov}` : null,
    size: str(item.sku?.name),
    public_ips: publicIps,
    private_ips: privateIps,
  };
}

async function listLoadBalancers(where: AzureListWhere): Promise<AzureTypeListing> {
  const items = (await where.list(subscriptionPath(where, "Microsoft.Network/loadBalancers"), AZURE_API_VERSIONS.network)) as Arm[];
  // Public frontends name a public IP resource; only then are the subscription's public IPs read.
  const hasPublic = items.some((item) =>
    (Array.isArray(item?.properties?.frontendIPConfigurations) ? item.properties.frontendIPConfigurations : []).some(
      (frontend) => str(record(record(record(frontend).properties).publicIPAddress).id) !== null,
    ),
  );
  let publicById = new Map<string, string>();
  const notes: AzureTypeListing["notes"] = [];
  if (hasPublic) {
    try {
      publicById = await publicAddresses(where.list, where.subscriptionId);
    } catch (error) {
      notes.push({
        code: "network_read_failed",
        message: `Public IP addresses could not be read (${reasonOf(error)}), so load balancers show only private frontends.`,
      });
    }
  }
  return { resources: keep(items.map((item) => normalizeAzureLoadBalancer(item, where, publicById))), notes };
}

// ---------------------------------------------------------------------------------------------------

function keep(resources: (NormalizedResource | null)[]): NormalizedResource[] {
  return resources.filter((r): r is NormalizedResource => r !== null);
}

/** Each type's listing, in the order they are reported. */
export const AZURE_TYPE_LISTINGS: Record<AzureExtraType, (where: AzureListWhere) => Promise<AzureTypeListing>> = {
  volume: listDisks,
  kubernetes_cluster: listKubernetesClusters,
  database: listDatabases,
  bucket: listStorageAccounts,
  load_balancer: listLoadBalancers,
};
