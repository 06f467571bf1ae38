"use client";
// Email + password form shared by sign-in and sign-up; errors appear next to their field.
import Link from "next/link";
import { useActionState } from "react";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import type { ActionResult } from "@/lib/actions/safe-action";

type Props = {
  mode: "sign-in" | "sign-up";
  action: (state: ActionResult | null, formData: FormData) => Promise<ActionResult>;
  next?: string;
};

export function AuthForm({ mode, action, next }: Props) {
  const [state, formAction, pending] = useActionState(action, null);
  const failed = state && !state.ok ? state : null;
  const errors = failed?.fieldErrors ?? {};
  const signIn = mode === "sign-in";
  const query = next ? `?next=${encodeURIComponent(next)}` : "";

  return (
    <form action={formAction} className="grid gap-4" noValidate data-test={`${mode}-form`}>
      {failed && !failed.fieldErrors && (
        <Alert variant="destructive">
          <AlertDescription>{failed.error}</AlertDescription>
        </Alert>
      )}
      {next && <input type="hidden" name="next" value={next} />}
      <FormField id="email" label="Email" error={errors.email}>
        {(control) => <Input {...control} name="email" type="email" autoComplete="email" required defaultValue={failed?.values?.email} />}
      </FormField>
      <FormField id="password" label="Password" error={errors.password} description={signIn ? undefined : "At least 8 characters."}>
        {(control) => (
          <Input {...control} name="password" type="password" autoComplete={signIn ? "current-password" : "new-password"} required />
        )}
      </FormField>
      <Button type="submit" disabled={pending} className="w-full">
        {pending ? (signIn ? "Signing in…" : "Creating account…") : signIn ? "Sign in" : "Create account"}
      </Button>
      <p className="text-muted-foreground text-center text-sm">
        {signIn ? "New to Cloudkeep? " : "Already have an account? "}
        <Link className="text-foreground font-medium underline underline-offset-4" href={`${signIn ? "/sign-up" : "/sign-in"}${query}`}>
          {signIn ? "Create an account" : "Sign in"}
        </Link>
      </p>
    </form>
  );
}
