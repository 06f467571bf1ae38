// The one interface every provider adapter implements: prove a credential works
// (checkHealth) and list what runs behind it (listResources). Adapters never log, cache to
// disk, or return a credential; errors carry a stable code, a message and an actionable hint.
import type { CredentialsOf, ProviderType } from "../schemas/providers.ts";
import type { OutboundPolicy } from "../net/outbound.ts";
import type { FederationSupplier } from "../federation/token.ts";

export type ProviderIdentity = {
  /** The account the credential reaches: AWS account id, Azure subscription id, GCP project, team or user. */
  account: string;
  /** A human label when the API gives one (subscription name, team name, user email). */
  label?: string;
  /** Other non-secret facts worth showing (ARN, tenant, region count). */
  details?: Record<string, string>;
};

export type HealthResult =
  | { ok: true; identity: ProviderIdentity; latencyMs: number; checkedAt: string }
  | { ok: false; error: ProviderFailure; latencyMs: number; checkedAt: string };

/** A stable failure: `code` from the provider when it has one (InvalidClientTokenId) or ours (timeout, unreachable, refused_endpoint, malformed_response). */
export type ProviderFailure = {
  code: string;
  message: string;
  /** What a person should do about it. */
  hint: string;
  /** HTTP status the API should answer with when this fails a live call: 502 upstream error, 504 timeout, 422 refused endpoint, 401 bad credential. */
  status?: number;
  retryable?: boolean;
};

export type ResourceStatus = "running" | "stopped" | "pending" | "terminated" | "error" | "unknown";

export type NormalizedResource = {
  id: string;
  name: string;
  /** "instance" (VMs, droplets, linodes, servers) or "bucket" (S3). */
  type: string;
  region: string | null;
  zone: string | null;
  status: ResourceStatus;
  /** The provider's own status word, e.g. "active", "PowerState/running". */
  raw_status: string | null;
  size: string | null;
  public_ips: string[];
  private_ips: string[];
  tags: Record<string, string>;
  created_at: string | null;
  console_url: string | null;
};

export type ListResult = {
  resources: NormalizedResource[];
  /** Regions (or zones, pages) that failed while others succeeded: reported, not fatal. */
  partialFailures: { scope: string; code: string; message: string }[];
};

export type AdapterContext = {
  /** The provider's api_endpoint (null: the cloud's public endpoint). */
  apiEndpoint: string | null;
  /** Regions the provider is limited to (empty: every enabled region). */
  regions: string[];
  /** Per-call timeout, default 10 s. */
  timeoutMs?: number;
  /** Outbound policy for user-supplied endpoints (see net/outbound.ts). */
  outbound: OutboundPolicy;
  /** Console links for self-hosted clouds (OpenStack Horizon). */
  consoleUrls?: { horizon?: string | null };
  signal?: AbortSignal;
  /**
   * Cloudkeep's identity for this provider, for credentials with no secret (web_identity,
   * workload_identity, federated): issues a short-lived token per audience. Absent for credentials
   * not yet saved (the subject names the provider) and where no issuer is configured.
   */
  federation?: FederationSupplier;
};

export interface ProviderAdapter<K extends ProviderType = ProviderType> {
  kind: K;
  checkHealth(credentials: CredentialsOf<K>, context: AdapterContext): Promise<HealthResult>;
  listResources(credentials: CredentialsOf<K>, context: AdapterContext & { type?: string }): Promise<ListResult>;
}
