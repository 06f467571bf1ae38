// How audit events read in the portal. Metadata is never rendered as-is: only known keys, checked
// for shape, each turned into words.
import { ENVIRONMENT_LABELS, PROVIDER_SHORT_LABELS, STATUS_LABELS, type ProviderStatus } from "@/components/providers/provider-meta";
import type { AuditEvent } from "@/lib/db/queries/providers";
import { isProviderType } from "@/supabase/functions/_shared/schemas/providers.ts";

export const AUDIT_ACTIONS: Record<string, string> = {
  "provider.created": "created provider",
  "provider.updated": "updated provider",
  "provider.credentials_rotated": "rotated credentials",
  "provider.suspended": "suspended provider",
  "provider.resumed": "resumed provider",
  "provider.deleted": "deleted provider",
  "provider.status_changed": "status changed",
  "provider.credentials_read": "read credentials",
  "provider.read_only_credentials_set": "set the read-only credential",
  "provider.read_only_credentials_removed": "removed the read-only credential",
  "organization.settings_updated": "changed settings",
  "webhook.created": "added the webhook",
  "webhook.updated": "changed the webhook",
  "webhook.secret_rotated": "rotated the webhook secret",
  "webhook.removed": "removed the webhook",
  "member.invited": "invited a member",
  "invitation.accepted": "accepted an invitation",
  "invitation.revoked": "revoked an invitation",
  "member.added": "added a member",
  "member.role_changed": "changed a role",
  "member.removed": "removed a member",
  "member.left": "left the organization",
  "api_token.created": "created an API token",
  "api_token.revoked": "revoked an API token",
  "api_token.used": "used an API token",
};

export function describeAction(action: string) {
  return AUDIT_ACTIONS[action] ?? action.replace(/[._]+/g, " ");
}

const FIELD_LABELS: Record<string, string> = {
  name: "name",
  environment: "environment",
  regions: "regions",
  api_endpoint: "endpoint",
  status: "status",
  credentials: "credentials",
  credential_hint: "credential hint",
  credential_fingerprint: "fingerprint",
  account_identifier: "account",
  auth_method: "auth method",
  credentials_rotated_at: "rotation time",
  credentials_expires_at: "expiry",
  last_checked_at: "last check",
  last_error_code: "error code",
  last_error_message: "error message",
};

function text(value: unknown, pattern: RegExp, max = 80): string | null {
  return typeof value === "string" && value.length <= max && pattern.test(value) ? value : null;
}

function status(value: unknown): string | null {
  return typeof value === "string" && value in STATUS_LABELS ? STATUS_LABELS[value as ProviderStatus] : null;
}

/** One short line of detail for an event, or null. */
export function describeDetails(event: Pick<AuditEvent, "action" | "metadata">): React.ReactNode {
  const metadata = event.metadata && typeof event.metadata === "object" ? event.metadata : {};
  const from = status(metadata.from);
  const to = status(metadata.to);
  const transition = from && to ? `${from} → ${to}` : null;

  switch (event.action) {
    case "provider.created": {
      const kind = isProviderType(metadata.provider_type) ? PROVIDER_SHORT_LABELS[metadata.provider_type] : null;
      const environment =
        typeof metadata.environment === "string" && metadata.environment in ENVIRONMENT_LABELS
          ? ENVIRONMENT_LABELS[metadata.environment as keyof typeof ENVIRONMENT_LABELS]
          : null;
      return [kind, environment].filter(Boolean).join(" · ") || null;
    }
    case "provider.updated": {
      const changed = Array.isArray(metadata.changed)
        ? metadata.changed
            .map((key) => text(key, /^[a-z_]+$/, 64))
            .filter((key): key is string => key !== null)
            .map((key) => FIELD_LABELS[key] ?? key.replace(/_/g, " "))
        : [];
      const parts = [changed.length ? `Changed ${changed.join(", ")}` : null, transition].filter(Boolean);
      return parts.join(" · ") || null;
    }
    case "provider.credentials_rotated": {
      const hint = text(metadata.credential_hint, /^[\x20-\x7e…]+$/u, 200);
      return hint ? (
        <>
          Now <span className="font-mono">{hint}</span>
        </>
      ) : null;
    }
    case "provider.suspended":
    case "provider.resumed":
    case "provider.status_changed":
      return transition;
    case "provider.credentials_read": {
      const purpose = text(metadata.purpose, /^[A-Za-z0-9 _.:-]+$/, 64);
      return purpose ? `For ${purpose.replace(/[_-]+/g, " ")}` : null;
    }
    default:
      return null;
  }
}
