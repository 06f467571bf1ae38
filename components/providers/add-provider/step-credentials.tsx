// Step 3: the credentials, then a connection test or, with no secret, what the cloud must trust.
import { KeyRound } from "lucide-react";

import type { ProviderType } from "@/supabase/functions/_shared/schemas/providers.ts";
import { CredentialFields } from "../credential-fields";
import { FederationPreview, isFederatedVariant } from "../federation-preview";
import type { CredentialValues, splitFieldErrors } from "../provider-form";
import { TestConnection } from "../test-connection";

type StepCredentialsProps = {
  hidden: boolean;
  orgSlug: string;
  kind: ProviderType | null;
  values: CredentialValues;
  errors: ReturnType<typeof splitFieldErrors>;
  oidcIssuer: string | null;
  onValueChange: (name: string, value: string | boolean) => void;
  onSecretChange: (name: string, value: string) => void;
  testBody: React.ComponentProps<typeof TestConnection>["body"];
};

export function StepCredentials({
  hidden,
  orgSlug,
  kind,
  values,
  errors,
  oidcIssuer,
  onValueChange,
  onSecretChange,
  testBody,
}: StepCredentialsProps) {
  return (
    <div data-step-panel="credentials" hidden={hidden} className="grid gap-4">
      {kind && (
        <>
          <p className="flex items-start gap-2 rounded-md bg-muted px-3 py-2 text-sm text-muted-foreground">
            <KeyRound aria-hidden="true" className="mt-0.5 size-4 shrink-0" />
            Secrets are encrypted on the server and can never be shown again, only replaced.
          </p>
          <CredentialFields
            key={kind}
            kind={kind}
            idPrefix="add"
            values={values}
            onValueChange={onValueChange}
            onSecretChange={onSecretChange}
            errors={errors.credentials}
            formErrors={errors.credentialsForm}
          />
          {isFederatedVariant(kind, values) ? (
            <FederationPreview kind={kind} issuer={oidcIssuer} values={values} />
          ) : (
            <TestConnection key={`test-${kind}`} orgSlug={orgSlug} body={testBody} />
          )}
        </>
      )}
    </div>
  );
}
