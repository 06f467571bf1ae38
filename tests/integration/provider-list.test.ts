// The providers list as the portal and the API read it: one page in name order, the total
// that matches, filters, RLS, and a query plan that reads one page rather than the whole
// organization (the misestimate under RLS that made it sort every row is pinned here).
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withRls } from "../../supabase/functions/_shared/db.ts";
import { PROVIDERS_PAGE_SIZE, providerPageQuery, selectProviderPage } from "../../supabase/functions/_shared/domain/provider-queries.ts";
import { FAKE_ENVELOPE, connect } from "../support/db.ts";
import { createPersonas, type Personas } from "../support/personas.ts";
import { firstRow } from "../support/rows.ts";

let sql: postgres.Sql;
let p: Personas;
const PROVIDERS = 300;
const FILLER_ORGS = 2_000;
let fillerOrgs: string[] = [];
type PlanNode = { "Node Type": string; "Parent Relationship"?: string; "Index Name"?: string; Plans?: PlanNode[] };

beforeAll(async () => {
  sql = connect();
  p = await createPersonas(sql, "list");
  // Names in a different order than insertion, three statuses, two environments.
  const seed = (org: string, count: number, prefix: string) => sql`
    insert into public.cloud_providers (organization_id, name, provider_type, auth_method, credentials, credential_fingerprint, credential_hint, status, environment)
    select ${org}, ${prefix} || lpad(((g * 7919) % ${count})::text, 4, '0'), 'digitalocean', 'api_token', ${sql.json(FAKE_ENVELOPE)}, ${prefix} || g,
           '…' || lpad(g::text, 4, '0'),
           (array['healthy', 'failed', 'pending']::public.provider_status[])[1 + g % 3],
           (array['production', 'staging']::public.provider_environment[])[1 + g % 2]
    from generate_series(0, ${count - 1}) g`;
  await sql.begin(async (tx) => {
    await tx`select set_config('request.jwt.claims', '{"role":"service_role"}', true)`;
    await seed(p.orgId, PROVIDERS, "do-");
    // Many small organizations, as in production: with thousands of distinct organization
    // ids the planner's estimate under RLS drops to about one row, which is what once made
    // it pick another index and sort. Suspended, so no health sweep of another test claims them.
    ({ ids: fillerOrgs } = firstRow(
      await tx<{ ids: string[] }[]>`
      with orgs as (
        insert into public.organizations (slug, name, created_by)
        select 'list-filler-' || ${p.orgId.slice(0, 8)} || '-' || g, 'Filler ' || g, ${p.outsider.id} from generate_series(1, ${FILLER_ORGS}) g
        returning id
      ), providers as (
        insert into public.cloud_providers (organization_id, name, provider_type, auth_method, credentials, credential_fingerprint, status)
        select o.id, 'filler-' || g, 'digitalocean', 'api_token', ${tx.json(FAKE_ENVELOPE)}, 'filler-' || g, 'suspended'
        from orgs o cross join generate_series(1, 3) g
      )
      select array_agg(id) as ids from orgs`,
    ));
  });
  await sql`analyze public.cloud_providers`;
});

afterAll(async () => {
  await sql`delete from public.organizations where id = any(${[p.orgId, p.outsiderOrgId, ...fillerOrgs]}::uuid[])`;
  await sql.end();
});

describe("the providers page query", () => {
  it("returns one page in name order with the organization's total", async () => {
    const first = await withRls(sql, p.viewer.claims, (tx) => selectProviderPage(tx, p.orgId, {}));
    expect(first.total).toBe(PROVIDERS);
    expect(first.providers.map((row) => row.name)).toEqual(
      Array.from({ length: PROVIDERS_PAGE_SIZE }, (_, i) => `do-${String(i).padStart(4, "0")}`),
    );
    const last = await withRls(sql, p.viewer.claims, (tx) =>
      selectProviderPage(tx, p.orgId, { page: Math.ceil(PROVIDERS / PROVIDERS_PAGE_SIZE) }),
    );
    expect(last.providers).toHaveLength(PROVIDERS % PROVIDERS_PAGE_SIZE);
    expect(last.providers.at(-1)?.name).toBe(`do-${String(PROVIDERS - 1).padStart(4, "0")}`);
  });

  it("counts what the filters match, also past the last page", async () => {
    const healthy = await withRls(sql, p.member.claims, (tx) =>
      selectProviderPage(tx, p.orgId, { status: "healthy", environment: "production" }),
    );
    expect(healthy.total).toBe(50); // g % 3 = 0 and g % 2 = 0: every sixth of 300
    expect(healthy.providers.every((row) => row.status === "healthy" && row.environment === "production")).toBe(true);
    const searched = await withRls(sql, p.member.claims, (tx) => selectProviderPage(tx, p.orgId, { q: "do-001" }));
    expect(searched.total).toBe(10);
    const beyond = await withRls(sql, p.member.claims, (tx) => selectProviderPage(tx, p.orgId, { status: "failed", page: 40 }));
    expect(beyond).toMatchObject({ providers: [], total: 100, page: 40 });
  });

  it("treats search text literally, wildcards included", async () => {
    const percent = await withRls(sql, p.member.claims, (tx) => selectProviderPage(tx, p.orgId, { q: "%" }));
    const underscore = await withRls(sql, p.member.claims, (tx) => selectProviderPage(tx, p.orgId, { q: "do_" }));
    expect([percent.total, underscore.total]).toEqual([0, 0]);
  });

  it("shows an outsider nothing, not even the count", async () => {
    const page = await withRls(sql, p.outsider.claims, (tx) => selectProviderPage(tx, p.orgId, {}));
    expect(page).toMatchObject({ providers: [], total: 0 });
  });

  it("reads one page from the name index under RLS instead of sorting the organization", async () => {
    const plan = await withRls(sql, p.member.claims, async (tx) => {
      const row = firstRow(await tx<{ "QUERY PLAN": [{ Plan: PlanNode }] }[]>`explain (format json) ${providerPageQuery(tx, p.orgId, {})}`);
      return row["QUERY PLAN"][0].Plan;
    });
    // Limit over an ordered scan of the name index: no Sort of the whole organization.
    expect(plan["Node Type"]).toBe("Limit");
    const page = plan.Plans?.find((node) => node["Parent Relationship"] === "Outer");
    expect(page).toMatchObject({ "Node Type": "Index Scan", "Index Name": "cloud_providers_org_name_idx" });
  });
});
