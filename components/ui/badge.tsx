import * as React from "react";
import { cva, type VariantProps } from "class-variance-authority";

import { cn } from "@/lib/utils";

// Status variants (success, warning, destructive) are tinted rather than filled so a table
// full of statuses stays calm and the text keeps its contrast in both themes. Badges here are
// labels, never links or controls, so they carry no hover, focus or invalid styles: a page
// of provider cards renders dozens of them and every class is sent with each one.
const badgeVariants = cva(
  "inline-flex w-fit shrink-0 items-center justify-center gap-1 overflow-hidden rounded-md border px-2 py-0.5 text-xs font-medium whitespace-nowrap [&>svg]:pointer-events-none [&>svg]:size-3",
  {
    variants: {
      variant: {
        default: "border-transparent bg-primary text-primary-foreground",
        secondary: "border-transparent bg-secondary text-secondary-foreground",
        destructive: "border-destructive/25 bg-destructive/10 text-destructive dark:border-destructive/30 dark:bg-destructive/15",
        outline: "text-foreground",
        success: "border-success/25 bg-success/10 text-success dark:border-success/30 dark:bg-success/15",
        warning: "border-warning/30 bg-warning/10 text-warning dark:border-warning/30 dark:bg-warning/15",
      },
    },
    defaultVariants: {
      variant: "default",
    },
  },
);

function Badge({ className, variant, ...props }: React.ComponentProps<"span"> & VariantProps<typeof badgeVariants>) {
  return <span className={cn(badgeVariants({ variant }), className)} {...props} />;
}

export { Badge, badgeVariants };
