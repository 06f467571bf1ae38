// Vultr: GET /v2/account proves the API key. Five listings, one per resource type: instances, block
// storage and load balancers, 500 a page following the cursor in meta.links.next to the end, and
// Kubernetes (VKE) clusters and managed databases, whose list operations define no paging (one answer;
// a cursor there is followed all the same). A type that fails is a partial failure of that type.
import { vultrBlockStorageUrl, vultrDatabasesUrl, vultrInstanceUrl, vultrKubernetesUrl, vultrLoadBalancersUrl } from "./console-links.ts";
import {
  apiUrl,
  idOf,
  poolSizes,
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

export const VULTR_API = "https://api.vultr.com";
const PER_PAGE = 500;

/** Vultr reports a subscription status and a power status; together they say what the machine is doing. */
function vultrStatus(status: string | null, power: string | null): ResourceStatus {
  switch (status) {
    case "pending":
    case "resizing":
      return "pending";
    case "suspended":
      return "stopped";
    case "active":
      return power === "running" ? "running" : power === "stopped" ? "stopped" : "unknown";
    default:
      return "unknown";
  }
}

function toResource(instance: Record<string, unknown>): NormalizedResource {
  const id = str(required(instance, "id", "an instance"));
  if (!id) throw new MalformedShape('an instance has an empty "id"');
  const status = str(instance.status);
  const power = str(instance.power_status);
  // The API definition lists IPv6 under v6_networks[].main_ip; answers also carry the older flat v6_main_ip.
  const v6 = Array.isArray(instance.v6_networks) ? instance.v6_networks.map((n) => (isRecord(n) ? str(n.main_ip) : null)) : [];
  const ips = splitAddresses(
    [...new Set([str(instance.main_ip), str(instance.v6_main_ip), ...v6, str(instance.internal_ip)])].filter((a) => a !== "0.0.0.0"),
  );
  const tags = tagsFromList(instance.tags);
  if (Object.keys(tags).length === 0 && str(instance.tag)) Object.assign(tags, tagsFromList([instance.tag]));
  return tokenResource({
    id,
    name: str(instance.label) ?? str(instance.hostname) ?? id,
    type: "instance",
    region: str(instance.region),
    status: vultrStatus(status, power),
    raw_status: [status, power].filter(Boolean).join("/") || null,
    size: str(instance.plan),
    ...ips,
    tags,
    created_at: str(instance.date_created),
    console_url: vultrInstanceUrl(id),
  });
}

/** Reads a cursor page whose items are under `key`; `paged` operations must answer meta.links. */
const cursorPages =
  (key: string, paged: boolean) =>
  (body: Record<string, unknown>, url: URL): TokenCloudPage => {
    const items = body[key];
    if (!Array.isArray(items)) throw new MalformedShape(`no "${key}" list`);
    const links = isRecord(body.meta) && isRecord(body.meta.links) ? body.meta.links : null;
    if (!links) {
      if (paged) throw new MalformedShape('no "meta.links"');
      return { items, next: null };
    }
    const cursor = str(links.next);
    if (!cursor || items.length === 0) return { items, next: null };
    const next = new URL(url);
    next.searchParams.set("cursor", cursor);
    return { items, next };
  };

function firstPage(base: URL, path: string): URL {
  const url = apiUrl(base, path);
  url.searchParams.set("per_page", String(PER_PAGE));
  return url;
}

const PENDING_OR_ACTIVE: Record<string, ResourceStatus> = { active: "running", pending: "pending" };

/**
 * An active block storage volume attached to an instance is in use ("running"), an active detached one
 * serves nothing ("stopped"), as for the other clouds' volumes; raw_status keeps Vultr's status and says which.
 */
function blockToResource(block: Record<string, unknown>): NormalizedResource {
  const id = idOf(block, "a block storage volume");
  const raw = str(block.status);
  const attached = str(block.attached_to_instance) !== null;
  const gb = typeof block.size_gb === "number" ? block.size_gb : null;
  const active = raw === "active";
  return tokenResource({
    id,
    name: str(block.label) ?? id,
    type: "volume",
    region: str(block.region),
    status: active ? (attached ? "running" : "stopped") : mapStatus(raw, PENDING_OR_ACTIVE),
    raw_status: raw && active ? `${raw}/${attached ? "attached" : "detached"}` : raw,
    size: gb === null ? null : `${gb} GB`,
    created_at: str(block.date_created),
    console_url: vultrBlockStorageUrl(),
  });
}

function kubernetesToResource(cluster: Record<string, unknown>): NormalizedResource {
  const id = idOf(cluster, "a Kubernetes cluster");
  const raw = str(cluster.status);
  // ip is the control plane's address; endpoint is its DNS name, not an address.
  return tokenResource({
    id,
    name: str(cluster.label) ?? id,
    type: "kubernetes_cluster",
    region: str(cluster.region),
    status: mapStatus(raw, PENDING_OR_ACTIVE),
    raw_status: raw,
    size: poolSizes(cluster.node_pools, "plan", "node_quantity"),
    ...splitAddresses([str(cluster.ip)]),
    created_at: str(cluster.date_created),
    console_url: vultrKubernetesUrl(),
  });
}

const DATABASE_STATUS: Record<string, ResourceStatus> = {
  running: "running",
  rebuilding: "pending",
  rebalancing: "pending",
  configuring: "pending",
};

/**
 * ONLY the fields named here are read. Vultr's list answer carries each database's `user` and `password`
 * (and ferretdb_credentials.password): they are never read, nor the hosts and port beside them, so
 * nothing from them can reach the inventory. Vultr writes the region in capitals ("EWR") here and in
 * lower case everywhere else; it is kept in lower case so region filters match.
 */
function databaseToResource(database: Record<string, unknown>): NormalizedResource {
  const id = idOf(database, "a managed database");
  const raw = str(database.status);
  const tag = str(database.tag);
  return tokenResource({
    id,
    name: str(database.label) ?? id,
    type: "database",
    region: str(database.region)?.toLowerCase() ?? null,
    status: mapStatus(raw, DATABASE_STATUS),
    raw_status: raw,
    size: str(database.plan),
    tags: tag ? tagsFromList([tag]) : {},
    created_at: utcTimestamp(database.date_created),
    console_url: vultrDatabasesUrl(),
  });
}

function loadBalancerToResource(lb: Record<string, unknown>): NormalizedResource {
  const id = idOf(lb, "a load balancer");
  const raw = str(lb.status);
  const nodes = typeof lb.nodes === "number" ? lb.nodes : null;
  return tokenResource({
    id,
    name: str(lb.label) ?? id,
    type: "load_balancer",
    region: str(lb.region),
    status: mapStatus(raw, PENDING_OR_ACTIVE),
    raw_status: raw,
    size: nodes === null ? null : `${nodes} ${nodes === 1 ? "node" : "nodes"}`,
    ...splitAddresses([str(lb.ipv4), str(lb.ipv6)]),
    created_at: str(lb.date_created),
    console_url: vultrLoadBalancersUrl(),
  });
}

// Vultr's API key carries its user's permissions, with no per-product read scope: a type refused with 403
// means the key's user lacks the permission Vultr asks for it.
const forbiddenHint = (what: string, permission: string) =>
  `The API key's user may not view ${what} (the ${permission} permission), or the calling IP is not in the API access list at my.vultr.com/settings/#settingsapi.`;

const listings: Record<"instance" | "volume" | "kubernetes_cluster" | "database" | "load_balancer", TokenCloudListing> = {
  instance: {
    firstPages: (base) => [firstPage(base, "v2/instances")],
    readPage: cursorPages("instances", true),
    toResource,
    forbiddenHint: forbiddenHint("instances", "subscriptions_view"),
  },
  volume: {
    firstPages: (base) => [firstPage(base, "v2/blocks")],
    readPage: cursorPages("blocks", true),
    toResource: blockToResource,
    forbiddenHint: forbiddenHint("block storage", "subscriptions_view"),
  },
  kubernetes_cluster: {
    // list-kubernetes-clusters defines no query parameters.
    firstPages: (base) => [apiUrl(base, "v2/kubernetes/clusters")],
    readPage: cursorPages("vke_clusters", false),
    toResource: kubernetesToResource,
    forbiddenHint: forbiddenHint("Kubernetes clusters", "subscriptions_view"),
  },
  database: {
    // list-databases defines only filters, and its meta carries only a total.
    firstPages: (base) => [apiUrl(base, "v2/databases")],
    readPage: cursorPages("databases", false),
    toResource: databaseToResource,
    forbiddenHint: forbiddenHint("managed databases", "subscriptions_view"),
  },
  load_balancer: {
    firstPages: (base) => [firstPage(base, "v2/load-balancers")],
    readPage: cursorPages("load_balancers", true),
    toResource: loadBalancerToResource,
    forbiddenHint: forbiddenHint("load balancers", "loadbalancer"),
  },
};

export const vultrAdapter = tokenCloudAdapter({
  kind: "vultr",
  defaultEndpoint: VULTR_API,
  identityPath: "v2/account",
  toIdentity(body) {
    if (!isRecord(body.account)) throw new MalformedShape('no "account" object');
    const account = body.account;
    const email = str(required(account, "email", "the account"));
    const name = str(account.name);
    const details: Record<string, string> = { email: email! };
    if (Array.isArray(account.acls)) details.acls = account.acls.filter((a) => typeof a === "string").join(", ");
    return { account: email!, label: name ?? undefined, details };
  },
  listings,
  unauthorized: {
    message: "Vultr refused the API key (401 Invalid API token).",
    hint: "The key was regenerated or copied incompletely, or the API is not enabled — enable it and copy the key at my.vultr.com/settings/#settingsapi. If access is restricted by IP, allow Cloudkeep's address there.",
  },
  forbiddenHint:
    "The API key's user lacks permission to view the account's resources (the subscriptions_view ACL, and loadbalancer for load balancers), or the calling IP is not in the API access list at my.vultr.com/settings/#settingsapi.",
});
