// Resolves /orgs/[slug] for the signed-in user: membership and role, or 404 — an
// organization you do not belong to looks the same as one that does not exist.
import "server-only";
import { notFound } from "next/navigation";
import { cache } from "react";
import { hasRole, type OrgRole } from "@/lib/auth/roles";
import { requireUser } from "@/lib/auth/require-user";
import { getMyOrganization } from "@/lib/db/queries/organizations";

export const requireOrg = cache(async (slug: string) => {
  const user = await requireUser();
  const organization = await getMyOrganization(user, slug);
  if (!organization) notFound();
  return { user, organization };
});

export async function requireOrgRole(slug: string, atLeast: OrgRole) {
  const context = await requireOrg(slug);
  return { ...context, allowed: hasRole(context.organization.role, atLeast) };
}
