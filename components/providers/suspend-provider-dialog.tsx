"use client";
// Suspending stops Cloudkeep from using a provider's credentials until it is resumed; resuming re-checks them.
import { useRouter } from "next/navigation";
import { toast } from "sonner";

import { ConfirmDialog } from "@/components/confirm-dialog";
import { setProviderSuspendedAction } from "@/lib/actions/providers";
import type { ProviderDialogProps } from "./provider-meta";

export function SuspendProviderDialog({ orgSlug, provider, open, onOpenChange }: ProviderDialogProps) {
  const router = useRouter();
  const suspend = provider.status !== "suspended";
  return (
    <ConfirmDialog
      data-test="suspend-provider-dialog"
      open={open}
      onOpenChange={onOpenChange}
      title={suspend ? `Suspend ${provider.name}?` : `Resume ${provider.name}?`}
      description={
        suspend
          ? "Cloudkeep stops checking this provider and listing its resources. The credentials stay stored, encrypted, until you resume or delete it."
          : "Cloudkeep starts using this provider's credentials again; its status stays pending until the next check."
      }
      confirmLabel={suspend ? "Suspend" : "Resume"}
      pendingLabel={suspend ? "Suspending…" : "Resuming…"}
      destructive={suspend}
      onConfirm={async () => {
        const result = await setProviderSuspendedAction({ orgSlug, providerId: provider.id, suspended: suspend });
        if (!result.ok) return result.error;
        toast.success(suspend ? `${provider.name} suspended` : `${provider.name} resumed`);
        router.refresh();
      }}
    />
  );
}
