"use client";
// The provider's regions as comma-separated text, for the add and edit dialogs.
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";

type RegionsFieldProps = { id: string; value: string; onChange: (value: string) => void; error?: string[]; description: string };

export function RegionsField({ id, value, onChange, error, description }: RegionsFieldProps) {
  return (
    <FormField
      id={id}
      label={
        <>
          Regions <span className="font-normal text-muted-foreground">(optional)</span>
        </>
      }
      error={error}
      description={description}
    >
      {(control) => (
        <Input
          {...control}
          name="regions"
          autoComplete="off"
          spellCheck={false}
          value={value}
          onChange={(event) => onChange(event.target.value)}
        />
      )}
    </FormField>
  );
}
