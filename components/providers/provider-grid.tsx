"use client";

// The provider cards of one page. A client component on purpose: the server sends two dozen
// small records instead of two dozen rendered card trees (with every class name and icon
// path spelled out in the RSC payload), which halves the page's weight and the server's
// work per request. The HTML is still rendered on the server.
import { useHealthChecks } from "./check-now-button";
import { ProviderCard } from "./provider-card";
import type { ProviderCardData } from "./provider-meta";

type ProviderGridProps = {
  orgSlug: string;
  providers: ProviderCardData[];
  canManage: boolean;
  canCheck: boolean;
  /** The server's clock, so server and browser agree on "3 days ago". */
  now: Date;
};

export function ProviderGrid({ orgSlug, providers, canManage, canCheck, now }: ProviderGridProps) {
  const { checking, check } = useHealthChecks(orgSlug);
  return (
    <ul className="grid gap-4 sm:grid-cols-2 xl:grid-cols-3" data-test="provider-grid">
      {providers.map((provider) => (
        <li key={provider.id} className="grid">
          <ProviderCard
            orgSlug={orgSlug}
            provider={provider}
            canManage={canManage}
            onCheck={canCheck ? check : null}
            checking={checking.has(provider.id)}
            now={now}
          />
        </li>
      ))}
    </ul>
  );
}
