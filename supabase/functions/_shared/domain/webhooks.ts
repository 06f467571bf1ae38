// The organization's webhook: where notifications are POSTed, signed with a secret only the
// organization knows, retried with backoff until the receiver answers 2xx, and logged.
//
// Signature (Stripe-style, so receivers know the pattern): header
//   Cloudkeep-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">
// verifyWebhookSignature() below is what a receiver runs; README shows it.
import type { Sql } from "postgres";
import { z } from "zod";
import { bytesToHex } from "../crypto/base64.ts";
import { decryptCredential, encryptCredential, type KeyRing } from "../crypto/index.ts";
import { onlyRow, withRls, type Tx } from "../db.ts";
import { safeFetch } from "../net/outbound.ts";
import { DomainError, validationError } from "./errors.ts";
import { requireRole, type VaultContext } from "./providers.ts";

export const WEBHOOK_SIGNATURE_HEADER = "cloudkeep-signature";
export const WEBHOOK_EVENT_HEADER = "cloudkeep-event";
const SECRET_PREFIX = "whsec_";
/** The key-ring binding of the signing secret: its organization, and a slot no provider id can take. */
const binding = (organizationId: string) => ({ organizationId, providerId: "webhook" });

export type Webhook = { organization_id: string; url: string; secret_hint: string; enabled: boolean; created_at: Date; updated_at: Date };

const webhookInput = z.object({
  url: z.string().trim().min(1, "Enter the URL Cloudkeep should POST to.").max(2048, "The URL is longer than 2,048 characters."),
  enabled: z.boolean().optional(),
});

function checkedUrl(raw: string, allowHttp: boolean) {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DomainError("validation_failed", "The webhook URL is not a valid absolute URL.", {
      url: ["Enter an absolute URL, like https://hooks.example.com/cloudkeep."],
    });
  }
  if (url.protocol !== "https:" && !(allowHttp && url.protocol === "http:")) {
    const message = allowHttp
      ? "The webhook URL must use http or https."
      : "The webhook URL must use https (this organization does not allow plain http).";
    throw new DomainError("validation_failed", message, { url: [message] });
  }
  if (url.username || url.password) {
    const message = "Put no user name or password in the URL; the signature authenticates each delivery.";
    throw new DomainError("validation_failed", message, { url: [message] });
  }
  return url.href;
}

function randomSecret() {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return (
    SECRET_PREFIX +
    btoa(String.fromCharCode(...bytes))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "")
  );
}

const hintOf = (secret: string) => `${SECRET_PREFIX}…${secret.slice(-4)}`;

export async function selectWebhook(tx: Tx, organizationId: string) {
  const [row] = await tx<Webhook[]>`
    select organization_id, url, secret_hint, enabled, created_at, updated_at from public.organization_webhooks where organization_id = ${organizationId}`;
  return row ?? null;
}

/**
 * Sets the webhook's URL (and whether it is on). The first time, a signing secret is made
 * and returned — the only time anyone sees it; later calls keep the secret.
 */
export async function saveWebhook(
  ctx: VaultContext,
  organizationId: string,
  body: unknown,
): Promise<{ webhook: Webhook; secret: string | null }> {
  return withRls(ctx.sql, ctx.claims, async (tx) => {
    const org = await requireRole(tx, organizationId, "admin", "configure the webhook");
    const parsed = webhookInput.safeParse(body);
    if (!parsed.success) throw validationError(parsed.error);
    const url = checkedUrl(parsed.data.url, org.allow_http_endpoints);
    const existing = await selectWebhook(tx, organizationId);
    if (existing) {
      const rows = await tx<Webhook[]>`
        update public.organization_webhooks set url = ${url}, enabled = ${parsed.data.enabled ?? existing.enabled}
        where organization_id = ${organizationId}
        returning organization_id, url, secret_hint, enabled, created_at, updated_at`;
      return { webhook: onlyRow(rows, "update public.organization_webhooks"), secret: null };
    }
    const secret = randomSecret();
    const envelope = await encryptCredential(ctx.ring, binding(organizationId), { secret });
    const rows = await tx<Webhook[]>`
      insert into public.organization_webhooks (organization_id, url, secret, secret_hint, enabled)
      values (${organizationId}, ${url}, ${tx.json(envelope as never)}, ${hintOf(secret)}, ${parsed.data.enabled ?? true})
      returning organization_id, url, secret_hint, enabled, created_at, updated_at`;
    return { webhook: onlyRow(rows, "insert into public.organization_webhooks"), secret };
  });
}

/** A new signing secret, returned once; the old one stops verifying at once. */
export async function rotateWebhookSecret(ctx: VaultContext, organizationId: string): Promise<{ webhook: Webhook; secret: string }> {
  return withRls(ctx.sql, ctx.claims, async (tx) => {
    await requireRole(tx, organizationId, "admin", "rotate the webhook secret");
    const secret = randomSecret();
    const envelope = await encryptCredential(ctx.ring, binding(organizationId), { secret });
    const [webhook] = await tx<Webhook[]>`
      update public.organization_webhooks set secret = ${tx.json(envelope as never)}, secret_hint = ${hintOf(secret)}
      where organization_id = ${organizationId}
      returning organization_id, url, secret_hint, enabled, created_at, updated_at`;
    if (!webhook) throw new DomainError("not_found", "This organization has no webhook yet.");
    return { webhook, secret };
  });
}

export async function removeWebhook(ctx: VaultContext, organizationId: string) {
  await withRls(ctx.sql, ctx.claims, async (tx) => {
    await requireRole(tx, organizationId, "admin", "remove the webhook");
    await tx`delete from public.organization_webhooks where organization_id = ${organizationId}`;
  });
}

// ---------------------------------------------------------------------------------------
// Signing

async function hmacHex(secret: string, message: string) {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return bytesToHex(new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(message))));
}

export async function signWebhook(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)) {
  return `t=${timestamp},v1=${await hmacHex(secret, `${timestamp}.${body}`)}`;
}

/** What a receiver runs on the raw body: true only for a fresh, untampered delivery signed with `secret`. */
export async function verifyWebhookSignature(
  secret: string,
  header: string | null,
  body: string,
  { toleranceSeconds = 300, now = Date.now() } = {},
) {
  const parts = Object.fromEntries((header ?? "").split(",").map((part) => part.trim().split("=", 2) as [string, string]));
  const timestamp = Number(parts.t);
  if (!Number.isInteger(timestamp) || !parts.v1 || Math.abs(now / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = await hmacHex(secret, `${timestamp}.${body}`);
  if (expected.length !== parts.v1.length) return false;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ parts.v1.charCodeAt(i);
  return diff === 0;
}

// ---------------------------------------------------------------------------------------
// Delivery (service side: the scheduled sweep runs it after each round)

type Claimed = {
  id: string;
  organization_id: string;
  event: string;
  url: string;
  payload: unknown;
  attempts: number;
  secret: unknown;
  allow_http: boolean;
  allowed_cidrs: string[];
};

export type DeliveryOptions = {
  /** A service connection (owner or service_role): claims cross organizations. */
  sql: Sql;
  ring: KeyRing;
  limit?: number;
  timeoutMs?: number;
  /** First retry after this long, doubling per attempt (with jitter), capped at an hour. */
  baseBackoffMs?: number;
  maxAttempts?: number;
  /** Extra CA certificates for receivers (tests). */
  ca?: string;
  /** Networks the operator trusts (CLOUDKEEP_TRUSTED_CIDRS); see OutboundPolicy. */
  trustedCidrs?: string[];
};

export type DeliveryReport = { delivered: number; retrying: number; failed: number };

export function retryDelayMs(attempt: number, baseMs: number) {
  const capped = Math.min(baseMs * 2 ** Math.max(attempt - 1, 0), 3_600_000);
  return Math.round(capped * (0.8 + Math.random() * 0.4));
}

export async function deliverWebhooks(options: DeliveryOptions): Promise<DeliveryReport> {
  const { sql, ring, limit = 20, timeoutMs = 10_000, baseBackoffMs = 30_000, maxAttempts = 6 } = options;
  const claimed = await sql<Claimed[]>`
    select id::text, organization_id, event, url, payload, attempts, secret, allow_http, allowed_cidrs
    from private.claim_webhook_deliveries(${limit})`;
  const report: DeliveryReport = { delivered: 0, retrying: 0, failed: 0 };
  await Promise.all(
    claimed.map(async (delivery) => {
      const outcome = await send(delivery, ring, timeoutMs, options.ca, options.trustedCidrs);
      const retryIn = `${retryDelayMs(delivery.attempts + 1, baseBackoffMs)} milliseconds`;
      const { status } = onlyRow(
        await sql<{ status: string }[]>`
        select private.finish_webhook_delivery(${delivery.id}, ${outcome.ok}, ${outcome.statusCode}, ${outcome.error}, ${retryIn}::interval, ${maxAttempts}) as status`,
        "private.finish_webhook_delivery()",
      );
      if (status === "delivered") report.delivered += 1;
      else if (status === "failed") report.failed += 1;
      else report.retrying += 1;
    }),
  );
  return report;
}

async function send(delivery: Claimed, ring: KeyRing, timeoutMs: number, ca?: string, trustedCidrs: string[] = []) {
  if (!delivery.secret) return { ok: false, statusCode: null, error: "The webhook was removed before this delivery." };
  const policy = { allowHttp: delivery.allow_http, allowedCidrs: delivery.allowed_cidrs ?? [], trustedCidrs };
  const fetcher = safeFetch(policy, { keepAlive: false, maxRedirects: 0, ca });
  try {
    const { secret } = (await decryptCredential(ring, binding(delivery.organization_id), delivery.secret)) as { secret: string };
    const body = JSON.stringify(delivery.payload);
    const response = await fetcher(delivery.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "Cloudkeep-Webhooks/1",
        [WEBHOOK_EVENT_HEADER]: delivery.event,
        [WEBHOOK_SIGNATURE_HEADER]: await signWebhook(secret, body),
        "cloudkeep-delivery": delivery.id,
      },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    return response.ok
      ? { ok: true, statusCode: response.status, error: null }
      : { ok: false, statusCode: response.status, error: `The receiver answered ${response.status}.` };
  } catch (error) {
    // The error's own text may quote the URL; that is the admin's, not a secret. Never the body.
    const message =
      (error as Error)?.name === "TimeoutError"
        ? `No answer within ${timeoutMs / 1000} s.`
        : ((error as Error)?.message ?? "The delivery failed.");
    return { ok: false, statusCode: null, error: message };
  } finally {
    fetcher.close();
  }
}
