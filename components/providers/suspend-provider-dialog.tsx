"use client";
// Suspending stops Cloudkeep from using a provider's credentials until it is resumed; resuming re-checks them.
import { useTransition } from "react";
import { useRouter } from "next/navigation";
import { toast } from "sonner";

import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from "@/components/ui/alert-dialog";
import { setProviderSuspendedAction } from "@/lib/actions/providers";
import type { ProviderSummary } from "./provider-meta";

type DialogProps = {
  orgSlug: string;
  provider: ProviderSummary;
  open: boolean;
  onOpenChange: (open: boolean) => void;
};

export function SuspendProviderDialog({ orgSlug, provider, open, onOpenChange }: DialogProps) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const suspend = provider.status !== "suspended";

  function confirm(event: React.MouseEvent) {
    // Stay open until the server has answered.
    event.preventDefault();
    startTransition(async () => {
      const result = await setProviderSuspendedAction({ orgSlug, providerId: provider.id, suspended: suspend });
      if (!result.ok) {
        toast.error(result.error);
        return;
      }
      toast.success(suspend ? `${provider.name} suspended` : `${provider.name} resumed`);
      onOpenChange(false);
      router.refresh();
    });
  }

  return (
    <AlertDialog open={open} onOpenChange={(next) => !pending && onOpenChange(next)}>
      <AlertDialogContent data-test="suspend-provider-dialog">
        <AlertDialogHeader>
          <AlertDialogTitle>{suspend ? `Suspend ${provider.name}?` : `Resume ${provider.name}?`}</AlertDialogTitle>
          <AlertDialogDescription>
            {suspend
              ? "Cloudkeep stops checking this provider and listing its resources. The credentials stay stored, encrypted, until you resume or delete it."
              : "Cloudkeep starts using this provider's credentials again; its status stays pending until the next check."}
          </AlertDialogDescription>
        </AlertDialogHeader>
        <AlertDialogFooter>
          <AlertDialogCancel disabled={pending}>Cancel</AlertDialogCancel>
          <AlertDialogAction onClick={confirm} disabled={pending} variant={suspend ? "destructive" : "default"}>
            {pending ? (suspend ? "Suspending…" : "Resuming…") : suspend ? "Suspend" : "Resume"}
          </AlertDialogAction>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}
