// DigitalOcean: GET /v2/account proves the token; GET /v2/droplets lists droplets 200 a page, following
// links.pages.next to the end, and once more with type=gpus: without it DigitalOcean leaves GPU
// droplets out. The token travels only in the Authorization header.
import { digitaloceanDropletUrl } from "./console-links.ts";
import { apiUrl, isRecord, mapStatus, MalformedShape, required, str, tagsFromList, tokenCloudAdapter, type TokenCloudPage } from "./token-providers.ts";
import type { NormalizedResource, ResourceStatus } from "./types.ts";

export const DIGITALOCEAN_API = "https://api.digitalocean.com";
const PER_PAGE = 200;

const STATUS: Record<string, ResourceStatus> = { new: "pending", active: "running", off: "stopped", archive: "terminated" };

function networks(droplet: Record<string, unknown>, family: "v4" | "v6", type: "public" | "private"): string[] {
  const list = isRecord(droplet.networks) ? droplet.networks[family] : undefined;
  if (!Array.isArray(list)) return [];
  return list.filter((n) => isRecord(n) && n.type === type && typeof n.ip_address === "string").map((n) => (n as { ip_address: string }).ip_address);
}

function toResource(droplet: Record<string, unknown>): NormalizedResource {
  const id = str(required(droplet, "id", "a droplet"));
  if (!id) throw new MalformedShape('a droplet has an empty "id"');
  const raw = str(droplet.status);
  const region = isRecord(droplet.region) ? str(droplet.region.slug) : null;
  return {
    id,
    name: str(droplet.name) ?? id,
    type: "instance",
    region,
    zone: null,
    status: mapStatus(raw, STATUS),
    raw_status: raw,
    size: str(droplet.size_slug) ?? (isRecord(droplet.size) ? str(droplet.size.slug) : null),
    public_ips: [...networks(droplet, "v4", "public"), ...networks(droplet, "v6", "public")],
    private_ips: [...networks(droplet, "v4", "private"), ...networks(droplet, "v6", "private")],
    tags: tagsFromList(droplet.tags),
    created_at: str(droplet.created_at),
    console_url: digitaloceanDropletUrl(id),
  };
}

function readPage(body: Record<string, unknown>, url: URL): TokenCloudPage {
  if (!Array.isArray(body.droplets)) throw new MalformedShape('no "droplets" list');
  const pages = isRecord(body.links) && isRecord(body.links.pages) ? body.links.pages : {};
  const nextLink = str(pages.next);
  if (!nextLink || body.droplets.length === 0) return { items: body.droplets, next: null };
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
  return { items: body.droplets, next };
}

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
  firstPages(base) {
    // "By default, only non-GPU Droplets are returned" (droplets_list, parameter `type`).
    return [null, "gpus"].map((type) => {
      const url = apiUrl(base, "v2/droplets");
      if (type) url.searchParams.set("type", type);
      url.searchParams.set("page", "1");
      url.searchParams.set("per_page", String(PER_PAGE));
      return url;
    });
  },
  readPage,
  toResource,
  unauthorized: {
    message: "DigitalOcean refused the token (401 Unauthorized).",
    hint: "The token was revoked or copied incompletely — create a new one with read scope at cloud.digitalocean.com/account/api/tokens.",
  },
  forbiddenHint: "Give the token read scope (or the droplet:read and account:read scopes) at cloud.digitalocean.com/account/api/tokens.",
});
