"use client";
// The provider's environment (production, staging, development, other), for the add and edit dialogs.
import { FormField } from "@/components/ui/form-field";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { ENVIRONMENTS, type Environment } from "@/supabase/functions/_shared/schemas/providers.ts";
import { ENVIRONMENT_LABELS } from "./provider-meta";

type EnvironmentFieldProps = { id: string; value: Environment; onChange: (value: Environment) => void; error?: string[] };

export function EnvironmentField({ id, value, onChange, error }: EnvironmentFieldProps) {
  return (
    <FormField id={id} label="Environment" error={error}>
      {(control) => (
        <Select value={value} onValueChange={(next) => onChange(next as Environment)}>
          <SelectTrigger {...control} className="w-full">
            <SelectValue>{ENVIRONMENT_LABELS[value]}</SelectValue>
          </SelectTrigger>
          <SelectContent>
            {ENVIRONMENTS.map((environment) => (
              <SelectItem key={environment} value={environment}>
                {ENVIRONMENT_LABELS[environment]}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
      )}
    </FormField>
  );
}
