import type { Metadata } from "next";
import { Cloud } from "lucide-react";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";
import { requireOrg } from "@/lib/auth/require-org";

export const metadata: Metadata = { title: "Providers" };

export default async function ProvidersPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { organization } = await requireOrg(slug);
  return (
    <>
      <PageHeader title="Providers" description={`Cloud accounts connected to ${organization.name}.`} />
      <EmptyState
        icon={<Cloud />}
        title="No providers yet"
        description="Connect AWS, Azure, Google Cloud, DigitalOcean, Linode, Vultr, OpenStack or any S3-compatible endpoint. Credentials are encrypted before they are stored."
      />
    </>
  );
}
