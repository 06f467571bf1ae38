// VMs' IP addresses: network interfaces name their VM and carry private addresses and links to public IP
// resources, which carry the public addresses. Two subscription-wide listings (Microsoft.Network), joined
// here, read through the compute client's own pipeline (same credential, retries and outbound policy)
// rather than a second large SDK.
import type { ComputeManagementClient } from "@azure/arm-compute";
import { createDefaultHttpClient, createPipelineRequest } from "@azure/core-rest-pipeline";
import type { AzureCloud } from "./azure-cloud.ts";

export type VmAddresses = { public_ips: string[]; private_ips: string[] };

const NETWORK_API_VERSION = "2024-05-01";

type ArmList = { value?: unknown[]; nextLink?: string; error?: { code?: unknown } };
type Nic = {
  properties?: {
    virtualMachine?: { id?: unknown };
    ipConfigurations?: { properties?: { privateIPAddress?: unknown; publicIPAddress?: { id?: unknown } } }[];
  };
};
type PublicIp = { id?: unknown; properties?: { ipAddress?: unknown } };

export class NetworkListError extends Error {
  constructor(readonly detail: string) {
    super(detail);
  }
}

/** Every item of an ARM list, following nextLink only within Resource Manager's own origin (the bearer token goes along). */
export async function armList(
  client: Pick<ComputeManagementClient, "pipeline">,
  cloud: AzureCloud,
  path: string,
  signal?: AbortSignal,
  apiVersion = NETWORK_API_VERSION,
): Promise<unknown[]> {
  const origin = new URL(cloud.armEndpoint).origin;
  // The client's pipeline: its credential, retries, agents (outbound policy) and call policy.
  const http = createDefaultHttpClient();
  const items: unknown[] = [];
  let next: string | undefined = `${origin}${path}?api-version=${apiVersion}`;
  for (let page = 0; next && page < 1000; page++) {
    const response = await client.pipeline.sendRequest(http, createPipelineRequest({ url: next, method: "GET", abortSignal: signal }));
    let body: ArmList;
    try {
      body = JSON.parse(response.bodyAsText ?? "") as ArmList;
    } catch {
      throw new NetworkListError(`an unreadable answer (HTTP ${response.status})`);
    }
    if (response.status >= 400) {
      // The code only: an error message may quote the request.
      const code =
        typeof body?.error?.code === "string" && /^[A-Za-z]{1,64}$/.test(body.error.code) ? body.error.code : `HTTP ${response.status}`;
      throw new NetworkListError(code);
    }
    if (Array.isArray(body.value)) items.push(...body.value);
    next = typeof body.nextLink === "string" && body.nextLink.startsWith(`${origin}/`) ? body.nextLink : undefined;
  }
  return items;
}

const isAddress = (value: unknown): value is string => typeof value === "string" && value.length > 0 && value.length <= 64;

/** Addresses per VM id (lower-cased), from the subscription's network interfaces and public IPs. */
export async function vmAddresses(client: ComputeManagementClient, cloud: AzureCloud, subscriptionId: string, signal?: AbortSignal) {
  const base = `/subscriptions/${encodeURIComponent(subscriptionId)}/providers/Microsoft.Network`;
  const [nics, publicIps] = await Promise.all([
    armList(client, cloud, `${base}/networkInterfaces`, signal) as Promise<Nic[]>,
    armList(client, cloud, `${base}/publicIPAddresses`, signal) as Promise<PublicIp[]>,
  ]);
  const publicById = new Map<string, string>();
  for (const ip of publicIps)
    if (typeof ip?.id === "string" && isAddress(ip.properties?.ipAddress)) publicById.set(ip.id.toLowerCase(), ip.properties.ipAddress);
  const byVm = new Map<string, VmAddresses>();
  for (const nic of nics) {
    const vmId = nic?.properties?.virtualMachine?.id;
    if (typeof vmId !== "string") continue;
    const entry = byVm.get(vmId.toLowerCase()) ?? { public_ips: [], private_ips: [] };
    for (const config of nic.properties?.ipConfigurations ?? []) {
      const privateIp = config?.properties?.privateIPAddress;
      if (isAddress(privateIp)) entry.private_ips.push(privateIp);
      const publicId = config?.properties?.publicIPAddress?.id;
      const publicIp = typeof publicId === "string" ? publicById.get(publicId.toLowerCase()) : undefined;
      if (publicIp) entry.public_ips.push(publicIp);
    }
    byVm.set(vmId.toLowerCase(), entry);
  }
  return byVm;
}
