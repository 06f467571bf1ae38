// Linode (Akamai): GET /v4/profile proves the token, and one small page of GET /v4/linode/instances
// proves it may read Linodes (a token of any scope reads its profile). Five listings, one per resource
// type: Linodes, volumes, LKE clusters, managed databases and NodeBalancers, each following page/pages
// to the end (500 a page where the operation takes a page_size). A type whose scope the token lacks is
// a partial failure naming that scope.
import {
  linodeDatabaseUrl,
  linodeInstanceUrl,
  linodeKubernetesClusterUrl,
  linodeNodeBalancerUrl,
  linodeVolumesUrl,
} from "./console-links.ts";
import {
  apiUrl,
  idOf,
  utcTimestamp,
  isRecord,
  mapStatus,
  MalformedShape,
  required,
  splitAddresses,
  str,
  tagsFromList,
  tokenCloudAdapter,
  type TokenCloudListing,
  type TokenCloudPage,
  tokenResource,
} from "./token-providers.ts";
import type { NormalizedResource, ResourceStatus } from "./types.ts";

export const LINODE_API = "https://api.linode.com";
const PAGE_SIZE = 500;
/** The smallest page Linode allows; the health check needs only the answer, not the machines. */
const PROBE_PAGE_SIZE = 25;
/** The OAuth scope a token needs to list instances (Cloud Manager: "Linodes — Read Only"). */
export const LINODE_READ_SCOPE = "linodes:read_only";

/** The OAuth scope each listing needs (the `security` of each list operation in linode/linode-api-docs). */
export const LINODE_READ_SCOPES = {
  instance: LINODE_READ_SCOPE,
  volume: "volumes:read_only",
  kubernetes_cluster: "lke:read_only",
  database: "databases:read_only",
  load_balancer: "nodebalancers:read_only",
} as const;

type LinodeType = keyof typeof LINODE_READ_SCOPES;

/** What each type is called in Linode's words, and the access row that grants its scope in Cloud Manager's token form. */
const LINODE_NAMES: Record<LinodeType, { what: string; access: string }> = {
  instance: { what: "Linodes", access: "Linodes" },
  volume: { what: "volumes", access: "Volumes" },
  kubernetes_cluster: { what: "Kubernetes (LKE) clusters", access: "Kubernetes" },
  database: { what: "managed databases", access: "Databases" },
  load_balancer: { what: "NodeBalancers", access: "NodeBalancers" },
};

const STATUS: Record<string, ResourceStatus> = {
  running: "running",
  offline: "stopped",
  stopped: "stopped",
  billing_suspension: "stopped",
  booting: "pending",
  rebooting: "pending",
  shutting_down: "pending",
  provisioning: "pending",
  migrating: "pending",
  resizing: "pending",
  rebuilding: "pending",
  cloning: "pending",
  restoring: "pending",
  deleting: "terminated",
  // Linode reports `busy` while a job (a backup restore, a disk operation) holds the machine.
  busy: "pending",
};

/**
 * Linode answers a token without the endpoint's scope 401 "Your OAuth token is not authorized to use this
 * endpoint.", unlike a revoked token's 401 "Invalid Token": the type whose call was refused names the scope.
 */
function missingScope(body: unknown, type: string): { message: string; hint: string } | null {
  const errors = isRecord(body) && Array.isArray(body.errors) ? body.errors : [];
  const refused = errors.some((e) => isRecord(e) && typeof e.reason === "string" && /not authorized to use this endpoint/i.test(e.reason));
  if (!refused) return null;
  const known = (Object.hasOwn(LINODE_READ_SCOPES, type) ? type : "instance") as LinodeType;
  const { what, access } = LINODE_NAMES[known];
  return {
    message: `The Linode token works but may not read ${what} (401: not authorized to use this endpoint).`,
    hint: `Create a personal access token with the ${LINODE_READ_SCOPES[known]} scope ("${access}: Read Only") in Cloud Manager → your profile → API Tokens, and rotate it here.`,
  };
}

function toResource(linode: Record<string, unknown>): NormalizedResource {
  const id = str(required(linode, "id", "a linode"));
  if (!id) throw new MalformedShape('a linode has an empty "id"');
  const raw = str(linode.status);
  const v4 = Array.isArray(linode.ipv4) ? linode.ipv4.filter((a): a is string => typeof a === "string") : [];
  const v6 = str(linode.ipv6);
  const ips = splitAddresses([...v4, v6]);
  return tokenResource({
    id,
    name: str(linode.label) ?? id,
    type: "instance",
    region: str(linode.region),
    status: mapStatus(raw, STATUS),
    raw_status: raw,
    size: str(linode.type),
    ...ips,
    tags: tagsFromList(linode.tags),
    created_at: utcTimestamp(linode.created),
    console_url: linodeInstanceUrl(id),
  });
}

function readPage(body: Record<string, unknown>, url: URL): TokenCloudPage {
  if (!Array.isArray(body.data)) throw new MalformedShape('no "data" list');
  const page = Number(body.page);
  const pages = Number(body.pages);
  if (!Number.isInteger(page) || !Number.isInteger(pages)) throw new MalformedShape('no "page" and "pages" numbers');
  if (page >= pages || body.data.length === 0) return { items: body.data, next: null };
  const next = new URL(url);
  next.searchParams.set("page", String(page + 1));
  return { items: body.data, next };
}

/** The first page of a listing whose operation takes page and page_size. */
function firstPage(base: URL, path: string): URL {
  const url = apiUrl(base, path);
  url.searchParams.set("page", "1");
  url.searchParams.set("page_size", String(PAGE_SIZE));
  return url;
}

const VOLUME_STATUS: Record<string, ResourceStatus> = { creating: "pending", resizing: "pending", key_rotating: "pending" };

/**
 * An active volume attached to a Linode is in use ("running"); an active detached one exists but serves
 * nothing ("stopped"), as for DigitalOcean's volumes. raw_status keeps Linode's status and says which.
 */
function volumeToResource(volume: Record<string, unknown>): NormalizedResource {
  const id = idOf(volume, "a volume");
  const raw = str(volume.status);
  const attached = volume.linode_id !== null && volume.linode_id !== undefined;
  // "The Volume's size, in GiB" (get-volumes).
  const gib = typeof volume.size === "number" ? volume.size : null;
  const active = raw === "active";
  return tokenResource({
    id,
    name: str(volume.label) ?? id,
    type: "volume",
    region: str(volume.region),
    status: active ? (attached ? "running" : "stopped") : mapStatus(raw, VOLUME_STATUS),
    raw_status: raw && active ? `${raw}/${attached ? "attached" : "detached"}` : raw,
    size: gib === null ? null : `${gib} GiB`,
    tags: tagsFromList(volume.tags),
    created_at: utcTimestamp(volume.created),
    console_url: linodeVolumesUrl(),
  });
}

/**
 * get-lke-clusters answers no status and no node pools (those are one more call per cluster, not made),
 * so an LKE cluster's status is unknown and its size empty rather than guessed.
 */
function kubernetesToResource(cluster: Record<string, unknown>): NormalizedResource {
  const id = idOf(cluster, "an LKE cluster");
  return tokenResource({
    id,
    name: str(cluster.label) ?? id,
    type: "kubernetes_cluster",
    region: str(cluster.region),
    status: "unknown",
    raw_status: null,
    size: null,
    tags: tagsFromList(cluster.tags),
    created_at: utcTimestamp(cluster.created),
    console_url: linodeKubernetesClusterUrl(id),
  });
}

const DATABASE_STATUS: Record<string, ResourceStatus> = {
  active: "running",
  // A backup runs while the database serves.
  backing_up: "running",
  provisioning: "pending",
  suspending: "pending",
  resuming: "pending",
  restoring: "pending",
  updating: "pending",
  suspended: "stopped",
  failed: "error",
  degraded: "error",
};

/**
 * ONLY the fields named here are read. Linode's list answer carries no credentials (they are a separate
 * call, /databases/{engine}/instances/{id}/credentials, which Cloudkeep never makes); its hosts are DNS
 * names, not addresses, so a database lists no IPs.
 */
function databaseToResource(database: Record<string, unknown>): NormalizedResource {
  const id = idOf(database, "a database");
  const raw = str(database.status);
  const type = str(database.type);
  const nodes = typeof database.cluster_size === "number" ? database.cluster_size : null;
  const engine = str(database.engine);
  return tokenResource({
    id,
    name: str(database.label) ?? id,
    type: "database",
    region: str(database.region),
    status: mapStatus(raw, DATABASE_STATUS),
    raw_status: raw,
    // "g6-dedicated-2 ×3": the node type and count, never the bare node type, which would be priced as a Linode.
    size: type && nodes !== null ? `${type} ×${nodes}` : null,
    created_at: utcTimestamp(database.created),
    console_url: engine ? linodeDatabaseUrl(engine, id) : null,
  });
}

/** get-node-balancers answers no status: a NodeBalancer's status is unknown rather than guessed. */
function nodeBalancerToResource(nodebalancer: Record<string, unknown>): NormalizedResource {
  const id = idOf(nodebalancer, "a NodeBalancer");
  return tokenResource({
    id,
    name: str(nodebalancer.label) ?? id,
    type: "load_balancer",
    region: str(nodebalancer.region),
    status: "unknown",
    raw_status: null,
    size: null,
    ...splitAddresses([str(nodebalancer.ipv4), str(nodebalancer.ipv6)]),
    tags: tagsFromList(nodebalancer.tags),
    created_at: utcTimestamp(nodebalancer.created),
    console_url: linodeNodeBalancerUrl(id),
  });
}

const forbiddenHint = (type: LinodeType) =>
  `Give the token the ${LINODE_READ_SCOPES[type]} scope ("${LINODE_NAMES[type].access}: Read Only") in Cloud Manager → your profile → API Tokens.`;

const listings: Record<LinodeType, TokenCloudListing> = {
  instance: {
    firstPages: (base) => [firstPage(base, "v4/linode/instances")],
    readPage,
    toResource,
    forbiddenHint: forbiddenHint("instance"),
  },
  volume: {
    firstPages: (base) => [firstPage(base, "v4/volumes")],
    readPage,
    toResource: volumeToResource,
    forbiddenHint: forbiddenHint("volume"),
  },
  kubernetes_cluster: {
    // get-lke-clusters defines no page parameters: the first page is asked bare, later ones by page alone.
    firstPages: (base) => [apiUrl(base, "v4/lke/clusters")],
    readPage,
    toResource: kubernetesToResource,
    forbiddenHint: forbiddenHint("kubernetes_cluster"),
  },
  database: {
    firstPages: (base) => [firstPage(base, "v4/databases/instances")],
    readPage,
    toResource: databaseToResource,
    forbiddenHint: forbiddenHint("database"),
  },
  load_balancer: {
    firstPages: (base) => [firstPage(base, "v4/nodebalancers")],
    readPage,
    toResource: nodeBalancerToResource,
    forbiddenHint: forbiddenHint("load_balancer"),
  },
};

export const linodeAdapter = tokenCloudAdapter({
  kind: "linode",
  defaultEndpoint: LINODE_API,
  identityPath: "v4/profile",
  toIdentity(body) {
    const username = str(required(body, "username", "the profile"));
    const email = str(body.email);
    const details: Record<string, string> = {};
    if (email) details.email = email;
    if (str(body.uid)) details.uid = str(body.uid)!;
    if (body.restricted === true) details.restricted = "true";
    return { account: username!, label: email ?? undefined, details };
  },
  healthProbes(base) {
    const url = apiUrl(base, "v4/linode/instances");
    url.searchParams.set("page_size", String(PROBE_PAGE_SIZE));
    return [url];
  },
  missingScope,
  listings,
  unauthorized: {
    message: "Linode refused the token (401 Invalid Token).",
    hint: "The token was revoked, expired or copied incompletely — create a new personal access token with read-only access in Cloud Manager → your profile → API Tokens.",
  },
  forbiddenHint: `Give the token read-only access (${Object.values(LINODE_READ_SCOPES).join(", ")}) in Cloud Manager → your profile → API Tokens.`,
});
