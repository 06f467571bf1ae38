// Errors domain functions raise; the portal turns them into form errors, the API into
// { error: { code, message } } with the status below.
import type { z } from "zod";
import type { ProviderFailure } from "../providers/types.ts";
import { toFieldErrors } from "../schemas/field-errors.ts";

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

/** A zod failure as a domain error; `prefix` names the field when the schema checked a bare value. */
export function validationError(error: z.ZodError, prefix?: string) {
  const fields = toFieldErrors(error.issues, { prefix });
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

/**
 * A live call to a cloud that failed as a whole (a listing, not a health check, which records
 * failures as results). Carries the adapter's secret-free failure: code, message, hint.
 */
export class ProviderCallError extends Error {
  override readonly name = "ProviderCallError";
  constructor(readonly failure: ProviderFailure) {
    super(failure.message);
  }
}
