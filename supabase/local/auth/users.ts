// auth.users rows and the user object GoTrue sends for them. auth.identities is not part of
// the local bootstrap, so each email user's single identity is synthesised here.
import { createHash } from "node:crypto";

/** The columns read for a user; never encrypted_password. */
export const USER_COLUMNS = [
  "id",
  "aud",
  "role",
  "email",
  "email_confirmed_at",
  "invited_at",
  "phone",
  "phone_confirmed_at",
  "confirmation_sent_at",
  "confirmed_at",
  "recovery_sent_at",
  "email_change",
  "email_change_sent_at",
  "last_sign_in_at",
  "raw_app_meta_data",
  "raw_user_meta_data",
  "created_at",
  "updated_at",
  "banned_until",
  "deleted_at",
  "is_anonymous",
];

export type UserRow = {
  id: string;
  aud: string | null;
  role: string | null;
  email: string | null;
  email_confirmed_at: Date | null;
  invited_at: Date | null;
  phone: string | null;
  phone_confirmed_at: Date | null;
  confirmation_sent_at: Date | null;
  confirmed_at: Date | null;
  recovery_sent_at: Date | null;
  email_change: string | null;
  email_change_sent_at: Date | null;
  last_sign_in_at: Date | null;
  raw_app_meta_data: Record<string, unknown> | null;
  raw_user_meta_data: Record<string, unknown> | null;
  created_at: Date;
  updated_at: Date;
  banned_until: Date | null;
  deleted_at: Date | null;
  is_anonymous: boolean;
};

export const AUDIENCE = "authenticated";
/** GoTrue writes uuid.Nil into instance_id. */
export const NIL_UUID = "00000000-0000-0000-0000-000000000000";

export function isBanned(user: UserRow, now: Date): boolean {
  return user.banned_until !== null && user.banned_until > now;
}

/** A stable id for the synthesised email identity, shaped like a UUID v5. */
function emailIdentityId(userId: string): string {
  const hex = createHash("sha1").update(`email-identity:${userId}`).digest("hex");
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const iso = (value: Date | null | undefined) => (value ? value.toISOString() : undefined);

/** The JSON GoTrue's models.User marshals to: omitempty fields are left out when unset. */
export function userJson(user: UserRow) {
  const email = user.email ?? "";
  const identities = email
    ? [
        {
          identity_id: emailIdentityId(user.id),
          id: user.id,
          user_id: user.id,
          identity_data: {
            email,
            email_verified: user.email_confirmed_at !== null,
            phone_verified: false,
            sub: user.id,
          },
          provider: "email",
          last_sign_in_at: iso(user.last_sign_in_at ?? user.created_at),
          created_at: iso(user.created_at),
          updated_at: iso(user.updated_at),
          email,
        },
      ]
    : [];
  return {
    id: user.id,
    aud: user.aud ?? "",
    role: user.role ?? "",
    email,
    email_confirmed_at: iso(user.email_confirmed_at),
    invited_at: iso(user.invited_at),
    phone: user.phone ?? "",
    phone_confirmed_at: iso(user.phone_confirmed_at),
    confirmation_sent_at: iso(user.confirmation_sent_at),
    confirmed_at: iso(user.confirmed_at),
    recovery_sent_at: iso(user.recovery_sent_at),
    new_email: user.email_change || undefined,
    email_change_sent_at: iso(user.email_change_sent_at),
    last_sign_in_at: iso(user.last_sign_in_at),
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    identities,
    created_at: iso(user.created_at),
    updated_at: iso(user.updated_at),
    banned_until: iso(user.banned_until),
    deleted_at: iso(user.deleted_at),
    is_anonymous: user.is_anonymous,
  };
}

/** GoTrue's UpdateUserMetaData: keys merge at the top level, a null value removes its key. */
export function mergeMetadata(current: Record<string, unknown> | null, updates: Record<string, unknown>) {
  const merged: Record<string, unknown> = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(updates)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}
