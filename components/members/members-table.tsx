"use client";
// Everyone in the organization. Admins change roles and remove members below owner; owners
// also manage owners. The database refuses the same things, whatever this table shows.
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { UserMinus } from "lucide-react";
import { toast } from "sonner";

import { ConfirmDialog } from "@/components/confirm-dialog";
import { Button } from "@/components/ui/button";
import { ACTIONS_COLUMN, ListTable } from "@/components/list-table";
import { TableCell, TableRow } from "@/components/ui/table";
import { changeMemberRoleAction, removeMemberAction } from "@/lib/actions/members";
import { hasRole, ROLE_LABELS, type OrgRole } from "@/lib/auth/roles";
import type { OrganizationMember } from "@/lib/db/queries/organizations";
import { RoleBadge } from "./role-badge";
import { RoleSelect } from "./role-select";

type Props = { orgSlug: string; organizationName: string; me: { id: string; role: OrgRole }; members: OrganizationMember[] };

export function MembersTable({ orgSlug, organizationName, me, members }: Props) {
  const isAdmin = hasRole(me.role, "admin");
  return (
    <ListTable
      test="members-table"
      className=""
      columns={[{ label: "Email" }, { label: "Role" }, { label: "Joined", className: "hidden sm:table-cell" }, isAdmin && ACTIONS_COLUMN]}
    >
      {members.map((member) => {
        // Owners are managed by owners only; a member's own removal is "Leave organization".
        const manageable = isAdmin && (member.role !== "owner" || me.role === "owner");
        return (
          <TableRow key={member.userId} data-test="member-row">
            <TableCell className="font-medium break-all">
              {member.email}
              {member.userId === me.id && <span className="ml-2 text-xs text-muted-foreground">(you)</span>}
            </TableCell>
            <TableCell>
              {manageable ? (
                <MemberRole key={member.role} orgSlug={orgSlug} member={member} canGrantOwner={me.role === "owner"} />
              ) : (
                <RoleBadge role={member.role} />
              )}
            </TableCell>
            <TableCell className="hidden text-muted-foreground sm:table-cell">
              {member.joinedAt.toLocaleDateString("en", { dateStyle: "medium" })}
            </TableCell>
            {isAdmin && (
              <TableCell className="text-right">
                {manageable && member.userId !== me.id && (
                  <RemoveMember orgSlug={orgSlug} organizationName={organizationName} member={member} />
                )}
              </TableCell>
            )}
          </TableRow>
        );
      })}
    </ListTable>
  );
}

function MemberRole({ orgSlug, member, canGrantOwner }: { orgSlug: string; member: OrganizationMember; canGrantOwner: boolean }) {
  const router = useRouter();
  const [role, setRole] = useState<OrgRole>(member.role);
  const [pending, startTransition] = useTransition();

  function change(next: OrgRole) {
    const previous = role;
    setRole(next);
    startTransition(async () => {
      const result = await changeMemberRoleAction({ orgSlug, userId: member.userId, role: next });
      if (!result.ok) {
        setRole(previous);
        toast.error(result.error);
        return;
      }
      toast.success(`${member.email} is now ${ROLE_LABELS[next].toLowerCase()}`);
      router.refresh();
    });
  }

  return (
    <RoleSelect
      value={role}
      onValueChange={change}
      canGrantOwner={canGrantOwner}
      disabled={pending}
      size="sm"
      className="w-28"
      trigger={{ "aria-label": `Role of ${member.email}` }}
    />
  );
}

function RemoveMember({ orgSlug, organizationName, member }: { orgSlug: string; organizationName: string; member: OrganizationMember }) {
  const router = useRouter();
  return (
    <ConfirmDialog
      trigger={
        <Button type="button" variant="ghost" size="sm" aria-label={`Remove ${member.email}`}>
          <UserMinus aria-hidden="true" />
          Remove
        </Button>
      }
      title={`Remove ${member.email}?`}
      description={`They lose access to ${organizationName} at once. To come back they need a new invitation.`}
      confirmLabel="Remove member"
      pendingLabel="Removing…"
      destructive
      onConfirm={async () => {
        const result = await removeMemberAction({ orgSlug, userId: member.userId });
        if (!result.ok) return result.error;
        toast.success(`${member.email} removed`);
        router.refresh();
      }}
    />
  );
}
