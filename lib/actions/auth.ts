"use server";
// Sign-up, sign-in and sign-out through Supabase Auth; the session lands in cookies.
import { redirect } from "next/navigation";
import { formToObject, type ActionResult } from "@/lib/actions/safe-action";
import { safeNextPath } from "@/lib/auth/safe-next";
import { createClient } from "@/lib/supabase/server";
import { signInSchema, signUpSchema } from "@/supabase/functions/_shared/schemas/auth.ts";
import { toFieldErrors } from "@/supabase/functions/_shared/schemas/field-errors.ts";
import type { z } from "zod";

type AuthFields = z.infer<typeof signInSchema>;

// Sign-in and sign-up run before there is a user, so they parse input themselves rather
// than through userAction(); they never echo the password back.
async function authenticate(
  schema: typeof signInSchema | typeof signUpSchema,
  formData: FormData,
  call: (input: AuthFields) => Promise<{ code?: string; message: string } | null>,
): Promise<ActionResult> {
  const raw = formToObject(formData);
  const values = { email: typeof raw.email === "string" ? raw.email : "" };
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    return {
      ok: false,
      error: "Check the highlighted fields.",
      fieldErrors: toFieldErrors(parsed.error.issues, { whole: "_form" }),
      values,
    };
  const failure = await call(parsed.data);
  if (failure) {
    switch (failure.code) {
      case "invalid_credentials":
        return { ok: false, error: "Incorrect email or password.", fieldErrors: { password: ["Incorrect email or password."] }, values };
      case "over_request_rate_limit":
      case "over_email_send_rate_limit":
        return { ok: false, error: "Too many attempts. Wait a few minutes and try again.", values };
      case "weak_password":
        return { ok: false, error: "Choose a stronger password.", fieldErrors: { password: [failure.message] }, values };
      case "user_already_exists":
      case "email_exists":
        return {
          ok: false,
          error: "An account with this email already exists.",
          fieldErrors: { email: ["An account with this email already exists. Sign in instead."] },
          values,
        };
      case "confirmation_required":
        return { ok: false, error: failure.message, values };
      default:
        console.error("auth failed:", failure.code ?? "unknown");
        return { ok: false, error: "We could not reach the sign-in service. Try again in a moment.", values };
    }
  }
  redirect(safeNextPath(parsed.data.next, "/"));
}

export async function signInAction(_: unknown, formData: FormData): Promise<ActionResult> {
  return authenticate(signInSchema, formData, async ({ email, password }) => {
    const supabase = await createClient();
    const { error } = await supabase.auth.signInWithPassword({ email, password });
    return error ? { code: error.code, message: error.message } : null;
  });
}

export async function signUpAction(_: unknown, formData: FormData): Promise<ActionResult> {
  return authenticate(signUpSchema, formData, async ({ email, password }) => {
    const supabase = await createClient();
    const { data, error } = await supabase.auth.signUp({ email, password });
    if (error) return { code: error.code, message: error.message };
    // With email confirmation on (hosted default), there is no session yet.
    if (!data.session) return { code: "confirmation_required", message: "Check your inbox to confirm your email, then sign in." };
    return null;
  });
}

export async function signOutAction() {
  const supabase = await createClient();
  await supabase.auth.signOut();
  redirect("/sign-in");
}
