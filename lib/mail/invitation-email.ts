// The invitation email: who invited you, to which organization, with which role, and the link.
import "server-only";
import type { MemberRole } from "@/supabase/functions/_shared/schemas/members.ts";
import { sendMail, type SmtpConfig } from "./smtp";

export type InvitationEmail = {
  to: string;
  link: string;
  organizationName: string;
  role: MemberRole;
  invitedBy: string;
  expiresAt: Date;
};

export function invitationText({ link, organizationName, role, invitedBy, expiresAt }: InvitationEmail) {
  return [
    `${invitedBy} invited you to join ${organizationName} on Cloudkeep as ${role === "admin" || role === "owner" ? "an" : "a"} ${role}.`,
    "",
    "Accept the invitation:",
    link,
    "",
    `The link works once and expires on ${expiresAt.toUTCString()}. Sign in or create your account with this email address to accept it.`,
    "If you did not expect this invitation, you can ignore this email.",
  ].join("\n");
}

export function sendInvitationEmail(config: SmtpConfig, invitation: InvitationEmail) {
  return sendMail(config, {
    to: invitation.to,
    subject: `Join ${invitation.organizationName} on Cloudkeep`,
    text: invitationText(invitation),
  });
}
