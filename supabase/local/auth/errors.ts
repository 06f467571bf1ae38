// GoTrue's error responses. GoTrue picks the body shape from the request's
// X-Supabase-Api-Version header: clients that send 2024-01-01 or later (auth-js always does)
// get `{ code: "<error_code>", message }`, older ones `{ code: <status>, error_code, msg }`.

export const API_VERSION = "2024-01-01";
export const API_VERSION_HEADER = "X-Supabase-Api-Version";

/** An error GoTrue would answer with; anything else thrown by a handler becomes a logged 500. */
export class AuthApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    /** Extra top-level fields, e.g. `weak_password: { reasons }`. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "AuthApiFailure";
  }
}

export const badRequest = (code: string, message: string) => new AuthApiFailure(400, code, message);
export const forbidden = (code: string, message: string) => new AuthApiFailure(403, code, message);
export const notFound = (code: string, message: string) => new AuthApiFailure(404, code, message);
export const unprocessable = (code: string, message: string) => new AuthApiFailure(422, code, message);

export function weakPassword(minLength: number): AuthApiFailure {
  return new AuthApiFailure(422, "weak_password", `Password should be at least ${minLength} characters.`, {
    weak_password: { reasons: ["length"] },
  });
}

/** True when the client asked for the 2024-01-01 API (GoTrue's DetermineClosestAPIVersion). */
export function wantsVersionedErrors(request: Request): boolean {
  const requested = request.headers.get(API_VERSION_HEADER);
  if (!requested || !/^\d{4}-\d{2}-\d{2}$/.test(requested)) return false;
  return requested >= API_VERSION;
}

export function failureBody(failure: AuthApiFailure, versioned: boolean): Record<string, unknown> {
  return versioned
    ? { code: failure.errorCode, message: failure.message, ...failure.extra }
    : { code: failure.status, error_code: failure.errorCode, msg: failure.message, ...failure.extra };
}

export function unexpectedFailure(): AuthApiFailure {
  return new AuthApiFailure(500, "unexpected_failure", "Unexpected failure, please check server logs for more information");
}
