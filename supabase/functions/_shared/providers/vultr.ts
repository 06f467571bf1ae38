// Vultr: GET /v2/account proves the API key. Five listings, one per resource type: instances, block
// storage and load balancers, 500 a page following the cursor in meta.links.next to the end, and
// Kubernetes (VKE) clusters and managed databases, whose list operations define no paging (one answer;
// a cursor there is followed all the same). A type that fails is a partial failure of that type.
import { vultrBlockStorageUrl, vultrDatabasesUrl, vultrInstanceUrl, vultrKubernetesUrl, vultrLoadBalancersUrl } from "./console-links.ts";
import { isRecord, MalformedShape, required, splitAddresses, str, tagsFromList, utcTimestamp } from "./json-fields.ts";
import { apiUrl, nodeCount, poolSizes, resourceBuilder, statusTable, tokenCloudAdapter, volumeStatus } from "./token-providers.ts";
import type { TokenCloudListing, TokenCloudPage } from "./token-providers.ts";
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

/** What every Vultr item has: a label, a region and date_created. */
const resource = resourceBuilder({ name: "label", region: (item) => str(item.region), created: (item) => str(item.date_created) });

function toResource(instance: Record<string, unknown>): NormalizedResource {
  const status = str(instance.status);
  const power = str(instance.power_status);
  // The API definition lists IPv6 under v6_networks[].main_ip; answers also carry the older flat v6_main_ip.
  const v6 = Array.isArray(instance.v6_networks) ? instance.v6_networks.map((n) => (isRecord(n) ? str(n.main_ip) : null)) : [];
  const addresses = [...new Set([str(instance.main_ip), str(instance.v6_main_ip), ...v6, str(instance.internal_ip)])];
  const tags = tagsFromList(instance.tags);
  if (Object.keys(tags).length === 0 && str(instance.tag)) Object.assign(tags, tagsFromList([instance.tag]));
  return resource(instance, "an instance", {
    type: "instance",
    name: str(instance.label) ?? str(instance.hostname),
    status: vultrStatus(status, power),
    raw_status: [status, power].filter(Boolean).join("/") || null,
    size: str(instance.plan),
    ...splitAddresses(addresses.filter((a) => a !== "0.0.0.0")),
    tags,
    consoleUrl: vultrInstanceUrl,
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

/** An active block storage volume is "running" attached to an instance and "stopped" detached (volumeStatus). */
function blockToResource(block: Record<string, unknown>): NormalizedResource {
  const gb = typeof block.size_gb === "number" ? block.size_gb : null;
  return resource(block, "a block storage volume", {
    type: "volume",
    ...volumeStatus(str(block.status), str(block.attached_to_instance) !== null, PENDING_OR_ACTIVE),
    size: gb === null ? null : `${gb} GB`,
    consoleUrl: vultrBlockStorageUrl,
  });
}

function kubernetesToResource(cluster: Record<string, unknown>): NormalizedResource {
  return resource(cluster, "a Kubernetes cluster", {
    type: "kubernetes_cluster",
    statuses: PENDING_OR_ACTIVE,
    size: poolSizes(cluster.node_pools, "plan", "node_quantity"),
    // ip is the control plane's address; endpoint is its DNS name, not an address.
    ...splitAddresses([str(cluster.ip)]),
    consoleUrl: vultrKubernetesUrl,
  });
}

const DATABASE_STATUS = statusTable({ running: ["running"], pending: ["rebuilding", "rebalancing", "configuring"] });

/**
 * ONLY the fields named here are read. Vultr's list answer carries each database's `user` and `password`
 * (and ferretdb_credentials.password): they are never read, nor the hosts and port beside them, so
 * nothing from them can reach the inventory. Vultr writes the region in capitals ("EWR") here and in
 * lower case everywhere else; it is kept in lower case so region filters match.
 */
function databaseToResource(database: Record<string, unknown>): NormalizedResource {
  return resource(database, "a managed database", {
    type: "database",
    region: str(database.region)?.toLowerCase() ?? null,
    statuses: DATABASE_STATUS,
    size: str(database.plan),
    tags: tagsFromList([str(database.tag)]),
    created_at: utcTimestamp(database.date_created),
    consoleUrl: vultrDatabasesUrl,
  });
}

function loadBalancerToResource(lb: Record<string, unknown>): NormalizedResource {
  return resource(lb, "a load balancer", {
    type: "load_balancer",
    statuses: PENDING_OR_ACTIVE,
    size: nodeCount(lb.nodes),
    ...splitAddresses([str(lb.ipv4), str(lb.ipv6)]),
    consoleUrl: vultrLoadBalancersUrl,
  });
}

// Vultr's API key carries its user's permissions, with no per-product read scope: a type refused with 403
// means the key's user lacks the permission Vultr asks for it.
const forbiddenHint = (what: string, permission = "subscriptions_view") =>
  `The API key's user may not view ${what} (the ${permission} permission), or the calling IP is not in the API access list at my.vultr.com/settings/#settingsapi.`;

/** A listing of `path` whose items are under `key`; a `paged` operation takes per_page and must answer meta.links. */
function listing(path: string, key: string, toResource: TokenCloudListing["toResource"], hint: string, paged = true): TokenCloudListing {
  return {
    firstPages: (base) => [paged ? firstPage(base, path) : apiUrl(base, path)],
    readPage: cursorPages(key, paged),
    toResource,
    forbiddenHint: hint,
  };
}

const listings: Record<"instance" | "volume" | "kubernetes_cluster" | "database" | "load_balancer", TokenCloudListing> = {
  instance: listing("v2/instances", "instances", toResource, forbiddenHint("instances")),
  volume: listing("v2/blocks", "blocks", blockToResource, forbiddenHint("block storage")),
  // list-kubernetes-clusters defines no query parameters.
  kubernetes_cluster: listing("v2/kubernetes/clusters", "vke_clusters", kubernetesToResource, forbiddenHint("Kubernetes clusters"), false),
  // list-databases defines only filters, and its meta carries only a total.
  database: listing("v2/databases", "databases", databaseToResource, forbiddenHint("managed databases"), false),
  load_balancer: listing("v2/load-balancers", "load_balancers", loadBalancerToResource, forbiddenHint("load balancers", "loadbalancer")),
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
