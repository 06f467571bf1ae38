// Members and invitations: the invitation lifecycle (hash-only storage, single use, expiry,
// revocation, email match), the membership rules (owners, last owner, removals, leaving) and
// who may do what, per persona and operation, enforced by the database.
import { createHash, randomBytes } from "node:crypto";
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  acceptInvitation,
  changeMemberRole,
  hashInvitationToken,
  inviteMember,
  leaveOrganization,
  previewInvitation,
  removeMember,
  revokeInvitation,
} from "../../supabase/functions/_shared/domain/members.ts";
import { asService, withRls } from "../../supabase/functions/_shared/db.ts";
import { DomainError } from "../../supabase/functions/_shared/domain/errors.ts";
import { affected, attempt, connect, createUser, type TestUser } from "../support/db.ts";
import { createPersonas, type Personas } from "../support/personas.ts";
import { firstRow } from "../support/rows.ts";

let sql: postgres.Sql;
type Claims = TestUser["claims"] | null;

const RLS_VIOLATION = /row-level security/;
const PERMISSION_DENIED = /permission denied/;
const LAST_OWNER = "An organization must keep at least one owner";

const as = (user: TestUser) => ({ sql, claims: user.claims });
const invite = (by: TestUser, orgId: string, email: string, role = "member") => inviteMember(as(by), orgId, { email, role });
const accept = (user: TestUser, token: string) => acceptInvitation(as(user), token);
const randomHash = () => randomBytes(32).toString("hex");

/** The domain error a call fails with (code and message), or a failure if it succeeds. */
async function refusal(run: () => Promise<unknown>) {
  try {
    await run();
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error("expected a refusal, but the call succeeded");
}

const roleOf = async (orgId: string, userId: string) =>
  (await sql`select role from public.organization_members where organization_id = ${orgId} and user_id = ${userId}`)[0]?.role ?? null;

beforeAll(() => {
  sql = connect();
});
afterAll(() => sql.end());

describe("inviting", () => {
  let p: Personas;
  beforeAll(async () => {
    p = await createPersonas(sql, "inv");
  });

  it("stores only the SHA-256 of the token, and the token itself in no table", async () => {
    const invitee = await createUser(sql, "hashed");
    const { invitation, token } = await invite(p.admin, p.orgId, invitee.email);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const row = firstRow(await sql`select token_hash from public.organization_invitations where id = ${invitation.id}`);
    expect(row.token_hash).toBe(createHash("sha256").update(token).digest("hex"));
    expect(await hashInvitationToken(token)).toBe(row.token_hash);
    expect((await accept(invitee, token)).status).toBe("accepted");

    // Every table in every schema, after the invitation was made, accepted and audited.
    const tables = await sql<{ name: string }[]>`
      select format('%I.%I', n.nspname, c.relname) as name
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')`;
    expect(tables.length).toBeGreaterThan(10);
    const holding: string[] = [];
    for (const { name } of tables) {
      const { count } = firstRow(await sql.unsafe(`select count(*)::int as count from ${name} t where strpos(t::text, $1) > 0`, [token]));
      if (count > 0) holding.push(name);
    }
    expect(holding).toEqual([]);
    const { count: hashInAudit } = firstRow(
      await sql`select count(*)::int as count from public.audit_events where strpos(metadata::text, ${row.token_hash}) > 0`,
    );
    expect(hashInAudit).toBe(0);
  });

  it("lets no client role read token_hash, not even an owner", async () => {
    await invite(p.admin, p.orgId, `unread-${Date.now()}@example.test`);
    for (const persona of [p.owner, p.admin]) {
      for (const query of ["select token_hash from public.organization_invitations", "select * from public.organization_invitations"]) {
        const r = await attempt(sql, persona.claims, (tx) => tx.unsafe(query));
        expect(r).toMatchObject({ ok: false, code: "42501", message: expect.stringMatching(PERMISSION_DENIED) });
      }
      const visible = await attempt(
        sql,
        persona.claims,
        (tx) => tx`select id, email, role, expires_at from public.organization_invitations where organization_id = ${p.orgId}`,
      );
      expect(visible.ok && visible.value.length).toBeGreaterThan(0);
    }
  });

  it("lowercases the address and expires the invitation 7 days after it was made", async () => {
    const { invitation } = await invite(p.admin, p.orgId, "  Mixed.Case@Example.TEST ");
    expect(invitation.email).toBe("mixed.case@example.test");
    const days = (invitation.expires_at.getTime() - invitation.created_at.getTime()) / 86_400_000;
    expect(days).toBe(7);
    const r = await attempt(
      sql,
      p.admin.claims,
      (tx) => tx`
      insert into public.organization_invitations (organization_id, email, role, token_hash) values (${p.orgId}, 'Upper@Example.test', 'member', ${randomHash()})`,
    );
    expect(r).toMatchObject({ ok: false, code: "23514" });
  });

  it("replaces an address's open invitation when it is invited again: the old link stops working", async () => {
    const email = `again-${Date.now()}@example.test`;
    const first = await invite(p.admin, p.orgId, email);
    const second = await invite(p.admin, p.orgId, email, "viewer");
    expect((await previewInvitation(sql, first.token))?.status).toBe("revoked");
    expect(await previewInvitation(sql, second.token)).toMatchObject({ status: "pending", role: "viewer", email });
    const invitee = await createUser(sql, "again");
    await sql`update auth.users set email = ${email} where id = ${invitee.id}`;
    expect((await accept(invitee, first.token)).status).toBe("revoked");
  });

  it("refuses inviting someone who is already a member", async () => {
    expect(await refusal(() => invite(p.admin, p.orgId, p.member.email.toUpperCase()))).toEqual({
      code: "conflict",
      message: `${p.member.email} is already a member.`,
    });
  });

  it("lets only owners invite owners; admins cannot replace an owner's invitation either", async () => {
    const email = `future-owner-${Date.now()}@example.test`;
    expect(await refusal(() => invite(p.admin, p.orgId, email, "owner"))).toEqual({
      code: "forbidden",
      message: "Only an owner can invite another owner.",
    });
    const { token } = await invite(p.owner, p.orgId, email, "owner");
    expect(await refusal(() => invite(p.admin, p.orgId, email, "member"))).toMatchObject({
      code: "conflict",
      message: expect.stringContaining("only an owner can replace it"),
    });
    expect((await previewInvitation(sql, token))?.status).toBe("pending");
  });

  it("refuses members and viewers with a message naming their role", async () => {
    for (const persona of [p.member, p.viewer]) {
      const r = await refusal(() => invite(persona, p.orgId, "someone@example.test"));
      expect(r.code).toBe("forbidden");
      expect(r.message).toMatch(/Only an admin or owner can invite people/);
    }
    expect(await refusal(() => invite(p.outsider, p.orgId, "someone@example.test"))).toEqual({
      code: "not_found",
      message: "Organization not found.",
    });
  });

  it("revokes an open invitation once; a used one cannot be revoked", async () => {
    const { invitation, token } = await invite(p.admin, p.orgId, `revoke-${Date.now()}@example.test`);
    expect(await revokeInvitation(as(p.admin), p.orgId, invitation.id)).toMatchObject({ id: invitation.id });
    expect((await previewInvitation(sql, token))?.status).toBe("revoked");
    expect((await refusal(() => revokeInvitation(as(p.admin), p.orgId, invitation.id))).code).toBe("not_found");
  });
});

describe("accepting", () => {
  let p: Personas;
  beforeAll(async () => {
    p = await createPersonas(sql, "acc");
  });

  it("adds the invitee with the invited role, once; the same link again is refused as used", async () => {
    const invitee = await createUser(sql, "joiner");
    const { token } = await invite(p.admin, p.orgId, invitee.email, "admin");
    expect(await accept(invitee, token)).toMatchObject({ status: "accepted", organization_id: p.orgId, role: "admin" });
    expect(await roleOf(p.orgId, invitee.id)).toBe("admin");
    const row = firstRow(
      await sql`select accepted_by, accepted_at from public.organization_invitations where token_hash = ${await hashInvitationToken(token)}`,
    );
    expect(row.accepted_by).toBe(invitee.id);
    expect(row.accepted_at).toBeInstanceOf(Date);

    expect((await accept(invitee, token)).status).toBe("used");
    expect(await previewInvitation(sql, token)).toMatchObject({ status: "used", organization_name: "acc org" });
  });

  it("lets exactly one of two concurrent accepts of one link through", async () => {
    const invitee = await createUser(sql, "racer");
    const { token } = await invite(p.admin, p.orgId, invitee.email);
    const results = await Promise.all([accept(invitee, token), accept(invitee, token), accept(invitee, token)]);
    expect(results.map((r) => r.status).sort()).toEqual(["accepted", "used", "used"]);
    const { count } = firstRow(
      await sql`select count(*)::int as count from public.organization_members where organization_id = ${p.orgId} and user_id = ${invitee.id}`,
    );
    expect(count).toBe(1);
  });

  it("makes a second accept wait for the first and then see the link used, never a second membership", async () => {
    const invitee = await createUser(sql, "waiter");
    const { token } = await invite(p.admin, p.orgId, invitee.email);
    let second: Promise<Awaited<ReturnType<typeof accept>>> | undefined;
    const first = await withRls(sql, invitee.claims, async (tx) => {
      const result = firstRow(await tx`select status from public.accept_invitation(${token})`);
      // Still uncommitted: a second accept must block on the invitation row, not race past it.
      second = accept(invitee, token);
      await expect
        .poll(
          async () =>
            firstRow(
              await sql`
        select count(*)::int as count from pg_stat_activity
        where wait_event_type = 'Lock' and query like '%accept_invitation%'`,
            ).count,
          { timeout: 5_000 },
        )
        .toBe(1);
      return result.status;
    });
    expect(first).toBe("accepted");
    expect((await second!).status).toBe("used");
  });

  it("refuses an expired invitation and leaves the invitee outside", async () => {
    const invitee = await createUser(sql, "late");
    const { invitation, token } = await invite(p.admin, p.orgId, invitee.email);
    await sql`update public.organization_invitations set expires_at = now() - interval '1 minute' where id = ${invitation.id}`;
    expect(await previewInvitation(sql, token)).toMatchObject({ status: "expired" });
    expect(await accept(invitee, token)).toMatchObject({ status: "expired", organization_slug: p.orgSlug });
    expect(await roleOf(p.orgId, invitee.id)).toBeNull();
  });

  it("refuses a revoked invitation", async () => {
    const invitee = await createUser(sql, "withdrawn");
    const { invitation, token } = await invite(p.admin, p.orgId, invitee.email);
    await revokeInvitation(as(p.owner), p.orgId, invitation.id);
    expect((await accept(invitee, token)).status).toBe("revoked");
    expect(await roleOf(p.orgId, invitee.id)).toBeNull();
  });

  it("refuses a user signed in with another email, and matches the invited one case-insensitively", async () => {
    const invitee = await createUser(sql, "rightful");
    const someoneElse = await createUser(sql, "forwarded");
    const { token } = await invite(p.admin, p.orgId, invitee.email);
    expect((await accept(someoneElse, token)).status).toBe("wrong_email");
    expect(await roleOf(p.orgId, someoneElse.id)).toBeNull();
    expect((await previewInvitation(sql, token))?.status).toBe("pending");

    await sql`update auth.users set email = ${invitee.email.toUpperCase()} where id = ${invitee.id}`;
    expect((await accept(invitee, token)).status).toBe("accepted");
  });

  it("refuses a user whose email is not confirmed", async () => {
    const invitee = await createUser(sql, "unconfirmed");
    await sql`update auth.users set email_confirmed_at = null where id = ${invitee.id}`;
    const { token } = await invite(p.admin, p.orgId, invitee.email);
    expect((await accept(invitee, token)).status).toBe("unconfirmed");
    expect(await roleOf(p.orgId, invitee.id)).toBeNull();
  });

  it("keeps the invitation open when the invitee already belongs to the organization", async () => {
    const invitee = await createUser(sql, "early");
    const { token } = await invite(p.admin, p.orgId, invitee.email, "admin");
    await sql`insert into public.organization_members (organization_id, user_id, role) values (${p.orgId}, ${invitee.id}, 'viewer')`;
    expect((await accept(invitee, token)).status).toBe("already_member");
    expect(await roleOf(p.orgId, invitee.id)).toBe("viewer");
    expect((await previewInvitation(sql, token))?.status).toBe("pending");
  });

  it("answers not_found for an unknown or malformed token, and refuses anonymous callers", async () => {
    const stranger = await createUser(sql, "stranger");
    expect((await accept(stranger, "A".repeat(43))).status).toBe("not_found");
    expect((await accept(stranger, "short")).status).toBe("not_found");
    expect(await previewInvitation(sql, "B".repeat(43))).toBeNull();
    const { token } = await invite(p.admin, p.orgId, `anon-${Date.now()}@example.test`);
    const r = await attempt(sql, null, (tx) => tx`select * from public.accept_invitation(${token})`);
    expect(r).toMatchObject({ ok: false, code: "42501" });
  });

  it("shows a signed-out visitor with the link the organization, address, role and expiry — nothing else", async () => {
    const email = `preview-${Date.now()}@example.test`;
    const { invitation, token } = await invite(p.owner, p.orgId, email, "owner");
    const preview = await previewInvitation(sql, token);
    expect(preview).toEqual({
      status: "pending",
      organization_name: "acc org",
      organization_slug: p.orgSlug,
      email,
      role: "owner",
      expires_at: invitation.expires_at,
    });
    // Anonymous callers reach the table only through this function.
    const direct = await attempt(sql, null, (tx) => tx`select id from public.organization_invitations`);
    expect(direct).toMatchObject({ ok: false, code: "42501" });
  });
});

describe("organization_invitations, per persona and operation", () => {
  let p: Personas;
  let memberInvite: string;
  let ownerInvite: string;
  beforeAll(async () => {
    p = await createPersonas(sql, "invrls");
    [{ id: memberInvite }] = await sql`
      insert into public.organization_invitations (organization_id, email, role, token_hash, invited_by)
      values (${p.orgId}, 'pending-member@example.test', 'member', ${randomHash()}, ${p.admin.id}) returning id`;
    [{ id: ownerInvite }] = await sql`
      insert into public.organization_invitations (organization_id, email, role, token_hash, invited_by)
      values (${p.orgId}, 'pending-owner@example.test', 'owner', ${randomHash()}, ${p.owner.id}) returning id`;
    await sql`
      insert into public.organization_invitations (organization_id, email, role, token_hash)
      values (${p.outsiderOrgId}, 'elsewhere@example.test', 'member', ${randomHash()})`;
  });

  it("select: admins and owners list their organization's invitations; members, viewers and outsiders see none", async () => {
    const count = async (claims: Claims) => {
      const r = await attempt(
        sql,
        claims,
        (tx) => tx`select id, email, role from public.organization_invitations where organization_id = ${p.orgId}`,
      );
      return r.ok ? r.value.length : r.code;
    };
    expect(await count(null)).toBe("42501");
    for (const persona of [p.member, p.viewer, p.outsider]) expect(await count(persona.claims)).toBe(0);
    for (const persona of [p.admin, p.owner]) expect(await count(persona.claims)).toBe(2);
    const other = await attempt(
      sql,
      p.owner.claims,
      (tx) => tx`select id from public.organization_invitations where organization_id = ${p.outsiderOrgId}`,
    );
    expect(other).toEqual({ ok: true, value: [] });
  });

  it("insert: admins and owners invite; members, viewers and outsiders are refused", async () => {
    const insert = (claims: Claims, role = "member") =>
      attempt(
        sql,
        claims,
        (tx) => tx`
        insert into public.organization_invitations (organization_id, email, role, token_hash)
        values (${p.orgId}, 'newcomer@example.test', ${role}, ${randomHash()})`,
      );
    expect(await insert(null)).toMatchObject({ ok: false, code: "42501", message: expect.stringMatching(PERMISSION_DENIED) });
    for (const persona of [p.member, p.viewer, p.outsider]) {
      expect(await insert(persona.claims)).toMatchObject({ ok: false, code: "42501", message: expect.stringMatching(RLS_VIOLATION) });
    }
    for (const persona of [p.admin, p.owner]) expect(await insert(persona.claims)).toMatchObject({ ok: true });
    expect(await insert(p.admin.claims, "owner")).toMatchObject({
      ok: false,
      code: "42501",
      message: expect.stringMatching(RLS_VIOLATION),
    });
    expect(await insert(p.owner.claims, "owner")).toMatchObject({ ok: true });
  });

  it("insert: nobody chooses the inviter, the expiry or that it was accepted", async () => {
    for (const column of ["invited_by", "expires_at", "accepted_at", "accepted_by", "created_at"]) {
      const value = column.endsWith("_by") ? p.viewer.id : "2099-01-01T00:00:00Z";
      const r = await attempt(sql, p.owner.claims, (tx) =>
        tx.unsafe(
          `insert into public.organization_invitations (organization_id, email, role, token_hash, ${column}) values ($1, 'x@example.test', 'member', $2, $3)`,
          [p.orgId, randomHash(), value],
        ),
      );
      expect(r).toMatchObject({ ok: false, code: "42501", message: expect.stringMatching(PERMISSION_DENIED) });
    }
    const r = await attempt(sql, p.admin.claims, async (tx) => {
      const [row] =
        await tx`insert into public.organization_invitations (organization_id, email, role, token_hash) values (${p.orgId}, 'who@example.test', 'viewer', ${randomHash()}) returning id, invited_by`;
      return row;
    });
    expect(r).toMatchObject({ ok: true, value: { invited_by: p.admin.id } });
  });

  it("update: admins revoke invitations below owner, owners any; the rest change nothing", async () => {
    const revoke = (claims: Claims, id: string) =>
      affected(sql, claims, (tx) => tx`update public.organization_invitations set revoked_at = now() where id = ${id}`);
    expect(await revoke(null, memberInvite)).toMatchObject({ ok: false, code: "42501" });
    for (const persona of [p.member, p.viewer, p.outsider])
      expect(await revoke(persona.claims, memberInvite)).toEqual({ ok: true, count: 0 });
    for (const persona of [p.admin, p.owner]) expect(await revoke(persona.claims, memberInvite)).toEqual({ ok: true, count: 1 });
    expect(await revoke(p.admin.claims, ownerInvite)).toEqual({ ok: true, count: 0 });
    expect(await revoke(p.owner.claims, ownerInvite)).toEqual({ ok: true, count: 1 });
  });

  it("update: no client can un-revoke, accept, extend, re-address or re-role an invitation", async () => {
    const unrevoke = await affected(sql, p.owner.claims, async (tx) => {
      await tx`update public.organization_invitations set revoked_at = now() where id = ${memberInvite}`;
      return tx`update public.organization_invitations set revoked_at = null where id = ${memberInvite}`;
    });
    expect(unrevoke).toEqual({ ok: true, count: 0 });
    for (const change of [
      "accepted_at = now()",
      "expires_at = now() + interval '1 year'",
      "email = 'me@example.test'",
      "role = 'owner'",
      "token_hash = md5('x') || md5('y')",
    ]) {
      const r = await attempt(sql, p.owner.claims, (tx) =>
        tx.unsafe(`update public.organization_invitations set ${change} where id = $1`, [memberInvite]),
      );
      expect(r).toMatchObject({ ok: false, code: "42501", message: expect.stringMatching(PERMISSION_DENIED) });
    }
  });

  it("delete: no client role may delete an invitation (they are revoked and kept)", async () => {
    for (const claims of [null, ...[p.owner, p.admin, p.member, p.viewer, p.outsider].map((persona) => persona.claims)]) {
      const r = await attempt(sql, claims, (tx) => tx`delete from public.organization_invitations where id = ${memberInvite}`);
      expect(r).toMatchObject({ ok: false, code: "42501", message: expect.stringMatching(PERMISSION_DENIED) });
    }
  });

  it("lets only signed-in users call accept_invitation, and anyone preview", async () => {
    const rights = await sql`
      select r.rolname, has_function_privilege(r.oid, 'public.accept_invitation(text)', 'execute') as accept,
             has_function_privilege(r.oid, 'public.invitation_preview(text)', 'execute') as preview
      from pg_roles r where r.rolname in ('anon', 'authenticated') order by r.rolname`;
    expect(rights.map((r) => ({ ...r }))).toEqual([
      { rolname: "anon", accept: false, preview: true },
      { rolname: "authenticated", accept: true, preview: true },
    ]);
  });
});

describe("organization_members changes, per persona and operation", () => {
  let p: Personas;
  let coOwner: TestUser;
  let newcomer: TestUser;
  beforeAll(async () => {
    p = await createPersonas(sql, "memrls");
    coOwner = await createUser(sql, "co-owner");
    newcomer = await createUser(sql, "newcomer");
    await sql`insert into public.organization_members (organization_id, user_id, role) values (${p.orgId}, ${coOwner.id}, 'owner')`;
  });

  const setRole = (claims: Claims, userId: string, role: string) =>
    affected(
      sql,
      claims,
      (tx) => tx`update public.organization_members set role = ${role} where organization_id = ${p.orgId} and user_id = ${userId}`,
    );
  const remove = (claims: Claims, userId: string) =>
    affected(sql, claims, (tx) => tx`delete from public.organization_members where organization_id = ${p.orgId} and user_id = ${userId}`);

  it("select: every member sees the member list; outsiders and anon do not", async () => {
    const count = async (claims: Claims) => {
      const r = await attempt(
        sql,
        claims,
        (tx) => tx`select user_id, role from public.organization_members where organization_id = ${p.orgId}`,
      );
      return r.ok ? r.value.length : r.code;
    };
    expect(await count(null)).toBe("42501");
    expect(await count(p.outsider.claims)).toBe(0);
    for (const persona of [p.viewer, p.member, p.admin, p.owner]) expect(await count(persona.claims)).toBe(5);
  });

  it("insert: nobody adds a member directly, not even an owner; an invitation is the way in", async () => {
    const add = (claims: Claims, role: string) =>
      attempt(
        sql,
        claims,
        (tx) => tx`insert into public.organization_members (organization_id, user_id, role) values (${p.orgId}, ${newcomer.id}, ${role})`,
      );
    for (const claims of [null, p.outsider.claims, p.viewer.claims, p.member.claims, p.admin.claims, p.owner.claims]) {
      expect(await add(claims, "viewer")).toMatchObject({
        ok: false,
        code: "42501",
        message: "permission denied for table organization_members",
      });
    }
  });

  it("update: admins and owners change roles below owner; members, viewers and outsiders change nothing", async () => {
    expect(await setRole(null, p.member.id, "viewer")).toMatchObject({ ok: false, code: "42501" });
    for (const persona of [p.member, p.viewer, p.outsider])
      expect(await setRole(persona.claims, p.member.id, "viewer")).toEqual({ ok: true, count: 0 });
    for (const persona of [p.admin, p.owner]) {
      expect(await setRole(persona.claims, p.member.id, "viewer")).toEqual({ ok: true, count: 1 });
      expect(await setRole(persona.claims, p.viewer.id, "admin")).toEqual({ ok: true, count: 1 });
    }
  });

  it("update: only owners grant owner", async () => {
    expect(await setRole(p.admin.claims, p.member.id, "owner")).toMatchObject({
      ok: false,
      code: "42501",
      message: expect.stringMatching(RLS_VIOLATION),
    });
    expect(await setRole(p.admin.claims, p.admin.id, "owner")).toMatchObject({
      ok: false,
      code: "42501",
      message: expect.stringMatching(RLS_VIOLATION),
    });
    expect(await setRole(p.owner.claims, p.member.id, "owner")).toEqual({ ok: true, count: 1 });
  });

  it("update: only owners revoke owner", async () => {
    for (const persona of [p.admin, p.member, p.viewer, p.outsider])
      expect(await setRole(persona.claims, coOwner.id, "admin")).toEqual({ ok: true, count: 0 });
    expect(await setRole(p.owner.claims, coOwner.id, "admin")).toEqual({ ok: true, count: 1 });
  });

  it("delete: admins remove non-owners, owners anyone, anyone may leave; the rest remove nobody", async () => {
    expect(await remove(null, p.viewer.id)).toMatchObject({ ok: false, code: "42501" });
    for (const persona of [p.member, p.outsider]) expect(await remove(persona.claims, p.viewer.id)).toEqual({ ok: true, count: 0 });
    expect(await remove(p.viewer.claims, p.member.id)).toEqual({ ok: true, count: 0 });
    for (const persona of [p.admin, p.owner]) expect(await remove(persona.claims, p.viewer.id)).toEqual({ ok: true, count: 1 });
    expect(await remove(p.admin.claims, coOwner.id)).toEqual({ ok: true, count: 0 });
    expect(await remove(p.admin.claims, p.owner.id)).toEqual({ ok: true, count: 0 });
    expect(await remove(p.owner.claims, coOwner.id)).toEqual({ ok: true, count: 1 });
    for (const persona of [p.viewer, p.member, p.admin]) expect(await remove(persona.claims, persona.id)).toEqual({ ok: true, count: 1 });
    // With a co-owner present, an owner may leave too.
    expect(await remove(p.owner.claims, p.owner.id)).toEqual({ ok: true, count: 1 });
  });

  it("update: nobody moves a membership to another user or organization", async () => {
    for (const change of [`user_id = '${newcomer.id}'`, `organization_id = '${p.outsiderOrgId}'`]) {
      const r = await attempt(sql, p.owner.claims, (tx) =>
        tx.unsafe(`update public.organization_members set ${change} where user_id = $1`, [p.member.id]),
      );
      expect(r).toMatchObject({ ok: false, code: "42501" });
    }
  });
});

describe("the last owner", () => {
  let p: Personas;
  beforeAll(async () => {
    p = await createPersonas(sql, "last");
  });

  it("can neither leave nor be demoted, in the database and with a clear message in the portal", async () => {
    expect(
      await attempt(
        sql,
        p.owner.claims,
        (tx) => tx`delete from public.organization_members where organization_id = ${p.orgId} and user_id = ${p.owner.id}`,
      ),
    ).toMatchObject({
      ok: false,
      message: LAST_OWNER,
    });
    expect(
      await attempt(
        sql,
        p.owner.claims,
        (tx) => tx`update public.organization_members set role = 'admin' where organization_id = ${p.orgId} and user_id = ${p.owner.id}`,
      ),
    ).toMatchObject({
      ok: false,
      message: LAST_OWNER,
    });
    expect(await refusal(() => leaveOrganization(as(p.owner), p.orgId))).toEqual({
      code: "conflict",
      message: "You are the last owner, so you cannot leave. Make another member an owner first, or delete the organization.",
    });
    expect(await refusal(() => changeMemberRole(as(p.owner), p.orgId, p.owner.id, "admin"))).toEqual({
      code: "conflict",
      message: "This is the organization's last owner. Make another member an owner first.",
    });
    expect(await roleOf(p.orgId, p.owner.id)).toBe("owner");
  });

  it("may step down once another owner exists, and two owners stepping down at once leave one", async () => {
    await changeMemberRole(as(p.owner), p.orgId, p.admin.id, "owner");
    const outcomes = await Promise.allSettled([
      changeMemberRole(as(p.owner), p.orgId, p.owner.id, "admin"),
      changeMemberRole(as(p.admin), p.orgId, p.admin.id, "admin"),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(["fulfilled", "rejected"]);
    const { count } = firstRow(
      await sql`select count(*)::int as count from public.organization_members where organization_id = ${p.orgId} and role = 'owner'`,
    );
    expect(count).toBe(1);
  });

  it("cannot be removed by an admin, who is told why", async () => {
    const { user_id: owner } = firstRow(
      await sql`select user_id from public.organization_members where organization_id = ${p.orgId} and role = 'owner'`,
    );
    const admin = owner === p.owner.id ? p.admin : p.owner;
    expect(await roleOf(p.orgId, admin.id)).toBe("admin");
    expect(await refusal(() => removeMember(as(admin), p.orgId, owner))).toEqual({
      code: "forbidden",
      message: "Only an owner can remove an owner.",
    });
    expect(await refusal(() => changeMemberRole(as(admin), p.orgId, owner, "viewer"))).toEqual({
      code: "forbidden",
      message: "Only an owner can make someone an owner or change an owner's role.",
    });
    expect(await roleOf(p.orgId, owner)).toBe("owner");
  });
});

describe("audit", () => {
  it("records invite, accept, revoke, role change, removal and leave, with who did it and no secret", async () => {
    const p = await createPersonas(sql, "audit");
    const invitee = await createUser(sql, "audited");
    const { token } = await invite(p.admin, p.orgId, invitee.email, "member");
    await accept(invitee, token);
    const { invitation: other } = await invite(p.owner, p.orgId, "never@example.test", "viewer");
    await revokeInvitation(as(p.admin), p.orgId, other.id);
    await changeMemberRole(as(p.admin), p.orgId, invitee.id, "viewer");
    await removeMember(as(p.admin), p.orgId, invitee.id);
    await leaveOrganization(as(p.member), p.orgId);

    const events = await sql`
      select action, actor_id, target_type, target_name, metadata from public.audit_events
      where organization_id = ${p.orgId} and action like any (array['member.%', 'invitation.%'])
        and created_at > now() - interval '1 minute'
      order by id`;
    const trail = events.map((e) => [e.action, e.actor_id, e.target_name]);
    expect(trail.slice(-7)).toEqual([
      ["member.invited", p.admin.id, invitee.email],
      ["invitation.accepted", invitee.id, invitee.email],
      ["member.invited", p.owner.id, "never@example.test"],
      ["invitation.revoked", p.admin.id, "never@example.test"],
      ["member.role_changed", p.admin.id, invitee.email],
      ["member.removed", p.admin.id, invitee.email],
      ["member.left", p.member.id, p.member.email],
    ]);
    const byAction = Object.fromEntries(events.map((e) => [e.action, e.metadata]));
    expect(byAction["member.role_changed"]).toEqual({ from: "member", to: "viewer" });
    expect(byAction["invitation.accepted"]).toEqual({ role: "member", user_id: invitee.id });
    const hash = await hashInvitationToken(token);
    for (const event of events) {
      expect(JSON.stringify(event.metadata)).not.toContain(token);
      expect(JSON.stringify(event.metadata)).not.toContain(hash);
    }
    // Joining through an invitation is one event, not also a "member added".
    expect(events.filter((e) => e.action === "member.added" && e.target_name === invitee.email)).toEqual([]);
  });

  it("records an addition made on the server side as member.added, and deleting the organization still works", async () => {
    const p = await createPersonas(sql, "audit2");
    const added = await createUser(sql, "direct");
    // Only the service (an operator, a migration) can still add someone without an invitation.
    await asService(
      sql,
      (tx) => tx`insert into public.organization_members (organization_id, user_id, role) values (${p.orgId}, ${added.id}, 'viewer')`,
    );
    const [event] =
      await sql`select action, actor_id, metadata from public.audit_events where organization_id = ${p.orgId} and target_id = ${added.id}`;
    expect(event).toMatchObject({ action: "member.added", actor_id: null, metadata: { role: "viewer" } });
    // The members' delete trigger skips auditing rows that go with their organization (the log goes too).
    const deleted = await affected(sql, p.owner.claims, (tx) => tx`delete from public.organizations where id = ${p.orgId}`);
    expect(deleted).toEqual({ ok: true, count: 1 });
  });
});
