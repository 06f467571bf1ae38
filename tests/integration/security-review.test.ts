// The findings of the independent security review (issue 11) that the database and the shared
// domain code close, each with a test that failed before its fix. Numbers follow the issue.
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseKeyRing, type KeyRing } from "../../supabase/functions/_shared/crypto/index.ts";
import { asService } from "../../supabase/functions/_shared/db.ts";
import { checkProviderHealth, type ConnectivityContext } from "../../supabase/functions/_shared/domain/connectivity.ts";
import { acceptInvitation, inviteMember } from "../../supabase/functions/_shared/domain/members.ts";
import { updateOrganizationSettings } from "../../supabase/functions/_shared/domain/organization-settings.ts";
import { createProvider, rotateProviderCredentials, type VaultContext } from "../../supabase/functions/_shared/domain/providers.ts";
import { setReadOnlyCredentials } from "../../supabase/functions/_shared/domain/read-only.ts";
import type { AdapterLoader } from "../../supabase/functions/_shared/providers/index.ts";
import { startDigitalOceanFake, type DigitalOceanFake } from "../fakes/digitalocean.ts";
import { attempt, connect, createUser, FAKE_ENVELOPE, type TestUser } from "../support/db.ts";
import { createPersonas, type Personas } from "../support/personas.ts";
import { refusal } from "../support/refusal.ts";
import { firstRow } from "../support/rows.ts";
import { trustedCidrs } from "../support/stack.ts";

let sql: postgres.Sql;
let p: Personas;
let ring: KeyRing;
const ctx = (user: TestUser): VaultContext => ({ sql, ring, claims: user.claims, trustedCidrs });
const token = (tag: string) => `dop_v1_${tag.repeat(64 / tag.length)}`;

async function seedProvider(name: string, kind = "digitalocean") {
  const row = firstRow(
    await sql<{ id: string }[]>`
    insert into public.cloud_providers (organization_id, name, provider_type, auth_method, credentials, credential_hint, credential_fingerprint)
    values (${p.orgId}, ${name}, ${kind}, 'api_token', ${sql.json(FAKE_ENVELOPE)}, 'hint', ${`fp-${name}`}) returning id`,
  );
  return row.id;
}

beforeAll(async () => {
  sql = connect();
  p = await createPersonas(sql, "sec");
  ring = parseKeyRing("k-sec:" + Buffer.alloc(32, 21).toString("base64"));
  await sql`update public.organizations set allow_http_endpoints = true where id = ${p.orgId}`;
});

afterAll(async () => {
  await sql.end();
});

describe("1. a read-only credential never follows an endpoint change", () => {
  let first: DigitalOceanFake;
  let second: DigitalOceanFake;
  const READ_ONLY = token("0ead");
  const FULL = token("f011");
  const NEW_FULL = token("beef");

  beforeAll(async () => {
    first = await startDigitalOceanFake({ token: READ_ONLY });
    second = await startDigitalOceanFake({ token: NEW_FULL });
  });
  afterAll(async () => {
    await first.close();
    await second.close();
  });

  it("drops the read-only credential when new credentials come with a new endpoint, so checks send it nowhere new", async () => {
    const created = await createProvider(ctx(p.admin), p.orgId, {
      name: "Moving droplets",
      provider_type: "digitalocean",
      api_endpoint: first.url,
      credentials: { access_key: FULL },
    });
    await setReadOnlyCredentials(ctx(p.admin), created.id, { access_key: READ_ONLY });

    const rotated = await rotateProviderCredentials(ctx(p.admin), created.id, { access_key: NEW_FULL }, { apiEndpoint: second.url });
    expect(rotated).toMatchObject({ api_endpoint: second.url, read_only_credential_hint: null });
    const [row] =
      await sql`select read_only_credentials, read_only_credential_hint, read_only_auth_method from public.cloud_providers where id = ${created.id}`;
    expect(row).toEqual({ read_only_credentials: null, read_only_credential_hint: null, read_only_auth_method: null });

    const check = await checkProviderHealth(ctx(p.member), created.id);
    expect(check.result.ok).toBe(true);
    const sent = second.requests.map((request) => request.headers.authorization);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((header) => header === `Bearer ${NEW_FULL}`)).toBe(true);
  });

  it("keeps the read-only credential when only the full one rotates, and clears it on a raw SQL endpoint change too", async () => {
    const created = await createProvider(ctx(p.admin), p.orgId, {
      name: "Staying droplets",
      provider_type: "digitalocean",
      api_endpoint: first.url,
      credentials: { access_key: token("5a5a") },
    });
    await setReadOnlyCredentials(ctx(p.admin), created.id, { access_key: READ_ONLY });
    const rotated = await rotateProviderCredentials(ctx(p.admin), created.id, { access_key: token("6b6b") });
    expect(rotated.read_only_credential_hint).toBe(`…${READ_ONLY.slice(-4)}`);

    const moved = await attempt(
      sql,
      p.admin.claims,
      (tx) => tx`
      update public.cloud_providers set api_endpoint = 'https://elsewhere.example.com', credentials = ${tx.json({ ...FAKE_ENVELOPE, ct: "bmV3" })}
      where id = ${created.id} returning read_only_credential_hint`,
    );
    expect(moved).toMatchObject({ ok: true, value: [{ read_only_credential_hint: null }] });
    // attempt() rolls back; the same update for real, then read what the row holds.
    await sql.begin(async (tx) => {
      await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${JSON.stringify(p.admin.claims)}, true)`;
      await tx`update public.cloud_providers set api_endpoint = 'https://elsewhere.example.com', credentials = ${tx.json({ ...FAKE_ENVELOPE, ct: "bmV3" })} where id = ${created.id}`;
    });
    const [row] = await sql`select read_only_credentials, read_only_credential_hint from public.cloud_providers where id = ${created.id}`;
    expect(row).toEqual({ read_only_credentials: null, read_only_credential_hint: null });
  });
});

describe("2. the private-network allow-list cannot open loopback, metadata or link-local", () => {
  it("refuses such networks in the database, for every persona that may edit settings", async () => {
    for (const cidr of [
      "169.254.169.254/32",
      "127.0.0.0/8",
      "0.0.0.0/0",
      "0.0.0.0/8",
      "fd00:ec2::254/128",
      "::1/128",
      "fe80::/10",
      "::ffff:127.0.0.1/128",
      "8.0.0.0/7",
    ]) {
      const refused = await attempt(
        sql,
        p.owner.claims,
        (tx) => tx`update public.organizations set allowed_private_cidrs = ${[cidr]}::cidr[] where id = ${p.orgId}`,
      );
      expect({ cidr, refused }).toMatchObject({
        cidr,
        refused: { ok: false, code: "23514", message: expect.stringMatching(/organizations_allowed_private_cidrs_allowlistable/) },
      });
    }
    const allowed = await attempt(
      sql,
      p.owner.claims,
      (tx) => tx`
      update public.organizations set allowed_private_cidrs = '{10.20.0.0/16,192.168.1.0/24,fd00:1234::/32}' where id = ${p.orgId} returning allowed_private_cidrs::text[]`,
    );
    expect(allowed).toMatchObject({ ok: true, value: [{ allowed_private_cidrs: ["10.20.0.0/16", "192.168.1.0/24", "fd00:1234::/32"] }] });
  });

  it("answers the settings form and API with a field error that names the entry", async () => {
    const [current] = await sql`
      select allow_http_endpoints, read_only_access_only, horizon_url, credential_warning_days, credential_critical_days,
             health_check_interval_minutes, health_failure_threshold
      from public.organizations where id = ${p.orgId}`;
    const error = await refusal(
      updateOrganizationSettings(ctx(p.owner), p.orgId, { ...current, allowed_private_cidrs: "10.0.0.0/8\n169.254.169.254/32" }),
    );
    expect(error).toMatchObject({
      code: "validation_failed",
      fieldErrors: { allowed_private_cidrs: [expect.stringMatching(/^169\.254\.169\.254\/32: .*can never be allow-listed/)] },
    });
    const after = firstRow(await sql`select allowed_private_cidrs::text[] from public.organizations where id = ${p.orgId}`);
    expect(after.allowed_private_cidrs).not.toContain("10.0.0.0/8");
  });
});

describe("4. every change a client can make to a provider is audited", () => {
  for (const column of ["account_identifier", "credential_fingerprint"] as const) {
    it(`records an admin's update of ${column} alone`, async () => {
      const id = await seedProvider(`audited-${column}`);
      const updated = await sql.begin(async (tx) => {
        await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${JSON.stringify(p.admin.claims)}, true)`;
        return tx`update public.cloud_providers set ${tx({ [column]: `forged-${column}` })} where id = ${id}`;
      });
      expect(updated.count).toBe(1);
      const events =
        await sql`select action, actor_id, metadata -> 'changed' as changed from public.audit_events where target_id = ${id} and action <> 'provider.created'`;
      expect(events).toEqual([{ action: "provider.updated", actor_id: p.admin.id, changed: [column] }]);
    });
  }
});

describe("5. the API roles hold only the table rights they need", () => {
  it("grants anon and authenticated exactly these table privileges, and no TRIGGER, REFERENCES, TRUNCATE or MAINTAIN anywhere", async () => {
    const rows = await sql<{ grantee: string; table_schema: string; table_name: string; privileges: string }[]>`
      select grantee, table_schema, table_name, string_agg(privilege_type, ',' order by privilege_type) as privileges
      from information_schema.role_table_grants
      where grantee in ('anon', 'authenticated') and table_schema in ('public', 'private')
      group by 1, 2, 3 order by 1, 2, 3`;
    const listed = rows.map((r) => `${r.grantee} ${r.table_schema}.${r.table_name}: ${r.privileges}`);
    expect(listed.filter((line) => /TRIGGER|REFERENCES|TRUNCATE|MAINTAIN/.test(line))).toEqual([]);
    expect(listed).toEqual(EXPECTED_TABLE_PRIVILEGES);
  });

  it("refuses an owner who tries to attach a trigger to another tenant's rows", async () => {
    const created = await attempt(
      sql,
      p.owner.claims,
      (tx) => tx`
      create trigger sabotage before insert on public.organization_members for each row execute function private.keep_last_owner()`,
    );
    expect(created).toMatchObject({ ok: false, code: "42501" });
  });
});

describe("6. only the server path that made the call records its result", () => {
  it("refuses every persona who calls the result writers with a forged result", async () => {
    const id = await seedProvider("forged-results", "aws");
    const forgedResources = [{ id: "i-1", name: "x", type: "instance", region: "us-east-1", console_url: "javascript:alert(1)" }];
    for (const persona of ["owner", "admin", "member", "viewer", "outsider"] as const) {
      const claims = p[persona].claims;
      expect(
        await attempt(
          sql,
          claims,
          (tx) => tx`select private.record_health_check(${id}, true, 1, '{"account":"123456789012"}', null, null, null, 'manual')`,
        ),
      ).toMatchObject({ ok: false, code: "42501" });
      expect(
        await attempt(sql, claims, (tx) => tx`select private.record_inventory(${id}, ${tx.json(forgedResources)}, '[]')`),
      ).toMatchObject({ ok: false, code: "42501" });
      expect(await attempt(sql, claims, (tx) => tx`select private.record_provider_events(${id}, '[]', '{}', '[]')`)).toMatchObject({
        ok: false,
        code: "42501",
      });
    }
    const [row] = await sql`select status, account_identifier from public.cloud_providers where id = ${id}`;
    expect(row).toEqual({ status: "pending", account_identifier: null });
  });

  it("stores a console link only when it is https to the cloud's own console", async () => {
    const id = await seedProvider("console-links", "aws");
    const resources = [
      { id: "good", console_url: "https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1#InstanceDetails:instanceId=i-1" },
      { id: "script", console_url: "javascript:alert(document.cookie)" },
      { id: "plain", console_url: "http://us-east-1.console.aws.amazon.com/ec2/home" },
      { id: "lookalike", console_url: "https://console.aws.amazon.com.evil.example/ec2" },
      { id: "userinfo", console_url: "https://console.aws.amazon.com@evil.example/ec2" },
      { id: "other-cloud", console_url: "https://portal.azure.com/#resource/x" },
    ].map((r) => ({ ...r, name: r.id, type: "instance", region: "us-east-1", status: "running" }));
    await asService(sql, (tx) => tx`select private.record_inventory(${id}, ${tx.json(resources)}, '[]')`, p.member.claims);
    const stored = await sql<{ resource_id: string; console_url: string | null }[]>`
      select resource_id, console_url from public.provider_resources where provider_id = ${id} order by resource_id`;
    expect(Object.fromEntries(stored.map((r) => [r.resource_id, r.console_url]))).toEqual({
      good: resources[0]?.console_url,
      lookalike: null,
      "other-cloud": null,
      plain: null,
      script: null,
      userinfo: null,
    });
  });
});

describe("7. the external ID is issued inside the database only", () => {
  it("ignores an external ID a client puts in the session before inserting an AWS provider", async () => {
    const chosen = "ck" + "a".repeat(64);
    const inserted = await attempt(sql, p.admin.claims, async (tx) => {
      await tx`select set_config('cloudkeep.issued_external_id', ${chosen}, true)`;
      return tx`
        insert into public.cloud_providers (organization_id, name, provider_type, auth_method, credentials, credential_hint, credential_fingerprint)
        values (${p.orgId}, 'chosen-external-id', 'aws', 'access_key', ${tx.json(FAKE_ENVELOPE)}, 'hint', 'fp-chosen') returning external_id`;
    });
    expect(inserted.ok).toBe(true);
    const row = firstRow((inserted as unknown as { value: { external_id: string }[] }).value);
    expect(row.external_id).toMatch(/^ck[0-9a-f]{64}$/);
    expect(row.external_id).not.toBe(chosen);
  });

  it("keeps the issued ID where no client can write or read it, and hands it to the provider inserted in the same transaction", async () => {
    expect(
      await attempt(
        sql,
        p.admin.claims,
        (tx) => tx`insert into private.issued_external_ids values (pg_current_xact_id(), ${"ck" + "b".repeat(64)})`,
      ),
    ).toMatchObject({ ok: false, code: "42501" });
    expect(await attempt(sql, p.admin.claims, (tx) => tx`select * from private.issued_external_ids`)).toMatchObject({
      ok: false,
      code: "42501",
    });
    const issued = await attempt(sql, p.admin.claims, async (tx) => {
      const { external_id } = firstRow(await tx<{ external_id: string }[]>`select private.issue_external_id() as external_id`);
      const row = firstRow(
        await tx<{ external_id: string }[]>`
        insert into public.cloud_providers (organization_id, name, provider_type, auth_method, credentials, credential_hint, credential_fingerprint)
        values (${p.orgId}, 'issued-external-id', 'aws', 'access_key', ${tx.json(FAKE_ENVELOPE)}, 'hint', 'fp-issued') returning external_id`,
      );
      return { issued: external_id, stored: row.external_id };
    });
    expect(issued.ok).toBe(true);
    const value = (issued as { value: { issued: string; stored: string } }).value;
    expect(value.stored).toBe(value.issued);
  });
});

describe("8. the endpoint and the credential of a live call come from one statement", () => {
  it("never pairs credentials rotated mid-call with the old endpoint", async () => {
    const created = await createProvider(ctx(p.admin), p.orgId, {
      name: "Racing droplets",
      provider_type: "digitalocean",
      api_endpoint: "http://old.example.test",
      credentials: { access_key: token("01d0") },
    });
    const seen: { endpoint: string | null; token: unknown }[] = [];
    const adapters: AdapterLoader = async () =>
      ({
        checkHealth: async (credentials: { access_key: string }, context: { apiEndpoint: string | null }) => {
          seen.push({ endpoint: context.apiEndpoint, token: credentials.access_key });
          return { ok: true, latencyMs: 1, checkedAt: new Date().toISOString(), identity: { account: "racer" } };
        },
      }) as never;
    // A rotation commits exactly between the provider read and the credential read of the check.
    const racing = new Proxy(sql, {
      get(target, key, receiver) {
        if (key !== "begin") return Reflect.get(target, key, receiver);
        return (run: (tx: postgres.TransactionSql) => Promise<unknown>) =>
          target.begin((tx) => {
            const hooked = new Proxy(tx, {
              apply(fn, self, args: [TemplateStringsArray, ...unknown[]]) {
                if (Array.isArray(args[0]) && args[0].join("").includes("read_provider_credentials")) {
                  return rotateProviderCredentials(
                    ctx(p.admin),
                    created.id,
                    { access_key: token("5e11") },
                    { apiEndpoint: "http://new.example.test" },
                  ).then(() => Reflect.apply(fn, self, args));
                }
                return Reflect.apply(fn, self, args);
              },
            });
            return run(hooked);
          });
      },
    });
    const live: ConnectivityContext = { sql: racing as postgres.Sql, ring, claims: p.member.claims, adapters, trustedCidrs };
    await checkProviderHealth(live, created.id);
    expect(seen).toEqual([{ endpoint: "http://new.example.test", token: token("5e11") }]);
  });
});

describe("12. only a confirmed address accepts an invitation", () => {
  const inviteAndAccept = async (user: TestUser, email: string) => {
    const { token: link } = await inviteMember({ sql, claims: p.admin.claims }, p.orgId, { email, role: "member" });
    return (await acceptInvitation({ sql, claims: user.claims }, link)).status;
  };

  it("refuses an address applied without confirmation (autoconfirm, insecure email change)", async () => {
    const user = await createUser(sql, "switcher");
    const target = `victim-${user.id.slice(0, 8)}@example.test`;
    // What an auth server that applies email changes at once writes: the new address, still "confirmed".
    await sql`update auth.users set email = ${target}, email_confirmed_at = now() where id = ${user.id}`;
    expect(await inviteAndAccept(user, target)).toBe("unconfirmed");
    const [member] = await sql`select 1 from public.organization_members where organization_id = ${p.orgId} and user_id = ${user.id}`;
    expect(member).toBeUndefined();
  });

  it("accepts an address confirmed through the auth server's email change flow", async () => {
    const user = await createUser(sql, "mover");
    const target = `moved-${user.id.slice(0, 8)}@example.test`;
    await sql`update auth.users set email_change = ${target}, email_change_sent_at = now() where id = ${user.id}`;
    await sql`update auth.users set email = email_change, email_change = '' where id = ${user.id}`;
    expect(await inviteAndAccept(user, target)).toBe("accepted");
  });
});

// Table-level rights of the API roles, as migrated. Column-level rights (which columns a client may
// read or write) are tested with each table's RLS tests.
const EXPECTED_TABLE_PRIVILEGES = [
  "authenticated public.audit_events: SELECT",
  "authenticated public.cloud_providers: DELETE",
  "authenticated public.health_sweeps: SELECT",
  "authenticated public.notifications: SELECT",
  "authenticated public.organization_members: DELETE,SELECT",
  "authenticated public.organization_webhooks: DELETE",
  "authenticated public.organizations: DELETE,SELECT",
  "authenticated public.provider_discovered_accounts: SELECT",
  "authenticated public.provider_discovery_runs: SELECT",
  "authenticated public.provider_event_imports: SELECT",
  "authenticated public.provider_events: SELECT",
  "authenticated public.provider_health_checks: SELECT",
  "authenticated public.provider_inventory: SELECT",
  "authenticated public.provider_resource_counts: SELECT",
  "authenticated public.provider_resource_tag_counts: SELECT",
  "authenticated public.provider_resources: SELECT",
  "authenticated public.provider_status_events: SELECT",
  "authenticated public.webhook_deliveries: SELECT",
];
