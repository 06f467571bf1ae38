// The organization's estimated monthly spend at LIST price, in total and per provider: only
// DigitalOcean, Linode and Vultr publish a monthly price with the size, so only they count, and
// the card says how many resources it could not price.
import Link from "next/link";

import { ProviderLogo } from "@/components/providers/provider-logo";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import type { InventoryCounts } from "@/supabase/functions/_shared/domain/inventory-queries.ts";
import { formatMonthlyListPrice, LIST_PRICES_AS_OF } from "@/supabase/functions/_shared/list-prices.ts";

export function ListPriceCard({ counts, providerHref }: { counts: InventoryCounts; providerHref: (id: string) => string }) {
  const { listPrice } = counts;
  return (
    <Card className="gap-4 py-5" data-test="list-price-totals">
      <CardHeader className="px-5">
        <CardDescription>Estimated monthly list price</CardDescription>
        <CardTitle as="h2" className="text-2xl tabular-nums" data-test="organization-list-price">
          {listPrice.priced > 0 ? formatMonthlyListPrice(listPrice.monthly) : "—"}
        </CardTitle>
        <p className="text-xs text-muted-foreground">
          List prices of {listPrice.priced.toLocaleString("en")} DigitalOcean, Linode and Vultr resource{listPrice.priced === 1 ? "" : "s"}{" "}
          (published prices as of {LIST_PRICES_AS_OF}; before discounts, backups, transfer and taxes).{" "}
          {listPrice.unpriced > 0 && `${listPrice.unpriced.toLocaleString("en")} without a known list price are not counted.`}
        </p>
      </CardHeader>
      {listPrice.byProvider.length > 0 && (
        <CardContent className="px-5">
          <ul className="grid gap-1.5 text-sm">
            {listPrice.byProvider.slice(0, 8).map((provider) => (
              <li key={provider.provider_id} className="flex items-center justify-between gap-3" data-test="provider-list-price">
                <span className="flex min-w-0 items-center gap-2">
                  <ProviderLogo kind={provider.provider_type} size={16} />
                  <Link href={providerHref(provider.provider_id)} prefetch={false} className="truncate underline-offset-4 hover:underline">
                    {provider.provider_name}
                  </Link>
                </span>
                <span className="shrink-0 text-muted-foreground tabular-nums">{formatMonthlyListPrice(provider.monthly)}</span>
              </li>
            ))}
          </ul>
          {listPrice.byProvider.length > 8 && (
            <p className="mt-2 text-xs text-muted-foreground">and {listPrice.byProvider.length - 8} more providers</p>
          )}
        </CardContent>
      )}
    </Card>
  );
}
