// Provider reads for the portal, as the signed-in user (RLS applies). Never selects the
// credentials column — the database would refuse anyway.
import "server-only";
import type { SessionUser } from "@/lib/auth/require-user";
import { asUser, readAsUser } from "@/lib/db/rls";
import { selectProvider, selectProviderPage, type ProviderFilters } from "@/supabase/functions/_shared/domain/provider-queries.ts";
import { selectLastSweep } from "@/supabase/functions/_shared/domain/sweep-queries.ts";
import { selectDiscovery } from "@/supabase/functions/_shared/domain/cloud-organizations.ts";

export { PROVIDERS_PAGE_SIZE, type ProviderFilters } from "@/supabase/functions/_shared/domain/provider-queries.ts";

/**
 * The providers page: one page of providers and the organization's last scheduled sweep,
 * read in one transaction whose queries travel together (one round trip, not two).
 */
export function listProviders(user: SessionUser, organizationId: string, filters: ProviderFilters) {
  return readAsUser(user, async (tx) => {
    const [page, sweep] = await Promise.all([selectProviderPage(tx, organizationId, filters), selectLastSweep(tx, organizationId)]);
    return { ...page, sweep };
  });
}

export function getProvider(user: SessionUser, organizationId: string, providerId: string) {
  return asUser(user, (tx) => selectProvider(tx, providerId, organizationId));
}

export type AuditEvent = {
  id: string;
  actor_email: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  target_name: string | null;
  metadata: Record<string, unknown>;
  created_at: Date;
};

export const AUDIT_PAGE_SIZE = 50;

export async function listAuditEvents(
  user: SessionUser,
  organizationId: string,
  filters: { action?: string; providerId?: string; before?: string },
) {
  return asUser(user, async (tx) => {
    const rows = await tx<AuditEvent[]>`
      select id::text, actor_email, action, target_type, target_id, target_name, metadata, created_at
      from public.audit_events
      where organization_id = ${organizationId}
        ${filters.action ? tx`and action = ${filters.action}` : tx``}
        ${filters.providerId && /^[0-9a-f-]{36}$/i.test(filters.providerId) ? tx`and target_id = ${filters.providerId}` : tx``}
        ${filters.before && /^\d+$/.test(filters.before) ? tx`and id < ${filters.before}` : tx``}
      order by id desc
      limit ${AUDIT_PAGE_SIZE + 1}`;
    const events = rows.slice(0, AUDIT_PAGE_SIZE);
    // One row more than a page means there is another page; it starts before this page's last event.
    return { events, nextBefore: rows.length > AUDIT_PAGE_SIZE ? (events.at(-1)?.id ?? null) : null };
  });
}

/** A whole-organization provider's discovered accounts and last discovery, and for a discovered account, its parent's name. */
export async function getOrganizationLinks(
  user: SessionUser,
  provider: { id: string; organization_scope: unknown; parent_provider_id: string | null },
) {
  // Most providers are neither: no transaction for them.
  if (!provider.organization_scope && !provider.parent_provider_id) return { accounts: null, lastDiscovery: null, parent: null };
  return readAsUser(user, async (tx) => {
    const [discovery, parent] = await Promise.all([
      provider.organization_scope ? selectDiscovery(tx, provider.id) : Promise.resolve(null),
      provider.parent_provider_id
        ? tx<{ id: string; name: string }[]>`select id, name from public.cloud_providers where id = ${provider.parent_provider_id}`.then(
            ([row]) => row ?? null,
          )
        : Promise.resolve(null),
    ]);
    return { accounts: discovery?.accounts ?? null, lastDiscovery: discovery?.run ?? null, parent };
  });
}
