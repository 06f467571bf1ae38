// Deep links into each provider's web console, one function per kind. Ids are URL-encoded; a link
// that cannot be built honestly (no Horizon URL configured) is null rather than a guess.
// The AWS, Azure, GCP and S3 builders live beside their adapters and follow the same shape.

export type ConsoleLinkBuilder<Args extends unknown[] = [id: string]> = (...args: Args) => string | null;

export function digitaloceanDropletUrl(id: string | number): string {
  return `https://cloud.digitalocean.com/droplets/${encodeURIComponent(String(id))}`;
}

/**
 * The Volumes page: the control panel manages a volume from that list (its More menu), and DigitalOcean
 * documents no page of its own for one volume, so the link does not guess one.
 */
export function digitaloceanVolumesUrl(): string {
  return "https://cloud.digitalocean.com/volumes";
}

/** The Spaces list: a Space's own page is addressed by an id the S3 API does not give, so the link does not guess one. */
export function digitaloceanSpacesUrl(): string {
  return "https://cloud.digitalocean.com/spaces";
}

export function digitaloceanKubernetesClusterUrl(id: string): string {
  return `https://cloud.digitalocean.com/kubernetes/clusters/${encodeURIComponent(id)}`;
}

export function digitaloceanDatabaseUrl(id: string): string {
  return `https://cloud.digitalocean.com/databases/${encodeURIComponent(id)}`;
}

export function digitaloceanLoadBalancerUrl(id: string): string {
  return `https://cloud.digitalocean.com/networking/load_balancers/${encodeURIComponent(id)}`;
}

export function linodeInstanceUrl(id: string | number): string {
  return `https://cloud.linode.com/linodes/${encodeURIComponent(String(id))}`;
}

/**
 * Cloud Manager's Volumes page: a volume is managed from that list (its action menu), Cloud Manager has no
 * page of its own for one volume, so the link does not guess one.
 */
export function linodeVolumesUrl(): string {
  return "https://cloud.linode.com/volumes";
}

export function linodeKubernetesClusterUrl(id: string | number): string {
  return `https://cloud.linode.com/kubernetes/clusters/${encodeURIComponent(String(id))}/summary`;
}

/** Cloud Manager's database pages sit under the engine: /databases/mysql/123, /databases/postgresql/456. */
export function linodeDatabaseUrl(engine: string, id: string | number): string {
  return `https://cloud.linode.com/databases/${encodeURIComponent(engine)}/${encodeURIComponent(String(id))}`;
}

export function linodeNodeBalancerUrl(id: string | number): string {
  return `https://cloud.linode.com/nodebalancers/${encodeURIComponent(String(id))}`;
}

export function vultrInstanceUrl(id: string): string {
  return `https://my.vultr.com/subs/?id=${encodeURIComponent(id)}`;
}

// Vultr documents no address for the page of one block storage volume, Kubernetes cluster, database or
// load balancer, so these link the customer portal's list of that kind, where the resource is one click
// away, rather than guess a query string.

export function vultrBlockStorageUrl(): string {
  return "https://my.vultr.com/blockstorage/";
}

export function vultrKubernetesUrl(): string {
  return "https://my.vultr.com/kubernetes/";
}

export function vultrDatabasesUrl(): string {
  return "https://my.vultr.com/databases/";
}

export function vultrLoadBalancersUrl(): string {
  return "https://my.vultr.com/loadbalancers/";
}

/**
 * Horizon's instance page under the organization's dashboard URL (`https://cloud.example.com/dashboard`
 * → `…/dashboard/project/instances/<id>/`); null when no Horizon URL is configured or it is not http(s).
 */
export function openstackInstanceUrl(horizon: string | null | undefined, id: string): string | null {
  if (!horizon) return null;
  let base: URL;
  try {
    base = new URL(horizon);
  } catch {
    return null;
  }
  if (base.protocol !== "https:" && base.protocol !== "http:") return null;
  const path = base.pathname.replace(/\/+$/, "");
  return `${base.origin}${path}/project/instances/${encodeURIComponent(id)}/`;
}
