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

export function vultrInstanceUrl(id: string): string {
  return `https://my.vultr.com/subs/?id=${encodeURIComponent(id)}`;
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
