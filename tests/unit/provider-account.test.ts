// The provider page's Account row: for AWS access keys the stored identifier is the key id, so the page
// shows the account id the last good health check learned and leaves the key id to the credential hint.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ProviderDetailsCard, ProviderHealthCard, providerAccount } from "../../components/providers/provider-overview.tsx";
import type { HealthCheck } from "../../lib/db/queries/connectivity.ts";
import { captures } from "../../supabase/functions/_shared/captures.ts";
import type { ProviderRecord } from "../../supabase/functions/_shared/domain/providers.ts";

const now = new Date("2026-11-22T12:00:00Z");

function provider(overrides: Partial<ProviderRecord> = {}): ProviderRecord {
  return {
    id: "7d4a2c10-0000-4000-8000-000000000001",
    organization_id: "7d4a2c10-0000-4000-8000-000000000002",
    name: "Production AWS",
    provider_type: "aws",
    api_endpoint: null,
    auth_method: "access_key",
    credential_hint: "AKIA…0001",
    read_only_credential_hint: null,
    read_only_auth_method: null,
    external_id: null,
    credential_fingerprint: "f".repeat(64),
    account_identifier: "AKIAFAKEEXAMPLE00001",
    environment: "production",
    regions: [],
    status: "healthy",
    last_checked_at: now,
    last_error_code: null,
    last_error_message: null,
    credentials_rotated_at: null,
    credentials_expires_at: null,
    created_by: null,
    created_at: new Date("2026-11-01T00:00:00Z"),
    updated_at: now,
    organization_scope: null,
    parent_provider_id: null,
    federation_subject_id: null,
    ...overrides,
  };
}

const goodCheck = { ok: true, identity: { account: "123456789012", label: "arn:aws:iam::123456789012:user/reader" } };
const failedCheck = { ok: false, identity: null };

/** The text of the definition that follows the term `term`. */
function row(html: string, term: string): string {
  const match = new RegExp(`<dt[^>]*>${term}</dt>\\s*<dd[^>]*>([\\s\\S]*?)</dd>`).exec(html);
  if (!match) throw new Error(`no "${term}" row in ${html}`);
  return captures(match, 1)[0].replace(/<[^>]+>/g, "");
}

describe("the provider page's account", () => {
  it("shows the AWS account id the last good check learned, not the access key id", () => {
    const html = renderToStaticMarkup(createElement(ProviderDetailsCard, { provider: provider(), checks: [failedCheck, goodCheck], now }));
    expect(row(html, "Account")).toBe("123456789012");
    expect(row(html, "Account")).not.toContain("AKIA");
    expect(row(html, "Credential hint")).toBe("AKIA…0001");
  });

  it("says the AWS account is known after a successful check while none has passed", () => {
    const html = renderToStaticMarkup(createElement(ProviderDetailsCard, { provider: provider(), checks: [failedCheck], now }));
    expect(row(html, "Account")).toBe("Known after the first successful check");
  });

  it("keeps the stored account for roles and other kinds, where it is the account", () => {
    expect(providerAccount(provider({ auth_method: "assume_role", account_identifier: "444455556666" }), null)).toBe("444455556666");
    expect(
      providerAccount(
        provider({ provider_type: "digitalocean", auth_method: "token", account_identifier: "b6fr89db" }),
        goodCheck.identity,
      ),
    ).toBe("b6fr89db");
    expect(providerAccount(provider({ auth_method: "session_token" }), goodCheck.identity)).toBe("123456789012");
  });
});

describe("the provider page's health warning", () => {
  const check = (details: Record<string, string>): HealthCheck => ({
    id: "1",
    checked_at: now,
    ok: true,
    latency_ms: 120,
    identity: { account: "99999999-8888-4777-8666-555555555555", label: "Contoso", details },
    error_code: null,
    error_message: null,
    error_hint: null,
    trigger: "manual",
  });

  it("shows the warning a passing check carried (an Azure subscription PastDue)", () => {
    const warning = "The subscription is PastDue: a payment is overdue.";
    const html = renderToStaticMarkup(
      createElement(ProviderHealthCard, { provider: provider({ provider_type: "azure" }), checks: [check({ warning })], now }),
    );
    expect(row(html, "Warning")).toBe(warning);
  });

  it("shows no warning row when the check had none", () => {
    const html = renderToStaticMarkup(
      createElement(ProviderHealthCard, { provider: provider({ provider_type: "azure" }), checks: [check({})], now }),
    );
    expect(html).not.toContain(">Warning<");
  });
});
