// Linode (Akamai): GET /v4/profile proves the token, and one small page of GET /v4/linode/instances
// proves it may read Linodes (a token of any scope reads its profile); the listing takes 500 a page,
// following page/pages to the end.
import { linodeInstanceUrl } from "./console-links.ts";
import {
  apiUrl,
  isRecord,
  mapStatus,
  MalformedShape,
  required,
  splitAddresses,
  str,
  tagsFromList,
  tokenCloudAdapter,
  type TokenCloudPage,
} from "./token-providers.ts";
import type { NormalizedResource, ResourceStatus } from "./types.ts";

export const LINODE_API = "https://api.linode.com";
const PAGE_SIZE = 500;
/** The smallest page Linode allows; the health check needs only the answer, not the machines. */
const PROBE_PAGE_SIZE = 25;
/** The OAuth scope a token needs to list instances (Cloud Manager: "Linodes — Read Only"). */
export const LINODE_READ_SCOPE = "linodes:read_only";

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

/** Linode answers a token without the endpoint's scope 401 "Your OAuth token is not authorized to use this endpoint." */
function missingScope(body: unknown): { message: string; hint: string } | null {
  const errors = isRecord(body) && Array.isArray(body.errors) ? body.errors : [];
  const refused = errors.some((e) => isRecord(e) && typeof e.reason === "string" && /not authorized to use this endpoint/i.test(e.reason));
  if (!refused) return null;
  return {
    message: "The Linode token works but may not read Linodes (401: not authorized to use this endpoint).",
    hint: `Create a personal access token with the ${LINODE_READ_SCOPE} scope ("Linodes: Read Only") in Cloud Manager → your profile → API Tokens, and rotate it here.`,
  };
}

/** Linode writes timestamps without a zone ("2018-01-01T00:01:01"); they are UTC. */
function utc(value: unknown): string | null {
  const text = str(value);
  if (!text) return null;
  return /(Z|[+-]\d\d:?\d\d)$/.test(text) ? text : `${text}Z`;
}

function toResource(linode: Record<string, unknown>): NormalizedResource {
  const id = str(required(linode, "id", "a linode"));
  if (!id) throw new MalformedShape('a linode has an empty "id"');
  const raw = str(linode.status);
  const v4 = Array.isArray(linode.ipv4) ? linode.ipv4.filter((a): a is string => typeof a === "string") : [];
  const v6 = str(linode.ipv6);
  const ips = splitAddresses([...v4, v6]);
  return {
    id,
    name: str(linode.label) ?? id,
    type: "instance",
    region: str(linode.region),
    zone: null,
    status: mapStatus(raw, STATUS),
    raw_status: raw,
    size: str(linode.type),
    ...ips,
    tags: tagsFromList(linode.tags),
    created_at: utc(linode.created),
    console_url: linodeInstanceUrl(id),
  };
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
  firstPages(base) {
    const url = apiUrl(base, "v4/linode/instances");
    url.searchParams.set("page", "1");
    url.searchParams.set("page_size", String(PAGE_SIZE));
    return [url];
  },
  healthProbes(base) {
    const url = apiUrl(base, "v4/linode/instances");
    url.searchParams.set("page_size", String(PROBE_PAGE_SIZE));
    return [url];
  },
  missingScope,
  readPage,
  toResource,
  unauthorized: {
    message: "Linode refused the token (401 Invalid Token).",
    hint: "The token was revoked, expired or copied incompletely — create a new personal access token with read-only Linodes access in Cloud Manager → your profile → API Tokens.",
  },
  forbiddenHint: "Give the token read-only access to Linodes in Cloud Manager → your profile → API Tokens.",
});
