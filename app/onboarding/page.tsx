import type { Metadata } from "next";
import Link from "next/link";
import { Logo } from "@/components/brand/logo";
import { CreateOrganizationForm } from "@/components/organizations/create-organization-form";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { signOutAction } from "@/lib/actions/auth";
import { createOrganizationAction } from "@/lib/actions/organizations";
import { requireUser } from "@/lib/auth/require-user";
import { listMyOrganizations } from "@/lib/db/queries/organizations";

export const metadata: Metadata = { title: "Create an organization" };

export default async function OnboardingPage() {
  const user = await requireUser();
  const organizations = await listMyOrganizations(user);
  const [first] = organizations;
  return (
    <main className="bg-muted/40 flex min-h-svh flex-col items-center justify-center gap-6 p-6">
      <Logo />
      <Card className="w-full max-w-md">
        <CardHeader>
          <CardTitle as="h1">{organizations.length ? "Create another organization" : "Create your organization"}</CardTitle>
          <CardDescription>
            An organization holds your team&apos;s cloud providers. You will be its owner and can invite others later.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <CreateOrganizationForm action={createOrganizationAction} />
        </CardContent>
      </Card>
      {first && (
        <Link href={`/orgs/${first.slug}/providers`} className="text-muted-foreground text-sm underline underline-offset-4">
          Back to {first.name}
        </Link>
      )}
      <form action={signOutAction} className="text-muted-foreground flex items-center gap-2 text-xs">
        Signed in as {user.email}
        <Button type="submit" variant="link" size="sm" className="h-auto p-0 text-xs">
          Sign out
        </Button>
      </form>
    </main>
  );
}
