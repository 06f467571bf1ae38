// The one server-action wrapper: parse input with the shared zod schema, establish who is
// calling (and their organization role), then run. Thrown errors become a generic message.
import "server-only";
import { unstable_rethrow } from "next/navigation";
import type { z } from "zod";
import { hasRole, type OrgRole } from "@/lib/auth/roles";
import { getUser, type SessionUser } from "@/lib/auth/require-user";
import { getMyOrganization, type OrganizationSummary } from "@/lib/db/queries/organizations";
import { DomainError } from "@/supabase/functions/_shared/domain/errors.ts";
import { toFieldErrors } from "@/supabase/functions/_shared/schemas/field-errors.ts";

export type FieldErrors = Record<string, string[]>;
export type ActionResult<T = undefined> =
  { ok: true; data: T } | { ok: false; error: string; fieldErrors?: FieldErrors; values?: Record<string, string> };

/** An error whose message is safe to show the user, optionally tied to a field. */
export class ActionError extends Error {
  constructor(
    message: string,
    readonly fieldErrors?: FieldErrors,
  ) {
    super(message);
  }
}

export function formToObject(input: unknown): Record<string, unknown> {
  if (!(input instanceof FormData)) return (input ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of input.entries()) {
    if (key.startsWith("$ACTION")) continue;
    out[key] = value;
  }
  return out;
}

/** Non-secret string fields echoed back so a failed form keeps what the user typed. */
function echo(raw: Record<string, unknown>, keep: readonly string[]) {
  const values: Record<string, string> = {};
  for (const key of keep) if (typeof raw[key] === "string") values[key] = raw[key] as string;
  return values;
}

type Context = { user: SessionUser };
type OrgContext = Context & { organization: OrganizationSummary };

type Options = { echo?: readonly string[]; name: string };

async function run<T>(
  name: string,
  raw: Record<string, unknown>,
  keep: readonly string[],
  body: () => Promise<T>,
): Promise<ActionResult<T>> {
  try {
    return { ok: true, data: await body() };
  } catch (error) {
    if (error instanceof ActionError) return { ok: false, error: error.message, fieldErrors: error.fieldErrors, values: echo(raw, keep) };
    // The shared domain functions refuse with messages written for people (and field paths).
    if (error instanceof DomainError) return { ok: false, error: error.message, fieldErrors: error.fieldErrors, values: echo(raw, keep) };
    // Next.js control flow (redirect, notFound) must propagate.
    unstable_rethrow(error);
    console.error(`action ${name} failed:`, (error as Error)?.message ?? error);
    return { ok: false, error: "Something went wrong on our side. Please try again.", values: echo(raw, keep) };
  }
}

function invalid(error: z.ZodError, raw: Record<string, unknown>, keep: readonly string[]): ActionResult<never> {
  return {
    ok: false,
    error: "Check the highlighted fields.",
    fieldErrors: toFieldErrors(error.issues, { whole: "_form" }),
    values: echo(raw, keep),
  };
}

/** An action for any signed-in user. Callers pass the schema's input type (or the form's FormData). */
export function userAction<S extends z.ZodType, T>(schema: S, options: Options, handler: (input: z.infer<S>, ctx: Context) => Promise<T>) {
  return async (input: z.input<S> | FormData): Promise<ActionResult<T>> => {
    const raw = formToObject(input);
    const keep = options.echo ?? [];
    const user = await getUser();
    if (!user) return { ok: false, error: "Your session has ended. Sign in again." };
    const parsed = schema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error, raw, keep);
    return run(options.name, raw, keep, () => handler(parsed.data, { user }));
  };
}

/**
 * An action inside an organization; `orgSlug` comes with the input (typed: the schema's input plus
 * `orgSlug`), the role is checked here and again by RLS.
 */
export function orgAction<S extends z.ZodType, T>(
  schema: S,
  options: Options & { role: OrgRole },
  handler: (input: z.infer<S>, ctx: OrgContext) => Promise<T>,
) {
  return async (input: (z.input<S> & { orgSlug: string }) | FormData): Promise<ActionResult<T>> => {
    const raw = formToObject(input);
    const keep = options.echo ?? [];
    const user = await getUser();
    if (!user) return { ok: false, error: "Your session has ended. Sign in again." };
    const slug = typeof raw.orgSlug === "string" ? raw.orgSlug : "";
    const organization = slug ? await getMyOrganization(user, slug) : null;
    if (!organization) return { ok: false, error: "Organization not found." };
    if (!hasRole(organization.role, options.role)) {
      return { ok: false, error: `This needs the ${options.role} role or above; you are ${organization.role}.` };
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error, raw, keep);
    return run(options.name, raw, keep, () => handler(parsed.data, { user, organization }));
  };
}
