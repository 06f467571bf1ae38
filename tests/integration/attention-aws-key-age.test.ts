// "Needs attention" ages an AWS access key by when IAM says it was created (the last good health check's
// identity.details.key_created_at), not by when it was added to Cloudkeep — but only a check made since
// the last rotation counts, since an older one described the key that was replaced.
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectNeedsAttention } from "../../supabase/functions/_shared/domain/attention.ts";
import { withRls } from "../../supabase/functions/_shared/db.ts";
import { FAKE_ENVELOPE, connect } from "../support/db.ts";
import { createPersonas, type Personas } from "../support/personas.ts";
import { firstRow } from "../support/rows.ts";

let sql: postgres.Sql;
let p: Personas;
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000);

/** An AWS provider added today, with one health check that says when its key was created. */
async function awsProvider(name: string, check: { ok: boolean; keyCreatedDaysAgo: number; checkedDaysAgo?: number }) {
  const { id } = firstRow(
    await sql<{ id: string }[]>`
    insert into public.cloud_providers (organization_id, name, provider_type, auth_method, credentials, credential_fingerprint, credential_hint)
    values (${p.orgId}, ${name}, 'aws', 'access_key', ${sql.json(FAKE_ENVELOPE)}, ${`k1:${name}`}, '…0001')
    returning id`,
  );
  const identity = { account: "123456789012", details: { key_created_at: daysAgo(check.keyCreatedDaysAgo).toISOString() } };
  await sql`
    insert into public.provider_health_checks (organization_id, provider_id, checked_at, ok, identity)
    values (${p.orgId}, ${id}, ${daysAgo(check.checkedDaysAgo ?? 0)}, ${check.ok}, ${check.ok ? sql.json(identity) : null})`;
  return id;
}

const reasonsByName = async () => {
  const items = await withRls(sql, p.member.claims, (tx) => selectNeedsAttention(tx, p.orgId));
  return Object.fromEntries(items.map((item) => [item.provider.name, item.reasons.filter((reason) => reason.kind === "old")]));
};

beforeAll(async () => {
  sql = connect();
  p = await createPersonas(sql, "keyage");
  await sql`update public.organizations set credential_warning_days = 60, credential_critical_days = 90 where id = ${p.orgId}`;
});
afterAll(() => sql.end());

describe("the age of an AWS access key in needs attention", () => {
  it("flags a key added today that IAM says is 200 days old as past the critical limit, naming its creation date", async () => {
    await awsProvider("Old IAM key", { ok: true, keyCreatedDaysAgo: 200 });
    const [reason] = (await reasonsByName())["Old IAM key"] ?? [];
    expect(reason).toMatchObject({
      severity: "critical",
      message: expect.stringMatching(/^The access key \(created \d{4}-\d{2}-\d{2}\) is 200 days old, past the 90-day limit\.$/),
    });
  });

  it("warns about a key IAM says is 70 days old", async () => {
    await awsProvider("Ageing IAM key", { ok: true, keyCreatedDaysAgo: 70 });
    expect((await reasonsByName())["Ageing IAM key"]).toEqual([
      expect.objectContaining({ severity: "warning", message: expect.stringContaining("is 70 days old.") }),
    ]);
  });

  it("leaves out a key IAM says is new", async () => {
    await awsProvider("Fresh IAM key", { ok: true, keyCreatedDaysAgo: 3 });
    expect((await reasonsByName())["Fresh IAM key"]).toBeUndefined();
  });

  it("ignores a check made before the last rotation, which saw the replaced key", async () => {
    const id = await awsProvider("Rotated IAM key", { ok: true, keyCreatedDaysAgo: 300, checkedDaysAgo: 2 });
    await sql`update public.cloud_providers set credentials_rotated_at = ${daysAgo(1)} where id = ${id}`;
    expect((await reasonsByName())["Rotated IAM key"]).toBeUndefined();
  });

  it("shows nothing to someone outside the organization", async () => {
    expect(await withRls(sql, p.outsider.claims, (tx) => selectNeedsAttention(tx, p.orgId))).toEqual([]);
  });
});
