// Vultr: GET /v2/account proves the API key; GET /v2/instances lists 500 a page, following the cursor
// in meta.links.next to the end.
import { vultrInstanceUrl } from "./console-links.ts";
import {
  apiUrl,
  isRecord,
  MalformedShape,
  required,
  splitAddresses,
  str,
  tagsFromList,
  tokenCloudAdapter,
  type TokenCloudPage,
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
  return {
    id,
    name: str(instance.label) ?? str(instance.hostname) ?? id,
    type: "instance",
    region: str(instance.region),
    zone: null,
    status: vultrStatus(status, power),
    raw_status: [status, power].filter(Boolean).join("/") || null,
    size: str(instance.plan),
    ...ips,
    tags,
    created_at: str(instance.date_created),
    console_url: vultrInstanceUrl(id),
  };
}

function readPage(body: Record<string, unknown>, url: URL): TokenCloudPage {
  if (!Array.isArray(body.instances)) throw new MalformedShape('no "instances" list');
  const links = isRecord(body.meta) && isRecord(body.meta.links) ? body.meta.links : null;
  if (!links) throw new MalformedShape('no "meta.links"');
  const cursor = str(links.next);
  if (!cursor || body.instances.length === 0) return { items: body.instances, next: null };
  const next = new URL(url);
  next.searchParams.set("cursor", cursor);
  return { items: body.instances, next };
}

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
  firstPages(base) {
    const url = apiUrl(base, "v2/instances");
    url.searchParams.set("per_page", String(PER_PAGE));
    return [url];
  },
  readPage,
  toResource,
  unauthorized: {
    message: "Vultr refused the API key (401 Invalid API token).",
    hint: "The key was regenerated or copied incompletely, or the API is not enabled — enable it and copy the key at my.vultr.com/settings/#settingsapi. If access is restricted by IP, allow Cloudkeep's address there.",
  },
  forbiddenHint:
    "The API key's user lacks permission to view instances (the subscriptions_view ACL), or the calling IP is not in the API access list at my.vultr.com/settings/#settingsapi.",
});
