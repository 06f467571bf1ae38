// The organization's status strip for scheduled health sweeps: when the last one ran, what it
// found, and how often checks run. Data comes in as props (selectLastSweep).
import { Activity, AlertTriangle } from "lucide-react";

import { cn } from "@/lib/utils";
import type { SweepStatus as SweepStatusData } from "@/supabase/functions/_shared/domain/sweep-queries.ts";
import { formatDateTime, formatRelative } from "./provider-meta";

// Sweeps start every minute; a provider this far past due means nothing is sweeping.
const STALLED_AFTER_MS = 10 * 60_000;

function every(minutes: number) {
  if (minutes % 60 === 0) return minutes === 60 ? "every hour" : `every ${minutes / 60} hours`;
  return `every ${minutes} minutes`;
}

export function SweepStatus({ status, now, className }: { status: SweepStatusData; now: Date; className?: string }) {
  const { last } = status;
  const stalled = status.next_check_at !== null && now.getTime() - new Date(status.next_check_at).getTime() > STALLED_AFTER_MS;
  const rule = `Checks run ${every(status.interval_minutes)}; a provider is marked failed after ${
    status.failure_threshold === 1 ? "one failed check" : `${status.failure_threshold} failed checks in a row`
  }.`;

  return (
    <section
      aria-label="Scheduled health checks"
      data-test="sweep-status"
      className={cn("flex flex-wrap items-center gap-x-3 gap-y-1 rounded-lg border bg-muted/40 px-3 py-2 text-sm", className)}
    >
      <Activity aria-hidden="true" className="size-4 shrink-0 text-muted-foreground" />
      {last ? (
        <p>
          Last sweep{" "}
          <time dateTime={new Date(last.finished_at).toISOString()} title={formatDateTime(last.finished_at)}>
            {formatRelative(last.finished_at, now)}
          </time>
          : <span data-test="sweep-checked">{last.checked.toLocaleString("en")} checked</span>,{" "}
          <span data-test="sweep-failed" className={cn(last.failed > 0 && "font-medium text-destructive")}>
            {last.failed.toLocaleString("en")} failed
          </span>
        </p>
      ) : (
        <p>No scheduled sweep has checked this organization yet.</p>
      )}
      <p className="text-muted-foreground">{rule}</p>
      {stalled && (
        <p role="status" className="flex items-center gap-1.5 font-medium text-warning">
          <AlertTriangle aria-hidden="true" className="size-4" />A check due {formatRelative(status.next_check_at!, now)} has not run yet;
          the scheduled sweep may be stopped.
        </p>
      )}
    </section>
  );
}
