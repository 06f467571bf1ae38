// Reads of a provider's stored account activity (provider_events), shared by the portal and the API.
// Members and above see it (RLS); viewers are told so instead of getting an empty timeline.
import type { Tables } from "../database.types.ts";
import type { Tx } from "../db.ts";
import { DomainError } from "./errors.ts";
import { decodeCursor, encodeCursor } from "./resource-queries.ts";

/** A stored event as pages and the API show it (generated row type; resources as CloudTrail names them). */
export type StoredEvent = Pick<
  Tables["provider_events"],
  "event_id" | "event_name" | "event_source" | "username" | "event_time" | "region" | "read_only" | "console_url"
> & { resources: { type: string | null; name: string | null }[] };

/** Text filters match case-insensitively anywhere in the value; `region` matches exactly. */
export type StoredEventFilters = {
  region?: string;
  user?: string;
  eventName?: string;
  /** A resource's name (or id), e.g. an instance id or a bucket name. */
  resource?: string;
  cursor?: string | null;
  limit?: number;
};

export type EventImportState = {
  imported_at: Date;
  regions: string[];
  added: number;
  partial_failures: { scope: string; code: string; message: string }[];
};

const like = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Keyset cursor over (event_time, event_id), newest first; opaque to callers. */
export function encodeEventCursor(event: Pick<StoredEvent, "event_time" | "event_id">) {
  return encodeCursor(new Date(event.event_time).toISOString(), event.event_id);
}

export function decodeEventCursor(cursor: string | null | undefined): [Date, string] | null {
  const decoded = decodeCursor(cursor);
  if (!decoded) return null;
  const time = new Date(decoded[0]);
  return Number.isNaN(time.getTime()) ? null : [time, decoded[1]];
}

/** Refuses viewers (and non-members) in words, before RLS would answer them with nothing. */
export async function requireActivityReader(tx: Tx, providerId: string) {
  const [row] = await tx<{ role: string | null; provider_type: string }[]>`
    select p.provider_type,
           (select m.role::text from public.organization_members m where m.organization_id = p.organization_id and m.user_id = (select auth.uid())) as role
    from public.cloud_providers p where p.id = ${providerId}`;
  if (!row?.role) throw new DomainError("not_found", "Provider not found.");
  if (row.role === "viewer") throw new DomainError("forbidden", "Account activity is visible to members and above; your role is viewer.");
  return row;
}

export async function selectEvents(tx: Tx, providerId: string, filters: StoredEventFilters) {
  const limit = Math.min(Math.max(Math.floor(filters.limit ?? 50), 1), 200);
  const after = decodeEventCursor(filters.cursor);
  const rows = await tx<StoredEvent[]>`
    select event_id, event_name, event_source, username, event_time, region, read_only, resources, console_url
    from public.provider_events
    where provider_id = ${providerId}
      ${filters.region ? tx`and region = ${filters.region}` : tx``}
      ${filters.user ? tx`and username ilike ${like(filters.user)}` : tx``}
      ${filters.eventName ? tx`and event_name ilike ${like(filters.eventName)}` : tx``}
      ${filters.resource ? tx`and exists (select 1 from jsonb_array_elements(resources) r where r ->> 'name' ilike ${like(filters.resource)})` : tx``}
      ${after ? tx`and (event_time, event_id) < (${after[0]}, ${after[1]})` : tx``}
    order by event_time desc, event_id desc
    limit ${limit + 1}`;
  const events = rows.slice(0, limit);
  const last = events[events.length - 1];
  return { events, nextCursor: rows.length > limit && last ? encodeEventCursor(last) : null };
}

/** The values to offer as filters: regions, and the most frequent users and event names. */
export async function selectEventFacets(tx: Tx, providerId: string) {
  const [facets] = await tx<{ regions: string[] | null; users: string[] | null; event_names: string[] | null }[]>`
    select
      (select array_agg(region order by region) from (select distinct region from public.provider_events where provider_id = ${providerId}) r) as regions,
      (select array_agg(username order by username) from (
         select username from public.provider_events where provider_id = ${providerId} and username is not null
         group by username order by count(*) desc, username limit 100) u) as users,
      (select array_agg(event_name order by event_name) from (
         select event_name from public.provider_events where provider_id = ${providerId}
         group by event_name order by count(*) desc, event_name limit 100) n) as event_names`;
  return { regions: facets?.regions ?? [], users: facets?.users ?? [], eventNames: facets?.event_names ?? [] };
}

export async function selectEventImport(tx: Tx, providerId: string): Promise<EventImportState | null> {
  const [row] = await tx<EventImportState[]>`
    select imported_at, regions, added, partial_failures from public.provider_event_imports where provider_id = ${providerId}`;
  return row ?? null;
}
