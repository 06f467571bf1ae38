// Settings, webhook, notifications and what needs attention, as the signed-in user (RLS applies).
import "server-only";
import type { SessionUser } from "@/lib/auth/require-user";
import { asUser } from "@/lib/db/rls";
import { selectNeedsAttention, selectNotifications, selectWebhookDeliveries } from "@/supabase/functions/_shared/domain/attention.ts";
import { selectOrganizationSettings } from "@/supabase/functions/_shared/domain/organization-settings.ts";
import { selectWebhook } from "@/supabase/functions/_shared/domain/webhooks.ts";

export function getNeedsAttention(user: SessionUser, organizationId: string) {
  return asUser(user, async (tx) => ({
    items: await selectNeedsAttention(tx, organizationId),
    notifications: await selectNotifications(tx, organizationId, 30),
  }));
}

export function getSettings(user: SessionUser, organizationId: string, withWebhook: boolean) {
  return asUser(user, async (tx) => ({
    settings: await selectOrganizationSettings(tx, organizationId),
    // Only admins can read these (RLS); others would see nothing anyway.
    webhook: withWebhook ? await selectWebhook(tx, organizationId) : null,
    deliveries: withWebhook ? await selectWebhookDeliveries(tx, organizationId, 15) : [],
  }));
}
