// What changed in an AWS account, from CloudTrail's LookupEvents: the last 90 days of management
// events, one region per call, at most 50 per page, paged with NextToken. Events are normalized for
// the activity timeline: who, what, when, which resources, and a console link. Request parameters,
// source addresses and the raw event JSON are left behind.
import type { Event as TrailRecord, LookupAttribute } from "@aws-sdk/client-cloudtrail";
import { UpstreamError, providerFailure } from "../net/http.ts";
import type { AwsCredentials, AwsKeyCredentials } from "../schemas/providers.ts";
import { awsCall, awsConsoleUrl, openAwsSession, sdkClientConfig, withAwsKeys, withoutSdkLogging } from "./aws.ts";
import type { AdapterContext } from "./types.ts";

export type TrailEvent = {
  event_id: string;
  event_name: string;
  event_source: string | null;
  username: string | null;
  event_time: string;
  resources: { type: string | null; name: string | null }[];
  region: string;
  read_only: boolean | null;
  console_url: string | null;
};

/** CloudTrail matches each exactly. It takes one per call; any others are applied here, page by page. */
export type EventFilters = { readOnly?: boolean; username?: string; eventName?: string; resourceName?: string };

export type ListEventsOptions = AdapterContext & {
  region: string;
  startTime?: Date | string;
  endTime?: Date | string;
  nextToken?: string | null;
  filters?: EventFilters;
};

export type EventPage = { events: TrailEvent[]; nextToken: string | null };

/** LookupEvents' largest page. */
const PAGE_SIZE = 50;
/** Pages one import reads at most per region (2,500 events); CloudTrail allows 2 calls a second per region. */
export const MAX_EVENT_PAGES = 50;

/** The event's page in the CloudTrail console (Event history). */
export function cloudtrailEventUrl(region: string, eventId: string): string | null {
  return awsConsoleUrl(region, `cloudtrailv2/home?region=${encodeURIComponent(region)}#/events/${encodeURIComponent(eventId)}`);
}

export function normalizeTrailEvent(record: TrailRecord, region: string): TrailEvent | null {
  if (!record.EventId || !record.EventName || !record.EventTime) return null;
  return {
    event_id: record.EventId,
    event_name: record.EventName,
    event_source: record.EventSource ?? null,
    username: record.Username ?? null,
    event_time: new Date(record.EventTime).toISOString(),
    resources: (record.Resources ?? []).map((resource) => ({ type: resource.ResourceType ?? null, name: resource.ResourceName ?? null })),
    region,
    read_only: record.ReadOnly === "true" ? true : record.ReadOnly === "false" ? false : null,
    console_url: cloudtrailEventUrl(region, record.EventId),
  };
}

type Matcher = { attribute: LookupAttribute; matches: (event: TrailEvent) => boolean };

function matchers(filters: EventFilters = {}): Matcher[] {
  const out: Matcher[] = [];
  if (filters.readOnly !== undefined) {
    out.push({
      attribute: { AttributeKey: "ReadOnly", AttributeValue: String(filters.readOnly) },
      matches: (e) => e.read_only === filters.readOnly,
    });
  }
  if (filters.username)
    out.push({
      attribute: { AttributeKey: "Username", AttributeValue: filters.username },
      matches: (e) => e.username === filters.username,
    });
  if (filters.eventName)
    out.push({
      attribute: { AttributeKey: "EventName", AttributeValue: filters.eventName },
      matches: (e) => e.event_name === filters.eventName,
    });
  if (filters.resourceName) {
    out.push({
      attribute: { AttributeKey: "ResourceName", AttributeValue: filters.resourceName },
      matches: (e) => e.resources.some((resource) => resource.name === filters.resourceName),
    });
  }
  return out;
}

/** One session and client for a run of pages in one region. */
async function openTrail(keys: AwsKeyCredentials, options: ListEventsOptions) {
  const { CloudTrailClient, LookupEventsCommand } = await import("@aws-sdk/client-cloudtrail");
  const session = openAwsSession(keys, options);
  const client = withoutSdkLogging(new CloudTrailClient(sdkClientConfig(session, options.region)));
  const [sent, ...others] = matchers(options.filters);
  const page = async (nextToken: string | undefined): Promise<EventPage> => {
    const output = await awsCall(
      session,
      { service: "cloudtrail", action: "cloudtrail:LookupEvents", region: options.region },
      (abortSignal) =>
        client.send(
          new LookupEventsCommand({
            MaxResults: PAGE_SIZE,
            ...(sent ? { LookupAttributes: [sent.attribute] } : {}),
            ...(options.startTime ? { StartTime: new Date(options.startTime) } : {}),
            ...(options.endTime ? { EndTime: new Date(options.endTime) } : {}),
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
          { abortSignal },
        ),
    );
    const events = (output.Events ?? [])
      .map((record) => normalizeTrailEvent(record, options.region))
      .filter((event): event is TrailEvent => event !== null && others.every((other) => other.matches(event)));
    return { events, nextToken: output.NextToken || null };
  };
  return { page, close: () => session.close() };
}

/** One page of events in one region, newest first; pass its nextToken back for the next. */
export function listEvents(credentials: AwsCredentials, options: ListEventsOptions): Promise<EventPage> {
  return withAwsKeys(credentials, options, async (keys) => {
    const trail = await openTrail(keys, options);
    try {
      return await trail.page(options.nextToken ?? undefined);
    } finally {
      trail.close();
    }
  });
}

/** Every page of events in one region (up to `maxPages`); `truncated` when more were left. */
export function listAllEvents(
  credentials: AwsCredentials,
  options: ListEventsOptions & { maxPages?: number },
): Promise<{ events: TrailEvent[]; pages: number; truncated: boolean }> {
  const maxPages = options.maxPages ?? MAX_EVENT_PAGES;
  return withAwsKeys(credentials, options, async (keys) => {
    const trail = await openTrail(keys, options);
    const events: TrailEvent[] = [];
    const seen = new Set<string>();
    let token = options.nextToken ?? undefined;
    try {
      for (let pages = 1; pages <= maxPages; pages++) {
        const page = await trail.page(token);
        events.push(...page.events);
        if (!page.nextToken) return { events, pages, truncated: false };
        if (seen.has(page.nextToken)) {
          throw new UpstreamError(
            providerFailure(
              "malformed_response",
              `LookupEvents in ${options.region} handed out the same page token twice.`,
              "The endpoint's pagination is broken; report it to its operator.",
              502,
            ),
          );
        }
        seen.add(page.nextToken);
        token = page.nextToken;
      }
      return { events, pages: maxPages, truncated: true };
    } finally {
      trail.close();
    }
  });
}
