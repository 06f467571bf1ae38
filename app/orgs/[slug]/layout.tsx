import { AppShell } from "@/components/app-shell/app-shell";
import { signOutAction } from "@/lib/actions/auth";
import { myOrganizations, requireOrg } from "@/lib/auth/require-org";

export default async function OrganizationLayout({ children, params }: { children: React.ReactNode; params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { user, organization } = await requireOrg(slug);
  const { organizations } = await myOrganizations();
  return (
    <AppShell organizations={organizations} currentOrg={organization} user={{ email: user.email }} signOutAction={signOutAction}>
      {children}
    </AppShell>
  );
}
