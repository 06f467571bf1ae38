"use client";
// Replacing a provider's credentials. The old secret is never shown or prefilled: only its hint.
import { useEffect, useRef, useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { toast } from "sonner";

import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { rotateProviderCredentialsAction } from "@/lib/actions/providers";
import { apiEndpointSchema, parseCredentials } from "@/supabase/functions/_shared/schemas/providers.ts";
import { CredentialFields } from "./credential-fields";
import { EndpointField } from "./endpoint-field";
import type { ProviderSummary } from "./provider-meta";
import { TestConnection } from "./test-connection";
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
  const [endpoint, setEndpoint] = useState(provider.api_endpoint ?? "");
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

  /** Credentials (and a moved endpoint) checked here first; null, with the errors shown, when they are not valid. */
  function checkedInput() {
    const credentials = buildCredentials(kind, values, secrets);
    const found: FieldErrors = {};
    const checked = parseCredentials(kind, credentials, { allowHttp: true });
    if (!checked.success) for (const issue of checked.error.issues) (found[issue.path.map(String).join(".") || "credentials"] ??= []).push(issue.message);
    const endpointCheck = apiEndpointSchema(kind, { allowHttp: true }).safeParse(endpoint.trim() || undefined);
    if (!endpointCheck.success) found.api_endpoint = endpointCheck.error.issues.map((issue) => issue.message);
    if (Object.keys(found).length > 0) {
      fail(found);
      return null;
    }
    setErrors({});
    const moved = (endpoint.trim() || null) !== (provider.api_endpoint ?? null);
    return { credentials, ...(moved ? { apiEndpoint: endpoint.trim() || null } : {}) };
  }

  function testBody() {
    const input = checkedInput();
    if (!input) return null;
    return {
      provider_type: kind,
      api_endpoint: (input.apiEndpoint === undefined ? provider.api_endpoint : input.apiEndpoint) ?? undefined,
      regions: provider.regions,
      credentials: input.credentials,
    };
  }

  function submit(event: React.FormEvent) {
    event.preventDefault();
    const input = checkedInput();
    if (!input) return;
    startTransition(async () => {
      const result = await rotateProviderCredentialsAction({ orgSlug, providerId: provider.id, ...input });
      if (result.ok) {
        toast.success(`Credentials of ${result.data.name} rotated`, {
          description: result.data.credentialHint ? `Now using ${result.data.credentialHint}.` : undefined,
        });
        onDone();
        router.refresh();
        return;
      }
      const fieldErrors = result.fieldErrors ?? {};
      if (Object.keys(fieldErrors).some((path) => path.startsWith("credentials") || path === "api_endpoint")) fail(fieldErrors);
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
      <EndpointField kind={kind} id="rotate-api-endpoint" value={endpoint} onChange={setEndpoint} error={errors.api_endpoint} />
      <TestConnection orgSlug={orgSlug} body={testBody} />
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
