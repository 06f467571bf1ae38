import type { Metadata } from "next";
import Link from "next/link";
import { ChevronRight, Lock, ScrollText, X } from "lucide-react";

import { AuditActionFilter } from "@/components/audit/audit-action-filter";
import { AUDIT_ACTIONS, describeAction, describeDetails } from "@/components/audit/audit-format";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";
import { formatDateTime, formatRelative } from "@/components/providers/provider-meta";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { requireOrg } from "@/lib/auth/require-org";
import { hasRole } from "@/lib/auth/roles";
import { getProvider, listAuditEvents } from "@/lib/db/queries/providers";

export const metadata: Metadata = { title: "Audit log" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function one(value: string | string[] | undefined) {
  return (Array.isArray(value) ? value[0] : value)?.trim() ?? "";
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function AuditPage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: SearchParams }) {
  const { slug } = await params;
  const { user, organization } = await requireOrg(slug);

  if (!hasRole(organization.role, "admin")) {
    return (
      <>
        <PageHeader title="Audit log" description="Who did what, and when." />
        <EmptyState
          icon={<Lock />}
          title="Only admins can see the audit log"
          description="Ask an admin or owner of this organization if you need to know who changed something."
        />
      </>
    );
  }

  const query = await searchParams;
  const action = one(query.action) in AUDIT_ACTIONS ? one(query.action) : "";
  const providerId = UUID.test(one(query.provider)) ? one(query.provider) : "";
  const before = /^\d{1,19}$/.test(one(query.before)) ? one(query.before) : "";

  const [{ events, nextBefore }, provider] = await Promise.all([
    listAuditEvents(user, organization.id, {
      action: action || undefined,
      providerId: providerId || undefined,
      before: before || undefined,
    }),
    providerId ? getProvider(user, organization.id, providerId) : null,
  ]);

  const base = `/orgs/${encodeURIComponent(organization.slug)}/audit`;
  const providerBase = `/orgs/${encodeURIComponent(organization.slug)}/providers`;
  const hrefWith = (changes: { action?: string; provider?: string; before?: string }) => {
    const next = new URLSearchParams();
    const merged = { action, provider: providerId, ...changes };
    if (merged.action) next.set("action", merged.action);
    if (merged.provider) next.set("provider", merged.provider);
    if (changes.before) next.set("before", changes.before);
    const text = next.toString();
    return text ? `${base}?${text}` : base;
  };
  // Deleted providers have no page to link to; events on this page tell us which ones are gone.
  const deleted = new Set(events.filter((event) => event.action === "provider.deleted").map((event) => event.target_id));
  const providerName = provider?.name ?? events.find((event) => event.target_id === providerId)?.target_name ?? "this provider";
  const now = new Date();

  return (
    <>
      <PageHeader title="Audit log" description={`Who changed what in ${organization.name}, newest first. Secrets are never recorded.`} />

      <div className="flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
        <AuditActionFilter value={action} provider={providerId || undefined} actions={Object.entries(AUDIT_ACTIONS)} />
        {providerId && (
          <div className="flex items-center gap-2 text-sm" data-test="audit-provider-filter">
            <span className="text-muted-foreground">Provider:</span>
            <Badge variant="secondary" className="gap-1 py-1 pr-1 text-sm">
              {provider ? (
                <Link href={`${providerBase}/${provider.id}`} className="hover:underline">
                  {providerName}
                </Link>
              ) : (
                providerName
              )}
              <Link
                href={hrefWith({ provider: "" })}
                aria-label="Show events for every provider"
                className="rounded-sm p-0.5 hover:bg-background focus-visible:ring-[3px] focus-visible:ring-ring/50 focus-visible:outline-none"
              >
                <X aria-hidden="true" className="size-3.5" />
              </Link>
            </Badge>
          </div>
        )}
      </div>

      {events.length === 0 ? (
        <EmptyState
          icon={<ScrollText />}
          title={before ? "No older events" : action || providerId ? "No matching events" : "Nothing recorded yet"}
          description={
            before
              ? "You have reached the beginning of the log."
              : action || providerId
                ? "Nothing matches this filter."
                : "Adding, changing, rotating and deleting providers is recorded here."
          }
          action={
            before || action || providerId ? (
              <Button variant="outline" asChild>
                <Link href={base}>Show the newest events</Link>
              </Button>
            ) : undefined
          }
        />
      ) : (
        <div className="overflow-hidden rounded-lg border">
          <Table data-test="audit-table">
            <TableHeader>
              <TableRow>
                <TableHead className="hidden sm:table-cell">Who</TableHead>
                <TableHead>What</TableHead>
                <TableHead>Provider</TableHead>
                <TableHead className="hidden lg:table-cell">Details</TableHead>
                <TableHead className="text-right">When</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {events.map((event) => {
                const details = describeDetails(event);
                const actor = event.actor_email ?? <span className="text-muted-foreground">Cloudkeep</span>;
                const linkable = event.target_type === "provider" && event.target_id && !deleted.has(event.target_id);
                return (
                  <TableRow key={event.id} data-test="audit-row" data-action={event.action}>
                    <TableCell className="hidden max-w-48 truncate sm:table-cell" title={event.actor_email ?? undefined}>
                      {actor}
                    </TableCell>
                    <TableCell className="max-w-40 whitespace-nowrap sm:max-w-none">
                      {describeAction(event.action)}
                      <span className="block truncate text-xs text-muted-foreground sm:hidden">{actor}</span>
                    </TableCell>
                    <TableCell className="max-w-40 truncate sm:max-w-56">
                      {linkable ? (
                        <Link
                          href={`${providerBase}/${event.target_id}`}
                          prefetch={false}
                          className="font-medium underline-offset-4 hover:underline"
                        >
                          {event.target_name ?? "Provider"}
                        </Link>
                      ) : (
                        <span className="text-muted-foreground">{event.target_name ?? "—"}</span>
                      )}
                      {details && <span className="block truncate text-xs text-muted-foreground lg:hidden">{details}</span>}
                    </TableCell>
                    <TableCell className="hidden max-w-72 truncate text-muted-foreground lg:table-cell">{details ?? "—"}</TableCell>
                    <TableCell className="text-right whitespace-nowrap text-muted-foreground">
                      <time dateTime={new Date(event.created_at).toISOString()} title={formatDateTime(event.created_at)}>
                        {formatRelative(event.created_at, now)}
                      </time>
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </div>
      )}

      {(nextBefore || before) && (
        <nav aria-label="Audit log pages" className="flex items-center justify-end gap-2">
          {before && (
            <Button variant="ghost" size="sm" asChild>
              <Link href={hrefWith({})}>Newest events</Link>
            </Button>
          )}
          {nextBefore && (
            <Button variant="outline" size="sm" asChild>
              <Link href={hrefWith({ before: nextBefore })} rel="next">
                Older events
                <ChevronRight aria-hidden="true" />
              </Link>
            </Button>
          )}
        </nav>
      )}
    </>
  );
}
