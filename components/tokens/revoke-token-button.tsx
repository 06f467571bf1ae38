"use client";
// Revoking is immediate and final: services using the token get 401 from their next request.
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { Ban } from "lucide-react";
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
  AlertDialogTrigger,
} from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { revokeTokenAction } from "@/lib/actions/tokens";

export function RevokeTokenButton({ orgSlug, token }: { orgSlug: string; token: { id: string; name: string; token_prefix: string } }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [pending, startTransition] = useTransition();

  function revoke(event: React.MouseEvent) {
    // Keep the dialog open until the server answers.
    event.preventDefault();
    startTransition(async () => {
      const result = await revokeTokenAction({ orgSlug, tokenId: token.id });
      if (!result.ok) return void toast.error(result.error);
      toast.success(`${result.data.name} revoked`);
      setOpen(false);
      router.refresh();
    });
  }

  return (
    <AlertDialog open={open} onOpenChange={(next) => !pending && setOpen(next)}>
      <AlertDialogTrigger asChild>
        <Button type="button" variant="ghost" size="sm" aria-label={`Revoke ${token.name}`}>
          <Ban aria-hidden="true" />
          Revoke
        </Button>
      </AlertDialogTrigger>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>Revoke {token.name}?</AlertDialogTitle>
          <AlertDialogDescription>
            Services using <span className="font-mono">{token.token_prefix}…</span> get 401 from their next request. This cannot be undone;
            the token stays listed as revoked.
          </AlertDialogDescription>
        </AlertDialogHeader>
        <AlertDialogFooter>
          <AlertDialogCancel disabled={pending}>Cancel</AlertDialogCancel>
          <AlertDialogAction variant="destructive" onClick={revoke} disabled={pending}>
            {pending ? "Revoking…" : "Revoke token"}
          </AlertDialogAction>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}
