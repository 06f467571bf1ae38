// Which Azure cloud a provider talks to: the Resource Manager endpoint (the provider's api_endpoint),
// the Entra ID (AAD) authority that issues its tokens, the token audience and the portal.
//
// No api_endpoint → the public cloud. A known sovereign ARM endpoint → its published constants. Any
// other ARM endpoint (Azure Stack Hub, a test fake) → the cloud metadata it publishes at
// `<arm>/metadata/endpoints`, the same discovery `az cloud register --endpoint-resource-manager` uses.
// So the authority always comes from the provider's own endpoint: one organization's fake or Stack Hub
// can never redirect another provider's secret, and AdapterContext needs no second URL.
import { safeFetch, type OutboundPolicy } from "../net/outbound.ts";

export type AzureCloud = {
  /** Resource Manager, no trailing slash. */
  armEndpoint: string;
  /** Entra ID authority host, e.g. https://login.microsoftonline.com (no tenant, no trailing slash). */
  authorityHost: string;
  /** The scope tokens are requested for: `<audience>/.default`. */
  scope: string;
  /** Portal for console links; null when the cloud has none we know. */
  portal: string | null;
};

const PUBLIC_CLOUD: AzureCloud = {
  armEndpoint: "https://management.azure.com",
  authorityHost: "https://login.microsoftonline.com",
  scope: "https://management.azure.com/.default",
  portal: "https://portal.azure.com",
};

/** Sovereign clouds, keyed by ARM host (constants as published in Azure's cloud metadata). */
const KNOWN_CLOUDS: Record<string, AzureCloud> = {
  "management.azure.com": PUBLIC_CLOUD,
  "management.chinacloudapi.cn": {
    armEndpoint: "https://management.chinacloudapi.cn",
    authorityHost: "https://login.chinacloudapi.cn",
    scope: "https://management.chinacloudapi.cn/.default",
    portal: "https://portal.azure.cn",
  },
  "management.usgovcloudapi.net": {
    armEndpoint: "https://management.usgovcloudapi.net",
    authorityHost: "https://login.microsoftonline.us",
    scope: "https://management.usgovcloudapi.net/.default",
    portal: "https://portal.azure.us",
  },
};

/** The ARM metadata could not be read or does not describe a cloud: the endpoint is not Azure Resource Manager. */
export class AzureCloudDiscoveryError extends Error {
  override readonly name = "AzureCloudDiscoveryError";
  constructor(
    message: string,
    readonly reason: "http_status" | "malformed" | "timeout",
  ) {
    super(message);
  }
}

const METADATA_API_VERSION = "2022-09-01";
const DISCOVERY_TTL_MS = 60 * 60 * 1000;
/** Discovered clouds per ARM endpoint: public, non-secret facts, kept an hour in memory. */
const discovered = new Map<string, { cloud: AzureCloud; until: number }>();

function trimSlash(value: string): string {
  return value.replace(/\/+$/, "");
}

type CloudMetadata = {
  resourceManager?: unknown;
  portal?: unknown;
  portalEndpoint?: unknown;
  authentication?: { loginEndpoint?: unknown; audiences?: unknown };
};

function httpsUrl(value: unknown): string | null {
  if (typeof value !== "string") return null;
  try {
    const url = new URL(value);
    return url.protocol === "https:" ? trimSlash(url.href) : null;
  } catch {
    return null;
  }
}

/** Reads both shapes: 2022-09-01 (an array of clouds) and 2015-01-01 (Azure Stack Hub: one object). */
export function cloudFromMetadata(armEndpoint: string, body: unknown): AzureCloud | null {
  const entries: CloudMetadata[] = Array.isArray(body) ? body : body && typeof body === "object" ? [body as CloudMetadata] : [];
  const entry =
    entries.find((e) => typeof e?.resourceManager === "string" && trimSlash(e.resourceManager) === armEndpoint) ??
    (entries.length === 1 ? entries[0] : undefined);
  const login = httpsUrl(entry?.authentication?.loginEndpoint);
  if (!entry || !login) return null;
  const audiences = Array.isArray(entry.authentication?.audiences) ? entry.authentication.audiences : [];
  const audience = audiences.map(httpsUrl).find((a): a is string => a !== null) ?? armEndpoint;
  return {
    armEndpoint,
    authorityHost: new URL(login).origin,
    scope: `${audience}/.default`,
    portal: httpsUrl(entry.portal) ?? httpsUrl(entry.portalEndpoint),
  };
}

export type ResolveCloudOptions = {
  policy: OutboundPolicy;
  timeoutMs: number;
  ca?: string | string[];
  signal?: AbortSignal;
};

/** The cloud behind an api_endpoint (null: public Azure). Unknown endpoints are asked for their metadata. */
export async function resolveAzureCloud(apiEndpoint: string | null, options: ResolveCloudOptions): Promise<AzureCloud> {
  if (!apiEndpoint) return PUBLIC_CLOUD;
  const url = new URL(apiEndpoint);
  const armEndpoint = trimSlash(`${url.origin}${url.pathname}`);
  const known = KNOWN_CLOUDS[url.host];
  if (known && url.pathname.replace(/\/+$/, "") === "") return known;

  const cached = discovered.get(armEndpoint);
  if (cached && cached.until > Date.now()) return cached.cloud;

  const fetchChecked = safeFetch(options.policy, { ca: options.ca, keepAlive: false });
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  let body: unknown;
  try {
    response = await fetchChecked(`${armEndpoint}/metadata/endpoints?api-version=${METADATA_API_VERSION}`, {
      headers: { accept: "application/json" },
      signal,
    });
    const text = await response.text();
    body = response.ok ? JSON.parse(text) : null;
  } catch (error) {
    if (timeout.aborted && !options.signal?.aborted) {
      throw new AzureCloudDiscoveryError(
        `${url.host} did not answer its cloud metadata request within ${options.timeoutMs} ms.`,
        "timeout",
      );
    }
    if (error instanceof SyntaxError) {
      throw new AzureCloudDiscoveryError(`${url.host} answered its cloud metadata request with something that is not JSON.`, "malformed");
    }
    throw error;
  }
  if (!response.ok) {
    throw new AzureCloudDiscoveryError(
      `${url.host} does not publish Azure cloud metadata (GET /metadata/endpoints answered ${response.status}), so it is not an Azure Resource Manager endpoint.`,
      "http_status",
    );
  }
  const cloud = cloudFromMetadata(armEndpoint, body);
  if (!cloud) {
    throw new AzureCloudDiscoveryError(
      `${url.host} published cloud metadata without an https login endpoint, so Cloudkeep cannot tell where to sign in.`,
      "malformed",
    );
  }
  discovered.set(armEndpoint, { cloud, until: Date.now() + DISCOVERY_TTL_MS });
  return cloud;
}

/** Azure portal link to a resource: `<portal>/#@<tenant>/resource<armId>/overview`. */
export function azurePortalUrl(cloud: AzureCloud, tenantId: string, armId: string): string | null {
  if (!cloud.portal) return null;
  return `${cloud.portal}/#@${tenantId}/resource${armId}/overview`;
}
