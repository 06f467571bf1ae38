// What needs a person: failing providers, credentials that expire or have grown old, and
// the notifications Cloudkeep raised about them. Reads run under RLS as the caller.
import type { Tx } from "../db.ts";
import type { ProviderRecord } from "./providers.ts";

export const EXPIRY_NOTICE_DAYS = 30;

export type AttentionReason = {
  kind: "failing" | "last_check_failed" | "expired" | "expiring" | "old";
  severity: "critical" | "warning";
  message: string;
  /** What to do about it, in a sentence. */
  action: string;
};

export type AttentionItem = {
  provider: Pick<
    ProviderRecord,
    "id" | "name" | "provider_type" | "status" | "credential_hint" | "last_error_code" | "last_error_message" | "last_checked_at"
  >;
  /** At least one reason, most urgent first. */
  reasons: [AttentionReason, ...AttentionReason[]];
};

type Row = AttentionItem["provider"] & {
  credentials_expires_at: Date | null;
  credential_since: Date;
  /** When the key itself was created, where the provider's API told the last good check since (AWS IAM). */
  key_created_at: Date | null;
  warning_days: number;
  critical_days: number;
};

const DAY = 86_400_000;
const isoDate = (date: Date) => date.toISOString().slice(0, 10);

// Most urgent first: broken now, then broken by date, then getting old.
const KIND_ORDER: AttentionReason["kind"][] = ["failing", "expired", "old", "expiring", "last_check_failed"];
const urgency = (reason: AttentionReason) => (reason.severity === "critical" ? 0 : 10) + KIND_ORDER.indexOf(reason.kind);

/** Why a provider needs attention (empty: it does not). Worst first. */
export function attentionReasons(row: Row, now = new Date()): AttentionReason[] {
  const reasons: AttentionReason[] = [];
  if (row.status === "failed") {
    reasons.push({
      kind: "failing",
      severity: "critical",
      message: row.last_error_message ?? "Its health checks fail.",
      action: "Open it to read the provider's error and what to do, fix the credential or its permissions, then Check now.",
    });
  } else if (row.last_error_code) {
    reasons.push({
      kind: "last_check_failed",
      severity: "warning",
      message: row.last_error_message ?? "The last health check failed.",
      action: "It has not failed often enough to count as down yet; check it now to see whether the problem is still there.",
    });
  }
  if (row.credentials_expires_at) {
    const expires = new Date(row.credentials_expires_at);
    const days = Math.ceil((expires.getTime() - now.getTime()) / DAY);
    if (days <= 0) {
      reasons.push({
        kind: "expired",
        severity: "critical",
        message: `The credential expired on ${isoDate(expires)}.`,
        action: "Create a new secret at the provider and rotate the credentials.",
      });
    } else if (days <= EXPIRY_NOTICE_DAYS) {
      reasons.push({
        kind: "expiring",
        severity: "warning",
        message: `The credential expires in ${days} day${days === 1 ? "" : "s"} (${isoDate(expires)}).`,
        action: "Create a new secret before then and rotate the credentials.",
      });
    }
  }
  // A key created at the provider long before it was added here is as old as the provider says.
  const keyIsOlder = row.key_created_at !== null && new Date(row.key_created_at) < new Date(row.credential_since);
  const since = keyIsOlder ? new Date(row.key_created_at!) : new Date(row.credential_since);
  const age = Math.floor((now.getTime() - since.getTime()) / DAY);
  const what = keyIsOlder ? `The access key (created ${isoDate(since)})` : "The credential";
  if (age >= row.critical_days) {
    reasons.push({
      kind: "old",
      severity: "critical",
      message: `${what} is ${age} days old, past the ${row.critical_days}-day limit.`,
      action: "Rotate it: create a new key, rotate here, then delete the old key at the provider.",
    });
  } else if (age >= row.warning_days) {
    reasons.push({
      kind: "old",
      severity: "warning",
      message: `${what} is ${age} days old.`,
      action: `Plan a rotation before it reaches ${row.critical_days} days.`,
    });
  }
  return reasons.sort((a, b) => urgency(a) - urgency(b));
}

export async function selectNeedsAttention(tx: Tx, organizationId: string, now = new Date()): Promise<AttentionItem[]> {
  // The database narrows to candidates; attentionReasons() says why, the same way for every caller.
  // key_created_at: from the latest good check since the last rotation (an older one saw the old key).
  const rows = await tx<Row[]>`
    select p.id, p.name, p.provider_type, p.status, p.credential_hint, p.last_error_code, p.last_error_message, p.last_checked_at,
           p.credentials_expires_at, coalesce(p.credentials_rotated_at, p.created_at) as credential_since, k.key_created_at,
           o.credential_warning_days as warning_days, o.credential_critical_days as critical_days
    from public.cloud_providers p
    join public.organizations o on o.id = p.organization_id
    left join lateral (
      select case when c.identity #>> '{details,key_created_at}' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$'
                  then (c.identity #>> '{details,key_created_at}')::timestamptz end as key_created_at
      from public.provider_health_checks c
      where c.provider_id = p.id and c.ok and c.checked_at >= coalesce(p.credentials_rotated_at, p.created_at)
      order by c.checked_at desc, c.id desc
      limit 1
    ) k on true
    where p.organization_id = ${organizationId}
      and p.status <> 'suspended'
      and (p.status = 'failed'
        or p.last_error_code is not null
        or p.credentials_expires_at <= ${now} + make_interval(days => ${EXPIRY_NOTICE_DAYS})
        or least(coalesce(p.credentials_rotated_at, p.created_at), k.key_created_at) <= ${now} - make_interval(days => o.credential_warning_days))
    order by p.name`;
  return rows
    .map((row) => {
      const {
        credentials_expires_at: _e,
        credential_since: _s,
        key_created_at: _k,
        warning_days: _w,
        critical_days: _c,
        ...provider
      } = row;
      return { provider, reasons: attentionReasons(row, now) };
    })
    .filter((item): item is AttentionItem => item.reasons.length > 0)
    .sort((a, b) => urgency(a.reasons[0]) - urgency(b.reasons[0]));
}

export type Notification = {
  id: string;
  provider_id: string | null;
  kind: string;
  severity: "info" | "warning" | "critical";
  title: string;
  body: string;
  created_at: Date;
};

export function selectNotifications(tx: Tx, organizationId: string, limit = 50) {
  return tx<Notification[]>`
    select id::text, provider_id, kind, severity, title, body, created_at
    from public.notifications where organization_id = ${organizationId}
    order by created_at desc, id desc limit ${Math.min(Math.max(limit, 1), 200)}`;
}

export type WebhookDelivery = {
  id: string;
  event: string;
  url: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  next_attempt_at: Date;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  created_at: Date;
};

export function selectWebhookDeliveries(tx: Tx, organizationId: string, limit = 25) {
  return tx<WebhookDelivery[]>`
    select id::text, event, url, status, attempts, next_attempt_at, last_status_code, last_error, delivered_at, created_at
    from public.webhook_deliveries where organization_id = ${organizationId}
    order by created_at desc, id desc limit ${Math.min(Math.max(limit, 1), 200)}`;
}
