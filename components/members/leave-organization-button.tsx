"use client";
// Anyone may leave; the last owner is refused by the database, and the dialog says why.
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { LogOut } from "lucide-react";
import { toast } from "sonner";

import { Alert, AlertDescription } from "@/components/ui/alert";
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
  AlertDialogTrigger,
} from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { leaveOrganizationAction } from "@/lib/actions/members";

export function LeaveOrganizationButton({ orgSlug, organizationName }: { orgSlug: string; organizationName: string }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  function leave(event: React.MouseEvent) {
    event.preventDefault();
    startTransition(async () => {
      const result = await leaveOrganizationAction({ orgSlug });
      if (!result.ok) return void setError(result.error);
      toast.success(`You left ${organizationName}`);
      router.push("/");
    });
  }

  return (
    <AlertDialog
      open={open}
      onOpenChange={(next) => {
        if (pending) return;
        setOpen(next);
        setError(null);
      }}
    >
      <AlertDialogTrigger asChild>
        <Button type="button" variant="outline">
          <LogOut aria-hidden="true" />
          Leave organization
        </Button>
      </AlertDialogTrigger>
      <AlertDialogContent data-test="leave-organization-dialog">
        <AlertDialogHeader>
          <AlertDialogTitle>Leave {organizationName}?</AlertDialogTitle>
          <AlertDialogDescription>You lose access at once. To come back you need a new invitation.</AlertDialogDescription>
        </AlertDialogHeader>
        {error && (
          <Alert variant="destructive">
            <AlertDescription>{error}</AlertDescription>
          </Alert>
        )}
        <AlertDialogFooter>
          <AlertDialogCancel disabled={pending}>Cancel</AlertDialogCancel>
          <AlertDialogAction variant="destructive" onClick={leave} disabled={pending || error !== null}>
            {pending ? "Leaving…" : "Leave organization"}
          </AlertDialogAction>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}
