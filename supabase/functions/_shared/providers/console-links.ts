// Deep links into each provider's web console, one function per kind. Ids are URL-encoded; a link
// that cannot be built honestly (no Horizon URL configured) is null rather than a guess.
// The AWS, Azure, GCP and S3 builders live beside their adapters and follow the same shape.

export type ConsoleLinkBuilder<Args extends unknown[] = [id: string]> = (...args: Args) => string | null;

export function digitaloceanDropletUrl(id: string | number): string {
  return `https://cloud.digitalocean.com/droplets/${encodeURIComponent(String(id))}`;
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
