import { KeyRound } from "lucide-react";

import { Badge } from "@/components/ui/badge";
import type { ProviderRecord } from "@/supabase/functions/_shared/domain/providers.ts";
import { credentialAge, formatDate, formatDays, STATUS_BADGE, STATUS_LABELS, type ProviderStatus } from "./provider-meta";

export function ProviderStatusBadge({ status }: { status: ProviderStatus }) {
  return (
    // The dot is a ::before, not an element: this badge is on every card of a page.
    <Badge variant={STATUS_BADGE[status]} className="before:size-1.5 before:rounded-full before:bg-current" data-test="provider-status">
      {STATUS_LABELS[status]}
    </Badge>
  );
}

/** How old the stored credential is: calm until 60 days, a warning from 60, critical from 90. */
export function CredentialAgeBadge({
  provider,
  now,
}: {
  provider: Pick<ProviderRecord, "credentials_rotated_at" | "created_at">;
  now: Date;
}) {
  const age = credentialAge(provider, now);
  const text = age.days === 0 ? "Key set today" : `Key ${formatDays(age.days)} old`;
  const title = `Credentials ${provider.credentials_rotated_at ? "rotated" : "added"} ${formatDate(age.since)}`;
  if (age.level === "ok") {
    return (
      // No key icon while the age is fine: it would only repeat the text, on every card of a page.
      <Badge variant="outline" className="text-muted-foreground" title={title} data-test="credential-age">
        {text}
      </Badge>
    );
  }
  return (
    <Badge variant={age.level === "critical" ? "destructive" : "warning"} title={title} data-test="credential-age" data-level={age.level}>
      <KeyRound aria-hidden="true" />
      {text}
      <span className="sr-only">{age.level === "critical" ? " — rotate now" : " — rotate soon"}</span>
    </Badge>
  );
}
