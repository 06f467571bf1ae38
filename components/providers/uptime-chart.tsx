// The last checks as a small bar chart, oldest on the left: a bar per check, its height the
// latency, red when it failed. Plain SVG from the server; each bar says what it shows.
import type { HealthCheck } from "@/lib/db/queries/connectivity";
import { formatDateTime } from "./provider-meta";

const WIDTH = 300;
const HEIGHT = 64;
const GAP = 2;

export function uptimePercent(checks: HealthCheck[]) {
  if (checks.length === 0) return null;
  return (checks.filter((check) => check.ok).length / checks.length) * 100;
}

export function UptimeChart({ checks, slots = 30 }: { checks: HealthCheck[]; slots?: number }) {
  // History comes newest first; the chart reads left to right in time.
  const shown = checks.slice(0, slots).reverse();
  const slowest = Math.max(1, ...shown.map((check) => check.latency_ms ?? 0));
  const barWidth = (WIDTH - GAP * (slots - 1)) / slots;
  const uptime = uptimePercent(shown);
  const summary =
    uptime === null
      ? "No checks yet"
      : `${shown.filter((check) => check.ok).length} of ${shown.length} recent checks succeeded (${uptime.toFixed(uptime % 1 ? 1 : 0)}% uptime)`;
  return (
    <figure className="grid gap-2" data-test="uptime-chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} className="h-16 w-full" role="img" aria-label={summary} preserveAspectRatio="none">
        {Array.from({ length: slots }, (_, index) => {
          const check = shown[index - (slots - shown.length)];
          const x = index * (barWidth + GAP);
          // Keyed by slot: a check's id ("8") could collide with an empty slot's index (8).
          if (!check) return <rect key={`slot-${index}`} x={x} y={HEIGHT - 4} width={barWidth} height={4} rx={1} className="fill-muted" />;
          const height = Math.max(6, ((check.latency_ms ?? 0) / slowest) * (HEIGHT - 4));
          return (
            <rect
              key={`slot-${index}`}
              x={x}
              y={HEIGHT - height}
              width={barWidth}
              height={height}
              rx={1}
              className={check.ok ? "fill-success" : "fill-destructive"}
              data-ok={check.ok}
            >
              <title>{`${formatDateTime(check.checked_at)} · ${check.ok ? "healthy" : (check.error_code ?? "failed")} · ${check.latency_ms ?? "?"} ms`}</title>
            </rect>
          );
        })}
      </svg>
      <figcaption className="flex justify-between text-xs text-muted-foreground">
        <span>{summary}</span>
        <span>bar height: latency</span>
      </figcaption>
    </figure>
  );
}
