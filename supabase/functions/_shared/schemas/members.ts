// Member and invitation fields, shared by the invite dialog, the server actions and the domain.
import { z } from "zod";

import { emailField } from "./auth.ts";
import { ORG_ROLE_VALUES, type OrgRole } from "../database.types.ts";

export { ORG_ROLE_VALUES };
export type MemberRole = OrgRole;

export const memberRole = z.enum(ORG_ROLE_VALUES, { message: "Choose a role: viewer, member, admin or owner." });

export const inviteeEmail = emailField("Enter the email address to invite.", "teammate@example.com");

export const inviteMemberSchema = z.object({ email: inviteeEmail, role: memberRole });

/** Invitation tokens are 32 random bytes, base64url without padding (43 characters). */
export const INVITATION_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
