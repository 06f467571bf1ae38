import Link from "next/link";
import { ChevronLeft, ChevronRight } from "lucide-react";

import { Button } from "@/components/ui/button";

type ProviderPaginationProps = {
  page: number;
  pageSize: number;
  total: number;
  /** The href for a page number, keeping the current filters. */
  hrefFor: (page: number) => string;
};

/** "25–48 of 1,000" with previous and next links; the server fetched only this page. */
export function ProviderPagination({ page, pageSize, total, hrefFor }: ProviderPaginationProps) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return (
    <nav
      aria-label="Pagination"
      className="flex flex-col-reverse items-center justify-between gap-3 sm:flex-row"
      data-test="provider-pagination"
    >
      <p className="text-sm text-muted-foreground" aria-live="polite">
        <span className="font-medium text-foreground tabular-nums">
          {first.toLocaleString("en")}–{last.toLocaleString("en")}
        </span>{" "}
        of <span className="font-medium text-foreground tabular-nums">{total.toLocaleString("en")}</span>
      </p>
      <div className="flex items-center gap-2">
        <PageLink href={page > 1 ? hrefFor(page - 1) : null} rel="prev">
          <ChevronLeft aria-hidden="true" />
          Previous
        </PageLink>
        <span className="px-1 text-sm text-muted-foreground tabular-nums">
          Page {page} of {pages}
        </span>
        <PageLink href={page < pages ? hrefFor(page + 1) : null} rel="next">
          Next
          <ChevronRight aria-hidden="true" />
        </PageLink>
      </div>
    </nav>
  );
}

function PageLink({ href, rel, children }: { href: string | null; rel: "prev" | "next"; children: React.ReactNode }) {
  if (!href) {
    return (
      <Button variant="outline" size="sm" disabled>
        {children}
      </Button>
    );
  }
  return (
    <Button variant="outline" size="sm" asChild>
      <Link href={href} rel={rel}>
        {children}
      </Link>
    </Button>
  );
}
