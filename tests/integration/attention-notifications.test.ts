// Notifications when a provider fails, recovers, or its credential expires or ages; the
// organization's signed webhook with retries and a delivery log; settings; "Needs attention";
// and who may read or write each of these, per persona.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseKeyRing, type KeyRing } from "../../supabase/functions/_shared/crypto/index.ts";
import { selectNeedsAttention, selectNotifications } from "../../supabase/functions/_shared/domain/attention.ts";
import { updateOrganizationSettings } from "../../supabase/functions/_shared/domain/organization-settings.ts";
import type { VaultContext } from "../../supabase/functions/_shared/domain/providers.ts";
import {
  deliverWebhooks,
  rotateWebhookSecret,
  saveWebhook,
  verifyWebhookSignature,
} from "../../supabase/functions/_shared/domain/webhooks.ts";
import { withRls } from "../../supabase/functions/_shared/db.ts";
import { rotateKeys } from "../../scripts/keys-rotate.ts";
import { FAKE_ENVELOPE, affected, attempt, connect, type TestUser } from "../support/db.ts";
import { createPersonas, type Personas } from "../support/personas.ts";
import { refusal } from "../support/refusal.ts";
import { firstRow } from "../support/rows.ts";
import { trustedCidrs } from "../support/stack.ts";

let sql: postgres.Sql;
let p: Personas;
let ring: KeyRing;
const ctx = (user: TestUser, keyRing = ring): VaultContext => ({ sql, ring: keyRing, claims: user.claims, trustedCidrs });
type Claims = TestUser["claims"] | null;

type Received = { headers: IncomingMessage["headers"]; body: string };
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
let answers: number[] = [];

async function provider(name: string, values: { status?: string; expires?: Date | null; createdDaysAgo?: number } = {}) {
  const { id } = firstRow(
    await sql<{ id: string }[]>`
    insert into public.cloud_providers (organization_id, name, provider_type, auth_method, credentials, credential_fingerprint, credential_hint,
                                        credentials_expires_at, created_at)
    values (${p.orgId}, ${name}, 'vultr', 'api_token', ${sql.json(FAKE_ENVELOPE)}, ${`k1:${name}`}, '…abcd',
            ${values.expires ?? null}, now() - make_interval(days => ${values.createdDaysAgo ?? 0}))
    returning id`,
  );
  if (values.status)
    await sql`update public.cloud_providers set status = ${values.status}, last_error_message = 'Vultr refused the API key.' where id = ${id}`;
  return id;
}

const days = (n: number) => new Date(Date.now() + n * 86_400_000);

beforeAll(async () => {
  sql = connect();
  p = await createPersonas(sql, "attn");
  ring = parseKeyRing("k-a:" + Buffer.alloc(32, 9).toString("base64"));
  receiver = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      received.push({ headers: request.headers, body });
      response.writeHead(answers.shift() ?? 204).end();
    });
  });
  await new Promise<void>((done) => receiver.listen(0, "127.0.0.1", done));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/cloudkeep`;
  await sql`update public.organizations set allow_http_endpoints = true where id = ${p.orgId}`;
});

afterAll(async () => {
  await new Promise((done) => receiver.close(done));
  await sql.end();
});

describe("notifications", () => {
  it("announces a provider that turns failed, and again when it recovers", async () => {
    const id = await provider("Flaky Vultr");
    await sql`update public.cloud_providers set status = 'failed', last_error_message = 'Vultr refused the API key.' where id = ${id}`;
    await sql`update public.cloud_providers set status = 'healthy', last_error_message = null where id = ${id}`;
    const rows = await sql`select kind, severity, title, body from public.notifications where provider_id = ${id} order by id`;
    expect(rows.map((r) => r.kind)).toEqual(["provider.failed", "provider.recovered"]);
    expect(rows[0]).toMatchObject({ severity: "critical", title: "Flaky Vultr is failing", body: "Vultr refused the API key." });
  });

  it("announces expiring, expired and old credentials once each, however often the scan runs", async () => {
    const expiring = await provider("Expiring Azure", { expires: days(10) });
    const expired = await provider("Expired Azure", { expires: days(-1) });
    const old = await provider("Old keys", { createdDaysAgo: 95 });
    const aging = await provider("Aging keys", { createdDaysAgo: 65 });
    const fresh = await provider("Fresh keys");
    const { sent } = firstRow(await sql`select private.scan_credential_alerts() as sent`);
    expect(sent).toBeGreaterThanOrEqual(4);
    const kinds = async (id: string) =>
      (await sql`select kind, severity from public.notifications where provider_id = ${id}`).map((r) => `${r.kind}/${r.severity}`);
    expect(await kinds(expiring)).toEqual(["credential.expiring/warning"]);
    expect(await kinds(expired)).toEqual(["credential.expired/critical"]);
    expect(await kinds(old)).toEqual(["credential.old/critical"]);
    expect(await kinds(aging)).toEqual(["credential.old/warning"]);
    expect(await kinds(fresh)).toEqual([]);
    const { again } = firstRow(await sql`select private.scan_credential_alerts() as again`);
    expect(again).toBe(0);
  });

  it("is readable by everyone in the organization and written by nobody", async () => {
    const count = async (claims: Claims) => {
      const r = await attempt(sql, claims, (tx) => tx`select id from public.notifications where organization_id = ${p.orgId}`);
      return r.ok ? r.value.length : r.code;
    };
    expect(await count(null)).toBe("42501");
    expect(await count(p.outsider.claims)).toBe(0);
    for (const persona of [p.viewer, p.member, p.admin, p.owner]) expect(await count(persona.claims)).toBeGreaterThan(0);
    for (const persona of [p.viewer, p.admin, p.owner]) {
      const insert = await attempt(
        sql,
        persona.claims,
        (tx) => tx`
        insert into public.notifications (organization_id, kind, severity, title, body) values (${p.orgId}, 'provider.failed', 'critical', 'x', 'y')`,
      );
      expect(insert).toMatchObject({ ok: false, code: "42501" });
      expect(
        await affected(sql, persona.claims, (tx) => tx`update public.notifications set title = 'x' where organization_id = ${p.orgId}`),
      ).toMatchObject({ ok: false, code: "42501" });
      expect(
        await affected(sql, persona.claims, (tx) => tx`delete from public.notifications where organization_id = ${p.orgId}`),
      ).toMatchObject({ ok: false, code: "42501" });
    }
    const viaDomain = await withRls(sql, p.viewer.claims, (tx) => selectNotifications(tx, p.orgId));
    expect(viaDomain[0]).toMatchObject({ kind: expect.any(String), title: expect.any(String) });
  });
});

describe("the webhook", () => {
  let secret: string;

  it("shows its signing secret once, and nobody can read it back", async () => {
    const saved = await saveWebhook(ctx(p.admin), p.orgId, { url: receiverUrl });
    expect(saved.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    secret = saved.secret!;
    expect(saved.webhook.secret_hint).toBe(`whsec_…${secret.slice(-4)}`);
    const again = await saveWebhook(ctx(p.admin), p.orgId, { url: receiverUrl, enabled: true });
    expect(again.secret).toBeNull();
    const read = await attempt(
      sql,
      p.owner.claims,
      (tx) => tx`select secret from public.organization_webhooks where organization_id = ${p.orgId}`,
    );
    expect(read).toMatchObject({ ok: false, code: "42501" });
    const row = firstRow(await sql`select secret from public.organization_webhooks where organization_id = ${p.orgId}`);
    expect(JSON.stringify(row.secret)).not.toContain(secret.slice(6));
    const audit = firstRow(
      await sql`select action, metadata from public.audit_events where organization_id = ${p.orgId} and action like 'webhook.%' order by id limit 1`,
    );
    expect(audit.action).toBe("webhook.created");
    expect(JSON.stringify(audit.metadata)).not.toContain(secret.slice(6));
  });

  it("refuses a URL that is not https when the organization does not allow http, and members altogether", async () => {
    await sql`update public.organizations set allow_http_endpoints = false where id = ${p.orgId}`;
    try {
      const r = await refusal(saveWebhook(ctx(p.admin), p.orgId, { url: receiverUrl }));
      expect(r.fieldErrors?.url?.[0]).toMatch(/https/);
    } finally {
      await sql`update public.organizations set allow_http_endpoints = true where id = ${p.orgId}`;
    }
    expect((await refusal(saveWebhook(ctx(p.member), p.orgId, { url: "https://hooks.example.com" }))).code).toBe("forbidden");
    expect((await refusal(saveWebhook(ctx(p.admin), p.orgId, { url: "https://user:pw@hooks.example.com" }))).fieldErrors).toHaveProperty(
      "url",
    );
  });

  it("delivers a notification signed with the secret, retrying after a 500, and logs each try", async () => {
    received.length = 0;
    answers = [500];
    const id = await provider("Webhook Vultr");
    await sql`update public.cloud_providers set status = 'failed', last_error_message = 'Vultr refused the API key.' where id = ${id}`;

    const first = await deliverWebhooks({ sql, ring, trustedCidrs, baseBackoffMs: 0 });
    expect(first).toEqual({ delivered: 0, retrying: 1, failed: 0 });
    const second = await deliverWebhooks({ sql, ring, trustedCidrs, baseBackoffMs: 0 });
    expect(second).toEqual({ delivered: 1, retrying: 0, failed: 0 });

    expect(received).toHaveLength(2);
    const last = received[1]!;
    expect(last.headers["cloudkeep-event"]).toBe("provider.failed");
    expect(await verifyWebhookSignature(secret, last.headers["cloudkeep-signature"] as string, last.body)).toBe(true);
    expect(await verifyWebhookSignature(secret, last.headers["cloudkeep-signature"] as string, last.body.replace("failing", "fine"))).toBe(
      false,
    );
    expect(await verifyWebhookSignature("whsec_wrong", last.headers["cloudkeep-signature"] as string, last.body)).toBe(false);
    expect(JSON.parse(last.body)).toMatchObject({
      type: "provider.failed",
      provider: { id, name: "Webhook Vultr", status: "failed" },
      organization: { id: p.orgId },
    });

    const [log] =
      await sql`select status, attempts, last_status_code from public.webhook_deliveries d join public.notifications n on n.id = d.notification_id where n.provider_id = ${id}`;
    expect(log).toMatchObject({ status: "delivered", attempts: 2, last_status_code: 204 });
  });

  it("gives up after the last attempt and says why", async () => {
    answers = [503, 503, 503];
    const id = await provider("Doomed Vultr");
    await sql`update public.cloud_providers set status = 'failed' where id = ${id}`;
    for (let i = 0; i < 3; i++) await deliverWebhooks({ sql, ring, trustedCidrs, baseBackoffMs: 0, maxAttempts: 3 });
    const [log] =
      await sql`select status, attempts, last_error from public.webhook_deliveries d join public.notifications n on n.id = d.notification_id where n.provider_id = ${id}`;
    expect(log).toMatchObject({ status: "failed", attempts: 3, last_error: "The receiver answered 503." });
  });

  it("refuses to deliver to a private address the organization did not allow, sending nothing", async () => {
    await saveWebhook(ctx(p.admin), p.orgId, { url: receiverUrl.replace("127.0.0.1", "127.0.0.2") });
    received.length = 0;
    const id = await provider("Refused Vultr");
    await sql`update public.cloud_providers set status = 'failed' where id = ${id}`;
    await deliverWebhooks({ sql, ring, trustedCidrs, baseBackoffMs: 0 });
    expect(received).toHaveLength(0);
    const log = firstRow(
      await sql`select status, last_error from public.webhook_deliveries d join public.notifications n on n.id = d.notification_id where n.provider_id = ${id}`,
    );
    expect(log.last_error).toMatch(/loopback|private|not allowed/i);
    await saveWebhook(ctx(p.admin), p.orgId, { url: receiverUrl });
  });

  it("rotates its secret (shown once) and keys:rotate re-wraps it without an audit event", async () => {
    const rotated = await rotateWebhookSecret(ctx(p.admin), p.orgId);
    expect(rotated.secret).not.toBe(secret);
    const next = parseKeyRing(`k-b:${Buffer.alloc(32, 10).toString("base64")},k-a:${Buffer.alloc(32, 9).toString("base64")}`);
    const { before } = firstRow(await sql`select count(*)::int as before from public.audit_events where organization_id = ${p.orgId}`);
    await rotateKeys(sql, next);
    const row = firstRow(await sql`select secret ->> 'kid' as kid from public.organization_webhooks where organization_id = ${p.orgId}`);
    expect(row.kid).toBe("k-b");
    const { after } = firstRow(await sql`select count(*)::int as after from public.audit_events where organization_id = ${p.orgId}`);
    expect(after).toBe(before);
    // Still deliverable under the new ring alone.
    received.length = 0;
    const id = await provider("After rotation");
    await sql`update public.cloud_providers set status = 'failed' where id = ${id}`;
    await deliverWebhooks({ sql, trustedCidrs, ring: parseKeyRing(`k-b:${Buffer.alloc(32, 10).toString("base64")}`), baseBackoffMs: 0 });
    expect(await verifyWebhookSignature(rotated.secret, received[0]!.headers["cloudkeep-signature"] as string, received[0]!.body)).toBe(
      true,
    );
    ring = next;
  });

  it("is configured by admins and owners only, and its delivery log read by them only", async () => {
    const see = async (claims: Claims, table: "organization_webhooks" | "webhook_deliveries") => {
      const r = await attempt(
        sql,
        claims,
        (tx) => tx`select organization_id from ${tx(`public.${table}`)} where organization_id = ${p.orgId}`,
      );
      return r.ok ? r.value.length : r.code;
    };
    for (const persona of [p.admin, p.owner]) {
      expect(await see(persona.claims, "organization_webhooks")).toBe(1);
      expect(await see(persona.claims, "webhook_deliveries")).toBeGreaterThan(0);
      expect(
        await affected(
          sql,
          persona.claims,
          (tx) => tx`update public.organization_webhooks set enabled = false where organization_id = ${p.orgId}`,
        ),
      ).toMatchObject({ ok: true, count: 1 });
      expect(
        await affected(sql, persona.claims, (tx) => tx`delete from public.organization_webhooks where organization_id = ${p.orgId}`),
      ).toMatchObject({ ok: true, count: 1 });
    }
    for (const persona of [p.member, p.viewer, p.outsider]) {
      expect(await see(persona.claims, "organization_webhooks")).toBe(0);
      expect(await see(persona.claims, "webhook_deliveries")).toBe(0);
      expect(
        await affected(
          sql,
          persona.claims,
          (tx) => tx`update public.organization_webhooks set url = 'https://evil.example' where organization_id = ${p.orgId}`,
        ),
      ).toMatchObject({ ok: true, count: 0 });
      const insert = await attempt(
        sql,
        persona.claims,
        (tx) => tx`
        insert into public.organization_webhooks (organization_id, url, secret, secret_hint) values (${p.orgId}, 'https://evil.example', ${tx.json(FAKE_ENVELOPE)}, 'x')`,
      );
      expect(insert).toMatchObject({ ok: false, code: "42501" });
    }
    expect(await see(null, "organization_webhooks")).toBe("42501");
    for (const persona of [p.admin, p.owner, p.member]) {
      const write = await attempt(
        sql,
        persona.claims,
        (tx) => tx`update public.webhook_deliveries set status = 'delivered' where organization_id = ${p.orgId}`,
      );
      expect(write).toMatchObject({ ok: false, code: "42501" });
    }
  });
});

describe("settings and needs attention", () => {
  it("lets admins allow-list networks and set credential ages, refusing bad values with the field named, and audits the change", async () => {
    const r = await refusal(updateOrganizationSettings(ctx(p.admin), p.orgId, { allowed_private_cidrs: "10.0.0.0/8, 300.1.2.0/24" }));
    expect(r.code).toBe("validation_failed");
    expect(Object.keys(r.fieldErrors ?? {})[0]).toMatch(/^allowed_private_cidrs/);
    const order = await refusal(updateOrganizationSettings(ctx(p.admin), p.orgId, { credential_warning_days: 120 }));
    expect(order.fieldErrors).toHaveProperty("credential_warning_days");
    expect((await refusal(updateOrganizationSettings(ctx(p.member), p.orgId, { allow_http_endpoints: true }))).code).toBe("forbidden");

    const saved = await updateOrganizationSettings(ctx(p.admin), p.orgId, {
      allowed_private_cidrs: "192.168.10.0/24\n10.20.0.0/16",
      horizon_url: "https://horizon.example.com",
      credential_warning_days: 45,
      credential_critical_days: 80,
    });
    expect(saved).toMatchObject({
      allowed_private_cidrs: ["192.168.10.0/24", "10.20.0.0/16"],
      horizon_url: "https://horizon.example.com",
      credential_warning_days: 45,
    });
    const audit = firstRow(
      await sql`select metadata from public.audit_events where organization_id = ${p.orgId} and action = 'organization.settings_updated' order by id desc limit 1`,
    );
    expect(audit.metadata.changed).toMatchObject({ credential_warning_days: { from: 60, to: 45 } });
    await updateOrganizationSettings(ctx(p.admin), p.orgId, { credential_warning_days: 60, credential_critical_days: 90 });
  });

  it("lists failing, expiring and old credentials with what to do, and leaves healthy and suspended ones out", async () => {
    const items = await withRls(sql, p.viewer.claims, (tx) => selectNeedsAttention(tx, p.orgId));
    const byName = Object.fromEntries(items.map((item) => [item.provider.name, item.reasons.map((reason) => reason.kind)]));
    expect(byName["Expiring Azure"]).toEqual(["expiring"]);
    expect(byName["Expired Azure"]).toEqual(["expired"]);
    expect(byName["Old keys"]).toEqual(["old"]);
    expect(byName["Webhook Vultr"]).toEqual(["failing"]);
    expect(byName["Fresh keys"]).toBeUndefined();
    expect(byName["Flaky Vultr"]).toBeUndefined();
    expect(items[0]?.reasons[0]?.severity).toBe("critical");
    for (const item of items) for (const reason of item.reasons) expect(reason.action.length).toBeGreaterThan(10);

    await sql`update public.cloud_providers set status = 'suspended' where name = 'Old keys' and organization_id = ${p.orgId}`;
    const after = await withRls(sql, p.viewer.claims, (tx) => selectNeedsAttention(tx, p.orgId));
    expect(after.map((item) => item.provider.name)).not.toContain("Old keys");
    expect(await withRls(sql, p.outsider.claims, (tx) => selectNeedsAttention(tx, p.orgId))).toEqual([]);
  });
});
