// Every recorded check of one provider, newest first: when, what triggered it, how long it
// took, and for failures the provider's code, message and what to do.
import { CheckCircle2, XCircle } from "lucide-react";

import { ListTable } from "@/components/list-table";
import { TableCell, TableRow } from "@/components/ui/table";
import type { HealthCheck } from "@/lib/db/queries/connectivity";
import { formatDateTime, formatRelative } from "./provider-meta";

const TRIGGER_LABELS: Record<string, string> = {
  manual: "Check now",
  save: "After saving",
  api: "API",
  scheduled: "Scheduled sweep",
};

export function HealthHistory({ checks, now }: { checks: HealthCheck[]; now: Date }) {
  if (checks.length === 0) {
    return (
      <p className="py-6 text-center text-sm text-muted-foreground">
        No checks yet. Run one with Check now, or wait for the scheduled sweep.
      </p>
    );
  }
  return (
    <ListTable
      test="health-history"
      columns={[
        { label: "Checked" },
        { label: "Result" },
        { label: "Latency", className: "text-right" },
        { label: "Trigger" },
        { label: "Details" },
      ]}
    >
      {checks.map((check) => (
        <TableRow key={check.id} data-ok={check.ok}>
          <TableCell className="whitespace-nowrap">
            <time dateTime={new Date(check.checked_at).toISOString()} title={formatDateTime(check.checked_at)}>
              {formatRelative(check.checked_at, now)}
            </time>
          </TableCell>
          <TableCell>
            {check.ok ? (
              <span className="inline-flex items-center gap-1.5 text-success">
                <CheckCircle2 aria-hidden="true" className="size-4" /> Healthy
              </span>
            ) : (
              <span className="inline-flex items-center gap-1.5 text-destructive">
                <XCircle aria-hidden="true" className="size-4" /> Failed
              </span>
            )}
          </TableCell>
          <TableCell className="text-right tabular-nums">{check.latency_ms === null ? "—" : `${check.latency_ms} ms`}</TableCell>
          <TableCell className="whitespace-nowrap text-muted-foreground">{TRIGGER_LABELS[check.trigger] ?? check.trigger}</TableCell>
          <TableCell className="max-w-md min-w-64 whitespace-normal">
            {check.ok ? (
              <span className="font-mono text-xs text-muted-foreground">{identityText(check.identity)}</span>
            ) : (
              <span className="grid gap-0.5">
                <span>{check.error_message}</span>
                {check.error_hint && <span className="text-muted-foreground">{check.error_hint}</span>}
                {check.error_code && <span className="font-mono text-xs text-muted-foreground">{check.error_code}</span>}
              </span>
            )}
          </TableCell>
        </TableRow>
      ))}
    </ListTable>
  );
}

/** "123456789012 · Production" from a recorded identity. */
export function identityText(identity: Record<string, unknown> | null) {
  if (!identity) return "—";
  const account = typeof identity.account === "string" ? identity.account : "";
  const label = typeof identity.label === "string" && identity.label !== account ? identity.label : "";
  return [account, label].filter(Boolean).join(" · ") || "—";
}
