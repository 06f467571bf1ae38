// DigitalOcean: GET /v2/account proves the token. Five listings, one per resource type: droplets
// (GET /v2/droplets, and once more with type=gpus: without it DigitalOcean leaves GPU droplets out),
// volumes, Kubernetes clusters and load balancers, 200 a page following links.pages.next to the end,
// and managed databases (GET /v2/databases, one unpaginated answer). A type the token may not read is
// a partial failure naming its scope. The token travels only in the Authorization header.
import {
  digitaloceanDatabaseUrl,
  digitaloceanDropletUrl,
  digitaloceanKubernetesClusterUrl,
  digitaloceanLoadBalancerUrl,
  digitaloceanVolumesUrl,
} from "./console-links.ts";
import { isRecord, MalformedShape, required, splitAddresses, str, tagsFromList } from "./json-fields.ts";
import { apiUrl, poolSizes, mapStatus, nodeCount, resourceBuilder, statusTable, tokenCloudAdapter } from "./token-providers.ts";
import type { TokenCloudListing, TokenCloudPage } from "./token-providers.ts";
import type { NormalizedResource, ResourceStatus } from "./types.ts";

export const DIGITALOCEAN_API = "https://api.digitalocean.com";
const PER_PAGE = 200;

/** The custom scope each listing needs (the `security` of each list operation in digitalocean/openapi). */
export const DIGITALOCEAN_READ_SCOPES = {
  instance: "droplet:read",
  volume: "block_storage:read",
  kubernetes_cluster: "kubernetes:read",
  database: "database:read",
  load_balancer: "load_balancer:read",
} as const;

const STATUS: Record<string, ResourceStatus> = { new: "pending", active: "running", off: "stopped", archive: "terminated" };

function regionSlug(region: unknown): string | null {
  return isRecord(region) ? str(region.slug) : str(region);
}

/** What every DigitalOcean item has: a name, a region (its slug, or an object holding it) and created_at. */
const resource = resourceBuilder({ name: "name", region: (item) => regionSlug(item.region), created: (item) => str(item.created_at) });

function networks(droplet: Record<string, unknown>, family: "v4" | "v6", type: "public" | "private"): string[] {
  const list = isRecord(droplet.networks) ? droplet.networks[family] : undefined;
  if (!Array.isArray(list)) return [];
  return list
    .filter((n) => isRecord(n) && n.type === type && typeof n.ip_address === "string")
    .map((n) => (n as { ip_address: string }).ip_address);
}

function toResource(droplet: Record<string, unknown>): NormalizedResource {
  return resource(droplet, "a droplet", {
    type: "instance",
    region: isRecord(droplet.region) ? str(droplet.region.slug) : null,
    statuses: STATUS,
    size: str(droplet.size_slug) ?? (isRecord(droplet.size) ? str(droplet.size.slug) : null),
    public_ips: [...networks(droplet, "v4", "public"), ...networks(droplet, "v6", "public")],
    private_ips: [...networks(droplet, "v4", "private"), ...networks(droplet, "v6", "private")],
    tags: tagsFromList(droplet.tags),
    consoleUrl: digitaloceanDropletUrl,
  });
}

/** Reads a links.pages page whose items are under `key` (droplets, volumes, kubernetes_clusters, load_balancers). */
const pagesOf = (key: string) => (body: Record<string, unknown>, url: URL) => readPage(body, url, key);

function readPage(body: Record<string, unknown>, url: URL, key: string): TokenCloudPage {
  const items = body[key];
  if (!Array.isArray(items)) throw new MalformedShape(`no "${key}" list`);
  const pages = isRecord(body.links) && isRecord(body.links.pages) ? body.links.pages : {};
  const nextLink = str(pages.next);
  if (!nextLink || items.length === 0) return { items, next: null };
  // Only the page number is taken from the link: the next request goes to the same API root, so a
  // link naming another host can never receive the token.
  let nextPage: number;
  try {
    nextPage = Number(new URL(nextLink, url).searchParams.get("page"));
  } catch {
    throw new MalformedShape("links.pages.next is not a URL");
  }
  if (!Number.isInteger(nextPage) || nextPage < 1) throw new MalformedShape("links.pages.next has no page number");
  const next = new URL(url);
  next.searchParams.set("page", String(nextPage));
  return { items, next };
}

/** The first page of a links.pages listing. */
function firstPage(base: URL, path: string): URL {
  const url = apiUrl(base, path);
  url.searchParams.set("page", "1");
  url.searchParams.set("per_page", String(PER_PAGE));
  return url;
}

/**
 * Volumes have no status in the API. A volume attached to a droplet is in use ("running"), a detached one
 * exists but serves nothing ("stopped"); raw_status says which, in Cloudkeep's words, not DigitalOcean's.
 */
function volumeToResource(volume: Record<string, unknown>): NormalizedResource {
  const attached = Array.isArray(volume.droplet_ids) && volume.droplet_ids.length > 0;
  const gib = typeof volume.size_gigabytes === "number" ? volume.size_gigabytes : null;
  return resource(volume, "a volume", {
    type: "volume",
    status: attached ? "running" : "stopped",
    raw_status: attached ? "attached" : "detached",
    size: gib === null ? null : `${gib} GiB`,
    tags: tagsFromList(volume.tags),
    consoleUrl: digitaloceanVolumesUrl,
  });
}

const KUBERNETES_STATUS = statusTable({
  running: ["running"],
  pending: ["provisioning", "upgrading"],
  error: ["degraded", "error"],
  terminated: ["deleting", "deleted"],
});

function kubernetesToResource(cluster: Record<string, unknown>): NormalizedResource {
  const raw = isRecord(cluster.status) ? str(cluster.status.state) : null;
  return resource(cluster, "a Kubernetes cluster", {
    type: "kubernetes_cluster",
    status: mapStatus(raw, KUBERNETES_STATUS),
    raw_status: raw,
    size: poolSizes(cluster.node_pools, "size", "count"),
    // ipv4 is the control plane's public address (unset for a highly available control plane).
    ...splitAddresses([str(cluster.ipv4)]),
    tags: tagsFromList(cluster.tags),
    consoleUrl: digitaloceanKubernetesClusterUrl,
  });
}

const DATABASE_STATUS = statusTable({ running: ["online"], pending: ["creating", "resizing", "migrating", "forking"] });

/**
 * ONLY the fields named here are read. A database cluster's `connection`, `private_connection`,
 * `standby_*connection` and `users` carry passwords (in `password` and inside `uri`): they are never
 * read, so nothing from them can reach the inventory. Their hosts are DNS names, not addresses, so a
 * database lists no IPs.
 */
function databaseToResource(database: Record<string, unknown>): NormalizedResource {
  const size = str(database.size);
  const nodes = typeof database.num_nodes === "number" ? database.num_nodes : null;
  return resource(database, "a database cluster", {
    type: "database",
    region: str(database.region),
    statuses: DATABASE_STATUS,
    size: size && nodes !== null ? `${size} ×${nodes}` : size,
    tags: tagsFromList(database.tags),
    consoleUrl: digitaloceanDatabaseUrl,
  });
}

/** GET /v2/databases is not paginated (databases_list_clusters has no page parameters): one answer holds all. */
function readDatabases(body: Record<string, unknown>): TokenCloudPage {
  // An account without clusters has been seen answering `"databases": null`; that is an empty list.
  if (body.databases === null) return { items: [], next: null };
  if (!Array.isArray(body.databases)) throw new MalformedShape('no "databases" list');
  return { items: body.databases, next: null };
}

const LOAD_BALANCER_STATUS: Record<string, ResourceStatus> = { new: "pending", active: "running", errored: "error" };

function loadBalancerToResource(lb: Record<string, unknown>): NormalizedResource {
  // A global load balancer has no region.
  return resource(lb, "a load balancer", {
    type: "load_balancer",
    statuses: LOAD_BALANCER_STATUS,
    // size_unit (nodes) replaced the lb-small/medium/large slugs except in AMS2, NYC2 and SFO1.
    size: nodeCount(lb.size_unit) ?? str(lb.size),
    // An INTERNAL load balancer's ip is a VPC address: splitAddresses files it as private.
    ...splitAddresses([str(lb.ip), str(lb.ipv6)]),
    consoleUrl: digitaloceanLoadBalancerUrl,
  });
}

const scopeHint = (type: keyof typeof DIGITALOCEAN_READ_SCOPES) =>
  `Give the token the ${DIGITALOCEAN_READ_SCOPES[type]} scope (or read scope) at cloud.digitalocean.com/account/api/tokens.`;

const listings: Record<keyof typeof DIGITALOCEAN_READ_SCOPES, TokenCloudListing> = {
  instance: {
    firstPages(base) {
      // "By default, only non-GPU Droplets are returned" (droplets_list, parameter `type`).
      return [null, "gpus"].map((type) => {
        const url = firstPage(base, "v2/droplets");
        if (type) url.searchParams.set("type", type);
        return url;
      });
    },
    readPage: pagesOf("droplets"),
    toResource,
    forbiddenHint: scopeHint("instance"),
  },
  volume: {
    firstPages: (base) => [firstPage(base, "v2/volumes")],
    readPage: pagesOf("volumes"),
    toResource: volumeToResource,
    forbiddenHint: scopeHint("volume"),
  },
  kubernetes_cluster: {
    firstPages: (base) => [firstPage(base, "v2/kubernetes/clusters")],
    readPage: pagesOf("kubernetes_clusters"),
    toResource: kubernetesToResource,
    forbiddenHint: scopeHint("kubernetes_cluster"),
  },
  database: {
    firstPages: (base) => [apiUrl(base, "v2/databases")],
    readPage: readDatabases,
    toResource: databaseToResource,
    forbiddenHint: scopeHint("database"),
  },
  load_balancer: {
    firstPages: (base) => [firstPage(base, "v2/load_balancers")],
    readPage: pagesOf("load_balancers"),
    toResource: loadBalancerToResource,
    forbiddenHint: scopeHint("load_balancer"),
  },
};

export const digitaloceanAdapter = tokenCloudAdapter({
  kind: "digitalocean",
  defaultEndpoint: DIGITALOCEAN_API,
  identityPath: "v2/account",
  toIdentity(body) {
    if (!isRecord(body.account)) throw new MalformedShape('no "account" object');
    const account = body.account;
    const uuid = str(required(account, "uuid", "the account"));
    const email = str(account.email);
    const team = isRecord(account.team) ? account.team : null;
    const teamName = team ? str(team.name) : null;
    const details: Record<string, string> = {};
    if (email) details.email = email;
    if (teamName) details.team = teamName;
    if (team && str(team.uuid)) details.team_uuid = str(team.uuid)!;
    if (str(account.status)) details.status = str(account.status)!;
    return { account: uuid!, label: teamName ?? email ?? undefined, details };
  },
  listings,
  unauthorized: {
    message: "DigitalOcean refused the token (401 Unauthorized).",
    hint: "The token was revoked or copied incompletely — create a new one with read scope at cloud.digitalocean.com/account/api/tokens.",
  },
  forbiddenHint: `Give the token read scope (or account:read and ${Object.values(DIGITALOCEAN_READ_SCOPES).join(", ")}) at cloud.digitalocean.com/account/api/tokens.`,
});
