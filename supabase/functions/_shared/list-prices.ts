// Estimated monthly LIST prices (USD) of the sizes DigitalOcean, Linode and Vultr publish with a
// fixed monthly price: what the cloud charges before discounts, credits, backups, extra disks,
// transfer overage or taxes. An estimate to show next to a resource, never a bill.
//
// Sources (list prices as published; re-check them there, or through each cloud's own
// machine-readable catalog, when updating this table):
//   DigitalOcean  https://www.digitalocean.com/pricing/droplets        (API: GET /v2/sizes → price_monthly)
//   Linode        https://www.linode.com/pricing/                      (API: GET /v4/linode/types → price.monthly;
//                 the Nanode 1GB $5, Linode 2GB $12 … 192GB $1,152 and Dedicated 4GB $36 figures also appear
//                 in https://raw.githubusercontent.com/api-evangelist/linode/main/plans/linode-plans-pricing.yml,
//                 read from that catalog on 2026-09-17)
//   Vultr         https://www.vultr.com/pricing/                       (API: GET /v2/plans → monthly_cost)
// Transcribed on 2026-12-05 for the sizes the fakes and the demo use (s-1vcpu-1gb, g6-standard-1,
// vc2-1c-2gb) and the common shared and dedicated sizes. Sizes not listed, and every other cloud,
// are unknown (null): Cloudkeep shows no price rather than a guess.
//
// Priced: instances by size, and Kubernetes clusters whose listing names their node pools (DOKS, VKE;
// LKE's does not) by those pools, whose worker nodes each cloud bills as instances of the pool's size
// ("s-2vcpu-4gb ×3" is three s-2vcpu-4gb Droplets); a cluster is priced only when every pool is, and
// its control plane's own charges (high availability, where chosen) are not included. Managed databases are not priced:
// their node types share names with instance sizes but not their prices.
import type { ProviderType } from "./schemas/providers.ts";

export const LIST_PRICES_AS_OF = "2026-12-05";

const DIGITALOCEAN: Record<string, number> = {
  // Basic (shared CPU), regular SSD
  "s-1vcpu-512mb-10gb": 4,
  "s-1vcpu-1gb": 6,
  "s-1vcpu-2gb": 12,
  "s-2vcpu-2gb": 18,
  "s-2vcpu-4gb": 24,
  "s-4vcpu-8gb": 48,
  "s-8vcpu-16gb": 96,
  // General purpose and CPU-optimized (dedicated CPU), smallest sizes
  "g-2vcpu-8gb": 63,
  "g-4vcpu-16gb": 126,
  "c-2": 42,
  "c-4": 84,
};

const LINODE: Record<string, number> = {
  "g6-nanode-1": 5,
  "g6-standard-1": 12,
  "g6-standard-2": 24,
  "g6-standard-4": 48,
  "g6-standard-6": 96,
  "g6-standard-8": 192,
  "g6-standard-16": 384,
  "g6-dedicated-2": 36,
  "g6-dedicated-4": 72,
  "g6-dedicated-8": 144,
};

const VULTR: Record<string, number> = {
  // Cloud Compute, regular performance
  "vc2-1c-1gb": 5,
  "vc2-1c-2gb": 10,
  "vc2-2c-2gb": 15,
  "vc2-2c-4gb": 20,
  "vc2-4c-8gb": 40,
  "vc2-6c-16gb": 80,
  // Cloud Compute, high frequency
  "vhf-1c-1gb": 6,
  "vhf-1c-2gb": 12,
  "vhf-2c-2gb": 18,
  "vhf-2c-4gb": 24,
  "vhf-3c-8gb": 48,
};

const TABLES: Partial<Record<ProviderType, Record<string, number>>> = { digitalocean: DIGITALOCEAN, linode: LINODE, vultr: VULTR };

/** The clouds this table prices. */
export const PRICED_CLOUDS = Object.keys(TABLES) as ProviderType[];

/** USD per month at list price for one instance of this size of this cloud, or null when it is not in the table. */
function sizePrice(providerType: string, size: string): number | null {
  const table = TABLES[providerType as ProviderType];
  return table && Object.hasOwn(table, size) ? (table[size] ?? null) : null;
}

/** A node pool as the adapters write a cluster's size: "s-2vcpu-4gb ×3". */
const POOL = /^(\S+) ×(\d+)$/;

/** USD per month at list price for a resource of this type and size on this cloud, or null when the table cannot say. */
export function monthlyListPrice(providerType: string, type: string, size: string | null | undefined): number | null {
  if (!size) return null;
  if (type === "instance") return sizePrice(providerType, size);
  if (type !== "kubernetes_cluster") return null;
  let total = 0;
  for (const pool of size.split(", ")) {
    const [, slug, nodes] = POOL.exec(pool) ?? [];
    const each = slug && nodes ? sizePrice(providerType, slug) : null;
    if (each === null) return null;
    total += each * Number(nodes);
  }
  return total;
}

const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 2, minimumFractionDigits: 0 });

/** "≈ $6/mo", for an amount known to be a list price. */
export function formatMonthlyListPrice(amount: number) {
  return `≈ ${usd.format(amount)}/mo`;
}
