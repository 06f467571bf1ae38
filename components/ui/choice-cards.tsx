// One choice among a few, each a card with a label and a sentence: native radios in a fieldset, so
// arrow keys move between them and the legend names the group. Used for how to authenticate and for
// what happens to a parent's accounts when it is removed.
import { cn } from "@/lib/utils";

export type Choice = { value: string; label: string; description: string };

export function ChoiceCards({
  id,
  legend,
  choices,
  value,
  error,
  onChange,
  columns = 2,
  ...rest
}: {
  id: string;
  legend: string;
  choices: readonly Choice[];
  value: string | undefined;
  error?: string[];
  onChange: (value: string) => void;
  columns?: 1 | 2;
  "data-test"?: string;
}) {
  const errorId = error?.length ? `${id}-error` : undefined;
  return (
    <fieldset className="grid gap-2" aria-describedby={errorId} aria-invalid={errorId ? true : undefined} data-test={rest["data-test"]}>
      <legend className="mb-2 text-sm font-medium">{legend}</legend>
      <div className={cn("grid gap-2", columns === 2 && "sm:grid-cols-2")}>
        {choices.map((choice) => (
          <label
            key={choice.value}
            className={cn(
              "flex cursor-pointer items-start gap-3 rounded-lg border p-3 text-sm transition-colors hover:bg-accent/60",
              "has-[:focus-visible]:border-ring has-[:focus-visible]:ring-[3px] has-[:focus-visible]:ring-ring/50",
              value === choice.value && "border-primary bg-accent/60",
            )}
          >
            <input
              type="radio"
              name={`${id}-choice`}
              value={choice.value}
              checked={value === choice.value}
              onChange={() => onChange(choice.value)}
              className="mt-0.5 accent-primary"
            />
            <span className="grid gap-0.5">
              <span className="font-medium">{choice.label}</span>
              <span className="text-muted-foreground">{choice.description}</span>
            </span>
          </label>
        ))}
      </div>
      {errorId && (
        <p id={errorId} role="alert" className="text-sm text-destructive">
          {error!.join(" ")}
        </p>
      )}
    </fieldset>
  );
}
