"use client";
// Deleting a provider destroys its encrypted credentials; the user types the provider's name to confirm.
// A provider that connects a whole cloud organization also asks what happens to the accounts it
// connected: removed with it, or kept as providers of their own.
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { toast } from "sonner";

import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { ChoiceCards } from "@/components/ui/choice-cards";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { deleteProviderAction } from "@/lib/actions/providers";
import type { ProviderDialogProps, ProviderSummary } from "./provider-meta";

type DialogProps = ProviderDialogProps & {
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

const CHILDREN_CHOICES = [
  {
    value: "keep",
    label: "Keep them",
    description: "Each stays a provider of its own, with its own copy of the credential; nothing new is discovered.",
  },
  { value: "remove", label: "Remove them too", description: "Their encrypted credentials are destroyed with this provider's." },
] as const;

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
  const [children, setChildren] = useState<"remove" | "keep" | undefined>();
  const [childrenError, setChildrenError] = useState<string[] | undefined>();
  const [pending, startTransition] = useTransition();
  const matches = typed.trim() === provider.name;
  // A parent always asks; a provider whose scope was cleared asks once the server says it has accounts.
  const asksAboutChildren = provider.organization_scope !== null || childrenError !== undefined;

  function submit(event: React.FormEvent) {
    event.preventDefault();
    if (!matches) return;
    if (asksAboutChildren && !children) {
      setChildrenError(["Choose what happens to the accounts it connected."]);
      return;
    }
    startTransition(async () => {
      const result = await deleteProviderAction({ orgSlug, providerId: provider.id, confirmName: typed, children });
      if (!result.ok) {
        if (result.fieldErrors?.confirmName) setError(result.fieldErrors.confirmName);
        else if (result.fieldErrors?.children) setChildrenError(result.fieldErrors.children);
        else toast.error(result.error);
        return;
      }
      const { removed, kept } = result.data.children;
      const description =
        removed > 0
          ? `${removed} connected ${removed === 1 ? "account" : "accounts"} removed too.`
          : kept > 0
            ? `${kept} ${kept === 1 ? "account stays" : "accounts stay"} connected on ${kept === 1 ? "its" : "their"} own.`
            : undefined;
      toast.success(`${result.data.name} deleted`, { description });
      onDone();
      if (redirectTo) router.push(redirectTo);
      router.refresh();
    });
  }

  return (
    <form noValidate onSubmit={submit} className="grid gap-4">
      {asksAboutChildren && (
        <ChoiceCards
          id="delete-children"
          legend="The accounts it connected from its organization"
          data-test="delete-children"
          columns={1}
          choices={CHILDREN_CHOICES}
          value={children}
          error={childrenError}
          onChange={(value) => {
            setChildren(value as "remove" | "keep");
            setChildrenError(undefined);
          }}
        />
      )}
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
