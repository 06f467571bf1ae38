// The scopes (regions) a live call could not reach last time, while others answered.
import { AlertTriangle } from "lucide-react";

import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";

type PartialFailuresAlertProps = {
  title: string;
  failures: { scope: string; message: string }[];
  "data-test"?: string;
};

export function PartialFailuresAlert({ title, failures, "data-test": dataTest }: PartialFailuresAlertProps) {
  if (failures.length === 0) return null;
  return (
    <Alert variant="warning" data-test={dataTest}>
      <AlertTriangle aria-hidden="true" />
      <AlertTitle>{title}</AlertTitle>
      <AlertDescription>
        <ul className="list-disc pl-4">
          {failures.map((failure) => (
            <li key={failure.scope}>
              <span className="font-mono">{failure.scope}</span>: {failure.message}
            </li>
          ))}
        </ul>
      </AlertDescription>
    </Alert>
  );
}
