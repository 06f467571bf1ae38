// Errors domain functions raise; the portal turns them into form errors, the API into
// { error: { code, message } } with the status below.
import type { z } from "zod";

export type DomainErrorCode = "validation_failed" | "duplicate" | "not_found" | "forbidden" | "conflict";

export const DOMAIN_ERROR_STATUS: Record<DomainErrorCode, number> = {
  validation_failed: 422,
  duplicate: 409,
  not_found: 404,
  forbidden: 403,
  conflict: 409,
};

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly fieldErrors?: Record<string, string[]>,
  ) {
    super(message);
  }
}

/** Field path → messages, e.g. { "credentials.secret_key": ["must be 40 characters"] }. */
export function zodFieldErrors(error: z.ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of error.issues) (out[issue.path.join(".") || "_form"] ??= []).push(issue.message);
  return out;
}

export function validationError(error: z.ZodError) {
  const fields = zodFieldErrors(error);
  const first = Object.entries(fields)[0];
  const summary = first ? `${first[0]}: ${first[1][0]}` : "The input is not valid.";
  return new DomainError("validation_failed", summary, fields);
}

/** Maps Postgres refusals (RLS, privileges) to domain errors; anything else is rethrown. */
export function fromPostgres(error: unknown, what: string): never {
  const pg = error as { code?: string; message?: string };
  if (pg?.code === "42501") throw new DomainError("forbidden", `You do not have permission to ${what}.`);
  if (pg?.code === "P0002") throw new DomainError("not_found", "Provider not found.");
  throw error;
}
