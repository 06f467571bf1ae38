// Who can do what with organizations and memberships, per persona and operation.
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { affected, attempt, connect, createUser, type TestUser } from "../support/db.ts";
import { createPersonas } from "../support/personas.ts";
import { firstRow } from "../support/rows.ts";

let sql: postgres.Sql;
let owner: TestUser, admin: TestUser, member: TestUser, viewer: TestUser, outsider: TestUser, newcomer: TestUser;
let orgId: string;
let outsiderOrgId: string;

const RLS_VIOLATION = /row-level security/;

beforeAll(async () => {
  sql = connect();
  ({ owner, admin, member, viewer, outsider, orgId, outsiderOrgId } = await createPersonas(sql, "orgs"));
  newcomer = await createUser(sql, "newcomer");
});

afterAll(() => sql.end());

describe("organizations", () => {
  it("shows an organization to each of its members and to nobody else", async () => {
    const visible = async (claims: TestUser["claims"] | null) => {
      const r = await attempt(sql, claims, (tx) => tx`select id from public.organizations where id = ${orgId}`);
      return r.ok ? r.value.length : r.code;
    };
    expect(await visible(null)).toBe("42501"); // anon has no table rights at all
    expect(await visible(outsider.claims)).toBe(0);
    for (const persona of [viewer, member, admin, owner]) expect(await visible(persona.claims)).toBe(1);
  });

  it("refuses direct inserts from every client role; only create_organization creates", async () => {
    for (const claims of [null, outsider.claims, owner.claims]) {
      const r = await attempt(
        sql,
        claims,
        (tx) => tx`insert into public.organizations (name, slug) values ('Sneaky', ${`sneaky-${Math.random().toString(36).slice(2, 8)}`})`,
      );
      expect(r).toMatchObject({ ok: false, code: "42501" });
    }
  });

  it("lets admins and owners rename the organization, and nobody else", async () => {
    const rename = (claims: TestUser["claims"] | null) =>
      affected(sql, claims, (tx) => tx`update public.organizations set name = 'Renamed' where id = ${orgId}`);
    expect(await rename(null)).toMatchObject({ ok: false, code: "42501" });
    for (const persona of [outsider, viewer, member]) expect(await rename(persona.claims)).toEqual({ ok: true, count: 0 });
    for (const persona of [admin, owner]) expect(await rename(persona.claims)).toEqual({ ok: true, count: 1 });
  });

  it("refuses changing the slug or creator through an update", async () => {
    const slug = await attempt(sql, owner.claims, (tx) => tx`update public.organizations set slug = 'stolen-slug' where id = ${orgId}`);
    expect(slug).toMatchObject({ ok: false, code: "42501" });
    const creator = await attempt(
      sql,
      owner.claims,
      (tx) => tx`update public.organizations set created_by = ${outsider.id} where id = ${orgId}`,
    );
    expect(creator).toMatchObject({ ok: false, code: "42501" });
  });

  it("lets only owners delete the organization", async () => {
    const remove = (claims: TestUser["claims"] | null) =>
      affected(sql, claims, (tx) => tx`delete from public.organizations where id = ${orgId}`);
    expect(await remove(null)).toMatchObject({ ok: false, code: "42501" });
    for (const persona of [outsider, viewer, member, admin]) expect(await remove(persona.claims)).toEqual({ ok: true, count: 0 });
    expect(await remove(owner.claims)).toEqual({ ok: true, count: 1 });
  });
});

describe("create_organization", () => {
  it("makes the caller the owner of the new organization", async () => {
    const r = await attempt(sql, newcomer.claims, async (tx) => {
      const org = firstRow(await tx`select id, slug from public.create_organization('Newco', ${`newco-${newcomer.id.slice(0, 6)}`})`);
      return tx`select role from public.organization_members where organization_id = ${org.id} and user_id = ${newcomer.id}`;
    });
    expect(r).toEqual({ ok: true, value: [{ role: "owner" }] });
  });

  it("refuses anon callers", async () => {
    const r = await attempt(sql, null, (tx) => tx`select public.create_organization('Anon', 'anon-org')`);
    expect(r).toMatchObject({ ok: false, code: "42501" });
  });

  it("refuses a slug that breaks the rules, naming the rule", async () => {
    for (const slug of ["ab", "Has Spaces", "-leading", "trailing-", "x".repeat(49)]) {
      const r = await attempt(sql, newcomer.claims, (tx) => tx`select public.create_organization('Bad', ${slug})`);
      expect(r).toMatchObject({ ok: false, code: "22023", message: expect.stringContaining("3–48 lowercase letters") });
    }
  });

  it("refuses a slug that is taken with a clear message", async () => {
    const { slug } = firstRow(await sql`select slug from public.organizations where id = ${outsiderOrgId}`);
    const r = await attempt(sql, newcomer.claims, (tx) => tx`select public.create_organization('Clash', ${slug})`);
    expect(r).toEqual({ ok: false, code: "23505", message: `The slug "${slug}" is already taken` });
  });
});

describe("organization_members", () => {
  const addOutsider = (claims: TestUser["claims"] | null, role = "member") =>
    attempt(
      sql,
      claims,
      (tx) => tx`insert into public.organization_members (organization_id, user_id, role) values (${orgId}, ${newcomer.id}, ${role})`,
    );

  it("shows the member list to members only", async () => {
    const count = async (claims: TestUser["claims"] | null) => {
      const r = await attempt(sql, claims, (tx) => tx`select user_id from public.organization_members where organization_id = ${orgId}`);
      return r.ok ? r.value.length : r.code;
    };
    expect(await count(null)).toBe("42501");
    expect(await count(outsider.claims)).toBe(0);
    for (const persona of [viewer, member, admin, owner]) expect(await count(persona.claims)).toBe(4);
  });

  it("refuses anyone joining an organization by inserting themselves", async () => {
    const r = await attempt(
      sql,
      newcomer.claims,
      (tx) => tx`insert into public.organization_members (organization_id, user_id, role) values (${orgId}, ${newcomer.id}, 'owner')`,
    );
    expect(r).toMatchObject({ ok: false, code: "42501", message: "permission denied for table organization_members" });
  });

  it("lets nobody, not even an owner, put someone into an organization without an invitation", async () => {
    for (const claims of [null, outsider.claims, viewer.claims, member.claims, admin.claims, owner.claims]) {
      for (const role of ["member", "owner"]) {
        expect(await addOutsider(claims, role)).toMatchObject({
          ok: false,
          code: "42501",
          message: "permission denied for table organization_members",
        });
      }
    }
    const { n } = firstRow(
      await sql`select count(*)::int as n from public.organization_members where organization_id = ${orgId} and user_id = ${newcomer.id}`,
    );
    expect(n).toBe(0);
  });

  it("refuses raising your own role", async () => {
    for (const persona of [viewer, member]) {
      const r = await affected(
        sql,
        persona.claims,
        (tx) => tx`update public.organization_members set role = 'admin' where organization_id = ${orgId} and user_id = ${persona.id}`,
      );
      expect(r).toEqual({ ok: true, count: 0 });
    }
    const r = await attempt(
      sql,
      admin.claims,
      (tx) => tx`update public.organization_members set role = 'owner' where organization_id = ${orgId} and user_id = ${admin.id}`,
    );
    expect(r).toMatchObject({ ok: false, code: "42501", message: expect.stringMatching(RLS_VIOLATION) });
  });

  it("lets admins change roles below owner but never touch an owner", async () => {
    const promote = await affected(
      sql,
      admin.claims,
      (tx) => tx`update public.organization_members set role = 'admin' where organization_id = ${orgId} and user_id = ${member.id}`,
    );
    expect(promote).toEqual({ ok: true, count: 1 });
    const demoteOwner = await affected(
      sql,
      admin.claims,
      (tx) => tx`update public.organization_members set role = 'viewer' where organization_id = ${orgId} and user_id = ${owner.id}`,
    );
    expect(demoteOwner).toEqual({ ok: true, count: 0 });
  });

  it("refuses moving a membership to another organization or user", async () => {
    const r = await attempt(
      sql,
      owner.claims,
      (tx) =>
        tx`update public.organization_members set user_id = ${newcomer.id} where organization_id = ${orgId} and user_id = ${viewer.id}`,
    );
    expect(r).toMatchObject({ ok: false, code: "42501" });
  });

  it("never lets the last owner be demoted or leave", async () => {
    const demote = await attempt(
      sql,
      owner.claims,
      (tx) => tx`update public.organization_members set role = 'admin' where organization_id = ${orgId} and user_id = ${owner.id}`,
    );
    expect(demote).toMatchObject({ ok: false, message: "An organization must keep at least one owner" });
    const leave = await attempt(
      sql,
      owner.claims,
      (tx) => tx`delete from public.organization_members where organization_id = ${orgId} and user_id = ${owner.id}`,
    );
    expect(leave).toMatchObject({ ok: false, message: "An organization must keep at least one owner" });
  });

  it("lets an owner step down once another owner exists", async () => {
    const r = await attempt(sql, owner.claims, async (tx) => {
      await tx`update public.organization_members set role = 'owner' where organization_id = ${orgId} and user_id = ${admin.id}`;
      return tx`update public.organization_members set role = 'admin' where organization_id = ${orgId} and user_id = ${owner.id}`;
    });
    expect(r).toMatchObject({ ok: true, value: { count: 1 } });
  });

  it("lets admins remove members below owner, lets anyone leave, and refuses the rest", async () => {
    const remove = (claims: TestUser["claims"] | null, userId: string) =>
      affected(sql, claims, (tx) => tx`delete from public.organization_members where organization_id = ${orgId} and user_id = ${userId}`);
    expect(await remove(null, viewer.id)).toMatchObject({ ok: false, code: "42501" });
    expect(await remove(outsider.claims, viewer.id)).toEqual({ ok: true, count: 0 });
    expect(await remove(member.claims, viewer.id)).toEqual({ ok: true, count: 0 });
    expect(await remove(admin.claims, viewer.id)).toEqual({ ok: true, count: 1 });
    expect(await remove(admin.claims, owner.id)).toEqual({ ok: true, count: 0 });
    expect(await remove(viewer.claims, viewer.id)).toEqual({ ok: true, count: 1 });
  });

  it("lets nobody see another organization's members", async () => {
    const r = await attempt(
      sql,
      owner.claims,
      (tx) => tx`select user_id from public.organization_members where organization_id = ${outsiderOrgId}`,
    );
    expect(r).toEqual({ ok: true, value: [] });
  });
});

describe("schema hygiene", () => {
  it("has row-level security on every table in public and private", async () => {
    const missing = await sql`
      select n.nspname || '.' || c.relname as name
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and n.nspname in ('public', 'private') and not c.relrowsecurity`;
    expect(missing.map((r) => r.name)).toEqual([]);
  });

  it("indexes organization_id on every table that has one", async () => {
    const unindexed = await sql`
      select c.relname as name
      from pg_attribute a
      join pg_class c on c.oid = a.attrelid
      join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r' and a.attname = 'organization_id' and not a.attisdropped
        and not exists (
          select 1 from pg_index i where i.indrelid = c.oid and i.indkey[0] = a.attnum
        )`;
    expect(unindexed.map((r) => r.name)).toEqual([]);
  });

  it("keeps helper functions out of the anon role's reach", async () => {
    const r = await attempt(sql, null, (tx) => tx`select private.org_ids_with_role('viewer')`);
    expect(r).toMatchObject({ ok: false, code: "42501" });
  });

  it("pins search_path on every SECURITY DEFINER function", async () => {
    const unpinned = await sql<{ name: string }[]>`
      select n.nspname || '.' || p.proname as name
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where p.prosecdef and n.nspname in ('public', 'private')
        and not exists (select 1 from unnest(coalesce(p.proconfig, '{}')) c where c like 'search_path=%')
      order by 1`;
    expect(unpinned.map((r) => r.name)).toEqual([]);
  });

  it("lets anon execute only the functions meant for signed-out visitors", async () => {
    const executable = await sql<{ name: string }[]>`
      select distinct n.nspname || '.' || p.proname as name
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname in ('public', 'private') and has_function_privilege('anon', p.oid, 'execute')
      order by 1`;
    // The invitation page shows who invited whom before anyone signs in.
    expect(executable.map((r) => r.name)).toEqual(["public.invitation_preview"]);
  });
});
