import * as React from "react";

import { cn } from "@/lib/utils";

/**
 * The Cloudkeep mark: a cloud with a keyhole, on a rounded tile in the primary colour.
 * Keep the shapes in sync with app/icon.svg and public/favicon.svg.
 */
export function LogoMark({ className, ...props }: React.ComponentProps<"svg">) {
  return (
    <svg viewBox="0 0 32 32" aria-hidden="true" focusable="false" className={cn("size-7 shrink-0", className)} {...props}>
      <rect width="32" height="32" rx="8" className="fill-primary" />
      <g className="fill-primary-foreground">
        <rect x="5.5" y="16" width="21" height="8" rx="4" />
        <circle cx="11.5" cy="17" r="4.5" />
        <circle cx="17.5" cy="14.5" r="6" />
        <circle cx="22.5" cy="18.5" r="4" />
      </g>
      <g className="fill-primary">
        <circle cx="16.5" cy="16.25" r="2.25" />
        <path d="M15.55 17.6h1.9l.55 3.65h-3z" />
      </g>
    </svg>
  );
}

/** The mark with the wordmark beside it; the wordmark is the accessible name. */
export function Logo({ className, ...props }: React.ComponentProps<"span">) {
  return (
    <span data-slot="logo" className={cn("inline-flex items-center gap-2 text-base font-semibold tracking-tight", className)} {...props}>
      <LogoMark />
      <span>Cloudkeep</span>
    </span>
  );
}
