"use client";
// The provider's API endpoint. Editable only next to the credentials (add, rotate): the stored
// secret is never sent to an address it was not entered for.
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { API_ENDPOINT_FIELDS, type ProviderType } from "@/supabase/functions/_shared/schemas/providers.ts";

type EndpointFieldProps = {
  kind: ProviderType;
  id: string;
  value: string;
  onChange?: (value: string) => void;
  error?: string[];
  /** Shown instead of the usual help when the field cannot change here. */
  readOnlyReason?: string;
};

export function EndpointField({ kind, id, value, onChange, error, readOnlyReason }: EndpointFieldProps) {
  const field = API_ENDPOINT_FIELDS[kind];
  return (
    <FormField
      id={id}
      label={
        <>
          {field.label}
          {!field.required && <span className="font-normal text-muted-foreground">(optional)</span>}
        </>
      }
      error={error}
      description={readOnlyReason ?? field.help}
    >
      {(control) => (
        <Input
          {...control}
          name="api_endpoint"
          type="url"
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
          placeholder={readOnlyReason ? "Provider default" : field.placeholder}
          value={value}
          readOnly={Boolean(readOnlyReason)}
          onChange={(e) => onChange?.(e.target.value)}
        />
      )}
    </FormField>
  );
}
