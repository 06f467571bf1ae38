// Step 1: which cloud, as a grid of tiles that are radios for pointer and keyboard alike.
import { Check } from "lucide-react";

import { cn } from "@/lib/utils";
import { PROVIDER_LABELS, PROVIDER_TYPES, type ProviderType } from "@/supabase/functions/_shared/schemas/providers.ts";
import { ProviderLogo } from "../provider-logo";

type StepKindProps = { hidden: boolean; kind: ProviderType | null; error?: string[]; onChoose: (kind: ProviderType) => void };

export function StepKind({ hidden, kind, error, onChoose }: StepKindProps) {
  return (
    <fieldset data-step-panel="kind" hidden={hidden} aria-describedby={error ? "add-kind-error" : undefined} className="grid gap-3">
      <legend className="sr-only">Provider kind</legend>
      <div className="grid gap-2 sm:grid-cols-2">
        {PROVIDER_TYPES.map((type) => (
          <label
            key={type}
            className={cn(
              "relative flex items-center gap-3 rounded-lg border p-3 text-sm transition-colors hover:bg-accent/60",
              "has-[:focus-visible]:border-ring has-[:focus-visible]:ring-[3px] has-[:focus-visible]:ring-ring/50",
              kind === type && "border-primary bg-accent/60",
            )}
          >
            <input
              type="radio"
              name="provider_type"
              value={type}
              checked={kind === type}
              onChange={() => onChoose(type)}
              // Covers the whole tile, invisible: the tile is the radio for pointer and keyboard alike.
              className="absolute inset-0 z-10 size-full cursor-pointer appearance-none rounded-lg opacity-0"
            />
            <ProviderLogo kind={type} size={32} />
            <span className="font-medium">{PROVIDER_LABELS[type]}</span>
            {kind === type && <Check aria-hidden="true" className="ml-auto size-4 text-primary" />}
          </label>
        ))}
      </div>
      {error && (
        <p id="add-kind-error" role="alert" className="text-sm text-destructive">
          {error.join(" ")}
        </p>
      )}
    </fieldset>
  );
}
