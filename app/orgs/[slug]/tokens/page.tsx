import type { Metadata } from "next";
import { KeyRound } from "lucide-react";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";
import { requireOrg } from "@/lib/auth/require-org";

export const metadata: Metadata = { title: "API tokens" };

export default async function TokensPage({ params }: { params: Promise<{ slug: string }> }) {
  await requireOrg((await params).slug);
  return (
    <>
      <PageHeader title="API tokens" description="Organization-scoped tokens for services that call the Cloudkeep API." />
      <EmptyState icon={<KeyRound />} title="API tokens are not available yet" description="Scoped tokens for other services arrive in a later release. Until then, the API accepts a signed-in user's access token." />
    </>
  );
}
