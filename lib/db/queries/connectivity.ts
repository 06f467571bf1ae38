// A provider's stored health history and inventory, as the signed-in user (RLS applies).
import "server-only";
import type { SessionUser } from "@/lib/auth/require-user";
import { asUser } from "@/lib/db/rls";
import {
  selectHealthHistory,
  selectInventory,
  selectResourcePage,
  type ResourcePageFilters,
} from "@/supabase/functions/_shared/domain/resource-queries.ts";

export { RESOURCE_SORTS, type ResourceSort } from "@/supabase/functions/_shared/domain/resource-queries.ts";

export type HealthCheck = Awaited<ReturnType<typeof selectHealthHistory>>[number];

export function getHealthHistory(user: SessionUser, providerId: string, limit: number) {
  return asUser(user, (tx) => selectHealthHistory(tx, providerId, limit));
}

export function getInventory(user: SessionUser, providerId: string) {
  return asUser(user, (tx) => selectInventory(tx, providerId));
}

export function listResources(user: SessionUser, providerId: string, filters: ResourcePageFilters) {
  return asUser(user, (tx) => selectResourcePage(tx, providerId, filters));
}
