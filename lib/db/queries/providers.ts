// Provider reads for the portal, as the signed-in user (RLS applies). Never selects the
// credentials column — the database would refuse anyway.
import "server-only";
import type { SessionUser } from "@/lib/auth/require-user";
import { asUser } from "@/lib/db/rls";
import { PROVIDER_COLUMNS, type ProviderRecord } from "@/supabase/functions/_shared/domain/providers.ts";
import type { ProviderType } from "@/supabase/functions/_shared/schemas/providers.ts";

export type ProviderFilters = {
  q?: string;
  kind?: ProviderType;
  status?: ProviderRecord["status"];
  environment?: ProviderRecord["environment"];
  page?: number;
};

export const PROVIDERS_PAGE_SIZE = 24;

export async function listProviders(user: SessionUser, organizationId: string, filters: ProviderFilters) {
  const page = Math.max(1, Math.floor(filters.page ?? 1));
  const q = filters.q?.trim() ?? "";
  const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return asUser(user, async (tx) => {
    const rows = await tx<(ProviderRecord & { total: number })[]>`
      select ${tx(PROVIDER_COLUMNS)}, count(*) over ()::int as total
      from public.cloud_providers
      where organization_id = ${organizationId}
        ${q ? tx`and (name ilike ${like} or account_identifier ilike ${like} or credential_hint ilike ${like})` : tx``}
        ${filters.kind ? tx`and provider_type = ${filters.kind}` : tx``}
        ${filters.status ? tx`and status = ${filters.status}` : tx``}
        ${filters.environment ? tx`and environment = ${filters.environment}` : tx``}
      order by name, id
      limit ${PROVIDERS_PAGE_SIZE} offset ${(page - 1) * PROVIDERS_PAGE_SIZE}`;
    const total = rows[0]?.total ?? (page > 1 ? await countProviders(tx, organizationId) : 0);
    return { providers: rows.map(({ total: _total, ...p }) => p as ProviderRecord), total, page, pageSize: PROVIDERS_PAGE_SIZE };
  });
}

async function countProviders(tx: Parameters<Parameters<typeof asUser>[1]>[0], organizationId: string) {
  const [{ n }] = await tx<{ n: number }[]>`select count(*)::int as n from public.cloud_providers where organization_id = ${organizationId}`;
  return n;
}

export async function getProvider(user: SessionUser, organizationId: string, providerId: string) {
  if (!/^[0-9a-f-]{36}$/i.test(providerId)) return null;
  const rows = await asUser(user, (tx) => tx<ProviderRecord[]>`
    select ${tx(PROVIDER_COLUMNS)} from public.cloud_providers
    where organization_id = ${organizationId} and id = ${providerId}`);
  return rows[0] ?? null;
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
    return { events: rows.slice(0, AUDIT_PAGE_SIZE), nextBefore: rows.length > AUDIT_PAGE_SIZE ? rows[AUDIT_PAGE_SIZE - 1].id : null };
  });
}
