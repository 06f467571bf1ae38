import type { Metadata } from "next";
import Link from "next/link";
import { AlertTriangle, Bell, CheckCircle2, Info, XCircle } from "lucide-react";

import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";
import { ProviderLogo } from "@/components/providers/provider-logo";
import { formatDateTime, formatRelative } from "@/components/providers/provider-meta";
import { ProviderStatusBadge } from "@/components/providers/provider-badges";
import { ProviderPagination } from "@/components/providers/provider-pagination";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { requireOrg } from "@/lib/auth/require-org";
import { getNeedsAttention } from "@/lib/db/queries/attention";
import { cn } from "@/lib/utils";

export const metadata: Metadata = { title: "Needs attention" };

const SEVERITY_ICON = { critical: XCircle, warning: AlertTriangle, info: Info } as const;
const SEVERITY_CLASS = { critical: "text-destructive", warning: "text-warning", info: "text-muted-foreground" } as const;

/** Items per page: an organization with a thousand stale keys gets pages, not one long scroll. */
const PAGE_SIZE = 25;

export default async function AttentionPage({
  params,
  searchParams,
}: {
  params: Promise<{ slug: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { user, organization } = await requireOrg((await params).slug);
  const { items: all, notifications } = await getNeedsAttention(user, organization.id);
  const base = `/orgs/${encodeURIComponent(organization.slug)}`;
  const now = new Date();
  const requested = Number.parseInt(String((await searchParams).page ?? "1"), 10);
  const pages = Math.max(1, Math.ceil(all.length / PAGE_SIZE));
  const page = Number.isFinite(requested) ? Math.min(Math.max(requested, 1), pages) : 1;
  // The list is ordered most urgent first (the database cannot sort by reasons it does not compute).
  const items = all.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  const critical = all.filter((item) => item.reasons[0].severity === "critical").length;

  return (
    <>
      <PageHeader
        title="Needs attention"
        description="Failing providers, credentials that expire soon or have grown old, and what to do about each."
      />

      {items.length === 0 ? (
        <EmptyState
          icon={<CheckCircle2 />}
          title="Nothing needs attention"
          description="Every provider passes its checks and no credential is near expiry or past its age limit."
        />
      ) : (
        <>
          <p className="text-sm text-muted-foreground" data-test="attention-summary">
            <span className="font-medium text-foreground tabular-nums">{all.length.toLocaleString("en")}</span>{" "}
            {all.length === 1 ? "provider needs" : "providers need"} attention:{" "}
            {[
              critical && `${critical.toLocaleString("en")} critical`,
              all.length - critical && `${(all.length - critical).toLocaleString("en")} to plan for`,
            ]
              .filter(Boolean)
              .join(", ")}
            . Most urgent first.
          </p>
          <ul className="grid gap-3" data-test="attention-list">
            {items.map(({ provider, reasons }) => (
              <li key={provider.id}>
                <Card className="gap-3 py-4" data-test="attention-item" data-severity={reasons[0].severity}>
                  <CardHeader className="flex flex-row items-center gap-3 px-4">
                    <ProviderLogo kind={provider.provider_type} size={32} />
                    <CardTitle as="h2" className="min-w-0 flex-1 truncate text-base">
                      <Link href={`${base}/providers/${provider.id}`} prefetch={false} className="hover:underline">
                        {provider.name}
                      </Link>
                    </CardTitle>
                    <ProviderStatusBadge status={provider.status} />
                  </CardHeader>
                  <CardContent className="grid gap-2 px-4">
                    {reasons.map((reason) => {
                      const Icon = SEVERITY_ICON[reason.severity];
                      return (
                        <div key={reason.kind} className="flex items-start gap-2 text-sm">
                          <Icon aria-hidden="true" className={cn("mt-0.5 size-4 shrink-0", SEVERITY_CLASS[reason.severity])} />
                          <div className="grid gap-0.5">
                            <p>
                              <span className="sr-only">{reason.severity}: </span>
                              {reason.message}
                            </p>
                            <p className="text-muted-foreground">{reason.action}</p>
                          </div>
                        </div>
                      );
                    })}
                  </CardContent>
                </Card>
              </li>
            ))}
          </ul>
          {all.length > PAGE_SIZE && (
            <ProviderPagination
              page={page}
              pageSize={PAGE_SIZE}
              total={all.length}
              hrefFor={(target) => (target > 1 ? `${base}/attention?page=${target}` : `${base}/attention`)}
            />
          )}
        </>
      )}

      <section aria-labelledby="notifications-heading" className="grid gap-3">
        <h2 id="notifications-heading" className="flex items-center gap-2 text-lg font-semibold">
          <Bell aria-hidden="true" className="size-4" /> Notifications
        </h2>
        {notifications.length === 0 ? (
          <p className="text-sm text-muted-foreground">No notifications yet.</p>
        ) : (
          <ol className="grid divide-y rounded-lg border" data-test="notifications">
            {notifications.map((notification) => {
              const Icon = SEVERITY_ICON[notification.severity];
              return (
                <li key={notification.id} className="flex items-start gap-3 px-4 py-3 text-sm">
                  <Icon aria-hidden="true" className={cn("mt-0.5 size-4 shrink-0", SEVERITY_CLASS[notification.severity])} />
                  <div className="grid min-w-0 flex-1 gap-0.5">
                    <p className="font-medium">
                      {notification.provider_id ? (
                        <Link href={`${base}/providers/${notification.provider_id}`} prefetch={false} className="hover:underline">
                          {notification.title}
                        </Link>
                      ) : (
                        notification.title
                      )}
                    </p>
                    <p className="text-muted-foreground">{notification.body}</p>
                  </div>
                  <div className="flex shrink-0 flex-col items-end gap-1">
                    <time
                      className="text-xs text-muted-foreground"
                      dateTime={new Date(notification.created_at).toISOString()}
                      title={formatDateTime(notification.created_at)}
                    >
                      {formatRelative(notification.created_at, now)}
                    </time>
                    <Badge variant="outline" className="font-mono text-[10px]">
                      {notification.kind}
                    </Badge>
                  </div>
                </li>
              );
            })}
          </ol>
        )}
      </section>
    </>
  );
}
