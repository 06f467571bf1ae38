// The Activity tab of an AWS provider: who changed what in the account, when, and to which
// resources, from CloudTrail (changes only, newest first), with filters by region, user, event name
// and resource, and a link to each event in the CloudTrail console. Members and above.
import Link from "next/link";
import { History } from "lucide-react";

import { EmptyState } from "@/components/empty-state";
import { Button } from "@/components/ui/button";
import { ListTable } from "@/components/list-table";
import { TableCell, TableRow } from "@/components/ui/table";
import { UrlFilters } from "@/components/url-filters";
import type { SessionUser } from "@/lib/auth/require-user";
import { getActivity, type StoredEvent } from "@/lib/db/queries/events";
import { ConsoleLink } from "./console-link";
import { ImportEventsButton } from "./import-events-button";
import { PartialFailuresAlert } from "./partial-failures-alert";
import { formatDateTime, formatRelative } from "./provider-meta";

type Query = Record<string, string | string[] | undefined>;

export type ActivityParams = { q: string; region: string; user: string; event_name: string; cursor: string };

const PARAMS = ["q", "region", "user", "event_name", "cursor"] as const;

/** The Activity tab's URL parameters: q searches resources; the rest filter; cursor pages back in time. */
export function parseActivityParams(query: Query): ActivityParams {
  const one = (value: string | string[] | undefined) => ((Array.isArray(value) ? value[0] : value) ?? "").trim().slice(0, 200);
  return Object.fromEntries(PARAMS.map((name) => [name, one(query[name])])) as ActivityParams;
}

type ActivityTimelineProps = {
  user: SessionUser;
  orgSlug: string;
  providerId: string;
  /** The provider page's path; the tab's links add ?tab=activity and the filters. */
  base: string;
  /** The page's search parameters. */
  query: Query;
  /** Members and above may import now; the tab is not for viewers, who cannot read activity. */
  canImport: boolean;
  suspended: boolean;
  now: Date;
};

export async function ActivityTimeline({ user, orgSlug, providerId, base, query, canImport, suspended, now }: ActivityTimelineProps) {
  const params = parseActivityParams(query);
  const activity = await getActivity(user, providerId, {
    region: params.region || undefined,
    user: params.user || undefined,
    eventName: params.event_name || undefined,
    resource: params.q || undefined,
    cursor: params.cursor || null,
  });
  const filtered = Boolean(params.q || params.region || params.user || params.event_name);
  const href = (changes: Partial<ActivityParams>) => {
    const next = { ...params, ...changes };
    const search = new URLSearchParams({ tab: "activity" });
    for (const name of PARAMS) if (next[name]) search.set(name, next[name]);
    return `${base}?${search}`;
  };
  const options = (values: string[]) => values.map((value): [string, string] => [value, value]);

  return (
    <section aria-labelledby="activity-heading" className="grid gap-4" data-test="activity-timeline">
      <div className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
        <div>
          <h2 id="activity-heading" className="text-lg font-semibold">
            Activity
          </h2>
          <p className="text-sm text-muted-foreground" data-test="activity-state">
            Changes in the AWS account from CloudTrail.{" "}
            {activity.imported ? (
              <>
                Last imported{" "}
                <time
                  dateTime={new Date(activity.imported.imported_at).toISOString()}
                  title={formatDateTime(activity.imported.imported_at)}
                >
                  {formatRelative(activity.imported.imported_at, now)}
                </time>
                .
              </>
            ) : (
              "Not imported yet."
            )}{" "}
            CloudTrail shows an event about ten minutes after it happens.
          </p>
        </div>
        {canImport && <ImportEventsButton orgSlug={orgSlug} providerId={providerId} suspended={suspended} />}
      </div>

      {activity.imported && (
        <PartialFailuresAlert
          title="Some regions could not be read last time"
          failures={activity.imported.partial_failures}
          data-test="activity-partial-failures"
        />
      )}

      {!activity.imported && activity.events.length === 0 ? (
        <EmptyState
          icon={<History />}
          title="No activity yet"
          description={
            canImport
              ? "Import now to read the account's changes of the last seven days."
              : "Cloudkeep imports the account's changes on a schedule."
          }
        />
      ) : (
        <>
          <UrlFilters
            label="Filter activity"
            idPrefix="activity"
            searchLabel="Search resources"
            searchPlaceholder="Search by resource name or id"
            values={{ q: params.q, region: params.region, user: params.user, event_name: params.event_name }}
            selects={[
              { name: "region", label: "Region", allLabel: "All regions", options: options(activity.facets.regions) },
              { name: "user", label: "User", allLabel: "All users", options: options(activity.facets.users) },
              { name: "event_name", label: "Event", allLabel: "All events", options: options(activity.facets.eventNames) },
            ]}
            keep={{ tab: "activity" }}
            data-test="activity-filters"
          />
          {activity.events.length === 0 ? (
            <p className="rounded-lg border border-dashed py-10 text-center text-sm text-muted-foreground">
              {filtered ? (
                <>
                  No change matches these filters.{" "}
                  <Link
                    href={href({ q: "", region: "", user: "", event_name: "", cursor: "" })}
                    className="text-primary underline-offset-4 hover:underline"
                  >
                    Clear filters
                  </Link>
                </>
              ) : (
                "No changes in the imported window."
              )}
            </p>
          ) : (
            <EventsTable events={activity.events} now={now} />
          )}
          {(params.cursor || activity.nextCursor) && (
            <nav aria-label="Activity pages" className="flex items-center justify-between gap-2">
              {params.cursor ? (
                <Button variant="ghost" size="sm" asChild>
                  <Link href={href({ cursor: "" })} scroll={false}>
                    Newest
                  </Link>
                </Button>
              ) : (
                <span />
              )}
              {activity.nextCursor && (
                <Button variant="outline" size="sm" asChild>
                  <Link href={href({ cursor: activity.nextCursor })} scroll={false} data-test="activity-older">
                    Older
                  </Link>
                </Button>
              )}
            </nav>
          )}
        </>
      )}
    </section>
  );
}

function EventsTable({ events, now }: { events: StoredEvent[]; now: Date }) {
  return (
    <ListTable
      test="activity-table"
      columns={[
        { label: "When" },
        { label: "Who" },
        { label: "What" },
        { label: "Resource" },
        { label: "Region" },
        { label: "Console", className: "text-right" },
      ]}
    >
      {events.map((event) => (
        <TableRow key={event.event_id} data-test="activity-row">
          <TableCell className="whitespace-nowrap">
            <time dateTime={new Date(event.event_time).toISOString()} title={formatDateTime(event.event_time)}>
              {formatRelative(event.event_time, now)}
            </time>
          </TableCell>
          <TableCell className="max-w-48 truncate">{event.username ?? <span className="text-muted-foreground">—</span>}</TableCell>
          <TableCell>
            <span className="font-medium">{event.event_name}</span>
            {event.event_source && <span className="block text-xs text-muted-foreground">{event.event_source}</span>}
          </TableCell>
          <TableCell>
            {event.resources.length === 0 ? (
              <span className="text-muted-foreground">—</span>
            ) : (
              <ul className="grid gap-0.5">
                {event.resources.map((resource, index) => (
                  <li key={`${resource.name}-${index}`}>
                    <span className="font-mono text-xs break-all">{resource.name}</span>
                    {resource.type && <span className="block text-xs text-muted-foreground">{resource.type}</span>}
                  </li>
                ))}
              </ul>
            )}
          </TableCell>
          <TableCell className="font-mono text-xs">{event.region}</TableCell>
          <TableCell className="text-right">
            <ConsoleLink href={event.console_url} label={`${event.event_name} at ${formatDateTime(event.event_time)}`} />
          </TableCell>
        </TableRow>
      ))}
    </ListTable>
  );
}
