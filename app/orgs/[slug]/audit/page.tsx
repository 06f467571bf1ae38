import type { Metadata } from "next";
import { ScrollText } from "lucide-react";
import { EmptyState } from "@/components/empty-state";
import { PageHeader } from "@/components/page-header";
import { requireOrg } from "@/lib/auth/require-org";

export const metadata: Metadata = { title: "Audit log" };

export default async function AuditPage({ params }: { params: Promise<{ slug: string }> }) {
  await requireOrg((await params).slug);
  return (
    <>
      <PageHeader title="Audit log" description="Who did what, and when." />
      <EmptyState icon={<ScrollText />} title="Nothing recorded yet" description="Changes to providers and credentials will be recorded here once providers can be connected." />
    </>
  );
}
