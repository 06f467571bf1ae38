import { cn } from "@/lib/utils";
import { PROVIDER_LABELS, type ProviderType } from "@/supabase/functions/_shared/schemas/providers.ts";

type ProviderLogoProps = {
  kind: ProviderType;
  /** Rendered size in pixels (square). */
  size?: number;
  /** Decorative by default: the kind is usually written next to it. */
  labelled?: boolean;
  className?: string;
};

/**
 * The mark drawn for each kind (public/providers/<kind>.svg). A plain <img>: the files are
 * small static SVGs that next/image would pass through unoptimized anyway, and its per-image
 * work adds up on a page of two dozen cards.
 */
export function ProviderLogo({ kind, size = 40, labelled = false, className }: ProviderLogoProps) {
  return (
    // eslint-disable-next-line @next/next/no-img-element -- see above
    <img
      src={`/providers/${kind}.svg`}
      alt={labelled ? PROVIDER_LABELS[kind] : ""}
      width={size}
      height={size}
      loading="lazy"
      className={cn("shrink-0 rounded-[22%] ring-1 ring-border", className)}
    />
  );
}
