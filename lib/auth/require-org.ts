// Resolves /orgs/[slug] for the signed-in user: membership and role, or 404 — an
// organization you do not belong to looks the same as one that does not exist.
import "server-only";
import { notFound } from "next/navigation";
import { cache } from "react";
import { hasRole, type OrgRole } from "@/lib/auth/roles";
import { requireUser } from "@/lib/auth/require-user";
import { listMyOrganizations } from "@/lib/db/queries/organizations";

/**
 * Every organization the signed-in user belongs to, read once per request: the layout's
 * switcher needs the list and requireOrg needs one entry of it, so both come from one query.
 */
export const myOrganizations = cache(async () => {
  const user = await requireUser();
  return { user, organizations: await listMyOrganizations(user) };
});

export const requireOrg = cache(async (slug: string) => {
  const { user, organizations } = await myOrganizations();
  const organization = organizations.find((o) => o.slug === slug);
  if (!organization) notFound();
  return { user, organization };
});

export async function requireOrgRole(slug: string, atLeast: OrgRole) {
  const context = await requireOrg(slug);
  return { ...context, allowed: hasRole(context.organization.role, atLeast) };
}
