"use client";
// Revoking is immediate and final: services using the token get 401 from their next request.
import { useRouter } from "next/navigation";
import { Ban } from "lucide-react";
import { toast } from "sonner";

import { ConfirmDialog } from "@/components/confirm-dialog";
import { Button } from "@/components/ui/button";
import { revokeTokenAction } from "@/lib/actions/tokens";

export function RevokeTokenButton({ orgSlug, token }: { orgSlug: string; token: { id: string; name: string; token_prefix: string } }) {
  const router = useRouter();
  return (
    <ConfirmDialog
      trigger={
        <Button type="button" variant="ghost" size="sm" aria-label={`Revoke ${token.name}`}>
          <Ban aria-hidden="true" />
          Revoke
        </Button>
      }
      title={`Revoke ${token.name}?`}
      description={
        <>
          Services using <span className="font-mono">{token.token_prefix}…</span> get 401 from their next request. This cannot be undone;
          the token stays listed as revoked.
        </>
      }
      confirmLabel="Revoke token"
      pendingLabel="Revoking…"
      destructive
      onConfirm={async () => {
        const result = await revokeTokenAction({ orgSlug, tokenId: token.id });
        if (!result.ok) return result.error;
        toast.success(`${result.data.name} revoked`);
        router.refresh();
      }}
    />
  );
}
