import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { EndpointField } from "../endpoint-field";
import { EnvironmentField } from "../environment-field";
import { RegionsField } from "../regions-field";
import type { FieldErrors } from "../provider-form";
import type { Draft } from "./steps";

type StepDetailsProps = {
  hidden: boolean;
  draft: Draft;
  errors: FieldErrors;
  update: (changes: Partial<Draft>) => void;
  clearErrors: (path: string) => void;
};

export function StepDetails({ hidden, draft, errors, update, clearErrors }: StepDetailsProps) {
  // Typing into a field takes its error away.
  const edit = (field: "name" | "regions" | "api_endpoint", value: string) => {
    update({ [field]: value });
    clearErrors(field);
  };
  return (
    <div data-step-panel="details" hidden={hidden} className="grid gap-4">
      <FormField id="add-name" label="Name" error={errors.name} description="How this account appears in Cloudkeep, e.g. “Production AWS”.">
        {(control) => (
          <Input
            {...control}
            name="name"
            maxLength={80}
            autoComplete="off"
            value={draft.name}
            onChange={(event) => edit("name", event.target.value)}
          />
        )}
      </FormField>
      <EnvironmentField
        id="add-environment"
        value={draft.environment}
        onChange={(environment) => update({ environment })}
        error={errors.environment}
      />
      <RegionsField
        id="add-regions"
        value={draft.regions}
        onChange={(value) => edit("regions", value)}
        error={errors.regions}
        description="Comma-separated, e.g. us-east-1, eu-west-1. Empty means all regions."
      />
      {draft.kind && (
        <EndpointField
          kind={draft.kind}
          id="add-api-endpoint"
          value={draft.api_endpoint}
          error={errors.api_endpoint}
          onChange={(value) => edit("api_endpoint", value)}
        />
      )}
    </div>
  );
}
