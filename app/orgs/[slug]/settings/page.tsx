import type { Metadata } from "next";
import { PageHeader } from "@/components/page-header";
import { SettingsForm } from "@/components/settings/settings-form";
import { WebhookDeliveries } from "@/components/settings/webhook-deliveries";
import { WebhookForm } from "@/components/settings/webhook-form";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { requireOrg } from "@/lib/auth/require-org";
import { hasRole, ROLE_LABELS } from "@/lib/auth/roles";
import { getSettings } from "@/lib/db/queries/attention";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage({ params }: { params: Promise<{ slug: string }> }) {
  const { user, organization } = await requireOrg((await params).slug);
  const canEdit = hasRole(organization.role, "admin");
  const { settings, webhook, deliveries } = await getSettings(user, organization.id, canEdit);
  return (
    <>
      <PageHeader
        title="Settings"
        description={
          canEdit
            ? "How Cloudkeep works for this organization."
            : "How Cloudkeep works for this organization. Only admins and owners change these."
        }
      />
      <div className="grid max-w-3xl gap-6">
        <Card>
          <CardHeader>
            <CardTitle as="h2">{organization.name}</CardTitle>
            <CardDescription>Your role: {ROLE_LABELS[organization.role]}</CardDescription>
          </CardHeader>
          <CardContent>
            <dl className="grid grid-cols-[8rem_1fr] gap-y-2 text-sm">
              <dt className="text-muted-foreground">URL name</dt>
              <dd className="font-mono">{organization.slug}</dd>
              <dt className="text-muted-foreground">Organization ID</dt>
              <dd className="font-mono break-all">{organization.id}</dd>
            </dl>
          </CardContent>
        </Card>

        <Card>
          <CardContent>
            <SettingsForm orgSlug={organization.slug} settings={settings} canEdit={canEdit} />
          </CardContent>
        </Card>

        {canEdit && (
          <Card>
            <CardHeader>
              <CardTitle as="h2">Webhook</CardTitle>
              <CardDescription>
                Tell another system when a provider fails or recovers, or a credential nears expiry or grows old.
              </CardDescription>
            </CardHeader>
            <CardContent className="grid gap-6">
              <WebhookForm orgSlug={organization.slug} webhook={webhook} />
              {webhook && (
                <section className="grid gap-2">
                  <h3 className="text-sm font-semibold">Recent deliveries</h3>
                  <WebhookDeliveries deliveries={deliveries} now={new Date()} />
                </section>
              )}
            </CardContent>
          </Card>
        )}
      </div>
    </>
  );
}
