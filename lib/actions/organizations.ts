"use server";
// Creating an organization: the database function makes the caller its owner.
import { redirect } from "next/navigation";
import { ActionError, userAction } from "@/lib/actions/safe-action";
import { asUser } from "@/lib/db/rls";
import { onlyRow } from "@/supabase/functions/_shared/db.ts";
import { createOrganizationSchema } from "@/supabase/functions/_shared/schemas/organizations.ts";

const create = userAction(
  createOrganizationSchema,
  { name: "createOrganization", echo: ["name", "slug"] },
  async ({ name, slug }, { user }) => {
    try {
      const rows = await asUser(user, (tx) => tx<{ slug: string }[]>`select slug from public.create_organization(${name}, ${slug})`);
      return onlyRow(rows, "public.create_organization()").slug;
    } catch (error) {
      const pg = error as { code?: string; column_name?: string; message?: string };
      if (pg.code === "23505") throw new ActionError("That URL name is taken.", { slug: [`"${slug}" is already taken. Try another.`] });
      if (pg.code === "22023")
        throw new ActionError("Check the highlighted fields.", { [pg.column_name ?? "name"]: [pg.message ?? "Invalid value."] });
      throw error;
    }
  },
);

export async function createOrganizationAction(_: unknown, formData: FormData) {
  const result = await create(formData);
  if (result.ok) redirect(`/orgs/${result.data}/providers`);
  return result;
}
