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
import { isRecord, MalformedShape, required, splitAddresses, str, tagsFromList, utcTimestamp } from "./json-fields.ts";
import { apiUrl, resourceBuilder, statusTable, tokenCloudAdapter, volumeStatus } from "./token-providers.ts";
import type { TokenCloudListing, TokenCloudPage } from "./token-providers.ts";
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

const STATUS = statusTable({
  running: ["running"],
  stopped: ["offline", "stopped", "billing_suspension"],
  // Linode reports `busy` while a job (a backup restore, a disk operation) holds the machine.
  pending: ["booting", "rebooting", "shutting_down", "provisioning", "migrating", "resizing", "rebuilding", "cloning", "restoring", "busy"],
  terminated: ["deleting"],
});

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

/** What every Linode item has: a label, a region and when it was created (written without a zone, in UTC). */
const resource = resourceBuilder({ name: "label", region: (item) => str(item.region), created: (item) => utcTimestamp(item.created) });

function toResource(linode: Record<string, unknown>): NormalizedResource {
  const v4 = Array.isArray(linode.ipv4) ? linode.ipv4.filter((a): a is string => typeof a === "string") : [];
  return resource(linode, "a linode", {
    type: "instance",
    statuses: STATUS,
    size: str(linode.type),
    ...splitAddresses([...v4, str(linode.ipv6)]),
    tags: tagsFromList(linode.tags),
    consoleUrl: linodeInstanceUrl,
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

/** An active volume is "running" attached to a Linode and "stopped" detached (volumeStatus), as DigitalOcean's are. */
function volumeToResource(volume: Record<string, unknown>): NormalizedResource {
  const attached = volume.linode_id !== null && volume.linode_id !== undefined;
  // "The Volume's size, in GiB" (get-volumes).
  const gib = typeof volume.size === "number" ? volume.size : null;
  return resource(volume, "a volume", {
    type: "volume",
    ...volumeStatus(str(volume.status), attached, VOLUME_STATUS),
    size: gib === null ? null : `${gib} GiB`,
    tags: tagsFromList(volume.tags),
    consoleUrl: linodeVolumesUrl,
  });
}

/**
 * get-lke-clusters answers no status and no node pools (those are one more call per cluster, not made),
 * so an LKE cluster's status is unknown and its size empty rather than guessed.
 */
function kubernetesToResource(cluster: Record<string, unknown>): NormalizedResource {
  return resource(cluster, "an LKE cluster", {
    type: "kubernetes_cluster",
    tags: tagsFromList(cluster.tags),
    consoleUrl: linodeKubernetesClusterUrl,
  });
}

const DATABASE_STATUS = statusTable({
  // A backup runs while the database serves.
  running: ["active", "backing_up"],
  pending: ["provisioning", "suspending", "resuming", "restoring", "updating"],
  stopped: ["suspended"],
  error: ["failed", "degraded"],
});

/**
 * ONLY the fields named here are read. Linode's list answer carries no credentials (they are a separate
 * call, /databases/{engine}/instances/{id}/credentials, which Cloudkeep never makes); its hosts are DNS
 * names, not addresses, so a database lists no IPs.
 */
function databaseToResource(database: Record<string, unknown>): NormalizedResource {
  const type = str(database.type);
  const nodes = typeof database.cluster_size === "number" ? database.cluster_size : null;
  const engine = str(database.engine);
  return resource(database, "a database", {
    type: "database",
    statuses: DATABASE_STATUS,
    // "g6-dedicated-2 ×3": the node type and count, never the bare node type, which would be priced as a Linode.
    size: type && nodes !== null ? `${type} ×${nodes}` : null,
    consoleUrl: (id) => (engine ? linodeDatabaseUrl(engine, id) : null),
  });
}

/** get-node-balancers answers no status: a NodeBalancer's status is unknown rather than guessed. */
function nodeBalancerToResource(nodebalancer: Record<string, unknown>): NormalizedResource {
  return resource(nodebalancer, "a NodeBalancer", {
    type: "load_balancer",
    ...splitAddresses([str(nodebalancer.ipv4), str(nodebalancer.ipv6)]),
    tags: tagsFromList(nodebalancer.tags),
    consoleUrl: linodeNodeBalancerUrl,
  });
}

const forbiddenHint = (type: LinodeType) =>
  `Give the token the ${LINODE_READ_SCOPES[type]} scope ("${LINODE_NAMES[type].access}: Read Only") in Cloud Manager → your profile → API Tokens.`;

/** A listing of `path` read by readPage, from a first page of PAGE_SIZE, or asked bare where the operation is not `paged`. */
function listing(path: string, toResource: TokenCloudListing["toResource"], hint: string, paged = true): TokenCloudListing {
  return { firstPages: (base) => [paged ? firstPage(base, path) : apiUrl(base, path)], readPage, toResource, forbiddenHint: hint };
}

const listings: Record<LinodeType, TokenCloudListing> = {
  instance: listing("v4/linode/instances", toResource, forbiddenHint("instance")),
  volume: listing("v4/volumes", volumeToResource, forbiddenHint("volume")),
  // get-lke-clusters defines no page parameters: the first page is asked bare, later ones by page alone.
  kubernetes_cluster: listing("v4/lke/clusters", kubernetesToResource, forbiddenHint("kubernetes_cluster"), false),
  database: listing("v4/databases/instances", databaseToResource, forbiddenHint("database")),
  load_balancer: listing("v4/nodebalancers", nodeBalancerToResource, forbiddenHint("load_balancer")),
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
