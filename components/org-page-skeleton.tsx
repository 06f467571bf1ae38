// Shown inside the organization's shell while a page of it waits for its data. Used as the
// loading state of leaf pages only: a loading boundary streams the page, so a notFound() inside it
// could no longer answer 404 (the provider page relies on that).
import { Skeleton } from "@/components/ui/skeleton";

export function OrgPageSkeleton() {
  return (
    <div role="status" aria-live="polite" className="flex flex-col gap-6" data-test="page-loading">
      <span className="sr-only">Loading…</span>
      <Skeleton className="h-8 w-56" />
      <Skeleton className="h-4 w-80 max-w-full" />
      <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-3">
        {[0, 1, 2].map((i) => (
          <Skeleton key={i} className="h-36" />
        ))}
      </div>
    </div>
  );
}
