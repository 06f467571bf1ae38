"use client";
// Anyone may leave; the last owner is refused by the database, and the dialog says why.
import { useRouter } from "next/navigation";
import { LogOut } from "lucide-react";
import { toast } from "sonner";

import { ConfirmDialog } from "@/components/confirm-dialog";
import { Button } from "@/components/ui/button";
import { leaveOrganizationAction } from "@/lib/actions/members";

export function LeaveOrganizationButton({ orgSlug, organizationName }: { orgSlug: string; organizationName: string }) {
  const router = useRouter();
  return (
    <ConfirmDialog
      data-test="leave-organization-dialog"
      trigger={
        <Button type="button" variant="outline">
          <LogOut aria-hidden="true" />
          Leave organization
        </Button>
      }
      title={`Leave ${organizationName}?`}
      description="You lose access at once. To come back you need a new invitation."
      confirmLabel="Leave organization"
      pendingLabel="Leaving…"
      destructive
      refusalInDialog
      onConfirm={async () => {
        const result = await leaveOrganizationAction({ orgSlug });
        if (!result.ok) return result.error;
        toast.success(`You left ${organizationName}`);
        router.push("/");
      }}
    />
  );
}
