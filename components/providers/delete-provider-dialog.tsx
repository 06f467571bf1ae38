"use client";
// Deleting a provider destroys its encrypted credentials; the user types the provider's name to confirm.
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { toast } from "sonner";

import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { deleteProviderAction } from "@/lib/actions/providers";
import type { ProviderSummary } from "./provider-meta";

type DialogProps = {
  orgSlug: string;
  provider: ProviderSummary;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** Where to go afterwards, when the current page is the provider's own. */
  redirectTo?: string;
};

export function DeleteProviderDialog({ orgSlug, provider, open, onOpenChange, redirectTo }: DialogProps) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="sm:max-w-md" data-test="delete-provider-dialog">
        <DialogHeader>
          <DialogTitle>Delete {provider.name}?</DialogTitle>
          <DialogDescription>
            Its encrypted credentials are destroyed and cannot be recovered. The audit log keeps a record that it existed.
          </DialogDescription>
        </DialogHeader>
        {open && <DeleteForm orgSlug={orgSlug} provider={provider} onDone={() => onOpenChange(false)} redirectTo={redirectTo} />}
      </DialogContent>
    </Dialog>
  );
}

function DeleteForm({
  orgSlug,
  provider,
  onDone,
  redirectTo,
}: {
  orgSlug: string;
  provider: ProviderSummary;
  onDone: () => void;
  redirectTo?: string;
}) {
  const router = useRouter();
  const [typed, setTyped] = useState("");
  const [error, setError] = useState<string[] | undefined>();
  const [pending, startTransition] = useTransition();
  const matches = typed.trim() === provider.name;

  function submit(event: React.FormEvent) {
    event.preventDefault();
    if (!matches) return;
    startTransition(async () => {
      const result = await deleteProviderAction({ orgSlug, providerId: provider.id, confirmName: typed });
      if (!result.ok) {
        if (result.fieldErrors?.confirmName) setError(result.fieldErrors.confirmName);
        else toast.error(result.error);
        return;
      }
      toast.success(`${result.data.name} deleted`);
      onDone();
      if (redirectTo) router.push(redirectTo);
      router.refresh();
    });
  }

  return (
    <form noValidate onSubmit={submit} className="grid gap-4">
      <FormField
        id="delete-confirm-name"
        label={
          <span>
            Type <span className="font-mono font-semibold select-all">{provider.name}</span> to confirm
          </span>
        }
        error={error}
      >
        {(control) => (
          <Input
            {...control}
            name="confirmName"
            autoComplete="off"
            spellCheck={false}
            value={typed}
            onChange={(event) => {
              setTyped(event.target.value);
              setError(undefined);
            }}
          />
        )}
      </FormField>
      <DialogFooter>
        <Button type="button" variant="outline" onClick={onDone} disabled={pending}>
          Cancel
        </Button>
        <Button type="submit" variant="destructive" disabled={!matches || pending}>
          {pending ? "Deleting…" : "Delete provider"}
        </Button>
      </DialogFooter>
    </form>
  );
}
