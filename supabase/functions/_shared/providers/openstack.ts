// OpenStack: a Keystone v3 token (password scoped to a project, or an application credential), the
// compute endpoint from its catalog by region and interface "public", then Nova servers/detail with
// markers to the end. Tokens are cached in memory until a minute before Keystone says they expire.
import { settleEach } from "../concurrency.ts";
import { classifyAddress, safeFetch } from "../net/outbound.ts";
import { requestJson, toProviderFailure, UpstreamError, type FetchLike } from "../net/http.ts";
import { TokenCache } from "../net/token-cache.ts";
import type { OpenStackCredentials } from "../schemas/providers.ts";
import { openstackInstanceUrl } from "./console-links.ts";
import { isRecord, str, tagsFromList } from "./json-fields.ts";
import { mapStatus } from "./token-providers.ts";
import type {
  AdapterContext,
  HealthResult,
  ListResult,
  NormalizedResource,
  ProviderAdapter,
  ProviderIdentity,
  ResourceStatus,
} from "./types.ts";

type CatalogEndpoint = { region: string; interface: string; url: string };
type CatalogService = { type: string; endpoints: CatalogEndpoint[] };

type KeystoneToken = {
  token: string;
  expiresAt: string;
  user: { id: string; name: string; domain: string | null };
  project: { id: string; name: string; domain: string | null } | null;
  catalog: CatalogService[];
};

// Shared across calls in this process: one Keystone login serves every check and listing until it nears expiry.
const keystoneTokens = new TokenCache<KeystoneToken>();

/** Forget every cached Keystone token (tests; key rotation). */
export function clearOpenStackTokens(): void {
  keystoneTokens.clear();
}

const PAGE_LIMIT = 1000;
const MAX_PAGES = 2_000;

const STATUS: Record<string, ResourceStatus> = {
  active: "running",
  shutoff: "stopped",
  stopped: "stopped",
  suspended: "stopped",
  paused: "stopped",
  shelved: "stopped",
  shelved_offloaded: "stopped",
  build: "pending",
  rebuild: "pending",
  reboot: "pending",
  hard_reboot: "pending",
  resize: "pending",
  verify_resize: "pending",
  revert_resize: "pending",
  migrating: "pending",
  password: "pending",
  rescue: "pending",
  deleted: "terminated",
  soft_deleted: "terminated",
  error: "error",
  unknown: "unknown",
};

const KEYSTONE_ID = /^[0-9a-f]{32}$/i;

/** The Keystone v3 root: the stored endpoint already ends in /v3; anything else gets it added. */
function keystoneRoot(apiEndpoint: string | null): URL {
  if (!apiEndpoint) {
    throw new UpstreamError({
      code: "invalid_endpoint",
      status: 422,
      message: "An OpenStack provider needs its Keystone URL (api_endpoint).",
      hint: "Set the Identity v3 endpoint, as in OS_AUTH_URL, e.g. https://keystone.example.com:5000/v3.",
    });
  }
  const url = new URL(apiEndpoint);
  const path = url.pathname.replace(/\/+$/, "");
  url.pathname = /\/v3$/.test(path) ? `${path}/` : `${path}/v3/`;
  return url;
}

/** Project and domain as Keystone expects them: an id when it looks like one, else a name. */
function nameOrId(value: string): { id: string } | { name: string } {
  return KEYSTONE_ID.test(value) ? { id: value } : { name: value };
}

function authBody(credentials: OpenStackCredentials) {
  if ("application_credential_id" in credentials) {
    return {
      auth: {
        identity: {
          methods: ["application_credential"],
          application_credential: { id: credentials.application_credential_id, secret: credentials.application_credential_secret },
        },
      },
    };
  }
  const domain = nameOrId(credentials.domain);
  return {
    auth: {
      identity: { methods: ["password"], password: { user: { name: credentials.username, domain, password: credentials.password } } },
      scope: { project: { ...nameOrId(credentials.project), domain } },
    },
  };
}

function malformed(detail: string): UpstreamError {
  return new UpstreamError({
    code: "malformed_response",
    message: `Keystone answered with something that is not an Identity v3 token: ${detail}.`,
  });
}

function parseCatalog(value: unknown): CatalogService[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isRecord).map((service) => ({
    type: str(service.type) ?? "",
    endpoints: (Array.isArray(service.endpoints) ? service.endpoints : []).filter(isRecord).map((e) => ({
      region: str(e.region_id) ?? str(e.region) ?? "",
      interface: str(e.interface) ?? "",
      url: str(e.url) ?? "",
    })),
  }));
}

function named(value: unknown): { id: string; name: string; domain: string | null } | null {
  if (!isRecord(value)) return null;
  const id = str(value.id);
  if (!id) return null;
  const domain = isRecord(value.domain) ? (str(value.domain.name) ?? str(value.domain.id)) : null;
  return { id, name: str(value.name) ?? id, domain };
}

function keystoneFailure(error: unknown, credentials: OpenStackCredentials): unknown {
  if (!(error instanceof UpstreamError)) return error;
  if (error.upstreamStatus === 401) {
    return "application_credential_id" in credentials
      ? new UpstreamError({
          code: "invalid_credentials",
          status: 401,
          upstreamStatus: 401,
          message: "Keystone refused the application credential (401).",
          hint: "Check the application credential ID and secret, and that the credential has not expired or been deleted (openstack application credential list).",
        })
      : new UpstreamError({
          code: "invalid_credentials",
          status: 401,
          upstreamStatus: 401,
          message: "Keystone refused the user name, password, project or domain (401).",
          hint: "Check the domain (often `Default`) and that the project exists and the user has a role in it; then the user name and password.",
        });
  }
  if (error.upstreamStatus === 404) {
    return new UpstreamError({
      code: "not_found",
      upstreamStatus: 404,
      message: `${error.message} The URL does not serve Keystone's /v3/auth/tokens.`,
      hint: "Use the Identity v3 endpoint exactly as in OS_AUTH_URL, e.g. https://keystone.example.com:5000/v3.",
    });
  }
  return error;
}

async function issueToken(
  fetchFn: FetchLike,
  credentials: OpenStackCredentials,
  context: AdapterContext,
): Promise<{ value: KeystoneToken; expiresAt: string }> {
  const root = keystoneRoot(context.apiEndpoint);
  let response;
  try {
    response = await requestJson(
      fetchFn,
      new URL("auth/tokens", root),
      {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "Cloudkeep" },
        body: JSON.stringify(authBody(credentials)),
      },
      // A login is cheap to retry on 5xx and 429, and a 401 is final.
      { timeoutMs: context.timeoutMs, signal: context.signal },
    );
  } catch (error) {
    throw keystoneFailure(error, credentials);
  }
  const token = response.headers.get("x-subject-token");
  if (!token) throw malformed("no X-Subject-Token header");
  const body = response.body;
  if (!isRecord(body) || !isRecord(body.token)) throw malformed('no "token" object');
  const expiresAt = str(body.token.expires_at);
  const user = named(body.token.user);
  if (!expiresAt || Number.isNaN(Date.parse(expiresAt))) throw malformed('no readable "expires_at"');
  if (!user) throw malformed('no "user"');
  return {
    value: { token, expiresAt, user, project: named(body.token.project), catalog: parseCatalog(body.token.catalog) },
    expiresAt,
  };
}

function login(fetchFn: FetchLike, credentials: OpenStackCredentials, context: AdapterContext): Promise<KeystoneToken> {
  return keystoneTokens.get(["openstack", context.apiEndpoint, credentials], () => issueToken(fetchFn, credentials, context));
}

/** Public compute endpoints of the catalog, one per region, in catalog order. */
export function computeEndpoints(catalog: CatalogService[]): CatalogEndpoint[] {
  const seen = new Set<string>();
  const out: CatalogEndpoint[] = [];
  for (const service of catalog) {
    if (service.type !== "compute") continue;
    for (const endpoint of service.endpoints) {
      if (endpoint.interface !== "public" || !endpoint.url || seen.has(endpoint.region)) continue;
      seen.add(endpoint.region);
      out.push(endpoint);
    }
  }
  return out;
}

/** The regions to work in: the credential's region, else the provider's regions, else the catalog's first. */
function targetRegions(token: KeystoneToken, credentials: OpenStackCredentials, context: AdapterContext): CatalogEndpoint[] {
  const endpoints = computeEndpoints(token.catalog);
  const wanted = credentials.region ? [credentials.region] : context.regions;
  const [firstEndpoint] = endpoints;
  if (!firstEndpoint) {
    const regions = [...new Set(token.catalog.flatMap((s) => s.endpoints.map((e) => e.region)).filter(Boolean))];
    throw new UpstreamError({
      code: "no_compute_endpoint",
      status: 502,
      message: `The service catalog has no public compute (Nova) endpoint${regions.length ? ` in any region (it lists ${regions.join(", ")})` : ""}.`,
      hint: "Check that the project is the one running your servers and that Nova is published with a public interface.",
    });
  }
  if (wanted.length === 0) return [firstEndpoint];
  const chosen = endpoints.filter((e) => wanted.includes(e.region));
  if (chosen.length === 0) {
    throw new UpstreamError({
      code: "no_compute_endpoint",
      status: 502,
      message: `No public compute endpoint in region ${wanted.join(", ")}; the catalog has compute in ${endpoints.map((e) => e.region || "(no region)").join(", ")}.`,
      hint: "Set the region to one of those (OS_REGION_NAME), or leave it empty to use the first.",
    });
  }
  return chosen;
}

function identityOf(token: KeystoneToken, keystone: URL, regions: string[]): ProviderIdentity {
  const details: Record<string, string> = { user: token.user.name, user_id: token.user.id, keystone: keystone.host };
  if (token.user.domain) details.user_domain = token.user.domain;
  if (token.project) {
    details.project = token.project.name;
    details.project_id = token.project.id;
    if (token.project.domain) details.project_domain = token.project.domain;
  }
  if (regions.length) details.compute_regions = regions.join(", ");
  return {
    account: token.project?.id ?? token.user.id,
    label: token.project ? `${token.project.name} (${token.user.name})` : token.user.name,
    details,
  };
}

function serverAddresses(server: Record<string, unknown>): { public_ips: string[]; private_ips: string[] } {
  const public_ips: string[] = [];
  const private_ips: string[] = [];
  const add = (list: string[], address: string) => {
    if (!public_ips.includes(address) && !private_ips.includes(address)) list.push(address);
  };
  if (isRecord(server.addresses)) {
    for (const entries of Object.values(server.addresses)) {
      if (!Array.isArray(entries)) continue;
      for (const entry of entries) {
        if (!isRecord(entry)) continue;
        const address = str(entry.addr);
        if (!address) continue;
        const type = str(entry["OS-EXT-IPS:type"]);
        // A floating IP is the public face; a fixed one is private unless it is itself a public address
        // (provider networks). Without the extension, the address range decides.
        if (type === "floating") add(public_ips, address);
        else add(classifyAddress(address) === null ? public_ips : private_ips, address);
      }
    }
  }
  for (const access of [str(server.accessIPv4), str(server.accessIPv6)]) if (access) add(public_ips, access);
  return { public_ips, private_ips };
}

function toResource(
  server: Record<string, unknown>,
  region: string,
  flavors: Map<string, string>,
  horizon: string | null | undefined,
): NormalizedResource {
  const id = str(server.id);
  if (!id) throw new UpstreamError({ code: "malformed_response", message: 'Nova listed a server without an "id".' });
  const raw = str(server.status);
  const flavor = isRecord(server.flavor) ? server.flavor : {};
  const flavorId = str(flavor.id);
  const tags: Record<string, string> = isRecord(server.metadata)
    ? Object.fromEntries(Object.entries(server.metadata).filter(([, v]) => typeof v === "string") as [string, string][])
    : {};
  Object.assign(tags, tagsFromList(server.tags));
  return {
    id,
    name: str(server.name) ?? id,
    type: "instance",
    region: region || null,
    zone: str(server["OS-EXT-AZ:availability_zone"]),
    status: mapStatus(raw, STATUS),
    raw_status: raw,
    size: str(flavor.original_name) ?? (flavorId ? (flavors.get(flavorId) ?? flavorId) : null),
    ...serverAddresses(server),
    tags,
    created_at: str(server.created),
    console_url: openstackInstanceUrl(horizon, id),
  };
}

function computeUrl(endpoint: CatalogEndpoint, path: string): URL {
  const base = new URL(endpoint.url);
  if (!base.pathname.endsWith("/")) base.pathname = `${base.pathname}/`;
  return new URL(path, base);
}

/** Flavor names by id, for Nova before microversion 2.47 (which embeds only the flavor id). Best effort. */
async function flavorNames(
  fetchFn: FetchLike,
  endpoint: CatalogEndpoint,
  token: string,
  context: AdapterContext,
): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  try {
    const url = computeUrl(endpoint, "flavors/detail");
    url.searchParams.set("limit", String(PAGE_LIMIT));
    const { body } = await requestJson(
      fetchFn,
      url,
      { headers: { "x-auth-token": token } },
      { timeoutMs: context.timeoutMs, signal: context.signal, retries: 1 },
    );
    if (isRecord(body) && Array.isArray(body.flavors)) {
      for (const flavor of body.flavors)
        if (isRecord(flavor) && str(flavor.id) && str(flavor.name)) names.set(str(flavor.id)!, str(flavor.name)!);
    }
  } catch {
    // Sizes then show the flavor id; the listing itself is unaffected.
  }
  return names;
}

async function listRegion(
  fetchFn: FetchLike,
  endpoint: CatalogEndpoint,
  token: string,
  context: AdapterContext,
): Promise<NormalizedResource[]> {
  const servers: Record<string, unknown>[] = [];
  const markers = new Set<string>();
  let marker: string | null = null;
  for (let page = 0; ; page++) {
    const url = computeUrl(endpoint, "servers/detail");
    url.searchParams.set("limit", String(PAGE_LIMIT));
    if (marker) url.searchParams.set("marker", marker);
    const where = `GET ${url.host}${url.pathname}`;
    if (page >= MAX_PAGES)
      throw new UpstreamError({ code: "malformed_response", message: `${where}: pagination did not end after ${MAX_PAGES} pages.` });
    const { body } = await requestJson(
      fetchFn,
      url,
      { headers: { "x-auth-token": token, "user-agent": "Cloudkeep" } },
      { timeoutMs: context.timeoutMs, signal: context.signal },
    );
    if (!isRecord(body) || !Array.isArray(body.servers)) {
      throw new UpstreamError({
        code: "malformed_response",
        message: `${where} answered with JSON that is not Nova's: no "servers" list.`,
      });
    }
    const pageServers = body.servers.filter(isRecord);
    servers.push(...pageServers);
    const hasNext = Array.isArray(body.servers_links) && body.servers_links.some((l) => isRecord(l) && l.rel === "next");
    const lastServer = pageServers.at(-1);
    const last = lastServer ? str(lastServer.id) : null;
    if (!hasNext || !last) break;
    if (markers.has(last))
      throw new UpstreamError({ code: "malformed_response", message: `${where}: pagination returned the same marker twice.` });
    markers.add(last);
    marker = last;
  }
  const needsFlavors = servers.some((s) => isRecord(s.flavor) && !str(s.flavor.original_name) && str(s.flavor.id));
  const flavors = needsFlavors ? await flavorNames(fetchFn, endpoint, token, context) : new Map<string, string>();
  return servers.map((server) => toResource(server, endpoint.region, flavors, context.consoleUrls?.horizon));
}

function isExpiredToken(error: unknown): boolean {
  return error instanceof UpstreamError && error.upstreamStatus === 401;
}

export const openstackAdapter: ProviderAdapter<"openstack"> = {
  kind: "openstack",

  async checkHealth(credentials, context): Promise<HealthResult> {
    const started = performance.now();
    const fetchFn = safeFetch(context.outbound);
    try {
      const token = await login(fetchFn, credentials, context);
      const regions = targetRegions(token, credentials, context);
      const identity = identityOf(
        token,
        keystoneRoot(context.apiEndpoint),
        computeEndpoints(token.catalog).map((e) => e.region),
      );
      identity.details = { ...identity.details, region: regions.map((r) => r.region).join(", ") };
      return { ok: true, identity, latencyMs: Math.round(performance.now() - started), checkedAt: new Date().toISOString() };
    } catch (error) {
      return {
        ok: false,
        error: toProviderFailure(error),
        latencyMs: Math.round(performance.now() - started),
        checkedAt: new Date().toISOString(),
      };
    } finally {
      fetchFn.close();
    }
  },

  async listResources(credentials, context): Promise<ListResult> {
    if (context.type && context.type !== "instance") return { resources: [], partialFailures: [] };
    const fetchFn = safeFetch(context.outbound);
    try {
      let token = await login(fetchFn, credentials, context);
      const regions = targetRegions(token, credentials, context);
      const listOne = async (endpoint: CatalogEndpoint) => {
        try {
          return await listRegion(fetchFn, endpoint, token.token, context);
        } catch (error) {
          if (!isExpiredToken(error)) throw error;
          // Revoked before its expiry (password changed, token revoked): log in once more.
          await keystoneTokens.invalidate(["openstack", context.apiEndpoint, credentials]);
          token = await login(fetchFn, credentials, context);
          return await listRegion(fetchFn, endpoint, token.token, context);
        }
      };
      const [onlyRegion, ...moreRegions] = regions;
      if (onlyRegion && moreRegions.length === 0) return { resources: await listOne(onlyRegion), partialFailures: [] };
      const settled = await settleEach(regions, listOne);
      const resources: NormalizedResource[] = [];
      const partialFailures: ListResult["partialFailures"] = [];
      settled.forEach(([endpoint, result]) => {
        if (result.status === "fulfilled") resources.push(...result.value);
        else {
          const failure = toProviderFailure(result.reason);
          partialFailures.push({ scope: endpoint.region, code: failure.code, message: failure.message });
        }
      });
      if (resources.length === 0 && partialFailures.length === regions.length) {
        throw (settled.map(([, result]) => result).find((r) => r.status === "rejected") as PromiseRejectedResult).reason;
      }
      return { resources, partialFailures };
    } finally {
      fetchFn.close();
    }
  },
};
