import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthForm } from "@/components/auth/auth-form";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { signUpAction } from "@/lib/actions/auth";
import { getUser } from "@/lib/auth/require-user";
import { safeNextPath } from "@/lib/auth/safe-next";

export const metadata: Metadata = { title: "Create your account" };

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  const target = safeNextPath(next, "");
  if (await getUser()) redirect(target || "/");
  return (
    <Card>
      <CardHeader>
        <CardTitle as="h1">Create your account</CardTitle>
        <CardDescription>Connect your organization&apos;s cloud accounts in one place.</CardDescription>
      </CardHeader>
      <CardContent>
        <AuthForm mode="sign-up" action={signUpAction} next={target || undefined} />
      </CardContent>
    </Card>
  );
}
