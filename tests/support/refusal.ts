// What a domain function refused with: its code, message and field errors. Fails the test when
// the promise resolves, and rethrows anything that is not a DomainError (a bug, not a refusal).
import { DomainError } from "../../supabase/functions/_shared/domain/errors.ts";

export async function refusal(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, message: error.message, fieldErrors: error.fieldErrors };
    throw error;
  }
  throw new Error("expected a refusal");
}
