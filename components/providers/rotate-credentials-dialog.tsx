"use client";
// Replacing a provider's credentials. The old secret is never shown or prefilled: only its hint.
import { useEffect, useRef, useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { toast } from "sonner";

import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { rotateProviderCredentialsAction } from "@/lib/actions/providers";
import { parseCredentials } from "@/supabase/functions/_shared/schemas/providers.ts";
import { CredentialFields } from "./credential-fields";
import type { ProviderSummary } from "./provider-meta";
import { buildCredentials, splitFieldErrors, type CredentialValues, type FieldErrors, type SecretValues } from "./provider-form";

type DialogProps = {
  orgSlug: string;
  provider: ProviderSummary;
  open: boolean;
  onOpenChange: (open: boolean) => void;
};

export function RotateCredentialsDialog({ orgSlug, provider, open, onOpenChange }: DialogProps) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="sm:max-w-lg" data-test="rotate-credentials-dialog">
        <DialogHeader>
          <DialogTitle>Rotate credentials</DialogTitle>
          <DialogDescription>
            Replace the credentials of {provider.name}. The current ones are overwritten and cannot be recovered.
          </DialogDescription>
        </DialogHeader>
        {/* Unmounted on close, which drops every secret typed into it. */}
        {open && <RotateForm orgSlug={orgSlug} provider={provider} onDone={() => onOpenChange(false)} />}
      </DialogContent>
    </Dialog>
  );
}

function RotateForm({ orgSlug, provider, onDone }: { orgSlug: string; provider: ProviderSummary; onDone: () => void }) {
  const router = useRouter();
  const kind = provider.provider_type;
  const [values, setValues] = useState<CredentialValues>({});
  const [secrets, setSecrets] = useState<SecretValues>({});
  const [errors, setErrors] = useState<FieldErrors>({});
  const [focusRequest, setFocusRequest] = useState(0);
  const [pending, startTransition] = useTransition();
  const form = useRef<HTMLFormElement>(null);
  const split = splitFieldErrors(kind, errors);

  useEffect(() => {
    if (!focusRequest || !form.current) return;
    const target =
      form.current.querySelector<HTMLElement>("[data-test='credentials-error']") ??
      form.current.querySelector<HTMLElement>("[aria-invalid='true']");
    if (target?.dataset.test === "credentials-error") target.setAttribute("tabindex", "-1");
    target?.focus();
  }, [focusRequest]);

  function fail(found: FieldErrors) {
    setErrors(found);
    setFocusRequest((n) => n + 1);
  }

  function submit(event: React.FormEvent) {
    event.preventDefault();
    const credentials = buildCredentials(kind, values, secrets);
    const checked = parseCredentials(kind, credentials, { allowHttp: true });
    if (!checked.success) {
      const found: FieldErrors = {};
      for (const issue of checked.error.issues) (found[issue.path.map(String).join(".") || "credentials"] ??= []).push(issue.message);
      fail(found);
      return;
    }
    startTransition(async () => {
      const result = await rotateProviderCredentialsAction({ orgSlug, providerId: provider.id, credentials });
      if (result.ok) {
        toast.success(`Credentials of ${result.data.name} rotated`, {
          description: result.data.credentialHint ? `Now using ${result.data.credentialHint}.` : undefined,
        });
        onDone();
        router.refresh();
        return;
      }
      const fieldErrors = result.fieldErrors ?? {};
      if (Object.keys(fieldErrors).some((path) => path.startsWith("credentials"))) fail(fieldErrors);
      else toast.error(result.error);
    });
  }

  return (
    <form ref={form} noValidate onSubmit={submit} className="grid gap-4">
      <p className="rounded-md bg-muted px-3 py-2 text-sm text-muted-foreground">
        Current credential: <span className="font-mono text-foreground">{provider.credential_hint ?? "—"}</span>
      </p>
      <CredentialFields
        kind={kind}
        idPrefix="rotate"
        values={values}
        onValueChange={(name, value) => setValues((current) => ({ ...current, [name]: value }))}
        onSecretChange={(name, value) => setSecrets((current) => ({ ...current, [name]: value }))}
        errors={split.credentials}
        formErrors={split.credentialsForm}
      />
      <DialogFooter>
        <Button type="button" variant="outline" onClick={onDone} disabled={pending}>
          Cancel
        </Button>
        <Button type="submit" disabled={pending}>
          {pending ? "Rotating…" : "Rotate credentials"}
        </Button>
      </DialogFooter>
    </form>
  );
}
