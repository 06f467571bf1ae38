// Adapter registry. Each adapter is imported on first use, so a request about a
// DigitalOcean provider never pays for loading the AWS, Azure or Google SDKs (cold starts).
import type { ProviderType } from "../schemas/providers.ts";
import type { ProviderAdapter } from "./types.ts";

const loaders: { [K in ProviderType]: () => Promise<ProviderAdapter<K>> } = {
  aws: () => import("./aws.ts").then((m) => m.awsAdapter),
  azure: () => import("./azure.ts").then((m) => m.azureAdapter),
  gcp: () => import("./gcp.ts").then((m) => m.gcpAdapter),
  digitalocean: () => import("./digitalocean.ts").then((m) => m.digitaloceanAdapter),
  linode: () => import("./linode.ts").then((m) => m.linodeAdapter),
  vultr: () => import("./vultr.ts").then((m) => m.vultrAdapter),
  openstack: () => import("./openstack.ts").then((m) => m.openstackAdapter),
  s3_compatible: () => import("./s3-compatible.ts").then((m) => m.s3CompatibleAdapter),
};

export type AdapterLoader = <K extends ProviderType>(kind: K) => Promise<ProviderAdapter<K>>;

export const loadAdapter: AdapterLoader = (kind) => loaders[kind]() as never;
