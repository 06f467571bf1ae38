import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthForm } from "@/components/auth/auth-form";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { signInAction } from "@/lib/actions/auth";
import { getUser } from "@/lib/auth/require-user";
import { safeNextPath } from "@/lib/auth/safe-next";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  const target = safeNextPath(next, "");
  if (await getUser()) redirect(target || "/");
  return (
    <Card>
      <CardHeader>
        <CardTitle as="h1">Sign in</CardTitle>
        <CardDescription>Welcome back. Sign in to manage your cloud providers.</CardDescription>
      </CardHeader>
      <CardContent>
        <AuthForm mode="sign-in" action={signInAction} next={target || undefined} />
      </CardContent>
    </Card>
  );
}
