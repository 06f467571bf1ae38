import type { Metadata } from "next";
import { InviteMemberDialog } from "@/components/members/invite-member-dialog";
import { LeaveOrganizationButton } from "@/components/members/leave-organization-button";
import { MembersTable } from "@/components/members/members-table";
import { PendingInvitations } from "@/components/members/pending-invitations";
import { PageHeader } from "@/components/page-header";
import { requireOrg } from "@/lib/auth/require-org";
import { hasRole } from "@/lib/auth/roles";
import { listOpenInvitations } from "@/lib/db/queries/members";
import { listMembers } from "@/lib/db/queries/organizations";

export const metadata: Metadata = { title: "Members" };

export default async function MembersPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { user, organization } = await requireOrg(slug);
  const isAdmin = hasRole(organization.role, "admin");
  const [members, invitations] = await Promise.all([
    listMembers(user, organization.id),
    isAdmin ? listOpenInvitations(user, organization.id) : Promise.resolve([]),
  ]);
  return (
    <>
      <PageHeader
        title="Members"
        description={
          isAdmin
            ? `People who can see ${organization.name}. Invite by email; only owners grant or take away ownership.`
            : `People who can see ${organization.name}. Admins and owners invite people and change roles.`
        }
        actions={
          <>
            {isAdmin && <InviteMemberDialog orgSlug={organization.slug} canInviteOwner={organization.role === "owner"} />}
            <LeaveOrganizationButton orgSlug={organization.slug} organizationName={organization.name} />
          </>
        }
      />
      <MembersTable
        orgSlug={organization.slug}
        organizationName={organization.name}
        me={{ id: user.id, role: organization.role }}
        members={members}
      />
      {isAdmin && invitations.length > 0 && (
        <section className="grid gap-3" aria-labelledby="pending-invitations-heading">
          <h2 id="pending-invitations-heading" className="text-base font-semibold">
            Pending invitations
          </h2>
          <PendingInvitations orgSlug={organization.slug} myRole={organization.role} invitations={invitations} now={new Date()} />
        </section>
      )}
    </>
  );
}
