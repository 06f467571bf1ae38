"use server";
// Organization settings and the webhook, from the settings page. Admins and owners only;
// the shared domain functions check the role again and run under RLS.
import { orgInput, thenRefresh } from "@/lib/actions/outcomes";
import { orgAction } from "@/lib/actions/safe-action";
import { vaultFor } from "@/lib/vault";
import { updateOrganizationSettings } from "@/supabase/functions/_shared/domain/organization-settings.ts";
import { removeWebhook, rotateWebhookSecret, saveWebhook } from "@/supabase/functions/_shared/domain/webhooks.ts";

/** Runs a domain call, then refreshes the pages it changed (orgAction turns refusals into messages). */
const domain = <T>(slug: string, run: () => Promise<T>) => thenRefresh({ path: `/orgs/${slug}`, layout: true }, run);

export const updateSettingsAction = orgAction(
  orgInput,
  { name: "updateSettings", role: "admin" },
  async (input, { user, organization }) => {
    const { orgSlug: _slug, ...body } = input;
    return domain(organization.slug, () => updateOrganizationSettings(vaultFor(user), organization.id, body));
  },
);

/** The first save returns the signing secret — the only time it is shown. */
export const saveWebhookAction = orgAction(
  orgInput,
  { name: "saveWebhook", role: "admin", echo: ["url"] },
  async (input, { user, organization }) => {
    const { orgSlug: _slug, ...body } = input;
    const { secret } = await domain(organization.slug, () => saveWebhook(vaultFor(user), organization.id, body));
    return { secret };
  },
);

export const rotateWebhookSecretAction = orgAction(
  orgInput,
  { name: "rotateWebhookSecret", role: "admin" },
  async (_input, { user, organization }) => {
    const { secret } = await domain(organization.slug, () => rotateWebhookSecret(vaultFor(user), organization.id));
    return { secret };
  },
);

export const removeWebhookAction = orgAction(orgInput, { name: "removeWebhook", role: "admin" }, async (_input, { user, organization }) => {
  await domain(organization.slug, () => removeWebhook(vaultFor(user), organization.id));
  return null;
});
