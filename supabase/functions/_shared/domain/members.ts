// Members and invitations: invite by email, revoke, accept, change roles, remove, leave.
// Each runs as the caller under RLS; the checks here only give clearer messages — the
// database's policies and triggers refuse the same things on their own.
import type { Sql } from "postgres";
import { bytesToHex } from "../crypto/base64.ts";
import { onlyRow, withRls, type Claims, type Tx } from "../db.ts";
import { INVITATION_TOKEN_PATTERN, inviteMemberSchema, memberRole, type MemberRole } from "../schemas/members.ts";
import { DomainError, validationError } from "./errors.ts";
import { requireRole } from "./providers.ts";

export type MembersContext = { sql: Sql; claims: Claims };

export type Invitation = {
  id: string;
  organization_id: string;
  email: string;
  role: MemberRole;
  invited_by: string | null;
  created_at: Date;
  expires_at: Date;
};

export type InvitationStatus = "pending" | "expired" | "used" | "revoked";
export type InvitationPreview = {
  status: InvitationStatus;
  organization_name: string;
  organization_slug: string;
  email: string;
  role: MemberRole;
  expires_at: Date;
};

export type AcceptStatus = "accepted" | "not_found" | "used" | "revoked" | "expired" | "wrong_email" | "unconfirmed" | "already_member";
export type AcceptResult = {
  status: AcceptStatus;
  organization_id: string | null;
  organization_slug: string | null;
  organization_name: string | null;
  role: MemberRole | null;
};

const INVITATION_COLUMNS = ["id", "organization_id", "email", "role", "invited_by", "created_at", "expires_at"] as const;
const LAST_OWNER_MESSAGE = "An organization must keep at least one owner";

/** 32 random bytes, base64url: the secret in an invitation link. Only its hash is stored. */
export function newInvitationToken() {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** Hex SHA-256 of the token: what the database stores and private.invitation_token_hash() computes. */
export async function hashInvitationToken(token: string) {
  return bytesToHex(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token))));
}

/** keep_last_owner()'s refusal as a domain error; anything else is rethrown. */
function refuseLastOwner(error: unknown, message: string): never {
  const pg = error as { code?: string; message?: string };
  if (pg?.code === "P0001" && pg.message === LAST_OWNER_MESSAGE) throw new DomainError("conflict", message);
  throw error;
}

async function memberRoleOf(tx: Tx, organizationId: string, userId: string) {
  const [row] = await tx<{ role: MemberRole }[]>`
    select role from public.organization_members where organization_id = ${organizationId} and user_id = ${userId}`;
  if (!row) throw new DomainError("not_found", "That person is not a member of this organization.");
  return row.role;
}

/**
 * Invites `email` with `role` and returns the new token (the only time it exists in
 * plaintext). Inviting an address again replaces its open invitation: the old link stops working.
 */
export async function inviteMember(
  ctx: MembersContext,
  organizationId: string,
  body: unknown,
): Promise<{ invitation: Invitation; token: string }> {
  return withRls(ctx.sql, ctx.claims, async (tx) => {
    const me = await requireRole(tx, organizationId, "admin", "invite people");
    const parsed = inviteMemberSchema.safeParse(body);
    if (!parsed.success) throw validationError(parsed.error);
    const { email, role } = parsed.data;
    if (role === "owner" && me.role !== "owner") {
      throw new DomainError("forbidden", "Only an owner can invite another owner.", { role: ["Only an owner can invite another owner."] });
    }
    const [member] = await tx`select 1 from private.member_emails(${organizationId}) where lower(email) = ${email}`;
    if (member)
      throw new DomainError("conflict", `${email} is already a member.`, { email: [`${email} is already a member of this organization.`] });

    await tx`
      update public.organization_invitations set revoked_at = now()
      where organization_id = ${organizationId} and email = ${email} and accepted_at is null and revoked_at is null`;
    const token = newInvitationToken();
    try {
      const rows = await tx<Invitation[]>`
        insert into public.organization_invitations (organization_id, email, role, token_hash)
        values (${organizationId}, ${email}, ${role}, ${await hashInvitationToken(token)})
        returning ${tx(INVITATION_COLUMNS)}`;
      return { invitation: onlyRow(rows, "insert into public.organization_invitations"), token };
    } catch (error) {
      // The open invitation we could not revoke above is an owner invitation (admins cannot touch those).
      if ((error as { code?: string }).code === "23505") {
        const message = `An owner invitation to ${email} is open; only an owner can replace it.`;
        throw new DomainError("conflict", message, { email: [message] });
      }
      throw error;
    }
  });
}

export async function revokeInvitation(ctx: MembersContext, organizationId: string, invitationId: string) {
  return withRls(ctx.sql, ctx.claims, async (tx) => {
    await requireRole(tx, organizationId, "admin", "revoke invitations");
    const [row] = await tx<{ id: string; email: string }[]>`
      update public.organization_invitations set revoked_at = now()
      where id = ${invitationId} and organization_id = ${organizationId}
      returning id, email`;
    // The policy hides used, revoked and (for admins) owner invitations from the update.
    if (!row) throw new DomainError("not_found", "This invitation is already used or revoked, or only an owner can revoke it.");
    return row;
  });
}

export async function changeMemberRole(ctx: MembersContext, organizationId: string, userId: string, role: unknown) {
  return withRls(ctx.sql, ctx.claims, async (tx) => {
    const me = await requireRole(tx, organizationId, "admin", "change roles");
    const parsed = memberRole.safeParse(role);
    if (!parsed.success) throw validationError(parsed.error, "role");
    const current = await memberRoleOf(tx, organizationId, userId);
    if ((parsed.data === "owner" || current === "owner") && me.role !== "owner") {
      throw new DomainError("forbidden", "Only an owner can make someone an owner or change an owner's role.");
    }
    try {
      const updated = await tx`
        update public.organization_members set role = ${parsed.data}
        where organization_id = ${organizationId} and user_id = ${userId}`;
      if (updated.count === 0) throw new DomainError("forbidden", "You do not have permission to change this member's role.");
    } catch (error) {
      refuseLastOwner(error, "This is the organization's last owner. Make another member an owner first.");
    }
    return { userId, role: parsed.data, previous: current };
  });
}

export async function removeMember(ctx: MembersContext, organizationId: string, userId: string) {
  return withRls(ctx.sql, ctx.claims, async (tx) => {
    const me = await requireRole(tx, organizationId, "admin", "remove members");
    const current = await memberRoleOf(tx, organizationId, userId);
    if (current === "owner" && me.role !== "owner") throw new DomainError("forbidden", "Only an owner can remove an owner.");
    try {
      const removed = await tx`delete from public.organization_members where organization_id = ${organizationId} and user_id = ${userId}`;
      if (removed.count === 0) throw new DomainError("forbidden", "You do not have permission to remove this member.");
    } catch (error) {
      refuseLastOwner(error, "This is the organization's last owner and cannot be removed. Make another member an owner first.");
    }
    return { userId };
  });
}

/** Anyone may leave, except the last owner. */
export async function leaveOrganization(ctx: MembersContext, organizationId: string) {
  return withRls(ctx.sql, ctx.claims, async (tx) => {
    await requireRole(tx, organizationId, "viewer", "leave");
    try {
      await tx`delete from public.organization_members where organization_id = ${organizationId} and user_id = (select auth.uid())`;
    } catch (error) {
      refuseLastOwner(
        error,
        "You are the last owner, so you cannot leave. Make another member an owner first, or delete the organization.",
      );
    }
  });
}

const NOT_FOUND: AcceptResult = {
  status: "not_found",
  organization_id: null,
  organization_slug: null,
  organization_name: null,
  role: null,
};

/** Redeems a token for the signed-in user; see public.accept_invitation() for the statuses. */
export async function acceptInvitation(ctx: MembersContext, token: string): Promise<AcceptResult> {
  if (!INVITATION_TOKEN_PATTERN.test(token)) return NOT_FOUND;
  const [result] = await withRls(ctx.sql, ctx.claims, (tx) => tx<AcceptResult[]>`select * from public.accept_invitation(${token})`);
  return result ?? NOT_FOUND;
}

/** What a link invites to, for anyone holding it (signed in or not); null when it matches nothing. */
export async function previewInvitation(sql: Sql, token: string): Promise<InvitationPreview | null> {
  if (!INVITATION_TOKEN_PATTERN.test(token)) return null;
  const [row] = await withRls(sql, null, (tx) => tx<InvitationPreview[]>`select * from public.invitation_preview(${token})`);
  return row ?? null;
}
