// One organization with an owner, admin, member and viewer, plus an outsider who owns
// another organization: the cast of every RLS test.
import type postgres from "postgres";
import { withRls } from "../../supabase/functions/_shared/db.ts";
import { createUser, type TestUser } from "./db.ts";
import { firstRow } from "./rows.ts";

export type Personas = {
  owner: TestUser;
  admin: TestUser;
  member: TestUser;
  viewer: TestUser;
  outsider: TestUser;
  orgId: string;
  orgSlug: string;
  outsiderOrgId: string;
};

export async function createOrganizationAs(sql: postgres.Sql, user: TestUser, name: string, slug: string) {
  const row = firstRow(
    await withRls(sql, user.claims, (tx) => tx<{ id: string }[]>`select id from public.create_organization(${name}, ${slug})`),
  );
  return row.id;
}

export async function createPersonas(sql: postgres.Sql, label: string): Promise<Personas> {
  const user = (role: string) => createUser(sql, `${label}-${role}`);
  const [owner, admin, member, viewer, outsider] = await Promise.all([
    user("owner"),
    user("admin"),
    user("member"),
    user("viewer"),
    user("outsider"),
  ]);
  const suffix = owner.id.slice(0, 8);
  const orgSlug = `${label}-${suffix}`;
  const orgId = await createOrganizationAs(sql, owner, `${label} org`, orgSlug);
  const outsiderOrgId = await createOrganizationAs(sql, outsider, `${label} other`, `${label}-other-${suffix}`);
  await sql`insert into public.organization_members (organization_id, user_id, role) values
    (${orgId}, ${admin.id}, 'admin'), (${orgId}, ${member.id}, 'member'), (${orgId}, ${viewer.id}, 'viewer')`;
  return { owner, admin, member, viewer, outsider, orgId, orgSlug, outsiderOrgId };
}
