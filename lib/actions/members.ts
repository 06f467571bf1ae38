"use server";
// Members and invitations from the portal. Every write goes through orgAction/userAction and
// then the shared domain function, which runs under RLS: the database refuses what a role may
// not do even if a button were shown by mistake.
import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { ActionError, orgAction, userAction } from "@/lib/actions/safe-action";
import type { SessionUser } from "@/lib/auth/require-user";
import { safeNextPath } from "@/lib/auth/safe-next";
import { sql } from "@/lib/db/client";
import { sendInvitationEmail } from "@/lib/mail/invitation-email";
import { smtpConfigFromEnv } from "@/lib/mail/smtp";
import { createClient } from "@/lib/supabase/server";
import {
  acceptInvitation,
  changeMemberRole,
  inviteMember,
  leaveOrganization,
  removeMember,
  revokeInvitation,
  type Invitation,
} from "@/supabase/functions/_shared/domain/members.ts";
import { INVITATION_TOKEN_PATTERN } from "@/supabase/functions/_shared/schemas/members.ts";

const orgInput = z.looseObject({ orgSlug: z.string().min(1) });
const memberInput = orgInput.extend({ userId: z.uuid({ message: "Unknown member." }) });
const tokenInput = z.object({ token: z.string().regex(INVITATION_TOKEN_PATTERN, { message: "This invitation link is not valid." }) });

const as = (user: SessionUser) => ({ sql, claims: user.claims });

/** Runs a domain call, then refreshes the members page (orgAction turns refusals into messages). */
async function members<T>(slug: string, run: () => Promise<T>): Promise<T> {
  const result = await run();
  revalidatePath(`/orgs/${slug}/members`);
  return result;
}

/** The absolute link for a token, on the origin the admin is using (browsers send Origin with every action). */
async function invitationLink(token: string) {
  const h = await headers();
  const origin = h.get("origin") ?? `${h.get("x-forwarded-proto") ?? "http"}://${h.get("host")}`;
  return new URL(`/invite/${token}`, origin).href;
}

type Mailed = { mailed: boolean; mailError: string | null };

/** Mails the link when SMTP is configured; a failure is reported, never fatal (the admin still has the link). */
async function mailInvitation(invitation: Invitation, link: string, organizationName: string, invitedBy: string): Promise<Mailed> {
  try {
    const config = smtpConfigFromEnv();
    if (!config) return { mailed: false, mailError: null };
    await sendInvitationEmail(config, {
      to: invitation.email,
      link,
      organizationName,
      role: invitation.role,
      invitedBy,
      expiresAt: invitation.expires_at,
    });
    return { mailed: true, mailError: null };
  } catch (error) {
    const reason = (error as Error)?.message ?? "unknown error";
    console.error("invitation mail failed:", reason);
    return { mailed: false, mailError: `The email could not be sent (${reason}). Copy the link and send it yourself.` };
  }
}

export const inviteMemberAction = orgAction(
  orgInput,
  { name: "inviteMember", role: "admin", echo: ["email", "role"] },
  async (input, { user, organization }) => {
    const { invitation, token } = await members(organization.slug, () =>
      inviteMember(as(user), organization.id, { email: input.email, role: input.role }),
    );
    const link = await invitationLink(token);
    const mail = await mailInvitation(invitation, link, organization.name, user.email);
    return {
      id: invitation.id,
      email: invitation.email,
      role: invitation.role,
      expiresAt: invitation.expires_at.toISOString(),
      link,
      ...mail,
    };
  },
);

export const revokeInvitationAction = orgAction(
  orgInput.extend({ invitationId: z.uuid({ message: "Unknown invitation." }) }),
  { name: "revokeInvitation", role: "admin" },
  async (input, { user, organization }) =>
    members(organization.slug, () => revokeInvitation(as(user), organization.id, input.invitationId)),
);

export const changeMemberRoleAction = orgAction(
  memberInput,
  { name: "changeMemberRole", role: "admin" },
  async (input, { user, organization }) =>
    members(organization.slug, () => changeMemberRole(as(user), organization.id, input.userId, input.role)),
);

export const removeMemberAction = orgAction(memberInput, { name: "removeMember", role: "admin" }, async (input, { user, organization }) =>
  members(organization.slug, () => removeMember(as(user), organization.id, input.userId)),
);

export const leaveOrganizationAction = orgAction(
  orgInput,
  { name: "leaveOrganization", role: "viewer" },
  async (_input, { user, organization }) => {
    await members(organization.slug, () => leaveOrganization(as(user), organization.id));
    revalidatePath("/", "layout");
    return { name: organization.name };
  },
);

const ACCEPT_REFUSALS: Record<string, string> = {
  wrong_email: "This invitation is for a different email address. Sign in with the invited address to accept it.",
  unconfirmed: "Confirm your email address first (check your inbox), then open the invitation again.",
};

const accept = userAction(tokenInput, { name: "acceptInvitation" }, async ({ token }, { user }) => {
  const result = await acceptInvitation(as(user), token);
  if (result.status === "accepted" || result.status === "already_member") {
    revalidatePath("/", "layout");
    redirect(`/orgs/${result.organization_slug}/providers`);
  }
  const refusal = ACCEPT_REFUSALS[result.status];
  if (refusal) throw new ActionError(refusal);
  // Used, revoked, expired or unknown: the invitation page explains each and what to do.
  redirect(`/invite/${token}`);
});

export async function acceptInvitationAction(_: unknown, formData: FormData) {
  return accept(formData);
}

/** "Not you?": signs out and comes back to the invitation through sign-in. */
export async function switchAccountForInvitationAction(formData: FormData) {
  const token = String(formData.get("token") ?? "");
  const supabase = await createClient();
  await supabase.auth.signOut();
  const back = INVITATION_TOKEN_PATTERN.test(token) ? safeNextPath(`/invite/${token}`, "") : "";
  redirect(back ? `/sign-in?next=${encodeURIComponent(back)}` : "/sign-in");
}
