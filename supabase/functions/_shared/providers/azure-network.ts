// VMs' IP addresses: network interfaces name their VM and carry private addresses and links to public IP
// resources, which carry the public addresses. Two subscription-wide listings (Microsoft.Network), joined
// here, read with azure-call.ts's armList (the compute client's own pipeline) rather than a second large SDK.
import type { ArmLister } from "./azure-call.ts";

export type VmAddresses = { public_ips: string[]; private_ips: string[] };

/** Microsoft.Network's api-version for every network listing (interfaces, public IPs, load balancers). */
export const NETWORK_API_VERSION = "2024-05-01";

type Nic = {
  properties?: {
    virtualMachine?: { id?: unknown };
    ipConfigurations?: { properties?: { privateIPAddress?: unknown; publicIPAddress?: { id?: unknown } } }[];
  };
};
type PublicIp = { id?: unknown; properties?: { ipAddress?: unknown } };

export const isAddress = (value: unknown): value is string => typeof value === "string" && value.length > 0 && value.length <= 64;

const networkPath = (subscriptionId: string, type: string) =>
  `/subscriptions/${encodeURIComponent(subscriptionId)}/providers/Microsoft.Network/${type}`;

/**
 * The subscription's public IP addresses by resource id (lower-cased). VMs' interfaces and load balancers'
 * frontends both point at them; `list` remembers the answer, so one call serves both.
 */
export async function publicAddresses(list: ArmLister, subscriptionId: string): Promise<Map<string, string>> {
  const publicIps = (await list(networkPath(subscriptionId, "publicIPAddresses"), NETWORK_API_VERSION)) as PublicIp[];
  const publicById = new Map<string, string>();
  for (const ip of publicIps)
    if (typeof ip?.id === "string" && isAddress(ip.properties?.ipAddress)) publicById.set(ip.id.toLowerCase(), ip.properties.ipAddress);
  return publicById;
}

/** Addresses per VM id (lower-cased), from the subscription's network interfaces and public IPs. */
export async function vmAddresses(list: ArmLister, subscriptionId: string) {
  const [nics, publicById] = await Promise.all([
    list(networkPath(subscriptionId, "networkInterfaces"), NETWORK_API_VERSION) as Promise<Nic[]>,
    publicAddresses(list, subscriptionId),
  ]);
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
