// Counts of the matching resources by cloud and by type, as plain CSS bars: a few dozen
// elements, no chart library. Each bar is a list item whose text says the number.
import { PROVIDER_SHORT_LABELS, resourceTypeLabel } from "@/components/providers/provider-meta";
import { ProviderLogo } from "@/components/providers/provider-logo";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import type { InventoryCounts } from "@/supabase/functions/_shared/domain/inventory-queries.ts";
import type { ProviderType } from "@/supabase/functions/_shared/schemas/providers.ts";

type Bar = { key: string; label: string; resources: number; logo?: ProviderType };

function Bars({ title, bars, total, "data-test": dataTest }: { title: string; bars: Bar[]; total: number; "data-test": string }) {
  const max = Math.max(1, ...bars.map((bar) => bar.resources));
  return (
    <div className="grid content-start gap-2">
      <h3 className="text-sm font-medium">{title}</h3>
      {bars.length === 0 ? (
        <p className="text-sm text-muted-foreground">Nothing to count.</p>
      ) : (
        <ul className="grid gap-1.5" data-test={dataTest}>
          {bars.map((bar) => (
            <li
              key={bar.key}
              className="grid grid-cols-[minmax(0,9rem)_minmax(0,1fr)_auto] items-center gap-2 text-sm"
              data-test="count-bar"
            >
              <span className="flex min-w-0 items-center gap-1.5">
                {bar.logo && <ProviderLogo kind={bar.logo} size={16} />}
                <span className="truncate" title={bar.label}>
                  {bar.label}
                </span>
              </span>
              <span className="h-2 overflow-hidden rounded-full bg-muted" aria-hidden="true">
                <span
                  className="block h-full rounded-full bg-primary/80"
                  style={{ width: `${Math.max(2, (bar.resources / max) * 100)}%` }}
                />
              </span>
              <span className="text-right text-xs text-muted-foreground tabular-nums">
                {bar.resources.toLocaleString("en")}
                <span className="sr-only"> of {total.toLocaleString("en")}</span>
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function InventoryChart({ counts, filtered }: { counts: InventoryCounts; filtered: boolean }) {
  return (
    <Card className="gap-4 py-5" data-test="inventory-counts">
      <CardHeader className="px-5">
        <CardTitle as="h2" className="text-base">
          {counts.total.toLocaleString("en")} resource{counts.total === 1 ? "" : "s"}
        </CardTitle>
        <CardDescription>{filtered ? "Matching the filters, by cloud and by type." : "By cloud and by type."}</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-6 px-5 md:grid-cols-2">
        <Bars
          title="By cloud"
          total={counts.total}
          data-test="counts-by-cloud"
          bars={counts.byCloud.map((c) => ({
            key: c.cloud,
            label: PROVIDER_SHORT_LABELS[c.cloud] ?? c.cloud,
            resources: c.resources,
            logo: c.cloud,
          }))}
        />
        <Bars
          title="By type"
          total={counts.total}
          data-test="counts-by-type"
          bars={counts.byType.map((t) => ({ key: t.type, label: resourceTypeLabel(t.type), resources: t.resources }))}
        />
      </CardContent>
    </Card>
  );
}
