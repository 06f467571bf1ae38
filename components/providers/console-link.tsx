// A link into a cloud's own console, opening in a new tab, or a dash when there is none.
import { ExternalLink } from "lucide-react";

/** `label` completes the screen-reader text: "<label> in the console (new tab)". */
export function ConsoleLink({ href, label }: { href: string | null; label: string }) {
  if (!href) return <span className="text-muted-foreground">—</span>;
  return (
    <a
      href={href}
      target="_blank"
      rel="noopener noreferrer"
      className="inline-flex items-center gap-1 rounded-sm text-sm text-primary underline-offset-4 outline-none hover:underline focus-visible:underline"
    >
      Open
      <ExternalLink aria-hidden="true" className="size-3.5" />
      <span className="sr-only"> {label} in the console (new tab)</span>
    </a>
  );
}
