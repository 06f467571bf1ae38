// A provider's account activity (AWS CloudTrail changes) for the portal, as the signed-in user:
// the page of events, the values to filter by, and when it was last imported. RLS shows it to
// members and above; the Activity tab is not offered to viewers.
import "server-only";
import type { SessionUser } from "@/lib/auth/require-user";
import { asUser } from "@/lib/db/rls";
import {
  selectEventFacets,
  selectEventImport,
  selectEvents,
  type StoredEventFilters,
} from "@/supabase/functions/_shared/domain/event-queries.ts";

export type { EventImportState, StoredEvent, StoredEventFilters } from "@/supabase/functions/_shared/domain/event-queries.ts";

export const ACTIVITY_PAGE_SIZE = 50;

export function getActivity(user: SessionUser, providerId: string, filters: StoredEventFilters) {
  return asUser(user, async (tx) => {
    const [page, facets, imported] = await Promise.all([
      selectEvents(tx, providerId, { ...filters, limit: ACTIVITY_PAGE_SIZE }),
      selectEventFacets(tx, providerId),
      selectEventImport(tx, providerId),
    ]);
    return { ...page, facets, imported };
  });
}
