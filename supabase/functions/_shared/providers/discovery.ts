// Whole cloud organizations: a provider connected with an organization-wide identity (an AWS
// management account, an Azure principal that reads a tenant or management group, a GCP identity on an
// organization or folder) discovers the accounts behind it. Each account it can reach becomes a
// provider of its own (a child), with a credential derived from the parent's: the same secret or
// federated identity, another subscription or project, or (AWS) the member account's role.
//
// Discovery only lists. Whether an account can really be connected is proven by a health check of the
// derived credential before the child is created, so an account shows why it could not be connected
// (suspended, role missing, Compute API disabled) in the words of its cloud.
import type { CredentialsOf } from "../schemas/providers.ts";
import type { AdapterContext } from "./types.ts";

export type DiscoveryCloud = "aws" | "azure" | "gcp";

/** What the parent connects, beside its own account. Non-secret; stored with the parent. */
export type OrganizationScope =
  /** Every account of the AWS Organization whose management (or delegated administrator) account the parent is; each member account has a role named `member_role_name` (deployed by a StackSet). */
  | { cloud: "aws"; member_role_name: string }
  /** Every subscription the principal can read: in the whole tenant (`management_group_id` null) or under one management group. */
  | { cloud: "azure"; management_group_id: string | null }
  /** Every project under `parent`: "organizations/123456789012" or "folders/123456789012", nested folders included. */
  | { cloud: "gcp"; parent: string };

export type ScopeOf<K extends DiscoveryCloud> = Extract<OrganizationScope, { cloud: K }>;

export type DiscoveredAccount = {
  /** The account's id in its cloud: 12-digit AWS account id, Azure subscription id, GCP project id. */
  account: string;
  /** Its name in the cloud (AWS account name, subscription display name, project display name). */
  name: string;
  /** Null: can be tried. Otherwise why Cloudkeep will not connect it (suspended account, disabled subscription, project being deleted). */
  unavailable: { code: string; message: string } | null;
  /** Non-secret facts worth showing: email, state, management group, folder. */
  details?: Record<string, string>;
};

export type DiscoveryResult = { accounts: DiscoveredAccount[] };

export interface AccountDiscovery<K extends DiscoveryCloud> {
  kind: K;
  /** Lists the accounts in scope, the parent's own included; throws UpstreamError (with a hint) when it cannot list at all. */
  discoverAccounts(credentials: CredentialsOf<K>, scope: ScopeOf<K>, context: AdapterContext): Promise<DiscoveryResult>;
  /** The credential of one discovered account, derived from the parent's; never contacts the cloud. */
  childCredentials(parent: CredentialsOf<K>, scope: ScopeOf<K>, account: DiscoveredAccount): CredentialsOf<K>;
}

const loaders: { [K in DiscoveryCloud]: () => Promise<AccountDiscovery<K>> } = {
  aws: () => import("./aws-organizations.ts").then((m) => m.awsOrganizationDiscovery),
  azure: () => import("./azure-tenant.ts").then((m) => m.azureTenantDiscovery),
  gcp: () => import("./gcp-organization.ts").then((m) => m.gcpOrganizationDiscovery),
};

export type DiscoveryLoader = <K extends DiscoveryCloud>(kind: K) => Promise<AccountDiscovery<K>>;

export const loadDiscovery: DiscoveryLoader = (kind) => loaders[kind]() as never;

export function isDiscoveryCloud(kind: string): kind is DiscoveryCloud {
  return kind === "aws" || kind === "azure" || kind === "gcp";
}
