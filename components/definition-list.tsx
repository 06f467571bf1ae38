// Label–value pairs in two columns (stacked on a phone): provider details, a review step.
import { cn } from "@/lib/utils";

type DefinitionListProps = { rows: [string, React.ReactNode][]; className?: string; "data-test"?: string };

export function DefinitionList({ rows, className, "data-test": dataTest }: DefinitionListProps) {
  return (
    <dl className={cn("grid content-start gap-x-6 gap-y-3 text-sm sm:grid-cols-[11rem_1fr]", className)} data-test={dataTest}>
      {rows.map(([label, value]) => (
        <div key={label} className="contents">
          <dt className="text-muted-foreground">{label}</dt>
          <dd className="min-w-0 break-words">{value}</dd>
        </div>
      ))}
    </dl>
  );
}
