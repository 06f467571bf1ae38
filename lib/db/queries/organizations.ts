// Reads about organizations and membership, always as the signed-in user (RLS applies).
import "server-only";
import type { SessionUser } from "@/lib/auth/require-user";
import { asUser, readAsUser } from "@/lib/db/rls";
import type { OrgRole } from "@/lib/auth/roles";

export type OrganizationSummary = { id: string; slug: string; name: string; role: OrgRole };
export type OrganizationMember = { userId: string; email: string; role: OrgRole; joinedAt: Date };

export function listMyOrganizations(user: SessionUser) {
  return readAsUser(
    user,
    (tx) => tx<OrganizationSummary[]>`
    select o.id, o.slug, o.name, m.role
    from public.organizations o
    join public.organization_members m on m.organization_id = o.id and m.user_id = ${user.id}
    order by o.name, o.slug
  `,
  );
}

export async function getMyOrganization(user: SessionUser, slug: string) {
  const rows = await asUser(
    user,
    (tx) => tx<OrganizationSummary[]>`
    select o.id, o.slug, o.name, m.role
    from public.organizations o
    join public.organization_members m on m.organization_id = o.id and m.user_id = ${user.id}
    where o.slug = ${slug}
  `,
  );
  return rows[0] ?? null;
}

export function listMembers(user: SessionUser, organizationId: string) {
  // Emails come from auth.users, which the authenticated role cannot read; the membership
  // rows themselves are RLS-filtered, so only co-members' emails are ever joined.
  return asUser(
    user,
    (tx) => tx<OrganizationMember[]>`
    select m.user_id as "userId", coalesce(u.email, '') as email, m.role, m.created_at as "joinedAt"
    from public.organization_members m
    left join lateral (select * from private.member_emails(m.organization_id) e where e.user_id = m.user_id) u on true
    where m.organization_id = ${organizationId}
    order by m.role desc, u.email
  `,
  );
}
