import Link from "next/link";
import { AlertTriangle } from "lucide-react";

import { cn } from "@/lib/utils";
import { buttonVariants } from "@/components/ui/button";
import { CheckNowLabel, SUSPENDED_CHECK_TITLE } from "./check-now-button";
import { ProviderActions } from "./provider-actions";
import { ProviderLogo } from "./provider-logo";
import { Badge } from "@/components/ui/badge";
import { CredentialAgeBadge, ProviderStatusBadge } from "./provider-badges";
import { ENVIRONMENT_LABELS, formatDateTime, formatRelative, PROVIDER_SHORT_LABELS, type ProviderCardData } from "./provider-meta";

type ProviderCardProps = {
  orgSlug: string;
  provider: ProviderCardData;
  /** Admins and owners get the actions menu; nobody else sees a write control. */
  canManage: boolean;
  /** Members and above may run a live check (this starts one); viewers see stored results. */
  onCheck: ((provider: ProviderCardData) => void) | null;
  /** A check of this provider is running. */
  checking: boolean;
  now: Date;
};

// A plain button with the classes computed once: a Button component per card costs the
// server more than the rest of the card's controls together (measured: bench/providers-list.ts).
// It sits above the card link's overlay (z-10), at the card's bottom right.
const checkButtonClassName = cn(buttonVariants({ variant: "ghost", size: "sm" }), "relative z-10 -mb-1 self-end");

export function ProviderCard({ orgSlug, provider, canManage, onCheck, checking, now }: ProviderCardProps) {
  const href = `/orgs/${encodeURIComponent(orgSlug)}/providers/${provider.id}`;
  return (
    <article
      data-test="provider-card"
      aria-labelledby={`provider-${provider.id}-name`}
      className="group relative flex flex-col gap-4 rounded-xl border bg-card p-4 text-card-foreground shadow-xs transition-colors focus-within:border-ring/60 hover:border-foreground/20"
    >
      <div className="flex items-start gap-3">
        <ProviderLogo kind={provider.provider_type} size={40} />
        <div className="min-w-0 flex-1">
          <h3 id={`provider-${provider.id}-name`} className="truncate text-sm leading-5 font-semibold">
            {/* The link's ::after covers the card, so the whole card is clickable while the menu stays on top.
                No prefetch: a page of cards would ask the server for two dozen provider pages per view. */}
            <Link
              href={href}
              prefetch={false}
              className="rounded-sm outline-none after:absolute after:inset-0 after:rounded-xl focus-visible:underline"
            >
              {provider.name}
            </Link>
          </h3>
          <p className="truncate text-sm text-muted-foreground">
            {`${PROVIDER_SHORT_LABELS[provider.provider_type]} · ${ENVIRONMENT_LABELS[provider.environment]}`}
          </p>
        </div>
        {canManage && (
          <div className="relative z-10 -mt-1 -mr-2">
            <ProviderActions orgSlug={orgSlug} provider={provider} />
          </div>
        )}
      </div>

      <div className="flex flex-wrap items-center gap-1.5">
        <ProviderStatusBadge status={provider.status} />
        <CredentialAgeBadge provider={provider} now={now} />
        {provider.organization_scope !== null && (
          <Badge variant="secondary" data-test="organization-badge">
            Whole organization
          </Badge>
        )}
        {provider.parent_provider_id !== null && (
          <Badge variant="outline" data-test="discovered-badge">
            Discovered
          </Badge>
        )}
      </div>

      <dl className="mt-auto grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-xs">
        <dt className="text-muted-foreground">Credential</dt>
        <dd className="truncate text-right font-mono">{provider.credential_hint ?? "—"}</dd>
        <dt className="text-muted-foreground">Last checked</dt>
        <dd className={cn("truncate text-right", !provider.last_checked_at && "text-muted-foreground")}>
          {provider.last_checked_at ? (
            <time dateTime={new Date(provider.last_checked_at).toISOString()} title={formatDateTime(provider.last_checked_at)}>
              {formatRelative(provider.last_checked_at, now)}
            </time>
          ) : (
            "Not yet"
          )}
        </dd>
      </dl>
      {provider.last_error_message && provider.status !== "suspended" && (
        <p
          className={cn(
            "flex items-start gap-1.5 text-xs",
            provider.status === "failed" ? "text-destructive" : "text-amber-700 dark:text-amber-400",
          )}
          data-test="provider-card-error"
        >
          <AlertTriangle aria-hidden="true" className="mt-px size-3.5 shrink-0" />
          <span className="line-clamp-2">
            {provider.status === "failed" ? "" : "Last check failed: "}
            {provider.last_error_message}
          </span>
        </p>
      )}
      {onCheck && (
        <button
          type="button"
          className={checkButtonClassName}
          onClick={() => onCheck(provider)}
          disabled={checking || provider.status === "suspended"}
          title={provider.status === "suspended" ? SUSPENDED_CHECK_TITLE : undefined}
          data-test="check-now"
        >
          <CheckNowLabel checking={checking} />
        </button>
      )}
    </article>
  );
}
