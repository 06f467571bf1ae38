import { redirect } from "next/navigation";
import { getUser } from "@/lib/auth/require-user";
import { listMyOrganizations } from "@/lib/db/queries/organizations";

// The front door: signed-out visitors sign in; members land in their first organization.
export default async function Home() {
  const user = await getUser();
  if (!user) redirect("/sign-in");
  const [first] = await listMyOrganizations(user);
  redirect(first ? `/orgs/${first.slug}/providers` : "/onboarding");
}
