// Reads for the members page and the invitation page. Open invitations are visible to admins
// and owners only (RLS); the token hash is never selected (no client role may).
import "server-only";
import type { SessionUser } from "@/lib/auth/require-user";
import { sql } from "@/lib/db/client";
import { asUser } from "@/lib/db/rls";
import { previewInvitation } from "@/supabase/functions/_shared/domain/members.ts";
import type { MemberRole } from "@/supabase/functions/_shared/schemas/members.ts";

export type OpenInvitation = {
  id: string;
  email: string;
  role: MemberRole;
  invitedByEmail: string | null;
  createdAt: Date;
  expiresAt: Date;
};

export function listOpenInvitations(user: SessionUser, organizationId: string) {
  return asUser(
    user,
    (tx) => tx<OpenInvitation[]>`
    select i.id, i.email, i.role, e.email as "invitedByEmail", i.created_at as "createdAt", i.expires_at as "expiresAt"
    from public.organization_invitations i
    left join lateral (select * from private.member_emails(i.organization_id) m where m.user_id = i.invited_by) e on true
    where i.organization_id = ${organizationId} and i.accepted_at is null and i.revoked_at is null
    order by i.created_at desc
  `,
  );
}

/** What an invitation link is for; works signed out (the token is the permission). */
export function getInvitationPreview(token: string) {
  return previewInvitation(sql, token);
}
