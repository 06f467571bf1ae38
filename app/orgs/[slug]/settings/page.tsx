import type { Metadata } from "next";
import { PageHeader } from "@/components/page-header";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { requireOrg } from "@/lib/auth/require-org";
import { ROLE_LABELS } from "@/lib/auth/roles";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage({ params }: { params: Promise<{ slug: string }> }) {
  const { organization } = await requireOrg((await params).slug);
  return (
    <>
      <PageHeader title="Settings" description="Organization details." />
      <Card className="max-w-xl">
        <CardHeader>
          <CardTitle>{organization.name}</CardTitle>
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
    </>
  );
}
