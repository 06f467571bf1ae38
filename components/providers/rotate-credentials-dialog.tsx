"use client";
// Replacing a provider's credentials (and, with them, its endpoint), or setting its read-only
// credential. The old secret is never shown or prefilled: only its hint.
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { toast } from "sonner";

import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { rotateProviderCredentialsAction, setReadOnlyCredentialsAction } from "@/lib/actions/providers";
import { toFieldErrors } from "@/supabase/functions/_shared/schemas/field-errors.ts";
import { apiEndpointSchema, CREDENTIAL_VARIANTS, parseCredentials } from "@/supabase/functions/_shared/schemas/providers.ts";
import { CredentialFields } from "./credential-fields";
import { EndpointField } from "./endpoint-field";
import type { ProviderDialogProps, ProviderSummary } from "./provider-meta";
import { TestConnection } from "./test-connection";
import {
  buildCredentials,
  splitFieldErrors,
  VARIANT_FIELD,
  type CredentialValues,
  type FieldErrors,
  type SecretValues,
} from "./provider-form";
import { useFocusFirstError } from "./use-focus-first-error";

type Mode = "rotate" | "read_only";

type DialogProps = ProviderDialogProps & {
  /** "read_only": the optional second credential that checks and listings use instead. */
  mode?: Mode;
};

export function RotateCredentialsDialog({ orgSlug, provider, open, onOpenChange, mode = "rotate" }: DialogProps) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="sm:max-w-lg" data-test={mode === "rotate" ? "rotate-credentials-dialog" : "read-only-credentials-dialog"}>
        <DialogHeader>
          <DialogTitle>{mode === "rotate" ? "Rotate credentials" : "Read-only credential"}</DialogTitle>
          <DialogDescription>
            {mode === "rotate"
              ? `Replace the credentials of ${provider.name}. The current ones are overwritten and cannot be recovered.`
              : `A second credential for ${provider.name} that can only read. Health checks and listings use it instead of the full one.`}
          </DialogDescription>
        </DialogHeader>
        {/* Unmounted on close, which drops every secret typed into it. */}
        {open && <RotateForm orgSlug={orgSlug} provider={provider} mode={mode} onDone={() => onOpenChange(false)} />}
      </DialogContent>
    </Dialog>
  );
}

function RotateForm({ orgSlug, provider, mode, onDone }: { orgSlug: string; provider: ProviderSummary; mode: Mode; onDone: () => void }) {
  const router = useRouter();
  const kind = provider.provider_type;
  // Start on the way this provider authenticates now (an AWS role stays a role unless changed).
  const [values, setValues] = useState<CredentialValues>(() => {
    const current: CredentialValues = {};
    // Temporary AWS keys (session_token) are rotated in the access-key form, which takes the token too.
    const method = provider.auth_method === "session_token" ? "access_key" : provider.auth_method;
    if (CREDENTIAL_VARIANTS[kind]?.some((v) => v.value === method)) current[VARIANT_FIELD] = method;
    return current;
  });
  const [secrets, setSecrets] = useState<SecretValues>({});
  const [endpoint, setEndpoint] = useState(provider.api_endpoint ?? "");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [pending, startTransition] = useTransition();
  const { ref: formRef, requestFocus } = useFocusFirstError<HTMLFormElement>();
  const split = splitFieldErrors(kind, errors);

  function fail(found: FieldErrors) {
    setErrors(found);
    requestFocus();
  }

  /** Credentials (and a moved endpoint) checked here first; null, with the errors shown, when they are not valid. */
  function checkedInput() {
    const credentials = buildCredentials(kind, values, secrets);
    const found: FieldErrors = {};
    const checked = parseCredentials(kind, credentials, { allowHttp: true });
    if (!checked.success) Object.assign(found, toFieldErrors(checked.error.issues, { whole: "credentials" }));
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

  function removeReadOnly() {
    startTransition(async () => {
      const result = await setReadOnlyCredentialsAction({ orgSlug, providerId: provider.id, credentials: null });
      if (!result.ok) return void toast.error(result.error);
      toast.success(`Read-only credential of ${result.data.name} removed`, {
        description: "Checks use the full credential again, unless the organization requires read-only access.",
      });
      onDone();
      router.refresh();
    });
  }

  function submit(event: React.FormEvent) {
    event.preventDefault();
    const input = checkedInput();
    if (!input) return;
    startTransition(async () => {
      const result =
        mode === "rotate"
          ? await rotateProviderCredentialsAction({ orgSlug, providerId: provider.id, ...input })
          : await setReadOnlyCredentialsAction({ orgSlug, providerId: provider.id, credentials: input.credentials });
      if (result.ok) {
        toast.success(
          mode === "rotate" ? `Credentials of ${result.data.name} rotated` : `Read-only credential of ${result.data.name} saved`,
          {
            description: result.data.credentialHint ? `Now using ${result.data.credentialHint}.` : undefined,
          },
        );
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
    <form ref={formRef} noValidate onSubmit={submit} className="grid gap-4">
      <p className="rounded-md bg-muted px-3 py-2 text-sm text-muted-foreground">
        {mode === "rotate" ? "Current credential" : "Current read-only credential"}:{" "}
        <span className="font-mono text-foreground">
          {(mode === "rotate" ? provider.credential_hint : provider.read_only_credential_hint) ?? "none"}
        </span>
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
      {mode === "rotate" && (
        <EndpointField kind={kind} id="rotate-api-endpoint" value={endpoint} onChange={setEndpoint} error={errors.api_endpoint} />
      )}
      <TestConnection orgSlug={orgSlug} body={testBody} />
      <DialogFooter>
        <Button type="button" variant="outline" onClick={onDone} disabled={pending}>
          Cancel
        </Button>
        {mode === "read_only" && provider.read_only_credential_hint && (
          <Button type="button" variant="ghost" className="sm:mr-auto" onClick={removeReadOnly} disabled={pending}>
            Remove read-only credential
          </Button>
        )}
        <Button type="submit" disabled={pending}>
          {mode === "rotate" ? (pending ? "Rotating…" : "Rotate credentials") : pending ? "Saving…" : "Save read-only credential"}
        </Button>
      </DialogFooter>
    </form>
  );
}
