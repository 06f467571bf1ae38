"use client";
// Open invitations (admins and owners see them): make a new link to copy, or revoke.
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Link2, X } from "lucide-react";
import { toast } from "sonner";

import { ConfirmDialog } from "@/components/confirm-dialog";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { ACTIONS_COLUMN, ListTable } from "@/components/list-table";
import { TableCell, TableRow } from "@/components/ui/table";
import { inviteMemberAction, revokeInvitationAction } from "@/lib/actions/members";
import type { OrgRole } from "@/lib/auth/roles";
import type { OpenInvitation } from "@/lib/db/queries/members";
import { InvitationLink, type IssuedInvitation } from "./invitation-link";
import { RoleBadge } from "./role-badge";

type Props = { orgSlug: string; myRole: OrgRole; invitations: OpenInvitation[]; now: Date };

export function PendingInvitations({ orgSlug, myRole, invitations, now }: Props) {
  const [issued, setIssued] = useState<IssuedInvitation | null>(null);
  return (
    <>
      <ListTable
        test="pending-invitations"
        className=""
        columns={[
          { label: "Email" },
          { label: "Role" },
          { label: "Invited by", className: "hidden md:table-cell" },
          { label: "Expires", className: "hidden sm:table-cell" },
          ACTIONS_COLUMN,
        ]}
      >
        {invitations.map((invitation) => (
          <InvitationRow
            key={invitation.id}
            orgSlug={orgSlug}
            invitation={invitation}
            expired={invitation.expiresAt <= now}
            canManage={invitation.role !== "owner" || myRole === "owner"}
            onIssued={setIssued}
          />
        ))}
      </ListTable>
      <Dialog open={issued !== null} onOpenChange={(open) => !open && setIssued(null)}>
        <DialogContent className="sm:max-w-lg">
          <DialogHeader>
            <DialogTitle>New invitation link</DialogTitle>
            <DialogDescription>The previous link for this address no longer works.</DialogDescription>
          </DialogHeader>
          {issued && <InvitationLink invitation={issued} />}
        </DialogContent>
      </Dialog>
    </>
  );
}

type RowProps = {
  orgSlug: string;
  invitation: OpenInvitation;
  expired: boolean;
  canManage: boolean;
  onIssued: (issued: IssuedInvitation) => void;
};

function InvitationRow({ orgSlug, invitation, expired, canManage, onIssued }: RowProps) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();

  function newLink() {
    startTransition(async () => {
      const result = await inviteMemberAction({ orgSlug, email: invitation.email, role: invitation.role });
      if (!result.ok) return void toast.error(result.fieldErrors?.email?.[0] ?? result.error);
      onIssued(result.data);
      router.refresh();
    });
  }

  async function revoke() {
    const result = await revokeInvitationAction({ orgSlug, invitationId: invitation.id });
    if (!result.ok) return result.error;
    toast.success(`Invitation to ${invitation.email} revoked`);
    router.refresh();
  }

  return (
    <TableRow data-test="invitation-row">
      <TableCell className="font-medium break-all">{invitation.email}</TableCell>
      <TableCell>
        <RoleBadge role={invitation.role} />
      </TableCell>
      <TableCell className="hidden text-muted-foreground md:table-cell">{invitation.invitedByEmail ?? "A former member"}</TableCell>
      <TableCell className="hidden sm:table-cell">
        {expired ? (
          <Badge variant="warning">Expired</Badge>
        ) : (
          <span className="text-muted-foreground">{invitation.expiresAt.toLocaleDateString("en", { dateStyle: "medium" })}</span>
        )}
      </TableCell>
      <TableCell className="text-right">
        {canManage && (
          <div className="flex justify-end gap-1">
            <Button type="button" variant="ghost" size="sm" onClick={newLink} disabled={pending}>
              <Link2 aria-hidden="true" />
              New link
            </Button>
            <ConfirmDialog
              trigger={
                <Button type="button" variant="ghost" size="sm" disabled={pending}>
                  <X aria-hidden="true" />
                  Revoke
                </Button>
              }
              title={`Revoke the invitation to ${invitation.email}?`}
              description="The link stops working at once. You can invite them again later."
              confirmLabel="Revoke invitation"
              pendingLabel="Revoking…"
              destructive
              onConfirm={revoke}
            />
          </div>
        )}
      </TableCell>
    </TableRow>
  );
}
